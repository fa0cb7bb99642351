"""`draft doctypes`: list the document types and their sections."""

from __future__ import annotations

from pipeline.commands.options import SpecDirs


def doctypes(spec_dir: SpecDirs = None) -> None:
    """List every document type (built-in, --spec-dir and learned) with its sections."""
    import sys

    import typer

    from pipeline.drafting import heading_number
    from pipeline.errors import DraftsmithError, ExitCode, InputError
    from pipeline.prompts import PromptSet
    from pipeline.spec import (
        doctype_files,
        load_spec_file,
        misnamed_reason,
        misnamed_specs,
        spec_roots,
    )

    broken: list[DraftsmithError] = [
        InputError(misnamed_reason(f)) for f in misnamed_specs(spec_roots(spec_dir))
    ]
    for path, *hidden in doctype_files(spec_dir).values():
        try:  # one broken type (a learned one edited by hand) must not hide the others
            spec = load_spec_file(path)
            prompts = PromptSet.load(spec)
        except DraftsmithError as exc:
            broken.append(exc)
            continue
        example = {k: f.example for k, f in spec.facts.items()}
        print(f"{spec.id}  {spec.name}  (v{spec.version}, {path})")
        print(f"  {spec.description}")
        for other in hidden:  # the same id in two folders: say which one is not used
            print(f"  also in {other}, not used: the folder searched first wins")
        if spec.title_types:
            print(f"  a title names {' or '.join(spec.title_types)} (title_types)")
        index = 0
        for s in spec.sections:
            heading = prompts.render_heading(s, example)
            if heading is None:
                label = "（开头段）"
            else:
                index += 1
                label = heading_number(index) + heading
            flag = f"  [only with {s.when}]" if s.when else "" if s.required else "  [optional]"
            print(f"  - {s.id}: {label}{flag}")
        print()
    sys.stdout.flush()
    for error in broken:
        print(f"error: {error}", file=sys.stderr)
    if broken:
        raise typer.Exit(ExitCode.BAD_INPUT)
