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
        help="A folder with schemas/ and prompts/ to search for document types before the "
        "built-ins (repeatable).",
        callback=_check_spec_dirs,
    ),
]


def single_output(outputs: list[Path] | None, *, hint: str) -> Path | None:
    """The one `-o` of a command that writes one file; given twice, refused rather than all
    but the last dropped without a word (`draft eval -o` is repeatable, so users try it)."""
    if not outputs:
        return None
    if len(outputs) > 1:
        names = ", ".join(str(o) for o in outputs)
        raise InputError(
            f"-o was given {len(outputs)} times ({names}): this command writes one file; {hint}"
        )
    return outputs[0]
