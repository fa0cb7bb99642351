"""The rule-based checker: one API for `draft run`, `draft check` and `draft eval`.

(Foundation version: markers only. The full rule families land with the checker issue.)
"""

from __future__ import annotations

from pipeline.checker.findings import CheckReport, Finding, Severity
from pipeline.facts import Facts
from pipeline.markers import find_markers
from pipeline.spec import DocSpec, SectionSpec


def check_text(
    text: str, *, spec: DocSpec | None = None, facts: Facts | None = None
) -> CheckReport:
    """Check a whole text; offsets in the findings are into `text` exactly as given."""
    findings = []
    for start, end, label in find_markers(text):
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        findings.append(
            Finding(
                code="gap.marker",
                severity=Severity.WARNING,
                start=start,
                end=end,
                line=line,
                column=column,
                excerpt=text[start:end],
                message=f"missing fact: {label}",
                hint=f"supply {label}",
            )
        )
    return CheckReport(findings=findings)


def check_section(body: str, *, section: SectionSpec, spec: DocSpec, facts: Facts) -> list[Finding]:
    """Check one section body as drafted (used by the repair loop)."""
    return check_text(body, spec=spec, facts=facts).findings


__all__ = ["CheckReport", "Finding", "Severity", "check_section", "check_text"]
