"""Grounding metrics of one draft, from the checker's findings and the case's facts.

Every metric is a number; for each, the table `DRAFT_METRICS` says what it measures and
whether higher is better. Agreement between repeats is measured over a group of drafts
(`agreement`), not over one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
from collections import Counter
from typing import Any, NamedTuple

from pipeline.checker.findings import Finding, Severity
from pipeline.document import Draft
from pipeline.drafting import fact_labels
from pipeline.facts import Facts
from pipeline.spec import DocSpec, FactSpec, FieldSpec


class MetricInfo(NamedTuple):
    """What a metric measures and which way is better (None: neither, e.g. a length)."""

    description: str
    higher_is_better: bool | None = True


DRAFT_METRICS: dict[str, MetricInfo] = {
    "structure_pass": MetricInfo(
        "1 when every required section is drafted, in order, under a well-formed heading, "
        "and the checker reports no error about sections, headings or the title; else 0"
    ),
    "fact_coverage": MetricInfo("share of must-mention facts (each list item counts) named"),
    "number_coverage": MetricInfo(
        "share of the numbers the facts give to the drafted sections that the section states "
        "(its subheadings' numbers not counted)"
    ),
    "marker_precision": MetricInfo(
        "share of markers that stand for a fact missing from the case, in a section using it"
    ),
    "marker_recall": MetricInfo("share of missing facts used by a section that got a marker"),
    "unsupported_per_1k": MetricInfo(
        "numbers the facts cannot back (facts.unsupported-number), per 1,000 characters", False
    ),
    "length_compliance": MetricInfo("share of sections whose length is within the spec's bounds"),
    "errors": MetricInfo("error-level findings", False),
    "warnings": MetricInfo("warning-level findings (markers included)", False),
    "chars": MetricInfo("characters of the draft's text", None),
    "judge_score": MetricInfo(
        "the LLM judge's 1–5 score against the suite's rubric (with a judge)"
    ),
}
"""The per-draft metrics, in report order."""

GROUP_METRICS: dict[str, MetricInfo] = {
    "agreement": MetricInfo(
        "mean pairwise text similarity of the repeats of a case (1 = identical)"
    ),
}

SHARE_METRICS = (
    "structure_pass",
    "fact_coverage",
    "number_coverage",
    "marker_precision",
    "marker_recall",
    "length_compliance",
    "agreement",
    "precision",
    "recall",
)
"""The metrics that are shares, from 0 to 1."""


def unreachable_bound(metric: str, low: float | None, high: float | None) -> str | None:
    """Why a bound `min: low` / `max: high` on `metric` could never be met by a metric that
    has a fixed range (`fact_coverage: {min: 95}` meant as 95 %); None when it could."""
    if metric in SHARE_METRICS:
        lo, hi, scale = 0.0, 1.0, "a share from 0 to 1"
    elif metric == "judge_score":
        lo, hi, scale = 1.0, 5.0, "a score from 1 to 5"
    else:
        return None
    if low is not None and low > hi:
        hint = f" (for {low:g}%, write {low / 100:g})" if hi == 1 and low <= 100 else ""
        return f"{metric} is {scale}, so min {low:g} could never be met{hint}"
    if high is not None and high < lo:
        return f"{metric} is {scale}, so max {high:g} could never be met"
    return None


QUALITY_METRICS = (
    "structure_pass",
    "fact_coverage",
    "number_coverage",
    "marker_precision",
    "marker_recall",
    "length_compliance",
)
"""The metrics averaged (with the unsupported-number rate) into a model's quality score."""

UNSUPPORTED_CODE = "facts.unsupported-number"

CONTENT_STRUCTURE_CODES = frozenset(
    {"structure.series", "structure.series-form", "structure.too-few-points"}
)
"""Structure findings about the points inside a section, not about sections and headings:
they do not fail `structure_pass` (facts with a single measure cannot make two points)."""


