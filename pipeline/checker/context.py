"""What every rule family reads: the text, its parse, its blanks, the spec, facts and lexicon."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from pipeline.checker.findings import Finding, Severity
from pipeline.checker.lexicon import Lexicon
from pipeline.checker.noise import BlankScan, Residue
from pipeline.checker.numbers import NumberToken, find_numbers
from pipeline.checker.text import Compact, Document, LineIndex, compact_view
from pipeline.lazy_re import lazy_pattern
from pipeline.markers import MARKER_RE

if TYPE_CHECKING:  # annotations only: checking text without a spec needs neither module
    from pipeline.facts import Facts
    from pipeline.spec import DocSpec, SectionSpec

_PLUS_ONE = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\+\s*1\s*\}\}")
_PLANS_WORDS = re.compile(r"工作打算|工作计划|工作安排|工作思路|下一步|下一年|明年")
_TITLE_YEAR = lazy_pattern(r"(\d{4})\s*年")
_PLAN_TITLE = re.compile(r"(?:计划|要点|打算|安排|思路|方案)$")
"""A title naming a plan (2024年工作计划): its year is the year the plans are for."""
_REVIEW_TITLE = lazy_pattern(r"总结|回顾|报告|汇报|述职")
"""A title naming a report too (2023年工作总结和2024年工作思路): its year is the report's."""
_ISSUED_TYPES = ("通知", "意见", "请示")
"""Types of document that deploy or ask, dated whenever issued: no report on a period."""
_PART_OF_YEAR = lazy_pattern(r"半年|季度|[一二三四1-4]季|月")
"""A title naming part of a year (上半年工作总结, 第三季度, 1—9月)."""


@dataclass
class SectionSpan:
    """A part of the text that belongs to one section."""

    start: int
    end: int
    spec: SectionSpec | None
    """The spec's section, when the text's section was matched to one."""
    heading_start: int | None = None
    body_start: int = 0
    plans: bool = False
    """The next-year plans: years there are the report year + 1."""


