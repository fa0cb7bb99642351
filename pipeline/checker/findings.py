"""What the checker reports: findings with exact positions, and their summary."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, Field, computed_field


class Severity(StrEnum):
    """How much a finding matters: an error blocks, a warning is a known gap, info is a note."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Finding(BaseModel):
    """One problem found in a text."""

    code: str
    """Namespaced rule code, e.g. `gap.silent-number`."""
    severity: Severity
    start: int
    """Character offset into the text exactly as given."""
    end: int
    line: int
    """1-based line of `start`."""
    column: int
    """1-based column of `start`, in characters."""
    excerpt: str
    message: str
    hint: str = ""
    section: str | None = None
    """The section id the finding falls in, where known."""
    replacement: str | None = Field(None, exclude=True)
    """What `draft check --fix` puts in place of the span (noise and half-width punctuation
    only; None: leave it alone)."""

    @property
    def family(self) -> str:
        """The rule family: the part of the code before the dot."""
        return self.code.split(".", 1)[0]


class CheckReport(BaseModel):
    """All findings for one text, in order of position."""

    findings: list[Finding] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> dict[str, object]:
        by_severity = Counter(f.severity.value for f in self.findings)
        by_code = Counter(f.code for f in self.findings)
        return {
            "errors": by_severity.get("error", 0),
            "warnings": by_severity.get("warning", 0),
            "infos": by_severity.get("info", 0),
            "by_code": dict(sorted(by_code.items())),
        }

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when there is no error-level finding."""
        return not self.errors
