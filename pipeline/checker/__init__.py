"""The rule-based checker: one API for `draft run`, `draft check`, `draft eval` and `draft learn`.

    check_text(text, spec=, facts=) -> CheckReport      a whole document, plain text or Markdown
    check_section(body, section=, spec=, facts=)        one drafted section (the repair loop)
    apply_fixes(text, findings) / clean_text(text)      the `--fix` copy

Rule families and their codes (severity in brackets):

    noise.boilerplate [warning]  site residue          noise.wrap-space [info]   PDF wrap blank
    noise.line-break [info]      flattened paragraph   noise.stray-space [info]  "2020 年"
    gap.marker [warning]         【待补充：…】           gap.placeholder           X, ××, ＿＿, （ ）…
    gap.silent-number            学习 次               gap.silent-ordinal        党的 大精神
    gap.silent-name              《 县 年…》           gap.empty-item            凝聚起 、牢记使命
    gap.stray-mark               中国特色.主义          gap.broken-phrase         贯彻 新时代…思想
    gap.marker-debris            9】个, 【9】个, 9个个, 九个个 (a marker half deleted)
    gap.suspect-space [info]     any other blank between Chinese characters (words may be missing)
    structure.missing-section, structure.section-order, structure.extra-section, structure.title,
    structure.heading-number, structure.heading-level, structure.heading-form [warning],
    structure.heading-run-on,
    structure.empty-section, structure.series, structure.series-form, structure.too-few-points
    facts.unsupported-number, facts.unsupported-name, facts.report-year, facts.plans-year, facts.signature-date,
    facts.must-mention,
    facts.unit-name, facts.signature-second, facts.addressee, facts.county
    numbers.list-count [warning] 开设了疼痛科、老年病科3个专科 (a count that is not its list's)
    numbers.date                 2025年2月29日, 4月31日, 四月三十一日, 2025.2.30 (a date that names no day)
    numbers.weekday              2025年3月6日（星期三） (a weekday that is not its date's)
    style.length [warning], style.repeated-sentence [warning], style.half-width-punct [warning],
    style.banned-phrase, style.signature-date-form [warning], style.signature-role [warning],
    style.traditional [warning]  工作總結 (traditional characters in a simplified text)
    style.misused-word           再接再励, 截止2024年底 (常见错别字; schemas/lexicon/misused-words.yaml)
    style.latin-abbreviation [warning]  KPI, OA系统 (schemas/lexicon/latin-abbreviations.yaml)
    style.number-form [warning]  二0二0年, 百分之95, 3百余人, 1.5万万元, 约300余人 (GB/T 15835-2011)
    style.repeated-word [warning]  的的, 落实落实 (a typo; reduplications allowed by
                                 schemas/lexicon/reduplications.yaml; --fix: 的的 → 的)

Unmarked codes are errors. Offsets are into the text exactly as given.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from pipeline.checker.context import Context
from pipeline.checker.counted_lists import check_counted_lists
from pipeline.checker.dates import check_dates
from pipeline.checker.debris import check_marker_debris
from pipeline.checker.doubled import check_doubled
from pipeline.checker.escapes import Unescaped
from pipeline.checker.facts import check_facts
from pipeline.checker.findings import CheckReport, Finding, Severity
from pipeline.checker.fix import apply_fixes, clean_text
from pipeline.checker.lexicon import DEFAULT_LEXICON, Lexicon, load_lexicon
from pipeline.checker.noise import check_noise, find_residue, scan_blanks
from pipeline.checker.number_forms import check_number_forms
from pipeline.checker.placeholders import check_placeholders
from pipeline.checker.set_phrases import check_set_phrases
from pipeline.checker.silent_gaps import check_silent_gaps, reads_as_cut
from pipeline.checker.structure import check_structure, map_sections
from pipeline.checker.style import check_style
from pipeline.checker.text import LineIndex, parse_document

if TYPE_CHECKING:  # annotations only: checking text without a spec needs neither module
    from pipeline.facts import Facts
    from pipeline.spec import DocSpec, SectionSpec

RULES = (
    check_noise,
    check_placeholders,
    check_marker_debris,
    check_silent_gaps,
    check_set_phrases,
    check_counted_lists,
    check_dates,
    check_structure,
    check_facts,
    check_style,
    check_number_forms,
    check_doubled,
)
"""Every rule family, in the order their findings are gathered."""

_PRIORITY = {
    "gap.broken-phrase": 0,
    "gap.placeholder": 1,
    "gap.silent-number": 2,
    "gap.silent-ordinal": 2,
    "gap.silent-name": 2,
    "gap.stray-mark": 3,
    "gap.empty-item": 4,
    "gap.suspect-space": 9,
}
"""When gap findings overlap, the lower number is the one reported."""


def lexicon_for(spec: DocSpec | None) -> Lexicon | None:
    """The spec's lexicon; the built-in one without a spec; None when the spec names none."""
    if spec is None:
        return load_lexicon(DEFAULT_LEXICON)
    if not spec.rules.lexicon:
        return None
    return load_lexicon(spec.rules.lexicon, spec_source=spec.source)


