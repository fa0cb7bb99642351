"""The checks a document type's templates pass when its spec loads, and their record.

Every template is present, parses, names only declared facts and extends the layout; the
layout writes the skeleton and the facts block; no stray template lies in the folder; the
title names the type; each section lists the facts its skeleton writes; every fact is used.
(The checks that render, with the spec's examples, are `PromptSet`'s.) A passed check is
recorded in the user's cache under a hash of everything it depends on, so that an unchanged
type is not checked again.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from pipeline import __version__, paths
from pipeline.errors import InputError
from pipeline.spec import DocSpec
from pipeline.template_filters import GLOBALS, REMOVED_GLOBALS
from pipeline.textio import load_structured, read_text
from pipeline.validation import did_you_mean, format_path

CONTEXT_NAMES = frozenset({"doc", "section", "section_facts", "skeleton"})
"""Names every template may use besides the facts and the helpers."""


def check_sources(
    spec: DocSpec, env: SandboxedEnvironment, pdir: Path, shared: Path
) -> tuple[set[str], dict[str, set[str]]]:
    """Every template is present, parses, and names only declared facts; the names the
    templates use, and by section the facts its skeleton writes."""
    allowed = set(spec.facts) | CONTEXT_NAMES | set(GLOBALS) | {"loop", "self", "super"}
    used: set[str] = set()
    written: dict[str, set[str]] = {}
    referenced: set[str] = set()  # the templates an {% include %} or {% import %} names

    def check(name: str, source: str, origin: str, where: tuple[Any, ...] | None = None) -> None:
        """`where`: the key path of the spec field holding an inline template (its line
        in the template is not a line of the spec: the field and its line are named)."""
        field = format_path(where) if where is not None else None
        try:
            ast = env.parse(source)
            declared = meta.find_undeclared_variables(ast)  # compiles: unknown filters fail
        except (MemoryError, RecursionError) as exc:
            raise too_big(exc, origin, field) from None
        except jinja2.TemplateSyntaxError as exc:
            if where is not None:
                raise InputError(
                    f"field '{field}': template syntax error: {exc.message}",
                    path=origin,
                    line=spec_line(spec, where),
                ) from None
            raise InputError(
                f"template syntax error: {exc.message}", path=origin, line=exc.lineno
            ) from None
        used.update(declared)
        referenced.update(n for n in meta.find_referenced_templates(ast) if n)
        unknown = sorted(declared - allowed)
        if unknown:
            uses = [n for n in ast.find_all(jinja2.nodes.Name) if n.name in unknown]
            first = min(uses, key=lambda n: n.lineno)  # where the user looks first
            fix = did_you_mean(first.name, spec.facts)
            if not fix and first.name not in REMOVED_GLOBALS:
                fix = ": declare it under 'facts' in the spec (its type, label and example)"
                if where is None:  # a section's template, not the title or a heading
                    fix += " and list it in the 'facts' of the section that writes it"
            raise InputError(
                f"{name} uses {', '.join(repr(u) for u in unknown)}, which the spec "
                f"{spec.source} does not declare as facts{fix}",
                path=origin,
                line=first.lineno if where is None else spec_line(spec, where),
            )

    check("field 'title'", spec.title, str(spec.source), ("title",))
    for i, s in enumerate(spec.sections):
        if s.heading is not None:
            where = ("sections", i, "heading")
            check(f"field '{format_path(where)}' ('{s.id}')", s.heading, str(spec.source), where)
        file = pdir / s.template_name
        if not file.exists() and not file.is_symlink():  # else read_text says what it is
            taken = {t.template_name for t in spec.sections} | {"section.j2", "system.j2"}
            others = sorted({f.name for f in pdir.iterdir() if f.is_file()} - taken)
            raise InputError(
                f"template for section '{s.id}' not found: write {s.template_name} in "
                f"{pdir} (each section has one, <section id>.j2 or the file its 'template' "
                f"names){did_you_mean(s.template_name, others)}",
                path=str(file),
            )
        source = read_text(file, what="template")
        check("template", source, str(file))
        ast = env.parse(source)
        if ast.find(jinja2.nodes.Extends) is None:
            # rendered alone, its skeleton was the whole prompt: no instructions, no facts
            raise InputError(
                f"template for section '{s.id}' does not extend the layout, so a model "
                "would be sent its text alone, without the instructions and the facts: "
                'start it with {% extends "section.j2" %} and write the section from the '
                "facts inside {% block skeleton %}…{% endblock %}",
                path=str(file),
            )
        written[s.id] = skeleton_facts(ast, spec)
    for name in ("section.j2", "system.j2"):
        located = pdir / name if (pdir / name).is_file() else shared / name
        source = read_text(located, what="template")
        check("template", source, str(located))
        if name == "section.j2":
            check_layout_writes(env.parse(source), located)
    check_no_stray_template(spec, pdir, referenced)
    return used, written


def too_big(exc: BaseException, origin: str, field: str | None) -> InputError:
    """The error for a template that cannot even compile within memory or Python's stack:
    one writing a huge constant (`{{ 'x' | center(1000000000) }}`) or nested too deeply."""
    what = "is nested too deeply" if isinstance(exc, RecursionError) else "makes a value too large"
    where = f"field '{field}': " if field is not None else ""
    return InputError(f"{where}the template {what} to compile ({type(exc).__name__})", path=origin)


LAYOUT_WRITES = {
    "skeleton": "the section written from the facts, which the model is to write up",
    "section_facts": "the facts the section uses, with their labels and the markers of "
    "those missing",
}
"""What the section layout must write into every section's prompt, and what each holds."""


