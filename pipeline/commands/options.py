"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SpecDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--spec-dir",
        help="A folder with schemas/ and prompts/ to search for document types before the "
        "built-ins (repeatable).",
    ),
]
