"""The checker's findings on varied texts are exactly the pinned ones (tests/data/checker-golden.json).

The golden file pins every field of every finding (code, severity, offsets, line and column,
excerpt, message, hint, section, replacement) of `check_text` and `check_section` on the
sample, the checker eval suite, offline drafts of the examples and their sections, and copies
with injected defects. A change meant to keep the checker's behaviour (a speed-up) must leave
it untouched; a change meant to alter findings regenerates it (`python tests/checker_golden.py`)
and shows the difference in review.
"""

from __future__ import annotations

import json

import pytest
from checker_golden import GOLDEN, build_cases, findings_of

CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_findings_are_the_pinned_ones(case: dict) -> None:
    assert findings_of(case) == case["findings"]


def test_every_case_is_pinned() -> None:
    """A case added to `build_cases` (a new eval case, a new example) is in the golden file:
    regenerate it with `python tests/checker_golden.py`."""
    built = [c["name"] for c in build_cases()]
    pinned = [c["name"] for c in CASES]
    assert [n for n in built if n not in pinned] == []
    assert [n for n in pinned if n not in built] == []


def test_the_golden_cases_cover_every_rule_family() -> None:
    codes = {row[0] for case in CASES for row in case["findings"]}
    families = {code.split(".")[0] for code in codes}
    assert families == {"noise", "gap", "structure", "facts", "style"}
    assert sum(bool(c["section"]) for c in CASES) >= 20
