"""`draft learn`: turn a sample report (.txt, .md, .docx) into a new document type."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.commands.options import SpecDirs
from pipeline.errors import ExitCode

if TYPE_CHECKING:  # imported when the command runs: the CLI starts without them
    from pipeline.learn.learner import LearnResult


def _print_result(result: LearnResult) -> None:
    err = sys.stderr
    print(f"learned {result.id}  {result.name}", file=err)
    print(f"  title: {result.title}", file=err)
    for key, path in result.paths.items():
        print(f"  {key.replace('_', ' ')}: {path}", file=err)
    if result.kept_facts:
        from pipeline.written import print_kept_copies

        print_kept_copies([(Path(result.paths["facts_template"]), Path(result.kept_facts))])
    if result.kept_type:
        print(
            f"  the type replaced had been edited since it was learned: it is kept whole in "
            f"{result.kept_type} (use it with --spec-dir {result.kept_type})",
            file=err,
        )
    cleaned = [f"{len(result.residue)} residue line(s)", f"{result.wrap_spaces} wrap space(s)"]
    if result.stray_spaces:
        cleaned.append(f"{result.stray_spaces} stray space(s)")
    print(f"  cleaned: {', '.join(cleaned)}; {result.holes} gap(s) found", file=err)
    for context in result.suspect_joined:
        print(f"  joined a blank the checker only suspected (check it): {context}", file=err)
    print(f"  {len(result.sections)} section(s):", file=err)
    for s in result.sections:
        points = f", {s.min_points} points" if s.min_points else ""
        facts = f"; facts: {', '.join(s.facts)}" if s.facts else ""
        print(
            f"    {s.id}: {s.heading or '（开头段）'} ({s.sample_length} characters{points}){facts}",
            file=err,
        )
    print(f"  {len(result.facts)} fact(s):", file=err)
    for f in result.facts:
        print(f"    {f.id}: {f.label} ({f.type}, from the {f.origin}) e.g. {f.example}", file=err)
    for e in result.edits:
        print(f"  corrected: {e.reason}", file=err)
    for note in result.notes:
        print(f"  corrected: {note}", file=err)
    for phrase in result.banned_phrases:
        print(f"  garble in the sample, now a banned phrase: {phrase}", file=err)
    for phrase in result.garbles_left:
        print(f"  garble left in the templates (no known correction): {phrase}", file=err)
    for context in result.unexplained:
        print(f"  gap with no typed rule (a text fact): {context}", file=err)
    if result.assist is not None:
        a = result.assist
        if a.error:
            print(f"  model {a.model}: not used ({a.error}); rule-based labels kept", file=err)
        else:
            print(
                f"  model {a.model}: {len(a.accepted)} label(s) improved, "
                f"{len(a.rejected)} proposal(s) refused",
                file=err,
            )
            for line in a.rejected:
                print(f"    refused {line}", file=err)
    if result.self_check:
        print(f"  self-check: {len(result.self_check)} error(s) on the example draft:", file=err)
        for finding in result.self_check:
            print(f"    {finding.code} {finding.message} “{finding.excerpt}”", file=err)
    else:
        print("  self-check: the example draft has no error findings", file=err)
    print(
        f"next: fill {result.paths.get('facts_template')} and run "
        f"`draft run <facts>{_spec_dir_option(Path(result.paths['spec']))}` "
        f"(doctype {result.id})",
        file=err,
    )


def _spec_dir_option(spec: Path) -> str:
    """` --spec-dir DIR` when the type was written where `draft run` does not look by
    itself (learn --out DIR), else nothing."""
    import shlex

    from pipeline.spec import spec_roots

    folder = spec.parent.parent
    searched = {root.resolve() for root in spec_roots(None)}
    return "" if folder.resolve() in searched else f" --spec-dir {shlex.quote(str(folder))}"


def learn(
    sample: Annotated[
        Path, typer.Argument(metavar="SAMPLE", help="The sample report: .txt, .md or .docx.")
    ],
    doctype_id: Annotated[
        str | None,
        typer.Option("--id", help="Id of the new type (lowercase, digits, '-'); from the title."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Chinese name of the new type; from the title.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder to write schemas/ and prompts/ into; the user's types folder."),
    ] = None,
    model: Annotated[
        str,
        typer.Option(help="offline (rules only, default) or openai:<model> for better labels."),
    ] = "offline",
    force: Annotated[bool, typer.Option(help="Replace an existing type of the same id.")] = False,
    spec_dir: SpecDirs = None,
) -> None:
    """Learn a new document type from SAMPLE: its sections, templates and facts."""
    from pipeline.learn import learn_sample

    result = learn_sample(
        sample,
        doctype_id=doctype_id,
        name=name,
        out=out,
        model=model,
        force=force,
        spec_dirs=spec_dir,
    )
    _print_result(result)
    print(result.paths["spec"])
    raise typer.Exit(ExitCode.FINDINGS if result.self_check else ExitCode.OK)
