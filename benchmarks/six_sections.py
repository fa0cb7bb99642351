"""The six-section document type the parallel and eval benchmarks draft: the school summary
less one section, and less the facts only that section writes (a spec declaring a fact no
section uses is refused)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCTYPE = "school-ideology-summary"
SIX = "bench-six-sections"
DROPPED = "civic_culture"


def six_section_doctype(where: Path) -> tuple[Path, dict[str, Any]]:
    """Write the type under `where` (`schemas/` and `prompts/`): its spec file, and the
    example's facts for it (without `doctype`)."""
    spec = yaml.safe_load((ROOT / "schemas" / f"{DOCTYPE}.yaml").read_text(encoding="utf-8"))
    dropped = next(s for s in spec["sections"] if s["id"] == DROPPED)
    spec["id"] = SIX
    spec["sections"] = [s for s in spec["sections"] if s["id"] != DROPPED]
    assert len(spec["sections"]) == 6
    kept = {f for s in spec["sections"] for f in s.get("facts", [])}
    gone = [f for f in dropped.get("facts", []) if f not in kept]
    for name in gone:
        del spec["facts"][name]
    (where / "schemas").mkdir(parents=True)
    path = where / "schemas" / f"{SIX}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "prompts" / DOCTYPE, where / "prompts" / SIX)
    (where / "prompts" / SIX / f"{DROPPED}.j2").unlink()
    facts = yaml.safe_load((ROOT / "examples" / f"{DOCTYPE}.yaml").read_text(encoding="utf-8"))
    facts.pop("doctype", None)
    for name in gone:
        facts.pop(name, None)
    return path, facts
