"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


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
