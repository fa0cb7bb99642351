"""`draft check`: check any text (a draft, a sample, a report a user brings) like a linter."""

from __future__ import annotations

import json
import stat
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.commands.options import SpecDirs
from pipeline.errors import ExitCode, InputError

if TYPE_CHECKING:  # checking a text without a type needs no spec
    from pipeline.checker.findings import CheckReport
    from pipeline.render.json import SavedDraft
    from pipeline.spec import DocSpec

FORMATS = ("text", "json")
_WINDOW_BEFORE, _WINDOW_AFTER = 24, 36
"""Characters of context shown around a finding on a long line."""


def _width(s: str) -> int:
    """Terminal columns of `s`: two for wide (CJK) characters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _excerpt_lines(
    text: str, start: int, end: int, line_start: int, line_end: int
) -> tuple[str, str]:
    """The source line around a finding (trimmed when long) and a caret line under it."""
    a = max(line_start, start - _WINDOW_BEFORE)
    b = min(line_end, max(end, start + 1) + _WINDOW_AFTER)
    shown = text[a:b].rstrip("\r").replace("\t", " ")
    lead = "…" if a > line_start else ""
    tail = "…" if b < line_end else ""
    pad = _width(lead) + _width(text[a:start].replace("\t", " "))
    marked = text[start : min(end, b)].replace("\n", "")
    caret = " " * pad + "^" * max(1, _width(marked))
    return lead + shown + tail, caret


def format_text(path: str, text: str, report: CheckReport, *, show_info: bool) -> str:
    """The report as a linter prints it: `path:line:col: code [severity] message`, the line, a
    caret under the finding, and the hint."""
    from pipeline.checker.text import LineIndex

    index = LineIndex(text)
    out = []
    hidden = 0
    for f in report.findings:
        if f.severity == "info" and not show_info:
            hidden += 1
            continue
        out.append(f"{path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}")
        line_end = index.starts[f.line] - 1 if f.line < len(index.starts) else len(text)
        source, caret = _excerpt_lines(text, f.start, f.end, index.starts[f.line - 1], line_end)
        out.append(f"    {source}")
        out.append(f"    {caret}")
        if f.hint:
            out.append(f"    hint: {f.hint}")
    s = report.summary
    summary = f"{path}: {s['errors']} error(s), {s['warnings']} warning(s), {s['infos']} note(s)"
    if hidden:
        summary += " (notes not shown: add --info)"
    out.append(summary)
    return "\n".join(out) + "\n"


def format_json(report: CheckReport) -> str:
    """`{"findings": [...], "summary": {...}}`."""
    data = {
        "findings": [f.model_dump(mode="json") for f in report.findings],
        "summary": report.summary,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _load_input(file: Path) -> tuple[str, str, SavedDraft | None]:
    """The text to check, its file's codec (a cleaned copy is written in it), and the saved
    draft it came from when FILE is a Draft JSON."""
    from pipeline.render import OTHER_DOCUMENT_FORMATS
    from pipeline.textio import document_kind, read_encoded_text

    suffix = file.suffix.lower()
    if suffix == ".json":
        from pipeline.render.json import load_saved_draft

        saved = load_saved_draft(file)
        return saved.draft.text, "utf-8", saved
    if suffix == ".docx":
        from pipeline.docx_text import read_docx

        return read_docx(file, what="Word document"), "utf-8", None
    if suffix.lstrip(".") in OTHER_DOCUMENT_FORMATS - {"html", "htm"}:  # HTML is text
        raise InputError(
            f"cannot read a {suffix} file: save it as .docx or .txt, or copy its text into a "
            ".txt file",
            path=str(file),
        )
    kind = document_kind(file)
    if kind is not None:
        raise InputError(f"not a text file but {kind}", path=str(file))
    return *read_encoded_text(file, what="text file"), None


def _not_a_file(path: Path) -> bool:
    """Whether `path` is there but is no regular file (`/dev/stdin` of a pipe, `<(…)`)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # missing or unreadable: the reader says which
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))  # a folder: the reader says so


def _fixed_path(file: Path, output: Path | None) -> Path:
    """Where --fix writes: -o, else beside FILE as <stem>.fixed.txt (or .md)."""
    from pipeline.render import OTHER_DOCUMENT_FORMATS

    if output is not None:
        ext = output.suffix.lower().lstrip(".")
        if ext in {"docx", "json"} | (OTHER_DOCUMENT_FORMATS - {"html", "htm"}):
            # the cleaned copy is the checked text: under such a name (the draft JSON or the
            # Word file itself, say) it would be a file its program cannot open
            raise InputError(
                f"--fix writes plain text, not a .{ext} file: name the cleaned copy .txt or .md",
                path=str(output),
            )
        return output
    if _not_a_file(file):
        raise InputError(
            "--fix names the cleaned copy after FILE, and this is a pipe or a device, not a "
            "file: name the copy with -o, such as -o cleaned.txt",
            path=str(file),
        )
    suffix = file.suffix if file.suffix.lower() in (".txt", ".md", ".markdown") else ".txt"
    return file.with_name(f"{file.stem}.fixed{suffix}")


