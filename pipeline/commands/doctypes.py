"""`draft doctypes`: list the document types and their sections."""

from __future__ import annotations

from pipeline.commands.options import SpecDirs


def doctypes(spec_dir: SpecDirs = None) -> None:
    """List every document type (built-in, --spec-dir and learned) with its sections."""
    from pipeline.drafting import heading_number
    from pipeline.prompts import PromptSet
    from pipeline.spec import available_doctypes, load_spec_file

    for path in available_doctypes(spec_dir).values():
        spec = load_spec_file(path)
        prompts = PromptSet.load(spec)
        example = {k: f.example for k, f in spec.facts.items()}
        print(f"{spec.id}  {spec.name}  (v{spec.version}, {path})")
        print(f"  {spec.description}")
        index = 0
        for s in spec.sections:
            heading = prompts.render_heading(s, example)
            if heading is None:
                label = "（开头段）"
            else:
                index += 1
                label = heading_number(index) + heading
            flag = "" if s.required else "  [optional]"
            print(f"  - {s.id}: {label}{flag}")
        print()
