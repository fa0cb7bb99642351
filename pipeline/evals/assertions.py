"""Assertions on one draft: contains / not-contains, regex / not-regex, max-findings, metric."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel

from pipeline.checker.findings import Finding
from pipeline.evals.suite import (
    AssertionSpec,
    ContainsAssertion,
    MaxFindingsAssertion,
    MetricAssertion,
    RegexAssertion,
)


class AssertionOutcome(BaseModel):
    """The result of one assertion on one draft."""

    name: str
    """A short description, e.g. `contains “中心组学习12次”`."""
    passed: bool
    message: str = ""
    """Why it failed (empty when it passed)."""


def _matches_code(finding: Finding, code: str | None) -> bool:
    if code is None:
        return True
    return finding.code == code or ("." not in code and finding.code.startswith(code + "."))


def _where(finding: Finding, code: str | None) -> str:
    """Where a counted finding is, for a failure message: its line, its section (which
    template to look at) and, when a family or any code was counted, its own code."""
    place = f"line {finding.line}"
    if finding.section:
        place += f" (section {finding.section})"
    own = "" if code == finding.code else f" {finding.code}"
    return f"{place}:{own} “{finding.excerpt}”"


def evaluate(
    assertion: AssertionSpec, *, text: str, findings: Iterable[Finding], metrics: dict[str, float]
) -> AssertionOutcome:
    """Evaluate one assertion against a draft's text, findings and metrics."""
    if isinstance(assertion, ContainsAssertion):
        found = assertion.value in text
        want = assertion.type == "contains"
        name = f"{assertion.type} “{assertion.value}”"
        if found == want:
            return AssertionOutcome(name=name, passed=True)
        return AssertionOutcome(
            name=name,
            passed=False,
            message=f"“{assertion.value}” is {'missing from' if want else 'in'} the draft",
        )
    if isinstance(assertion, RegexAssertion):
        match = re.search(assertion.pattern, text)
        want = assertion.type == "regex"
        name = f"{assertion.type} /{assertion.pattern}/"
        if bool(match) == want:
            return AssertionOutcome(name=name, passed=True)
        detail = f"matched “{match.group(0)}”" if match else "no match in the draft"
        return AssertionOutcome(name=name, passed=False, message=detail)
    if isinstance(assertion, MaxFindingsAssertion):
        hits = [
            f
            for f in findings
            if _matches_code(f, assertion.code)
            and (assertion.severity is None or f.severity == assertion.severity)
        ]
        sev = f" {assertion.severity}" if assertion.severity else ""
        name = f"at most {assertion.max}{sev} {assertion.code or 'finding(s)'}"
        if len(hits) <= assertion.max:
            return AssertionOutcome(name=name, passed=True)
        shown = "; ".join(_where(f, assertion.code) for f in hits[:3])
        more = f"; and {len(hits) - 3} more" if len(hits) > 3 else ""
        return AssertionOutcome(
            name=name, passed=False, message=f"{len(hits)} found: {shown}{more}"
        )
    assert isinstance(assertion, MetricAssertion)
    bounds = []
    if assertion.min is not None:
        bounds.append(f"≥ {assertion.min:g}")
    if assertion.max is not None:
        bounds.append(f"≤ {assertion.max:g}")
    name = f"{assertion.name} {' and '.join(bounds)}"
    value = metrics.get(assertion.name)
    if value is None:
        return AssertionOutcome(
            name=name, passed=False, message=f"{assertion.name} was not measured"
        )
    ok = (assertion.min is None or value >= assertion.min) and (
        assertion.max is None or value <= assertion.max
    )
    return AssertionOutcome(
        name=name, passed=ok, message="" if ok else f"{assertion.name} is {value:g}"
    )


def evaluate_all(
    assertions: Iterable[AssertionSpec],
    *,
    text: str,
    findings: list[Finding],
    metrics: dict[str, float],
) -> list[AssertionOutcome]:
    """Evaluate every assertion, in order."""
    return [evaluate(a, text=text, findings=findings, metrics=metrics) for a in assertions]