def _draft_spec(file: Path, doctype: str, spec_dirs: list[Path] | None) -> DocSpec:
    """The document type a draft JSON names; one not found here is said to come from the file."""
    from pipeline.spec import UnknownDoctypeError, load_spec

    try:
        return load_spec(doctype, spec_dirs=spec_dirs, templates=False)
    except InputError as exc:
        if exc.path is not None:  # the type's own spec is broken: that file is named
            raise
        if not isinstance(exc, UnknownDoctypeError):
            raise
        raise InputError(
            f"field 'doctype': {exc.reason}; for a type of your own, {exc.folder_hint} "
            "or --doctype with its spec file",
            path=str(file),
        ) from None


def check(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The text to check: .txt, .md, .docx, or a draft written as JSON."
        ),
    ],
    doctype: Annotated[
        str | None,
        typer.Option(help="Document type: checks required sections, title, points, lengths."),
    ] = None,
    facts: Annotated[
        Path | None,
        typer.Option(help="Facts file: every number, name and year must agree with it."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text (a linter's lines) or json.")] = "text",
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Write a cleaned copy (residue removed, wrap spaces joined, punctuation "
            "full-width, 的的 written once); gaps are never touched. Written to FILE's name + .fixed, or to -o.",
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where --fix writes the cleaned copy.")
    ] = None,
    show_info: Annotated[
        bool, typer.Option("--info", help="Also list info-level notes (wrap spaces…).")
    ] = False,
    spec_dir: SpecDirs = None,
) -> None:
    """Check FILE for missing parts, placeholder and silent gaps, broken set phrases, site
    residue, and (with --facts) numbers the facts cannot back.

    Exit 0 without error findings, 1 with, 2 on bad input.
    """
    from pipeline.checker import apply_fixes, check_text
    from pipeline.checker.fix import fixable
    from pipeline.textio import check_output_path

    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}': expected one of {', '.join(FORMATS)}")
    if output is not None and not fix:
        raise InputError("-o names where --fix writes the cleaned copy: add --fix")
    if fix:
        target = check_output_path(_fixed_path(file, output))  # before the report is printed
        # FILE itself may be fixed in place (kept as （已编辑）), but a cleaned text in the
        # place of the facts or spec it was checked against would be a file of neither kind
        for given in (facts, Path(doctype) if doctype else None):
            if given is not None and given.is_file():
                check_output_path(target, source=given)
    text, encoding, saved = _load_input(file)
    draft = saved.draft if saved is not None else None
    spec = facts_obj = None
    # the spec and facts modules are imported only when used: a text checked without a type
    # needs neither (start-up time is an issue #4 target)
    if facts is not None:
        from pipeline.facts import load_facts

        spec, facts_obj = load_facts(facts, doctype=doctype, spec_dirs=spec_dir, templates=False)
    elif doctype is not None:
        from pipeline.spec import load_spec

        spec = load_spec(doctype, spec_dirs=spec_dir, templates=False)
    elif draft is not None:
        spec = _draft_spec(file, draft.doctype, spec_dir)
    if facts is None and spec is not None and saved is not None and saved.draft.facts:
        from pipeline.filling import saved_draft_facts
        from pipeline.spec import doctype_id

        if doctype is None or doctype_id(doctype) == saved.draft.doctype:
            facts_obj = saved_draft_facts(saved, spec, path=f"{file} (facts)")
    # a value written over a marker counts as the fact only in a JSON draft checked with its
    # own facts (pipeline.filling); a --facts file alone gives the facts
    report = check_text(text, spec=spec, facts=facts_obj, reads_typed_values=facts is None)

    if fmt == "json":
        sys.stdout.write(format_json(report))
    else:
        sys.stdout.write(format_text(str(file), text, report, show_info=show_info))
    sys.stdout.flush()

    if fix:
        from pipeline.written import print_kept_copies, write_output

        target = _fixed_path(file, output)
        fixed = apply_fixes(text, report.findings)
        copy = write_output(target, fixed.encode(encoding))  # as the user's editor saved it
        applied = len(fixable(report.findings))
        kept = "" if encoding.startswith("utf-8") else f"; {encoding.upper()}, as the input"
        print(
            f"wrote a cleaned copy to {target} ({applied} fix(es); gaps left as they are{kept})",
            file=sys.stderr,
        )
        if copy is not None:
            print_kept_copies([(target, copy)])
    raise typer.Exit(ExitCode.FINDINGS if report.errors else ExitCode.OK)
