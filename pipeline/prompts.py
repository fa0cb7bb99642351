"""Section prompt templates: Jinja2 in a sandbox, strict about undefined names.

Each section has one template, `prompts/<doctype>/<section>.j2`, that extends the shared
layout (`prompts/_shared/section.j2`) and fills two blocks:

- `skeleton`: the section written deterministically from the facts; the offline model's
  draft, and the ground a real model is asked to write from;
- `guidance`: what a model should take care of in this section.

Fact values are inserted as values, never rendered as templates. A missing optional fact
renders as its marker 【待补充：<label>】. A template that names a fact the spec does not
declare fails when the spec loads, not later as an empty string.

This module loads a type's templates (`PromptSet`) and renders them; beside it,
`template_sandbox` (what a template may do), `template_filters` (the filters it may use) and
`template_checks` (what the templates must pass when the spec loads).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2.bccache import Bucket
from jinja2.debug import rewrite_traceback_stack
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from pipeline import __version__, paths
from pipeline.errors import DraftsmithError, InputError
from pipeline.markers import marker
from pipeline.spec import DocSpec, SectionSpec
from pipeline.template_checks import (
    check_all_used,
    check_listed,
    check_record,
    check_sources,
    check_title,
    remember,
    spec_line,
    too_big,
)
from pipeline.template_filters import FILTERS, GLOBALS, REMOVED_GLOBALS
from pipeline.template_sandbox import BoundedSandbox, Item, Missing, Undefined, budgeted
from pipeline.textio import path_text, read_text
from pipeline.validation import format_path

SHARED_DIR = "_shared"


class Message(BaseModel):
    """One chat message sent to a model."""

    role: Literal["system", "user", "assistant"]
    content: str


class SectionPrompt(BaseModel):
    """Everything needed to draft one section."""

    section_id: str
    heading: str | None
    """The heading without its number, rendered."""
    messages: list[Message]
    skeleton: str
    """The section body written from the facts: paragraphs separated by newlines."""
    template_hash: str


class TemplateFailure(InputError):
    """A template raised an error while rendering: names what failed, its file and the case."""

    def __init__(
        self,
        what: str,
        detail: str,
        *,
        path: str | None,
        case: str = "the facts given",
        line: int | None = None,
    ) -> None:
        self.what, self.detail = what, detail
        super().__init__(f"{what} fails with {case}: {detail}", path=path, line=line)


def _template_line(path: str | None) -> int | None:
    """The line of the template file `path` where the exception being handled was raised,
    None when it was not raised there. Jinja's traceback rewriting (as its own rendering
    does) gives each template frame its file and template line."""
    line, tb = None, rewrite_traceback_stack().__traceback__
    while tb is not None:
        if path is not None and tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@contextlib.contextmanager
def _failing_as(what: str, path: str | None) -> Iterator[None]:
    """Render within one budget (`template_sandbox.budgeted`), and report any error a
    template raises while rendering as a TemplateFailure."""
    try:
        with budgeted():
            yield
    except DraftsmithError:
        raise
    except jinja2.UndefinedError as exc:
        detail = exc.message or str(exc)
        raise TemplateFailure(what, detail, path=path, line=_template_line(path)) from None
    except Exception as exc:  # a template is code: any error it raises is the template's
        detail, line = f"{type(exc).__name__}: {exc}", _template_line(path)
        raise TemplateFailure(what, detail, path=path, line=line) from None


def normalize_skeleton(text: str) -> str:
    """Join a template's wrapped lines into paragraphs, one per line.

    Paragraphs are separated by blank lines in the template; lines inside a paragraph are
    joined without a space (Chinese text), so template authors can wrap freely.
    """
    paragraphs = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        joined = "".join(line.strip() for line in block.split("\n"))
        if joined:
            paragraphs.append(joined)
    return "\n".join(paragraphs)


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- the set


class PromptSet:
    """The loaded, checked templates of one document type."""

    def __init__(self, spec: DocSpec, env: SandboxedEnvironment):
        self.spec = spec
        self.env = env
        self._title = env.from_string(spec.title)
        self._headings = {
            s.id: env.from_string(s.heading) for s in spec.sections if s.heading is not None
        }
        self._sections = {s.id: env.get_template(s.template_name) for s in spec.sections}
        self._system = env.get_template("system.j2")
        shared = "".join(self._source(name) for name in ("section.j2", "system.j2"))
        self.hashes = {
            s.id: _hash(self._source(s.template_name), shared, spec.title, s.heading or "")
            for s in spec.sections
        }

    def _source(self, name: str) -> str:
        loader = self.env.loader
        assert loader is not None
        return loader.get_source(self.env, name)[0]

    @classmethod
    def load(cls, spec: DocSpec) -> PromptSet:
        """Load and check the templates of `spec`: all present, no undeclared names, renderable.

        A spec loaded again with unchanged files reuses the checked set (loading a spec checks
        its templates, and drafting needs them: one process does both).
        """
        assert spec.prompts_dir is not None
        pdir = Path(spec.prompts_dir)
        if pdir.exists() and not pdir.is_dir():
            raise InputError(
                f"expected the prompt folder for '{spec.id}' (its section templates), found a "
                "file: make it a folder holding <section id>.j2",
                path=str(pdir.absolute()),
            )
        if not pdir.is_dir():
            where = ""
            if spec.source is not None and pdir == spec.source.parent.parent / "prompts" / spec.id:
                where = (
                    f": the section templates of {spec.source} go in prompts/{spec.id}/ beside "
                    "the folder holding the spec (a type is schemas/<id>.yaml and prompts/<id>/ "
                    "in one folder)"
                )
            raise InputError(
                f"prompt folder for '{spec.id}' not found{where}", path=str(pdir.absolute())
            )
        shared = paths.builtin_prompts_dir() / SHARED_DIR
        key = (
            str(spec.source),
            spec.content_hash,
            str(pdir),
            _folder_state(pdir),
            _folder_state(shared),
        )
        if spec.source is None or not spec.content_hash:
            return cls._checked(spec, pdir, shared)  # an in-memory spec: nothing to key it by
        if key not in _LOADED:
            _LOADED[key] = cls._checked(spec, pdir, shared)
        return _LOADED[key]

    @classmethod
    def _checked(cls, spec: DocSpec, pdir: Path, shared: Path) -> PromptSet:
        """Check and compile the templates, or only compile them when these exact spec and
        templates passed the check before (a record in the user's cache says so)."""
        env = BoundedSandbox(
            loader=_TemplateLoader([str(pdir), str(shared)]),
            undefined=Undefined,
            autoescape=False,
            keep_trailing_newline=True,
            # A changed template folder gives a new set (see `load`): no stat per render.
            auto_reload=False,
            bytecode_cache=_BytecodeCache(str(paths.templates_cache_dir() / "bytecode")),
        )
        env.filters.update(FILTERS)
        env.bounded_filters()
        env.globals.update(GLOBALS)
        for name in REMOVED_GLOBALS:
            del env.globals[name]
        record = check_record(spec, pdir, shared)
        if record.is_file():
            return cls._compiled(spec, env)
        used, written = check_sources(spec, env, pdir, shared)
        prompts = cls._compiled(spec, env)
        prompts._trial_render()
        check_listed(spec, written)
        prompts._check_markers(written)
        check_all_used(spec, used)
        remember(record)  # only now: a failing check is never recorded
        return prompts

    @classmethod
    def _compiled(cls, spec: DocSpec, env: SandboxedEnvironment) -> PromptSet:
        try:
            return cls(spec, env)
        except (MemoryError, RecursionError) as exc:
            raise too_big(exc, str(spec.source), None) from None
        except jinja2.TemplateSyntaxError as exc:
            raise InputError(
                f"template syntax error: {exc.message}", path=exc.filename, line=exc.lineno
            ) from None

    def _trial_render(self) -> None:
        """Render every template with the spec's examples, and with every optional fact missing."""
        examples = {k: f.example for k, f in self.spec.facts.items()}
        required_only = {
            k: (v if self.spec.facts[k].required else None) for k, v in examples.items()
        }
        for values, case in (
            (examples, "the spec's examples"),
            (required_only, "the optional facts missing"),
        ):
            try:
                title = self.render_title(values)
                if values is examples:
                    check_title(self.spec, title)
                # a section whose `when` fact is missing is not drafted, so not rendered
                drafted = self.spec.drafted_sections(values)
                for i, s in enumerate(self.spec.sections):
                    if s not in drafted:
                        continue
                    if s.heading is not None and not self.render_heading(s, values):
                        where = ("sections", i, "heading")
                        raise InputError(
                            f"field '{format_path(where)}' ('{s.id}'): the heading renders "
                            f"empty with {case}, so the draft would number nothing: write "
                            "the heading's words, or leave 'heading' out for an unnumbered "
                            "section (the opening)",
                            path=str(self.spec.source) if self.spec.source else None,
                            line=spec_line(self.spec, where),
                        )
                    skeleton = self.render_section(s, values).skeleton
                    if not skeleton and values is examples:  # every fact given, nothing written
                        raise TemplateFailure(
                            f"template for section '{s.id}'",
                            "its skeleton block writes nothing, so the offline draft of the "
                            "section would be empty: write the section there from the facts (a "
                            "missing fact writes its marker)",
                            path=self._sections[s.id].filename,
                        )
            except TemplateFailure as exc:
                raise TemplateFailure(
                    exc.what, exc.detail, path=exc.path, case=case, line=exc.line
                ) from None

    def _check_markers(self, written: dict[str, set[str]]) -> None:
        """An optional fact a skeleton writes leaves its marker when it alone is missing: a
        `{% for %}` over a list left out wrote nothing, and the draft had no gap to see. One
        the spec leaves out (`absent: omit`) leaves none: the draft would show a gap that is
        not one."""
        examples = {k: f.example for k, f in self.spec.facts.items()}
        for s in self.spec.sections:
            given = self.render_section(s, examples).skeleton
            for name in sorted(written.get(s.id, set())):
                fact = self.spec.facts[name]
                if fact.required or name == s.when:  # its own fact missing: no section
                    continue
                skeleton = self.render_section(s, {**examples, name: None}).skeleton
                if fact.absent == "omit":
                    if marker(fact.label) in skeleton:
                        raise InputError(
                            f"template for section '{s.id}': the optional fact '{name}' "
                            f"({fact.label}) is 'absent: omit', yet with it missing the "
                            f"skeleton writes its marker {marker(fact.label)}: write it only "
                            f"when given, {{% if {name} %}}…{{% endif %}}, or remove "
                            "'absent: omit' from the spec",
                            path=self._sections[s.id].filename,
                        )
                    continue
                # a fact the examples' branch does not write changes nothing when missing
                if skeleton != given and marker(fact.label) not in skeleton:
                    raise InputError(
                        f"template for section '{s.id}': with the optional fact '{name}' "
                        f"({fact.label}) missing, the skeleton does not write its marker "
                        f"{marker(fact.label)}, so the draft would not show the gap: write "
                        f"{{{{ {name} }}}} where it is missing, such as {{% if {name} %}}…"
                        f"{{% else %}}{{{{ {name} }}}}。{{% endif %}}",
                        path=self._sections[s.id].filename,
                    )

    # ------------------------------------------------------------------------- rendering

    def context(self, values: dict[str, Any]) -> dict[str, Any]:
        """The template context: every fact, with a missing one as `Missing(label)`."""
        ctx: dict[str, Any] = {}
        for name, fact in self.spec.facts.items():
            value = values.get(name)
            if value is None:
                ctx[name] = Missing(fact.label)
            elif fact.type == "object-list" and fact.fields:
                ctx[name] = [
                    Item(
                        {
                            k: (item.get(k) if item.get(k) is not None else Missing(f.label))
                            for k, f in fact.fields.items()
                        },
                        name,
                        fact.label,
                    )
                    for item in value
                ]
            else:
                ctx[name] = value
        ctx["doc"] = {"id": self.spec.id, "name": self.spec.name}
        return ctx

    def render_title(self, values: dict[str, Any]) -> str:
        """The document's title."""
        with _failing_as("the title template", str(self.spec.source)):
            return normalize_skeleton(self._title.render(self.context(values)))

    def render_heading(
        self, section: SectionSpec, values: dict[str, Any], *, ctx: dict[str, Any] | None = None
    ) -> str | None:
        """A section's heading without its number, or None for an unheaded section (`ctx`:
        the template context of `values`, when the caller has it already)."""
        tmpl = self._headings.get(section.id)
        if tmpl is None:
            return None
        with _failing_as(f"the heading of section '{section.id}'", str(self.spec.source)):
            return normalize_skeleton(tmpl.render(ctx if ctx is not None else self.context(values)))

    def render_section(self, section: SectionSpec, values: dict[str, Any]) -> SectionPrompt:
        """The messages and the skeleton of one section."""
        tmpl = self._sections[section.id]
        ctx = self.context(values)
        heading = self.render_heading(section, values, ctx=ctx)
        ctx["section"] = {
            "id": section.id,
            "heading": heading or "开头段",
            "min_points": section.min_points,
            "min_length": section.length.min,
            "max_length": section.length.max,
        }
        ctx["section_facts"] = _facts_block(self.spec, section, values)
        block = tmpl.blocks.get("skeleton")
        if block is None:
            raise InputError(
                f"template for section '{section.id}' has no skeleton block: start it with "
                '{% extends "section.j2" %} and write the section from the facts inside '
                "{% block skeleton %}…{% endblock %}",
                path=tmpl.filename,
            )
        with _failing_as(f"template for section '{section.id}'", tmpl.filename):
            skeleton = normalize_skeleton(self.env.concat(block(tmpl.new_context(ctx))))
            ctx["skeleton"] = skeleton
            user = tmpl.render(ctx).strip()
            system = self._system.render(ctx).strip()
        return SectionPrompt(
            section_id=section.id,
            heading=heading,
            messages=[Message(role="system", content=system), Message(role="user", content=user)],
            skeleton=skeleton,
            template_hash=self.hashes[section.id],
        )


_LOADED: dict[tuple[object, ...], PromptSet] = {}


class _TemplateLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, reading a template as every file Draftsmith reads (`read_text`):
    UTF-8 with or without a BOM, UTF-16 with a BOM, or GB18030 (GBK) as Notepad, Word and
    WPS save it. Jinja itself reads UTF-8 only: a GBK template passed the check, then
    failed to compile with a UnicodeDecodeError traceback."""

    def __init__(self, searchpath: list[str]) -> None:
        super().__init__(searchpath, encoding="latin-1")  # locates the file; never fails

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        _, filename, uptodate = super().get_source(environment, template)
        return read_text(filename, what="template", allow_empty=True), filename, uptodate


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk, keyed by template file and checked against its
    source's hash by Jinja; a folder that cannot be read or written only means compiling."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key, for this package's code generation (`BoundedSandbox._generate`):
        code compiled by an earlier version, without its loop count, is never reused."""
        # Jinja encodes the file name as UTF-8: one with a byte that is not was a traceback
        filename = None if filename is None else path_text(filename)
        return f"{super().get_cache_key(name, filename)}-{__version__}-counted-joined"

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)


def _folder_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of a template folder's files, subfolders included
    (a template may include one from there): a change invalidates the cache."""
    if not folder.is_dir():
        return ()
    return tuple(
        (f.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns)
        for f in sorted(folder.rglob("*"))
        if f.is_file() and (st := f.stat())
    )


def _facts_block(spec: DocSpec, section: SectionSpec, values: dict[str, Any]) -> str:
    """The facts a section uses, labelled in Chinese, as JSON lines for the model."""
    lines = []
    for name in section.facts:
        fact = spec.facts[name]
        value = values.get(name)
        if value is None:
            # a fact the spec leaves out when missing is no gap: the model must not mark it
            shown = (
                "（未提供，不写这一项，也不写标记）"
                if fact.absent == "omit"
                else "（未提供，写作标记" + marker(fact.label) + "）"
            )
        else:
            shown = json.dumps(value, ensure_ascii=False, default=str)
        unit = f"（单位：{fact.unit}）" if fact.unit else ""
        lines.append(f"- {fact.label}{unit}：{shown}")
    return "\n".join(lines) or "（本节不使用具体事实）"
