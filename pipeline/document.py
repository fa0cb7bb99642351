"""The assembled draft: title, sections in order, signature, markers, findings, provenance.

The plain text (`Draft.text`) is the canonical form: markers and findings carry character
offsets into it, the checker reads it, and every renderer starts from the same sections.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field, field_validator

from pipeline import __version__
from pipeline.checker.findings import Finding
from pipeline.markers import find_markers
from pipeline.models.base import Usage, failure_root


def as_paragraphs(text: str) -> str:
    """`text` as a section body: one paragraph a line, each without the blanks around it (an
    indent typed as 　　, spaces at the end), blank lines dropped; the layout indents."""
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


class FactRef(BaseModel):
    """A fact of the spec, by id and by its Chinese label."""

    fact: str
    label: str


class SectionDraft(BaseModel):
    """One drafted section."""

    id: str
    heading: str | None
    """The full heading with its number (e.g. 一、加强组织领导…), or None for the opening."""
    body: str
    """Paragraphs separated by newlines; a subsection heading such as （一）… is a paragraph."""
    status: Literal["ok", "failed"] = "ok"
    error: str | None = None
    """Why the section failed, when it did."""
    must_mention: list[FactRef] = []
    """The facts the section had to name, when it failed: the clerk writes them in by hand
    (empty for a section drafted)."""
    attempts: int = 1
    """Model answers used for this section (1 + repairs)."""
    usage: Usage = Field(default_factory=Usage)


class Marker(BaseModel):
    """A visible gap 【待补充：<label>】 left for the user to fill."""

    label: str
    fact: str | None
    """The fact id the label belongs to, when it is one of the spec's."""
    section: str | None
    start: int
    end: int
    line: int


class SignatureBlock(BaseModel):
    """The 落款: unit name (or the person's, after a `role` such as 述职人) and date (in
    Arabic numerals: 2021年1月15日)."""

    unit: str
    date: str | None = None
    # left out of the JSON when there is none, so that a unit's draft stays as it was written
    role: str | None = Field(default=None, exclude_if=lambda role: role is None)
    second: str | None = Field(default=None, exclude_if=lambda second: second is None)
    """A second name line (办公室, or the signing person), under the first."""

    def names(self) -> list[str]:
        """The name lines as written: 述职人：张明 (or the unit), then the second name if any."""
        first = f"{self.role}：{self.unit}" if self.role else self.unit
        return [first, self.second] if self.second else [first]

    def lines(self) -> list[str]:
        """The lines as written: the name lines, then the date."""
        return [*self.names(), self.date] if self.date else self.names()


class Provenance(BaseModel):
    """Where the draft came from, enough to reproduce it."""

    doctype: str
    spec_version: str
    spec_hash: str
    prompt_hashes: dict[str, str]
    model: str
    facts_source: str | None = None
    facts_hash: str
    created_at: str = Field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    draftsmith_version: str = __version__

    @field_validator("facts_source")
    @classmethod
    def _utf8_path(cls, value: str | None) -> str | None:
        """A file name with a byte that is not UTF-8 (kept by Python as a lone surrogate) as
        text JSON can be written in: it made writing the draft a traceback."""
        from pipeline.textio import path_text

        return None if value is None else path_text(value)


class Draft(BaseModel):
    """A complete draft as written by `draft run` and read back by `draft export`/`draft check`."""

    doctype: str
    doctype_name: str
    title: str
    addressee: str | None = Field(default=None, exclude_if=lambda name: name is None)
    """The 主送机关 without its colon (or its marker), for a type that addresses one; left out
    of the JSON when there is none, so that a report's draft stays as it was written."""
    sections: list[SectionDraft]
    signature: SignatureBlock | None = None
    facts: dict[str, Any] = {}
    markers: list[Marker] = []
    findings: list[Finding] = []
    provenance: Provenance
    usage: Usage = Field(default_factory=Usage)

    @field_validator("addressee")
    @classmethod
    def _without_colon(cls, value: str | None) -> str | None:
        """The colon is the line's, not the name's: one typed into a saved draft is not doubled."""
        return " ".join(value.split()).rstrip("：:") or None if value is not None else None

    @property
    def addressee_line(self) -> str | None:
        """The 主送机关 line as written, ending in its full-width colon."""
        return f"{self.addressee}：" if self.addressee else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The plain text: title, a blank line, the 主送机关 line (if any), then each section;
        one paragraph per line."""
        parts = [self.title, ""]
        if self.addressee_line:
            parts.append(self.addressee_line)
        for s in self.sections:
            if s.heading:
                parts.append(s.heading)
            parts.extend(p for p in s.body.split("\n") if p)
        if self.signature:
            parts.append("")
            parts.extend(self.signature.lines())
        return "\n".join(parts) + "\n"

    def section_spans(self) -> list[tuple[str, int, int]]:
        """(section id, start, end) of each section in `text`, heading included."""
        spans = []
        offset = len(self.title) + 2
        if self.addressee_line:
            offset += len(self.addressee_line) + 1
        for s in self.sections:
            lines = ([s.heading] if s.heading else []) + [p for p in s.body.split("\n") if p]
            length = sum(len(line) + 1 for line in lines)
            spans.append((s.id, offset, offset + length))
            offset += length
        return spans

    def locate_markers(self, labels: dict[str, str] | None = None) -> list[Marker]:
        """Every marker in the text, with the fact it stands for (`labels` maps label → fact id)."""
        text = self.text
        spans = self.section_spans()
        out = []
        for start, end, label in find_markers(text):
            section = next((sid for sid, a, b in spans if a <= start < b), None)
            out.append(
                Marker(
                    label=label,
                    fact=(labels or {}).get(label),
                    section=section,
                    start=start,
                    end=end,
                    line=text.count("\n", 0, start) + 1,
                )
            )
        return out

    @property
    def failed_sections(self) -> list[SectionDraft]:
        return [s for s in self.sections if s.status == "failed"]

    def failures_by_reason(self) -> dict[str, list[SectionDraft]]:
        """The failed sections grouped by their reason, a call that was not sent (after the
        same refusal of another section's) with the refused ones: a wrong key is one reason,
        not one per section."""
        groups: dict[str, list[SectionDraft]] = {}
        for s in self.failed_sections:
            groups.setdefault(failure_root(s.error or "no answer"), []).append(s)
        return groups