def missing_fact_ids(spec: DocSpec, facts: Facts) -> set[str]:
    """Fact ids (and `fact.field` ids of list items) that have no value and a section or the
    signature (落款) uses; a section the facts leave out (its `when` fact missing) uses none,
    and a fact the draft leaves out when missing (`absent: omit`) is no gap to mark."""
    used = {name for s in spec.drafted_sections(facts.values) for name in s.facts}
    if spec.signature:
        used |= set(spec.signature.fact_ids())
    if spec.addressee:
        used.add(spec.addressee)
    missing = {
        name for name in facts.missing(spec) if name in used and spec.facts[name].absent == "marker"
    }
    for name, fact in spec.facts.items():
        value = facts.values.get(name)
        if fact.type == "object-list" and fact.fields and value and name in used:
            for item in value:
                for sub in fact.fields:
                    if item.get(sub) is None:
                        missing.add(f"{name}.{sub}")
    return missing


def _section_uses(spec: DocSpec, section_id: str | None, fact_id: str) -> bool:
    if section_id is None:
        return True
    try:
        section = spec.section(section_id)
    except KeyError:
        return True
    return fact_id.split(".", 1)[0] in section.facts


def marker_scores(spec: DocSpec, facts: Facts, draft: Draft) -> tuple[float, float]:
    """(precision, recall) of the draft's markers against the facts the case leaves out.

    A marker is right when its label is the label of a missing fact (or of a missing field of
    a list item) and it sits in a section that uses that fact. Recall counts the missing
    top-level facts only: a template may leave out an optional field of an item gracefully.
    With no markers precision is 1; with nothing missing recall is 1.

    A section the model failed to write is left out of both: its failure marker
    (【待补充：…（生成失败：…）】) is the pipeline's, not a marker the model chose, and the facts
    only it uses were never asked for. (`structure_pass` and the sample's error show the
    failure.)
    """
    labels = fact_labels(spec)
    failed = {s.id for s in draft.failed_sections}
    drafted_facts = {name for s in spec.sections if s.id not in failed for name in s.facts}
    if spec.signature:
        drafted_facts |= set(spec.signature.fact_ids())
    if spec.addressee:
        drafted_facts.add(spec.addressee)
    missing = {m for m in missing_fact_ids(spec, facts) if m.split(".", 1)[0] in drafted_facts}
    right = 0
    covered: set[str] = set()
    markers = [m for m in draft.locate_markers(labels) if m.section not in failed]
    for m in markers:
        fact_id = labels.get(m.label)
        if fact_id in missing and _section_uses(spec, m.section, fact_id):
            right += 1
            covered.add(fact_id)
    top_level = {m for m in missing if "." not in m}
    precision = right / len(markers) if markers else 1.0
    recall = len(covered & top_level) / len(top_level) if top_level else 1.0
    return precision, recall


def _mentions(value: Any, type_: str, fields: dict[str, Any] | None) -> list[list[str]]:
    """The ways each unit of a text or date fact's value may be written; a unit is named by
    any of them. (Numbers are matched as numbers, `_stated_numbers`.)"""
    from pipeline.template_filters import date_cn

    def clean(text: Any) -> str:
        return str(text).strip().rstrip("。；;，,.！!　 ")

    if type_ == "date":
        d = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return [[date_cn(d), d.isoformat()]]
    if type_ == "string-list":
        return [[clean(item)] for item in value]
    if type_ == "object-list":
        first = next((k for k, f in (fields or {}).items() if f.type == "string"), None)
        return [[clean(item.get(first))] for item in value if first and item.get(first)]
    return [[clean(value)]]


def _stated_numbers(text: str, *, section: bool = False) -> tuple[set[float], set[float]]:
    """The numbers the text states as counts or amounts, and the years its dates name.

    Found as the checker finds them (Arabic or Chinese, 12 or 十二), so that a count of 2 is
    not "named" by the 2 inside 2020年, nor 12 by the month of a date. In a section's body
    (`section`), the numbers of its subheadings (1. （3）) are skipped, as the checker skips
    them: they state no fact."""
    from pipeline.checker.numbers import find_numbers
    from pipeline.checker.text import parse_document

    numbers: set[float] = set()
    years: set[float] = set()
    labels = parse_document(text, has_title=False).heading_numbers if section else []
    for token in find_numbers(text):
        if any(a <= token.start < b for a, b in labels):
            continue
        if token.date:
            years.add(float(token.date[0]))
        else:
            numbers.update(round(v, 6) for v in token.amounts())
    return numbers, years