@dataclass
class Context:
    """One checked text and everything the rules need to know about it."""

    text: str
    index: LineIndex
    doc: Document
    residue: list[Residue]
    blanks: BlankScan
    spec: DocSpec | None = None
    facts: Facts | None = None
    lexicon: Lexicon | None = None
    section: SectionSpec | None = None
    """Set when checking one section body (`check_section`)."""
    reads_typed_values: bool = True
    """Whether a value written over a marker counts as its fact (a draft, the JSON draft, the
    web app); not in a text checked against a facts file, which alone gives the facts."""
    spans: list[SectionSpan] = field(default_factory=list)
    _span_starts: list[int] | None = field(default=None, repr=False)
    _numbers: dict[tuple[int, int], list[NumberToken]] = field(default_factory=dict, repr=False)

    def section_anchor(self, span: SectionSpan) -> tuple[int, int]:
        """Where a finding about a whole section points: its heading (the opening's first
        words), never past the end of that line, at most 30 characters."""
        start = span.heading_start if span.heading_start is not None else span.start
        line_end = self.text.find("\n", start, span.end)
        end = span.end if line_end <= start else line_end
        return start, min(end, start + 30)

    # ------------------------------------------------------------------ derived views

    @cached_property
    def compact(self) -> Compact:
        return compact_view(self.text)

    def numbers(self, start: int, end: int) -> list[NumberToken]:
        """The numbers stated in text[start:end] (`find_numbers`), found once per span: a
        section body checked alone is both the text and its one section."""
        key = (start, end)
        if key not in self._numbers:
            self._numbers[key] = find_numbers(self.text, start, end)
        return self._numbers[key]

    @cached_property
    def _residue_spans(self) -> list[tuple[int, int]]:
        return sorted((r.start, r.end) for r in self.residue)

    def in_residue(self, start: int, end: int | None = None) -> bool:
        """True when [start, end) overlaps site residue."""
        end = start + 1 if end is None else end
        spans = self._residue_spans
        i = bisect_right(spans, (start, float("inf"))) - 1
        if i >= 0 and spans[i][1] > start:
            return True
        return i + 1 < len(spans) and spans[i + 1][0] < end

    @cached_property
    def marker_spans(self) -> list[tuple[int, int]]:
        """The 【待补充：…】 markers, in order."""
        return [m.span() for m in MARKER_RE.finditer(self.text)] if "【" in self.text else []

    def in_marker(self, pos: int) -> bool:
        """True when `pos` is inside a marker: its label (【待补充：建国周年数】, or a failed
        section's 【…（生成失败：500 模型服务内部错误）】) names a fact or a failure, and is no
        text with gaps in it."""
        spans = self.marker_spans
        i = bisect_right(spans, (pos, float("inf"))) - 1
        return i >= 0 and pos < spans[i][1]

    @cached_property
    def report_year(self) -> int | None:
        """The year the report covers: the year fact the plans heading adds 1 to, or a year
        fact in the title, or the year written in the title."""
        if self.spec and self.facts:
            for name in self._year_facts:
                value = self.facts.values.get(name)
                if isinstance(value, int):
                    return value
        m = _TITLE_YEAR().search(self.title)
        return int(m.group(1)) if m else None

    @cached_property
    def plans_year(self) -> int | None:
        """The year a plans section is for: the year after the report's, or, in a plan
        (县财政局2024年工作计划), the plan's own year."""
        year = self.report_year
        if year is None:
            return None
        return year if self.is_plan else year + 1

    @cached_property
    def title(self) -> str:
        """The text's title line as written, or "" when it has none."""
        return self.doc.title.content(self.text) if self.doc.title is not None else ""

    @cached_property
    def is_plan(self) -> bool:
        """The text is a plan, not a report on a year: its document type's name names one
        (单位年度工作计划), or, checked without a type, its title does (县财政局2024年工作计划),
        and no report on a year with it (2023年工作总结和2024年工作思路)."""
        name = self.spec.name if self.spec else self.title
        return bool(_PLAN_TITLE.search(name)) and not _REVIEW_TITLE().search(name)

    @cached_property
    def is_report(self) -> bool:
        """The text reports on a period: a document type's draft (not a 通知's), or a title
        naming a 总结, 报告, 汇报, 述职 or 回顾 (not a 通知, 意见 or 方案 that only names a year)."""
        if self.spec is not None:  # a type's draft, unless the type issues (工作通知)
            return self.spec.type_word not in _ISSUED_TYPES
        return bool(_REVIEW_TITLE().search(self.title))

    @cached_property
    def covers_part_of_year(self) -> bool:
        """The title names a part of a year (上半年, 第三季度, 1—9月): such a report is
        written within the year it covers."""
        return bool(_PART_OF_YEAR().search(self.title))

    @cached_property
    def _year_facts(self) -> list[str]:
        """Year-type facts, the one a plans heading adds 1 to first."""
        if not self.spec:
            return []
        names = [n for n, f in self.spec.facts.items() if f.type == "year"]
        plus = [
            m.group(1)
            for s in self.spec.sections
            if s.heading and (m := _PLUS_ONE.search(s.heading)) and m.group(1) in names
        ]
        in_title = [n for n in names if n in self.spec.title]
        return list(dict.fromkeys(plus + in_title + names))

    def is_plans(self, spec_section: SectionSpec | None, heading: str | None) -> bool:
        """A section for the following year: its heading template adds 1 to a year fact, or
        its heading (the spec's, else the text's) speaks of plans (下一步打算)."""
        if spec_section is not None:
            heading = spec_section.heading
            if heading and _PLUS_ONE.search(heading):
                return True
        return bool(heading and _PLANS_WORDS.search(heading))

    def span_index(self, offset: int) -> int:
        """The index of the section span holding `offset` (-1 when none does)."""
        if self._span_starts is None or len(self._span_starts) != len(self.spans):
            self._span_starts = [s.start for s in self.spans]
        i = bisect_right(self._span_starts, offset) - 1
        while i >= 0 and not (self.spans[i].start <= offset < self.spans[i].end):
            if self.spans[i].start == self.spans[i].end:
                i -= 1  # an empty span (an opening with no text) holds nothing
                continue
            return -1
        return i

    def span_at(self, offset: int) -> SectionSpan | None:
        """The section span holding `offset`."""
        i = self.span_index(offset)
        return self.spans[i] if i >= 0 else None

    # ------------------------------------------------------------------ findings

    def finding(
        self,
        code: str,
        severity: Severity,
        start: int,
        end: int,
        message: str,
        hint: str = "",
        *,
        replacement: str | None = None,
    ) -> Finding:
        """A finding for [start, end) of the text, located and excerpted."""
        line, column = self.index.locate(start)
        return Finding(
            code=code,
            severity=severity,
            start=start,
            end=end,
            line=line,
            column=column,
            excerpt=self.text[start:end],
            message=message,
            hint=hint,
            replacement=replacement,
            section=None,
        )