def check_layout_writes(ast: jinja2.nodes.Template, file: Path) -> None:
    """A layout of a type's own (`section.j2`) writes the skeleton and the facts block, as
    the shared one does: without them a model was asked to write a section from nothing."""
    written = {
        n.name
        for output in ast.find_all(jinja2.nodes.Output)
        for n in output.find_all(jinja2.nodes.Name)
    }
    missing = [name for name in LAYOUT_WRITES if name not in written]
    if missing:
        what = " or ".join(f"{{{{ {name} }}}} ({LAYOUT_WRITES[name]})" for name in missing)
        them = "them" if len(missing) > 1 else "it"
        raise InputError(
            f"the section layout does not write {what}, so a model would be asked to write "
            f"every section without {them}: write {them} into the prompt, as "
            "prompts/_shared/section.j2 does",
            path=str(file),
        )


def skeleton_facts(ast: jinja2.nodes.Template, spec: DocSpec) -> set[str]:
    """The facts a template's skeleton block writes (its guidance may name others freely)."""
    return {
        n.name
        for block in ast.find_all(jinja2.nodes.Block)
        if block.name == "skeleton"
        for n in block.find_all(jinja2.nodes.Name)
        if n.ctx == "load" and n.name in spec.facts
    }


def spec_line(spec: DocSpec, where: tuple[Any, ...]) -> int | None:
    """The line of a key of the spec's file (read again: only an error needs it)."""
    if spec.source is None:
        return None
    return load_structured(spec.source, what="document-type spec")[1].line(where)


def check_no_stray_template(spec: DocSpec, pdir: Path, referenced: set[str]) -> None:
    """Every template in the type's folder is a section's, a layout or one a template
    includes: any other (virtu.j2 beside virtue.j2, a renamed section's) is never used,
    and edits to it would change nothing."""
    sections = {s.template_name: s.id for s in spec.sections}
    known = set(sections) | {"section.j2", "system.j2"} | referenced
    for file in sorted(pdir.glob("*.j2")):
        if file.name not in known:
            raise InputError(
                f"template {file.name} belongs to no section of {spec.source}, so it would "
                "never be used: name it <section id>.j2 after a section (sections: "
                f"{', '.join(s.id for s in spec.sections)}), set a section's 'template' to "
                f"it, or delete it{did_you_mean(file.name, sections)}",
                path=str(file),
            )