def _must_mention(spec: DocSpec, facts: Facts) -> list[str]:
    """The must-mention facts the case gives a value, each once, in section order."""
    wanted: list[str] = []
    for section in spec.sections:
        for name in section.must_mention:
            if name not in wanted and facts.values.get(name) is not None:
                wanted.append(name)
    return wanted


def must_mention_units(spec: DocSpec, facts: Facts) -> dict[str, list[str]]:
    """By must-mention fact id, the units `fact_coverage` looks for (a number, or the first
    way of writing each text or list item)."""
    out: dict[str, list[str]] = {}
    for name in _must_mention(spec, facts):
        fact = spec.facts[name]
        value = facts.values[name]
        if fact.type in ("integer", "number", "year"):
            out[name] = [f"{float(value):g}"]
        else:
            out[name] = [ways[0] for ways in _mentions(value, fact.type, fact.fields)]
    return out


def fact_coverage(spec: DocSpec, facts: Facts, text: str) -> float:
    """Share of the must-mention facts' units (each list item is one) that the text names."""
    units = 0
    found = 0
    stated: tuple[set[float], set[float]] | None = None
    for name in _must_mention(spec, facts):
        fact = spec.facts[name]
        value = facts.values[name]
        if fact.type in ("integer", "number", "year"):
            if stated is None:
                stated = _stated_numbers(text)
            numbers, years = stated
            units += 1
            found += round(float(value), 6) in numbers or (fact.type == "year" and value in years)
            continue
        for ways in _mentions(value, fact.type, fact.fields):
            units += 1
            found += any(w and w in text for w in ways)
    return found / units if units else 1.0


def _given_numbers(fact: FactSpec | FieldSpec, value: Any) -> set[tuple[float, ...]]:
    """The numbers a fact's value gives a section, each as the amounts it may be written as
    (1.2万 as 1.2 or 12000): a number fact's value and the counts and amounts inside its
    texts, read as the checker reads them. Years and dates are not counted: a heading or the
    title states them whatever the body drops."""
    if value is None or fact.type in ("year", "date"):
        return set()
    if fact.type in ("integer", "number"):
        return {(round(float(value), 6),)}
    if isinstance(fact, FactSpec) and fact.type == "object-list":
        fields = fact.fields or {}
        return {
            n
            for item in value
            for name, sub in fields.items()
            for n in _given_numbers(sub, item.get(name))
        }
    from pipeline.checker.numbers import find_numbers

    texts = value if fact.type == "string-list" else [value]
    return {
        tuple(round(v, 6) for v in token.amounts())
        for text in texts
        for token in find_numbers(str(text))
        if not token.date
    }


def _given_by_section(spec: DocSpec, facts: Facts) -> dict[str, set[tuple[float, ...]]]:
    """By section id, the numbers the case's facts give it (sections given none left out)."""
    out = {}
    for section in spec.sections:
        given = {
            n
            for name in section.facts
            for n in _given_numbers(spec.facts[name], facts.values.get(name))
        }
        if given:
            out[section.id] = given
    return out


def section_numbers(spec: DocSpec, facts: Facts) -> dict[str, list[float]]:
    """By section id, the numbers `number_coverage` looks for in it: those the case's facts
    give the section, as the offline skeleton writes them (1.2万 by its first amount, 1.2)."""
    return {
        sid: sorted(n[0] for n in given) for sid, given in _given_by_section(spec, facts).items()
    }


def number_coverage(spec: DocSpec, facts: Facts, draft: Draft) -> float:
    """Share of the numbers the facts give to the drafted sections that each section's body
    states (Arabic or Chinese, 12 or 十二, as the checker reads them). A section the model
    failed to write is left out, as for the marker metrics; one the draft lacks states none."""
    by_id = {s.id: s for s in draft.sections}
    units = found = 0
    for sid, given in _given_by_section(spec, facts).items():
        drafted = by_id.get(sid)
        if drafted is not None and drafted.status != "ok":
            continue
        stated = _stated_numbers(drafted.body, section=True)[0] if drafted is not None else set()
        units += len(given)
        found += sum(1 for amounts in given if stated.intersection(amounts))
    return found / units if units else 1.0


def length_compliance(spec: DocSpec, draft: Draft) -> float:
    """Share of the spec's sections whose drafted body is within the spec's length bounds
    (a section with `when` the draft does not have was left out, not expected)."""
    by_id = {s.id: s for s in draft.sections}
    expected = [s for s in spec.sections if s.when is None or s.id in by_id]
    ok = 0
    for section in expected:
        drafted = by_id.get(section.id)
        if drafted is None or drafted.status != "ok":
            continue
        n = len(drafted.body.replace("\n", ""))
        bounds = section.length
        ok += n >= bounds.min and (bounds.max is None or n <= bounds.max)
    return ok / len(expected)


def structure_pass(spec: DocSpec, draft: Draft, findings: list[Finding]) -> bool:
    """Every required section drafted in spec order under a numbered heading, no structure error."""
    from pipeline.drafting import heading_number

    order = [s.id for s in draft.sections]
    expected = [s.id for s in spec.sections if s.id in order]
    if order != expected:
        return False
    by_id = {s.id: s for s in draft.sections}
    number = 0
    for section in spec.sections:
        drafted = by_id.get(section.id)
        if drafted is not None and section.heading is not None:
            number += 1
            if not (drafted.heading or "").startswith(heading_number(number)):
                return False
        if not section.required:
            continue
        if drafted is None or drafted.status != "ok" or not drafted.body.strip():
            return False
    return not any(
        f.code.startswith("structure.")
        and f.code not in CONTENT_STRUCTURE_CODES
        and f.severity is Severity.ERROR
        for f in findings
    )


def findings_by_code(findings: list[Finding]) -> dict[str, int]:
    """How many findings of each code, sorted by code."""
    return dict(sorted(Counter(f.code for f in findings).items()))


def draft_metrics(spec: DocSpec, facts: Facts, draft: Draft) -> dict[str, float]:
    """Every metric in `DRAFT_METRICS` for one draft (the judge's score is added by the runner)."""
    text = draft.text
    findings = draft.findings
    precision, recall = marker_scores(spec, facts, draft)
    unsupported = sum(1 for f in findings if f.code == UNSUPPORTED_CODE)
    severities = Counter(f.severity for f in findings)
    return {
        "structure_pass": float(structure_pass(spec, draft, findings)),
        "fact_coverage": round(fact_coverage(spec, facts, text), 4),
        "number_coverage": round(number_coverage(spec, facts, draft), 4),
        "marker_precision": round(precision, 4),
        "marker_recall": round(recall, 4),
        "unsupported_per_1k": round(unsupported * 1000 / max(1, len(text)), 4),
        "length_compliance": round(length_compliance(spec, draft), 4),
        "errors": float(severities.get(Severity.ERROR, 0)),
        "warnings": float(severities.get(Severity.WARNING, 0)),
        "chars": float(len(text)),
    }


def agreement(texts: list[str]) -> float | None:
    """Mean pairwise similarity (difflib ratio, 0–1) of repeated drafts; None for fewer than two."""
    if len(texts) < 2:
        return None
    ratios = [
        difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a != b else 1.0
        for a, b in itertools.combinations(texts, 2)
    ]
    return round(sum(ratios) / len(ratios), 4)


def quality_score(means: dict[str, float]) -> float:
    """One 0–1 number to rank models: the mean of the quality metrics, with the unsupported-
    number rate folded in as 1 / (1 + rate). A quality metric a run did not measure (a run
    journaled before `number_coverage` existed) is left out rather than counted as 0."""
    parts = [means[m] for m in QUALITY_METRICS if m in means]
    parts.append(1.0 / (1.0 + means.get("unsupported_per_1k", 0.0)))
    return round(sum(parts) / len(parts), 4)
