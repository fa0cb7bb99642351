"""`draft export`: render a saved draft (JSON) again as Word, Markdown, text or JSON, no model."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.commands.options import Outputs, SpecDirs, output_targets
from pipeline.errors import ExitCode, InputError

if TYPE_CHECKING:
    from pipeline.document import Draft
    from pipeline.render.json import SavedDraft
    from pipeline.spec import DocSpec


def export(
    draft_file: Annotated[
        Path,
        typer.Argument(
            metavar="DRAFT_FILE", help="A draft saved by `draft run --format json` (or -o x.json)."
        ),
    ],
    outputs: Outputs = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="docx, md, txt or json; defaults to the output's extension, else md."
        ),
    ] = None,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean", help="Word: no comments; only the 【待补充：…】 markers stay highlighted."
        ),
    ] = False,
    spec_dir: SpecDirs = None,
) -> None:
    """Render DRAFT_FILE again in another format, without calling a model.

    The Word output takes the house style of the draft's document type (its spec's `style:`)
    and of draft.toml's `[style]`. Exits 1 when error-level findings remain in the draft.
    """
    from pipeline.render import render, word_options
    from pipeline.render.json import load_saved_draft
    from pipeline.written import (
        nothing_written,
        print_kept_copies,
        print_unwritten,
        write_output,
    )

    targets = output_targets(outputs, fmt, source=draft_file, strict=True)
    saved = load_saved_draft(draft_file)
    draft = saved.draft
    word = any(f == "docx" for _, f in targets)
    spec = _spec(draft.doctype, spec_dir, word=word) if word or saved.edited else None
    checked = _checked_again(saved, spec, draft_file) if saved.edited and spec else None
    if checked is not None:
        # as `draft check` of this file does: the findings (Word comments, the exit code)
        # are those of the text as edited, not the ones of the text as drafted
        draft = checked
        print(
            f"note: {draft_file} was edited after it was checked: markers located again "
            "and the text checked again",
            file=sys.stderr,
        )
    elif saved.edited:
        print(
            f"note: {draft_file} was edited after it was checked: markers located again, "
            f"{saved.dropped_findings} finding(s) past the first change dropped "
            "(run `draft check` to check it again)",
            file=sys.stderr,
        )
    spec_style = spec.style if spec is not None and word else None
    code = ExitCode.OK
    unwritten: list[InputError] = []
    for output, out_format in targets:
        copy: Path | None = None
        rendered = render(
            draft, out_format, **word_options(out_format, clean=clean, spec_style=spec_style)
        )
        if output is None:
            sys.stdout.write(rendered if isinstance(rendered, str) else rendered.decode())
            sys.stdout.flush()
        else:
            try:
                copy = write_output(output, rendered)
            except InputError as exc:  # the others are still written, and all reported
                unwritten.append(exc)
                continue
        code = _report(draft, output, out_format, clean=clean)
        if output is not None and copy is not None:
            print_kept_copies([(output, copy)])
    if unwritten:
        if len(unwritten) == len(targets):
            raise nothing_written(unwritten)  # the reasons are all there is to say
        print_unwritten(unwritten)
        code = ExitCode.BAD_INPUT  # as `draft run` exits when one of its outputs failed
    raise typer.Exit(code)


def _spec(doctype: str, spec_dirs: list[Path] | None, *, word: bool) -> DocSpec | None:
    """The draft's document type (its `style:`, its rules), or None (with a note) when it is
    not here."""
    from pipeline.errors import DraftsmithError
    from pipeline.spec import load_spec

    try:
        return load_spec(doctype, spec_dirs=spec_dirs, templates=False)
    except DraftsmithError as exc:
        style = "; using the default house style and draft.toml's [style]" if word else ""
        print(
            f"note: the document type '{doctype}' could not be loaded ({exc}){style}",
            file=sys.stderr,
        )
        return None


def _checked_again(saved: SavedDraft, spec: DocSpec, draft_file: Path) -> Draft | None:
    """The edited draft checked again as `draft check` checks it: against its own facts plus
    the values typed over its markers, which become its facts (as in the web app)."""
    from pipeline.checker import check_text
    from pipeline.drafting import fact_labels
    from pipeline.filling import saved_draft_facts

    try:
        facts = saved_draft_facts(saved, spec, path=f"{draft_file} (facts)")
    except InputError as exc:  # facts its type no longer takes: exported unchecked, as before
        print(f"note: the draft's facts could not be read again ({exc})", file=sys.stderr)
        return None
    draft = saved.draft
    report = check_text(draft.text, spec=spec, facts=facts)
    return draft.model_copy(
        update={
            "facts": facts.to_json() if facts is not None else draft.facts,
            "markers": draft.locate_markers(fact_labels(spec)),
            "findings": report.findings,
        }
    )


def _report(draft: Draft, output: Path | None, fmt: str, *, clean: bool) -> ExitCode:
    """One summary line on stderr; the exit code (1 when error findings remain)."""
    from pipeline.render.annotations import draft_annotations

    errors = [f for f in draft.findings if f.severity == "error"]
    markers = draft.locate_markers()
    where = f" → {output}" if output else ""
    detail = f"{len(markers)} marker(s), {len(errors)} error finding(s)"
    if fmt == "docx" and not clean:
        detail += f", {len(draft_annotations(draft))} comment(s)"
    print(f"exported {draft.title} as {fmt}{where}: {detail}", file=sys.stderr)
    return ExitCode.FINDINGS if errors or draft.failed_sections else ExitCode.OK


__all__ = ["export"]
