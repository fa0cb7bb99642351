"""Helpers for the web app tests: an in-process client, `draft serve` as a real subprocess,
and reading the pages the way a browser would (form fields, CSRF token, marks)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import yaml
from conftest import EXAMPLES, REPO

EXAMPLE = EXAMPLES / "school-ideology-summary.yaml"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCHOOL = "school-ideology-summary"
BASE_URL = "http://127.0.0.1:8000"


def example_facts() -> dict[str, Any]:
    """The example school's facts, as in examples/school-ideology-summary.yaml."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.pop("doctype", None)
    return data


def scripted_profile(home: Path, base_url: str, name: str, key_env: str) -> None:
    """A `draft.toml` in the user config of `home` with a profile `name` for the scripted
    server's good model at `base_url`, its key in the variable `key_env`."""
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "draft.toml").write_text(
        f'[profiles.{name}]\nmodel = "good"\nbase_url = "{base_url}"\nkey_env = "{key_env}"\n',
        encoding="utf-8",
    )


def csrf_of(html: str) -> str:
    """The CSRF token a page carries in its <meta name="csrf-token">."""
    match = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class _Inputs(HTMLParser):
    """Collects the named inputs, textareas and selects of the facts form (not in <template>)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._template = 0
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "template":
            self._template += 1
        if self._template:
            return
        name = a.get("name", "")
        if tag == "input" and name.startswith("fact."):
            self.values[name] = a.get("value", "")
        elif tag == "textarea" and name.startswith("fact."):
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name.startswith("fact."):
            self._select = name
            self.values[name] = ""
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template -= 1
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    """The facts form's fields as the page shows them (what a browser would submit)."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values


def fields_for(facts: dict[str, Any]) -> dict[str, str]:
    """Form fields (`fact.<id>[.<row>[.<field>]]`) filled with these facts."""
    out: dict[str, str] = {}
    for key, value in facts.items():
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    for sub, v in item.items():
                        out[f"fact.{key}.{i}.{sub}"] = str(v)
                else:
                    out[f"fact.{key}.{i}"] = str(item)
        else:
            out[f"fact.{key}"] = str(value)
    return out


def error_beside(html: str, name: str) -> str | None:
    """The error text shown beside the form field `name`, or None when there is none."""
    match = re.search(
        rf'<p class="field-error" id="err-{re.escape(name)}"[^>]*?( hidden)?>([^<]*)</p>', html
    )
    assert match, f"no error slot for {name}"
    return None if match.group(1) else match.group(2)


def follow_job(client: Any, job_url: str) -> list[tuple[str, dict[str, Any]]]:
    """Read a job's server-sent events to the end: [(event, data), ...]."""
    import json

    events: list[tuple[str, dict[str, Any]]] = []
    kind = None
    with client.stream("GET", job_url + "/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: ") and kind:
                events.append((kind, json.loads(line[len("data: ") :])))
                if kind in ("done", "failed"):
                    break
    return events


@dataclass
class Served:
    """A `draft serve` process and where it listens."""

    proc: subprocess.Popen[str]
    url: str
    """The URL it printed (with `?token=` when it requires one)."""
    output: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.url.split("?", 1)[0].rstrip("/")

    @property
    def token(self) -> str | None:
        match = re.search(r"token=([^&\s]+)", self.url)
        return match.group(1) if match else None

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client for the server that keeps cookies, as a browser does."""
        base = self.base.replace("0.0.0.0", "127.0.0.1")
        return httpx.Client(base_url=base, timeout=30, **kwargs)


def start_serve(
    home: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Served:
    """Start `python -m pipeline serve` and wait until it prints its URL."""
    full_env = {**os.environ, "DRAFTSMITH_HOME": str(home), **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--host", host, "--port", str(port)],
        cwd=cwd or REPO,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        output.append(line.rstrip("\n"))
        match = re.search(r"running at (\S+)", line)
        if match:
            served = Served(proc=proc, url=match.group(1), output=output)
            for _ in range(2 if "token=" in served.url else 1):
                output.append((proc.stdout.readline() or "").rstrip("\n"))
            return served
    proc.kill()
    raise AssertionError("draft serve did not start:\n" + "\n".join(output))


def stop_serve(served: Served, sig: int = signal.SIGTERM) -> int:
    """Stop the server with `sig` and return its exit code."""
    if served.proc.poll() is None:
        served.proc.send_signal(sig)
    try:
        return served.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        return served.proc.wait(timeout=10)


@contextmanager
def serving(home: Path, **kwargs: Any) -> Iterator[Served]:
    """`draft serve` for the duration of a `with` block."""
    served = start_serve(home, **kwargs)
    try:
        yield served
    finally:
        stop_serve(served)