def check_title(spec: DocSpec, title: str) -> None:
    """The title names a type the checker wants of every draft: the one the name ends in,
    or, with `title_types` (which list the name's), the first of them, ending the title."""
    if spec.title_types:
        if not title.rstrip().endswith(spec.title_types[0]):
            raise InputError(
                f"field 'title_types[0]': the title renders as “{title}”, which does not end "
                f"with “{spec.title_types[0]}”: list first the type the title ends with",
                path=str(spec.source) if spec.source else None,
                line=spec_line(spec, ("title_types", 0)),
            )
        return
    word = spec.type_word
    if word and word not in title:
        raise InputError(
            f"field 'title': renders as “{title}”, which does not name the type “{word}” "
            f"that the name “{spec.name}” ends in, so every draft would fail the title "
            f"check: end the title with {word}, or the name with the type the title names",
            path=str(spec.source) if spec.source else None,
            line=spec_line(spec, ("title",)),
        )


def check_listed(spec: DocSpec, written: dict[str, set[str]]) -> None:
    """A section's skeleton writes only facts the section lists (a model is given the listed
    ones, and a marker of an unlisted one is counted as a marker in the wrong section), and
    every fact the section must mention (else its own offline draft misses it)."""
    for i, s in enumerate(spec.sections):
        for j, name in enumerate(s.must_mention):
            if name not in written.get(s.id, set()):
                entry = ("sections", i, "must_mention", j)
                raise InputError(
                    f"field '{format_path(entry)}' ('{s.id}'): the section must mention "
                    f"'{name}' ({spec.label(name)}), which its template's skeleton does not "
                    "write, so its offline draft would miss it: write it in the skeleton, "
                    "or remove it here",
                    path=str(spec.source) if spec.source else None,
                    line=spec_line(spec, entry),
                )
        unlisted = sorted(written.get(s.id, set()) - set(s.facts))
        if unlisted:
            names = ", ".join(f"'{n}' ({spec.label(n)})" for n in unlisted)
            where = ("sections", i, "facts")
            raise InputError(
                f"field '{format_path(where)}' ('{s.id}'): the section's skeleton writes "
                f"{names}, which this list lacks: add it (a model drafting the section is "
                "given only the facts listed here)",
                path=str(spec.source) if spec.source else None,
                line=spec_line(spec, where),
            )


def check_all_used(spec: DocSpec, used: set[str]) -> None:
    """Every fact reaches the draft: a template writes it, a section gives it to the model,
    or the signature names it. A fact nothing uses is asked of the user and never written."""
    for s in spec.sections:
        used.update(s.facts, s.must_mention)
    if spec.signature:
        used.update(spec.signature.fact_ids())
    if spec.addressee:
        used.add(spec.addressee)
    for name, fact in spec.facts.items():
        if name not in used:
            where = ("facts", name)
            raise InputError(
                f"field '{format_path(where)}' ({fact.label}): no template, section or "
                "signature uses this fact, so the draft never shows it: write it in a "
                "section's template and list it in that section's 'facts', or remove it",
                path=str(spec.source) if spec.source else None,
                line=spec_line(spec, where),
            )


CHECKING_CODE = (
    "prompts.py",
    "template_checks.py",
    "template_sandbox.py",
    "template_sizes.py",
    "template_filters.py",
    "items.py",
    "markers.py",
    "numerals.py",
    "weekdays.py",
)
"""The modules whose code the check runs (this one, the sizes its sandbox estimates, and
the helpers its filters call)."""


def check_record(spec: DocSpec, pdir: Path, shared: Path) -> Path:
    """The cache file saying that this spec and these templates passed the check.

    Its name hashes everything the outcome depends on: the spec as validated, every file the
    template loader can reach (names and contents), the checking code and Jinja's version.
    Any edit gives another name, so the edited set is checked again.
    """
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            # a file name's byte that is not UTF-8 is a lone surrogate: hashed as that byte
            data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)

    add(__version__, jinja2.__version__, repr(spec.model_dump()))
    here = Path(__file__).parent
    for name in CHECKING_CODE:
        try:
            add(name, (here / name).read_bytes())
        except OSError:  # installed without sources: the version above still keys the code
            add(name)
    for folder in (pdir, shared):
        add(str(folder))
        files = sorted(f for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else []
        for f in files:
            add(f.relative_to(folder).as_posix(), f.read_bytes())
    return paths.templates_cache_dir() / "checked" / digest.hexdigest()


def remember(record: Path) -> None:
    """Write the record of a passed check; a cache that cannot be written is no error."""
    with contextlib.suppress(OSError):
        record.parent.mkdir(parents=True, exist_ok=True)
        record.touch()
