"""Scoring the checker on a case with known defects: expected findings matched to found ones.

An expected finding is matched by a found finding of the same code that overlaps the expected
text (`at`), or by any finding of that code when `at` is absent. Matched: a true positive;
expected but not found: a false negative; an error or warning nobody expected: a false
positive (info findings are notes, counted only when expected). Counts are kept per rule family.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from pipeline.checker.findings import Finding, Severity
from pipeline.evals.suite import ExpectedFinding


class CheckerScore(BaseModel):
    """Counts per family and the mismatches, for one text."""

    families: dict[str, dict[str, int]]
    missed: list[str]
    unexpected: list[str]

    @property
    def passed(self) -> bool:
        return not self.missed and not self.unexpected


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    out = []
    start = text.find(needle)
    while start != -1:
        out.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return out


def _overlaps(f: Finding, spans: list[tuple[int, int]]) -> bool:
    end = max(f.end, f.start + 1)
    return any(f.start < b and a < end for a, b in spans)


def score_findings(
    text: str,
    expected: list[ExpectedFinding],
    found: list[Finding],
    ignore: list[str] | None = None,
) -> CheckerScore:
    """Match `found` against `expected` and count per family; codes or families in `ignore`
    are left out."""
    skip = set(ignore or ())
    found = [f for f in found if f.code not in skip and f.family not in skip]
    families: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    used: set[int] = set()
    missed = []
    for exp in expected:
        spans = _spans(text, exp.at) if exp.at else None
        match = next(
            (
                i
                for i, f in enumerate(found)
                if i not in used and f.code == exp.code and (spans is None or _overlaps(f, spans))
            ),
            None,
        )
        family = exp.code.split(".", 1)[0]
        if match is None:
            families[family]["fn"] += 1
            missed.append(f"{exp.code} @ “{exp.at}”" if exp.at else exp.code)
        else:
            used.add(match)
            families[family]["tp"] += 1
    unexpected = []
    for i, f in enumerate(found):
        if i in used or f.severity is Severity.INFO:
            continue
        families[f.family]["fp"] += 1
        unexpected.append(f"{f.code} @ “{f.excerpt}” (line {f.line})")
    return CheckerScore(
        families={k: dict(v) for k, v in sorted(families.items())},
        missed=missed,
        unexpected=unexpected,
    )


def precision_recall(counts: dict[str, int]) -> tuple[float | None, float | None]:
    """(precision, recall) from tp/fp/fn; None where undefined (nothing found / expected)."""
    tp, fp, fn = counts.get("tp", 0), counts.get("fp", 0), counts.get("fn", 0)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall
