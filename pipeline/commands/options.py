"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import InputError


def _check_spec_dirs(folders: list[Path] | None) -> list[Path] | None:
    """Every `--spec-dir` checked as the command starts, whether or not it needs a spec."""
    from pipeline.paths import check_spec_dir

    return [check_spec_dir(f) for f in folders] if folders else folders


SpecDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--spec-dir",
        metavar="<dir>",
        help="A folder with schemas/ and prompts/ to search for document types before the "
        "built-ins (repeatable).",
        callback=_check_spec_dirs,
    ),
]


STDOUT = "-"
"""The `-o` that names standard output (in Markdown, with several -o)."""

Outputs = Annotated[
    list[Path] | None,
    typer.Option(
        "-o",
        "--output",
        metavar="<path>",
        help="Write the draft here, in the format its extension names (repeatable: several "
        "formats at once; stdout when absent or -, except for docx).",
    ),
]
"""The `-o` of the commands that write a draft (`run`, `export`); see `output_targets`."""


def output_targets(
    outputs: list[Path] | None, fmt: str | None, *, source: Path, strict: bool = False
) -> list[tuple[Path | None, str]]:
    """Each `-o` with the format it is written in (its extension, or `--format`), checked
    before any work is done; `[(None, format)]` for standard output. Several `-o` write the
    same draft in several formats (Word for the office, JSON to export again later).
    `strict`: a name whose extension is no format is refused instead of written as Markdown."""
    from pipeline.render import FORMATS, format_for
    from pipeline.textio import check_output_path

    targets = list(outputs or [])
    if not targets or targets == [Path(STDOUT)]:  # `-o -`: standard output, as for most tools
        chosen = format_for(None, fmt)
        if chosen == "docx":
            raise InputError("--format docx needs an output file: add -o draft.docx")
        return [(None, chosen)]
    if len(targets) > 1 and fmt is not None:
        raise InputError(
            "--format names the format of one output: with several -o, each file's extension "
            "names its own"
        )
    seen: set[Path] = set()
    for out in targets:
        if out.absolute() in seen:
            raise InputError(f"-o {out} is given twice")
        seen.add(out.absolute())
        if str(out) == STDOUT:
            continue
        check_output_path(out, source=source)
        ext = out.suffix.lstrip(".").lower()
        if strict and fmt is None and ext not in (*FORMATS, "markdown", "text"):
            raise InputError(
                f"cannot tell the output format from '{out.name}': add --format {'|'.join(FORMATS)}"
            )
    return [
        (None, format_for(None, fmt)) if str(out) == STDOUT else (out, format_for(out, fmt))
        for out in targets
    ]
