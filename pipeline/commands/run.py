"""`draft run`: draft a report from a facts file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.options import SpecDirs
from pipeline.errors import ExitCode, InputError


def run(
    facts_file: Annotated[Path, typer.Argument(help="The facts file (YAML or JSON).")],
    doctype: Annotated[
        str | None, typer.Option(help="Document type; defaults to the file's 'doctype:'.")
    ] = None,
    model: Annotated[
        str, typer.Option(help="offline (default), openai:<model>, or a profile name.")
    ] = "offline",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the draft here (stdout when absent)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="md, txt, json or docx; defaults to the output's extension, else md."
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Sections requested at once.")] = 4,
    repairs: Annotated[
        int, typer.Option(min=0, help="Re-asks per section while errors remain.")
    ] = 2,
    spec_dir: SpecDirs = None,
) -> None:
    """Draft every section of a report from FACTS_FILE and write the assembled draft."""
    from pipeline.drafting import draft_document
    from pipeline.facts import load_facts
    from pipeline.models import get_model
    from pipeline.render import format_for, render
    from pipeline.summary import print_run_summary
    from pipeline.textio import write_atomic

    out_format = format_for(output, fmt)
    if out_format == "docx" and output is None:
        raise InputError("--format docx needs an output file: add -o draft.docx")
    spec, facts = load_facts(facts_file, doctype=doctype, spec_dirs=spec_dir)
    chosen = get_model(model)
    draft = draft_document(spec, facts, chosen, concurrency=concurrency, repairs=repairs)
    rendered = render(draft, out_format)
    if output is None:
        sys.stdout.write(rendered if isinstance(rendered, str) else rendered.decode())
        sys.stdout.flush()
    else:
        write_atomic(output, rendered)
    code = print_run_summary(draft, output)
    raise typer.Exit(code)


__all__ = ["ExitCode", "run"]