def _context(
    text: str,
    spec: DocSpec | None,
    facts: Facts | None,
    section: SectionSpec | None = None,
    *,
    reads_typed_values: bool = True,
) -> Context:
    index = LineIndex(text)
    residue = find_residue(text, index)
    blanks = scan_blanks(text, index, residue, reads_as_cut)
    doc = parse_document(
        text,
        index,
        breaks=[(b.start, b.end) for b in blanks.breaks],
        skip=[(r.start, r.end) for r in residue if r.whole_line],
        has_title=section is None,
    )
    ctx = Context(
        text=text,
        index=index,
        doc=doc,
        residue=residue,
        blanks=blanks,
        spec=spec,
        facts=facts,
        lexicon=lexicon_for(spec),
        section=section,
        reads_typed_values=reads_typed_values,
    )
    ctx.spans = map_sections(ctx)
    return ctx


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when [start, end) overlaps one of the sorted, disjoint `spans`."""
    i = bisect_left(spans, (end,)) - 1
    return i >= 0 and spans[i][1] > start


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One gap finding per hole: where gap findings of different rules overlap, the most specific
    stays (two holes side by side both stay); the same code on the same span is reported once."""
    by_level: dict[int, list[Finding]] = {}
    for f in findings:
        if f.code in _PRIORITY:
            by_level.setdefault(_PRIORITY[f.code], []).append(f)
    taken: list[tuple[int, int]] = []  # sorted, disjoint spans of the gaps kept so far
    kept_ids: set[int] = set()
    for level in sorted(by_level):
        added: list[tuple[int, int]] = []
        for f in sorted(by_level[level], key=lambda f: f.start):
            end = max(f.end, f.start + 1)
            if _overlaps(taken, f.start, end):
                continue  # a more specific finding already reports this hole
            kept_ids.add(id(f))
            added.append((f.start, end))
        taken = _merge(taken + added)
    out: list[Finding] = []
    seen: set[tuple[str, int, int, str]] = set()
    for f in findings:
        if f.code in _PRIORITY and id(f) not in kept_ids:
            continue
        key = (f.code, f.start, f.end, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def _run(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(ctx))
    findings = _dedupe(findings)
    for f in findings:
        span = ctx.span_at(f.start)
        if span is not None and span.spec is not None:
            f.section = span.spec.id
    findings.sort(key=lambda f: (f.start, f.end, f.code))
    return findings


def check_text(
    text: str,
    *,
    spec: DocSpec | None = None,
    facts: Facts | None = None,
    reads_typed_values: bool = True,
) -> CheckReport:
    """Check a whole text (plain text or Markdown); offsets in the findings are into `text`.

    Markdown escapes (`\\_\\_`, `1\\.`) are read as the characters they stand for, and the
    findings placed back on the escaped text. `reads_typed_values=False`: the facts alone
    give the facts, a value written over a marker does not (a text checked with --facts)."""
    if facts is not None and spec is None:
        from pipeline.spec import load_spec

        spec = load_spec(facts.doctype, templates=False)
    resolved = Unescaped(text) if "\\" in text else None
    if resolved is None or not resolved.changed:
        ctx = _context(text, spec, facts, reads_typed_values=reads_typed_values)
        return CheckReport(findings=_run(ctx))
    findings = _run(_context(resolved.text, spec, facts, reads_typed_values=reads_typed_values))
    index = LineIndex(text)
    for f in findings:
        f.start, f.end = resolved.original(f.start), resolved.original(f.end)
        f.line, f.column = index.locate(f.start)
        f.excerpt = text[f.start : f.end]
    return CheckReport(findings=findings)


def check_section(body: str, *, section: SectionSpec, spec: DocSpec, facts: Facts) -> list[Finding]:
    """Check one section body as drafted (no heading; paragraphs one per line).

    Used by the repair loop: its error-level findings are quoted back to the model.
    """
    return _run(_context(body, spec, facts, section=section))


__all__ = [
    "RULES",
    "CheckReport",
    "Finding",
    "Severity",
    "apply_fixes",
    "check_section",
    "check_text",
    "clean_text",
    "lexicon_for",
]
