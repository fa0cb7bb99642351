"""The facts found in a sample and where they occur: the models `find_facts` returns and the
registry that keeps one fact per label and the spans already taken."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from pipeline.learn.measures import MEASURE_RE
from pipeline.learn.naming import identifier

Origin = Literal["gap", "sample", "title"]


_LEFT_MEASURE = re.compile(rf"^\s*[余多]?(?:{MEASURE_RE}|%|％)(?=[\u4e00-\u9fff]|$)(?!的)")
"""The measure word of a number, at the start of the words after it."""


class Occurrence(BaseModel):
    """One place a fact is used: the span of the cleaned text it replaces."""

    start: int
    end: int
    expression: str
    """The Jinja expression written there (`report_year + 1`, `party_congress | cn`)."""


class FoundFact(BaseModel):
    """A fact learned from the sample."""

    id: str
    label: str
    type: Literal["string", "integer", "number", "year", "date", "enum", "string-list"]
    choices: list[str] | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    example: Any
    description: str
    origin: Origin
    required: bool = False
    context: str = ""
    """The words around its first occurrence, for a reader (and a model) to judge the label."""
    occurrences: list[Occurrence] = []


class Edit(BaseModel):
    """A literal correction of the sample's text in the templates."""

    start: int
    end: int
    replacement: str
    reason: str


class FactsFound(BaseModel):
    """The facts and corrections learned from a sample."""

    facts: list[FoundFact]
    edits: list[Edit]
    report_year: int | None
    """The sample's report year (from its title), when it has one."""
    plans_next_year: bool = True
    """Whether the plans section is for the year after the report year: true for a whole
    year's summary, false for part of a year (上半年 → 下半年) and for a plan itself."""
    notes: list[str] = []
    """Corrections made through facts (a plans year moved to the following year)."""
    unexplained: list[str] = []
    """Holes no rule could type; each still became a string fact."""
    garbles_left: list[str] = []
    """Banned phrases found in the sample that no known correction fixes."""


def around(text: str, start: int, end: int, width: int = 12) -> str:
    """The words either side of `start:end`, the span itself shown as □: a fact's context."""
    return (text[max(0, start - width) : start] + "□" + text[end : end + width]).replace("\n", " ")


class Registry:
    """Facts by label, so the same blank in two places is one fact."""

    def __init__(self, text: str):
        self.text = text
        self.by_label: dict[str, FoundFact] = {}
        self.taken: set[str] = set()
        self._covered = bytearray(len(text) + 1)
        """1 where an occurrence already is: checking a span costs its length, not the number
        of occurrences found so far (which made a long sample quadratic)."""
        self.generic = 0

    def free(self, start: int, end: int) -> bool:
        if start == end:  # an empty span is taken when it falls inside an occurrence
            return not (start > 0 and self._covered[start - 1] and self._covered[start])
        return not any(self._covered[start:end])

    def before(self, pos: int, width: int) -> str:
        """Up to `width` characters before `pos`, from after the last fact there: the words
        a label is taken from (党委书记王建国同志带头讲党课 gives 带头讲党课, not the name)."""
        start = max(0, pos - width)
        start = max(start, self._covered.rfind(b"\x01", start, pos) + 1)
        words = self.text[start:pos]
        if start > 0 and self._covered[start - 1]:  # 86个部门: 个 is the last number's
            words = _LEFT_MEASURE.sub("", words)
        return words

    def take(self, start: int, end: int) -> None:
        """Mark [start, end) as used: no later fact or edit may overlap it."""
        self._covered[start:end] = b"\x01" * (end - start)

    def add(
        self,
        label: str,
        *,
        start: int,
        end: int,
        expression_of: str = "{id}",
        fact_id: str | None = None,
        **fields: Any,
    ) -> FoundFact:
        fact = self.declare(label, fact_id=fact_id, context=around(self.text, start, end), **fields)
        fact.occurrences.append(
            Occurrence(start=start, end=end, expression=expression_of.format(id=fact.id))
        )
        self.take(start, end)
        return fact

    def declare(self, label: str, *, fact_id: str | None = None, **fields: Any) -> FoundFact:
        """The fact of `label`, made with `fields` (its id `fact_id` unless taken) when it is
        new; no occurrence is added."""
        fact = self.by_label.get(label)
        if fact is None:
            ident = fact_id if fact_id and fact_id not in self.taken else None
            if ident:
                self.taken.add(ident)
            else:
                ident = identifier(label, taken=self.taken)
            fact = FoundFact(id=ident, label=label, **fields)
            self.by_label[label] = fact
        return fact

    def add_sample_text(
        self, label: str, start: int, end: int, *, fact_id: str | None = None, **fields: Any
    ) -> FoundFact:
        """A text fact for the sample's own words at `start:end` (a name, a place), described
        by what the sample wrote there."""
        written = self.text[start:end]
        return self.add(
            label,
            start=start,
            end=end,
            fact_id=fact_id,
            type="string",
            example=written,
            description=f"{label}（样稿中为“{written}”）。",
            origin="sample",
            **fields,
        )


_LINE_LEAD = re.compile(r"([^：:，。；\n]{2,14})[：:]")
"""A line's lead before a colon: the row of a table (班主任培训：参训人数120，…)."""


def distinct_label(text: str, reg: Registry, pos: int, label: str, value: Any) -> str:
    """`label`, unless another value has it: then the label qualified by its line's lead
    (新教师入职培训参训人数, a table's second row), or numbered."""
    if label not in reg.by_label or reg.by_label[label].example == value:
        return label
    lead = _LINE_LEAD.match(text, text.rfind("\n", 0, pos) + 1)
    if lead and lead.end() <= pos and f"{lead.group(1)}{label}" not in reg.by_label:
        return f"{lead.group(1)}{label}"
    return f"{label}{len(reg.by_label) + 1}"
