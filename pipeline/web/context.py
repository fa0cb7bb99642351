"""What every request handler shares: settings, the store, the jobs, the pages, the specs.

One `WebContext` per app (`request.app.state.ctx`). Specs are loaded once and reloaded
when their file changes, so a document type learned while the server runs appears at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import HTMLResponse

from pipeline import paths
from pipeline.errors import DraftsmithError
from pipeline.spec import DocSpec, available_doctypes, load_spec_file
from pipeline.web.jobs import JobManager
from pipeline.web.security import WebSettings
from pipeline.web.store import Store

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


class DoctypeInfo(BaseModel):
    """A document type as the home page lists it."""

    id: str
    name: str
    description: str
    learned: bool
    """True for a type made by `draft learn` (in the user data directory)."""
    sections: int
    facts: int


class ModelChoice(BaseModel):
    """A model the user may generate with; never carries a key or an endpoint."""

    name: str
    label: str


@cache
def _static_version(name: str) -> str:
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def static_url(name: str) -> str:
    """The URL of a packaged static file, with a content hash so browsers never keep a stale one."""
    return f"/static/{name}?v={_static_version(name)}"


def local_time(stamp: str | None) -> str:
    """An ISO timestamp as 2024-05-01 14:03 in local time."""
    if not stamp:
        return ""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def model_name(name: str) -> str:
    """A model as a draft names it for the clerk: the offline model in Chinese, a profile by
    the name it has in draft.toml."""
    return "离线模型" if name == "offline" else name


class Pages:
    """The Jinja environment (autoescape always on) and page rendering."""

    def __init__(self, settings: WebSettings):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals["static"] = static_url
        self.env.globals["data_dir"] = str(paths.user_data_dir())
        self.env.filters["local_time"] = local_time
        self.env.filters["model_name"] = model_name
        self.settings = settings

    def html(
        self, request: Request, name: str, *, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """Render the page template `name` for this request."""
        body = self.env.get_template(name).render(
            request=request,
            csrf_token=request.state.csrf_token,
            **context,
        )
        return HTMLResponse(body, status_code=status)

    def part(self, template: str, macro: str, *args: Any) -> str:
        """Render one macro of a template: the fragments the review page swaps in after an edit."""
        module = self.env.get_template(template).make_module({})
        return str(getattr(module, macro)(*args))


class WebContext:
    """Settings, store, jobs, pages and specs of one app."""

    def __init__(self, settings: WebSettings):
        self.settings = settings
        self.store = Store(Path(settings.db_path) if settings.db_path else None)
        self.jobs = JobManager()
        self.pages = Pages(settings)
        self._specs: dict[Path, tuple[float, DocSpec]] = {}
        self._lock = threading.Lock()

    def _load(self, path: Path) -> DocSpec:
        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._specs.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        spec = load_spec_file(path)
        with self._lock:
            self._specs[path] = (mtime, spec)
        return spec

    def spec(self, doctype: str) -> DocSpec:
        """The spec of a document type (built-in or learned); InputError if unknown."""
        from pipeline.spec import find_spec_path

        return self._load(find_spec_path(doctype))

    def doctypes(self) -> list[DoctypeInfo]:
        """Every document type that loads, built-ins first."""
        learned_root = paths.user_doctypes_dir().resolve()
        found = []
        for doctype, path in available_doctypes().items():
            try:
                spec = self._load(path)
            except DraftsmithError:
                continue
            found.append(
                DoctypeInfo(
                    id=doctype,
                    name=spec.name,
                    description=spec.description,
                    learned=learned_root in path.resolve().parents,
                    sections=len(spec.sections),
                    facts=len(spec.facts),
                )
            )
        found.sort(key=lambda d: (d.learned, d.id))
        return found

    def model_choices(self) -> list[ModelChoice]:
        """`offline` and every configured profile, by name only (keys stay on the server)."""
        if self.settings.models is not None:
            return [ModelChoice(name=m, label=m) for m in self.settings.models]
        choices = [ModelChoice(name="offline", label="离线模型（按事实生成，无需网络）")]
        try:
            from pipeline.config import load_config

            config = load_config()
        except (ImportError, DraftsmithError):
            return choices
        for name, profile in sorted(config.profiles.items()):
            choices.append(ModelChoice(name=name, label=f"{name}（{profile.model}）"))
        return choices


def ctx(request: Request) -> WebContext:
    """The app's shared context."""
    return request.app.state.ctx
