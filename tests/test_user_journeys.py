"""End-to-end user journeys: the commands used together as office staff and maintainers do
(facts-template → run → hand edit → check → export; next year's re-run; …)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import EXAMPLES


def _example(doctype: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / f"{doctype}.yaml").read_text("utf-8"))


def _write(path: Path, facts: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    return path


def test_next_years_facts_with_last_years_date_are_flagged_by_run_and_check(cli, tmp_path):
    """The clerk copies the 2023 facts (signed 2024-01-10), changes the year to 2024 and runs
    again: the 2024 summary was dated 2024年1月10日 with no word from `run` or `check`."""
    facts = _example("annual-work-summary")
    assert facts["report_year"] == 2023 and str(facts["report_date"]) == "2024-01-10"
    facts["report_year"] = 2024
    path = _write(tmp_path / "2024.yaml", facts)
    out = tmp_path / "2024.md"
    result = cli("run", path, "-o", out)
    assert result.returncode == 0, result.stderr  # a warning: the date may be right
    assert "2025年工作打算" in out.read_text("utf-8")
    assert "warning facts.signature-date" in result.stderr
    assert "“2024年1月10日”" in result.stderr
    check = cli("check", out, "--facts", path)
    assert "facts.signature-date [warning]" in check.stdout, check.stdout
    # dated after the year it covers, the same draft has nothing to say about the date
    facts["report_date"] = "2025-01-08"
    _write(path, facts)
    again = cli("run", path, "-o", out)
    assert again.returncode == 0 and "signature-date" not in again.stderr, again.stderr
