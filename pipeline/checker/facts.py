"""Facts: every number the draft states must be one the facts give (data-to-text fidelity).

With facts (`--facts`):
- `facts.unsupported-number` (error): a number — Arabic or Chinese, a percentage, a year, a
  date — that no fact backs. Backed are: the value of a number fact; every number inside a
  fact's text (青山县2020年…责任书 backs 2020); the parts of a date fact (落款 2021年1月15日);
  a constant of `rules.allowed_numbers`; the report year + 1 inside the plans section; a
  plenum or Party congress (党的二十大) held by the report's year, by the lexicon. A time of
  day (下午2:30) is held as a whole to the times the facts write (`times`): 14:30 backs
  下午2:30, not 下午3:30. Not facts: the numbers of a 文号, an article, a page, a telephone,
  a post code, an identifier or a meeting (市第十三次党代会, 十四届全国人大二次会议)
  (`references`). Not numbers at all: the numerals of canonical set phrases (两学一做,
  四个意识…), idioms (三番五次), 一是/二是, and heading numbers;
- `facts.unsupported-name` (error): an honour, a document in 《》 or a person by post that no
  fact, no literal text of the type's templates and no set phrase names (`claimed_names`);
- `facts.must-mention` (error): a section does not name a fact it must (`must_mention`), nor
  carry its marker; a section with `when` that the facts leave out (its fact missing) is
  taken as written by hand: it is not asked for its own fact or marker (its numbers are
  still held to the facts);
- `facts.unit-name` (error): the signature names another unit;
- `facts.addressee` (error): the 主送机关 line under the title names others than the facts'
  主送机关 (spec `addressee`), or is missing while the facts give it;
- `facts.signature-second` (error): the signature's second name line (`signature.second`: a
  department such as 办公室, or the signing person) names another than its fact, or is
  missing while the facts give it;
- `facts.county` (error): a county other than the facts' county.

Whenever the report year is known (a year fact, or the year in the title):
- `facts.report-year` (error, without facts): the opening of a report on a year begins with
  another year (a 2023 summary opening “2022年，我局…”: last year's text, its title changed);
- `facts.plans-year` (error): the plans section is for another year than the following one;
- `facts.signature-date` (error): the signature is dated before the year the report covers
  (a 2020 summary signed 2019年12月1日: a date copied from another file, or a typo); a
  warning when it is dated in the first half of that year (a 2021 summary signed
  2021年1月15日: last year's facts copied with only the year changed), unless the title
  names part of a year (上半年工作总结); neither for a plan (2024年工作计划), which is
  written before its year or as it begins, nor for a text whose title names no report on a
  year (关于做好2024年度防汛工作的通知), which is dated whenever it is issued.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.checker.claimed_names import check_claimed_names, template_sources
from pipeline.checker.context import Context, SectionSpan
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.lexicon import Lexicon
from pipeline.checker.memo import IdentityCache
from pipeline.checker.numbers import NumberToken, cn_value, find_numbers
from pipeline.checker.references import reference_spans
from pipeline.checker.text import SIGNER_LINE
from pipeline.checker.times import TimeOfDay, times_of_day
from pipeline.checker.vocab import not_a_place_stem
from pipeline.items import series_item
from pipeline.lazy_re import lazy_pattern
from pipeline.markers import MARKER_RE, marker

if TYPE_CHECKING:
    from pipeline.spec import FactSpec

_YEAR = re.compile(
    r"(?<!\d)(\d{4})[ \t]*年|(?<![〇零一二三四五六七八九])([〇零一二三四五六七八九]{4})年"
)
_PLANS_YEAR = re.compile(
    r"(?:(?<!\d)(\d{4})|([〇零一二三四五六七八九]{4}))[ \t]*年(?:度)?(?:工作)?(?:打算|计划|安排|思路|要点|目标)"
)
_CN_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_COUNTY_STOP = frozenset(
    "全本该各每其此同市省州区县乡镇村旗和及与或在到的对向为至从等把将被所是有个两一二三四五六七八九十几多"
)


@dataclass
class Backing:
    """What the facts back: values, dates, and the spans of the text exempt from the rule."""

    values: set[float] = field(default_factory=set)
    dates: set[tuple[int, int, int | None]] = field(default_factory=set)
    """(year, month, day) of the date facts and of the dates inside fact texts; year 0 for
    12月28日, day None for 2020年9月."""
    strings: list[str] = field(default_factory=list)
    """Fact texts: numbers inside them, where they appear in the draft, are backed."""
    phrases: list[str] = field(default_factory=list)
    """Allowed phrases (`rules.allowed_numbers` entries that are not numbers)."""
    times: set[int] = field(default_factory=set)
    """Minutes of the day of the times of day the fact texts write (下午2:30 → 870)."""


def _walk(value: Any, backing: Backing) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        backing.values.add(round(float(value), 6))
    elif isinstance(value, dt.date):
        backing.dates.add((value.year, value.month, value.day))  # backs dates, not counts
    elif isinstance(value, str):
        try:
            d = dt.date.fromisoformat(value)
        except ValueError:
            backing.strings.append(value)
            for time in times_of_day(value, in_fact=True):
                backing.times.update(time.minutes)
            for token in find_numbers(value):
                if token.date:  # 于2020年12月28日验收 backs that date wherever the draft puts it
                    backing.dates.add(token.date)
                    backing.values.update(float(v) for v in token.date if v)
                else:
                    backing.values.update(round(v, 6) for v in token.amounts())
        else:
            _walk(d, backing)
    elif isinstance(value, dict):
        for v in value.values():
            _walk(v, backing)
    elif isinstance(value, list | tuple):
        for v in value:
            _walk(v, backing)


_BACKINGS: IdentityCache[Backing] = IdentityCache()
"""The last few backings, by the identity of their (spec, facts): the repair loop and an eval
run check many sections against the same facts, and walking them is a third of a check."""


def backing_for(ctx: Context) -> Backing:
    """Everything the facts and the spec's allowed numbers back (not to be mutated)."""
    return _BACKINGS.get((ctx.spec, ctx.facts), lambda: _build_backing(ctx))


def _build_backing(ctx: Context) -> Backing:
    backing = Backing()
    assert ctx.facts is not None
    for v in ctx.facts.values.values():
        _walk(v, backing)
    if ctx.spec:
        backing.values.update(_derived_years(ctx))
        for item in ctx.spec.rules.allowed_numbers:
            try:
                backing.values.add(round(float(item), 6))
            except ValueError:
                backing.phrases.append(item)
    return backing


_YEARS_BEFORE = lazy_pattern(r"\{\{\s*([a-z][a-z0-9_]*)\s*-\s*(\d)\s*\}\}")


def _derived_years(ctx: Context) -> set[float]:
    """The earlier years the type's templates write from a year fact (总结{{ report_year - 1 }}
    年工作 in a notice: the year before), as the facts give it: backed as the fact itself is.
    (A following year is backed in the plans section only, where a plans template writes it.)"""
    assert ctx.spec is not None and ctx.facts is not None
    out: set[float] = set()
    for source in template_sources(ctx.spec):
        for name, n in _YEARS_BEFORE().findall(source):
            fact, value = ctx.spec.facts.get(name), ctx.facts.values.get(name)
            if fact is not None and fact.type == "year" and isinstance(value, int):
                out.add(float(value - int(n)))
    return out


_EXEMPT_KEYS: IdentityCache[tuple[str, ...]] = IdentityCache()


def _exempt_keys(lexicon: Lexicon | None, backing: Backing) -> tuple[str, ...]:
    """The strings whose numerals are not facts, blanks removed, each once."""
    words = list(lexicon.exempt_words()) if lexicon else []
    words += backing.phrases + [s for s in backing.strings if len(s) >= 2]
    keys = ("".join(word.split()) for word in words)
    return tuple(dict.fromkeys(key for key in keys if key))


def _exempt_spans(ctx: Context, backing: Backing) -> list[tuple[int, int]]:
    """Spans whose numerals are not facts to check."""
    spans: list[tuple[int, int]] = []
    ct = ctx.compact.text
    keys = _EXEMPT_KEYS.get((ctx.lexicon, backing), lambda: _exempt_keys(ctx.lexicon, backing))
    for key in keys:
        pos = ct.find(key)
        while pos != -1:
            spans.append(ctx.compact.span(pos, pos + len(key)))
            pos = ct.find(key, pos + 1)
    spans.extend(ctx.marker_spans)
    spans.extend(ctx.doc.heading_numbers)
    spans.extend((r.start, r.end) for r in ctx.residue)
    spans.extend(reference_spans(ctx.text))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_right(spans, (start, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]


def _backed(token: NumberToken, backing: Backing, plans_year: int | None) -> bool:
    if token.approximate:
        return False
    if token.date is not None:
        y, m, d = token.date
        if y == 0:  # 1月15日
            return any((m, d) == (dm, dd) for _, dm, dd in backing.dates)
        if d is None:
            return any((y, m) == (dy, dm) for dy, dm, _ in backing.dates)
        return (y, m, d) in backing.dates
    if any(round(v, 6) in backing.values for v in token.amounts()):
        return True
    return plans_year is not None and token.value == plans_year


def _unsupported(ctx: Context) -> list[Finding]:
    backing = backing_for(ctx)
    exempt: list[tuple[int, int]] | None = None
    written_values: set[Any] | None = None
    year = ctx.report_year
    out = []
    times = times_of_day(ctx.text)
    reported: set[int] = set()
    for token in ctx.numbers(0, len(ctx.text)):
        if _beside_placeholder(ctx.text, token.start, token.end):
            continue  # 20__年, 20XX年: part of a gap, which the placeholder rule reports
        if time := _time_at(times, token):  # held to the facts' times as a whole
            if not time.minutes & backing.times and time.start not in reported:
                reported.add(time.start)  # one finding for 下午3:30, not one a number
                out.append(_unsupported_time(ctx, time))
            continue
        span = ctx.span_at(token.start)
        plans_year = year + 1 if (year is not None and span is not None and span.plans) else None
        if (
            _backed(token, backing, plans_year)
            or _a_held_plenum(ctx, token, plans_year)
            or _a_held_congress(ctx, token, plans_year)
        ):
            continue
        # the exempt spans (set phrases, fact texts…) are costly and rarely needed: most
        # numbers of a draft are backed
        if exempt is None:
            exempt = _exempt_spans(ctx, backing)
        if _inside(exempt, token.start, token.end):
            continue
        written = ctx.text[token.start : token.end]
        what = "date" if token.date else "number"
        message = f"the {what} “{written}” is not in the facts"
        hint = "use only numbers the facts give; for one they lack, write a marker naming it (e.g. 【待补充：学习次数】)"
        if written_values is None:
            written_values = _written_values(ctx)
        if changed := _changed_facts_for(ctx, token, written_values)[:MAX_CHANGED_NAMED]:
            # a fact's number typed over in the text (10次 → 11次): name the fact and its value
            given = " and ".join(f"{spec.label} as {value}" for spec, value in changed)
            labels = " or ".join(spec.label for spec, _ in changed)
            values = " or ".join(value for _, value in changed)
            message += f", which give {given} (no longer written in the text)"
            hint = (
                f"if {labels} is now {written}, correct it in the facts and check again; "
                f"otherwise write {values}, as the facts give it"
            )
        elif empty := _empty_facts_for(ctx, token):
            # most likely a marker filled in the text (as its own hint says) while the facts
            # file still leaves that fact empty: say which, rather than "write the marker back"
            labels = "、".join(spec.label for spec in empty.values())
            message += f", where {labels} {'is' if len(empty) == 1 else 'are'} left empty"
            hint = (
                f"if it is {labels}, give it in the facts ({', '.join(empty)}) and check again; "
                "otherwise use only numbers the facts give"
            )
        out.append(
            ctx.finding(
                "facts.unsupported-number", Severity.ERROR, token.start, token.end, message, hint
            )
        )
    return out


def _time_at(times: list[TimeOfDay], token: NumberToken) -> TimeOfDay | None:
    """The time of day (14:30) that `token` is the hour or the minutes of, if any."""
    return next((t for t in times if t.start <= token.start and token.end <= t.end), None)


def _unsupported_time(ctx: Context, time: TimeOfDay) -> Finding:
    written = ctx.text[time.start : time.end]
    return ctx.finding(
        "facts.unsupported-number",
        Severity.ERROR,
        time.start,
        time.end,
        f"the time “{written}” is not in the facts",
        "write the time as the facts give it; for one they lack, write a marker naming it "
        "(e.g. 【待补充：会议时间】)",
    )


def _fits(ctx: Context, token: NumberToken, spec: FactSpec) -> bool:
    """Whether `token` could be the value of the fact: a date for a date fact, a year for a
    year fact, a count for a number fact of its unit (or of none)."""
    if token.date is not None:
        return spec.type == "date" and token.date[0] != 0 and token.date[2] is not None
    if token.kind == "year":
        return spec.type == "year"
    unit = spec.unit or ""
    end = token.end + (ctx.text.startswith("】", token.end))  # 9】个: a marker's 】 left
    return spec.type in ("integer", "number") and unit in ctx.text[token.start : end + len(unit)]


def _empty_facts_for(ctx: Context, token: NumberToken) -> dict[str, FactSpec]:
    """The facts left empty that `token` could be the value of, by id."""
    if ctx.spec is None or ctx.facts is None:
        return {}
    return {
        fact_id: spec
        for fact_id, spec in ctx.spec.facts.items()
        if ctx.facts.values.get(fact_id) is None and _fits(ctx, token, spec)
    }


def _written_values(ctx: Context) -> set[Any]:
    """Every amount and (year, month, day) of a date the text writes."""
    out: set[Any] = set()
    for t in ctx.numbers(0, len(ctx.text)):
        out.update((t.date,) if t.date else (round(a, 6) for a in t.amounts()))
    return out


MAX_CHANGED_NAMED = 2
"""Facts named as the one a number may have been typed over: a message quoted back to the
model stays short."""


def _changed_facts_for(
    ctx: Context, token: NumberToken, written: set[Any]
) -> list[tuple[FactSpec, str]]:
    """The facts of `token`'s section it could be the value of whose own value the text no
    longer writes anywhere (not in `written`), with that value as the facts give it: the
    number a user typed over (微党课10次 → 11次)."""
    if ctx.spec is None or ctx.facts is None:
        return []
    span, signature = ctx.span_at(token.start), ctx.doc.signature
    facts: list[str] = []
    if signature is not None and signature[0] <= token.start < signature[1]:
        if ctx.spec.signature is not None and ctx.spec.signature.date is not None:
            facts = [ctx.spec.signature.date]
    elif span is not None and span.spec is not None:
        facts = list(span.spec.facts)
    out = []
    for fact_id in facts:
        spec = ctx.spec.facts[fact_id]
        value = ctx.facts.values.get(fact_id)
        if spec.type == "year" or spec.ordinal or value is None or not _fits(ctx, token, spec):
            # a year typed over is the year rules' (report-year, plans-year); a 届次 (the 19
            # of 党的十九大) is no count a clerk retypes
            continue
        if isinstance(value, dt.date):
            if (value.year, value.month, value.day) in written:
                continue
            shown = f"{value.year}年{value.month}月{value.day}日"
        elif isinstance(value, int | float):
            if round(float(value), 6) in written:
                continue
            shown = f"{value:g}{spec.unit or ''}"
        else:
            continue
        out.append((spec, shown))
    return out


_congress_before = lazy_pattern(
    r"([一二三四五六七八九十]{1,3})届(?:中央委员会第|(?:[一二三四五六七八九]中[、和及与])*)$"
)
"""What comes before a plenum's ordinal: 十九届 (四中全会), 二十届二中、(三中全会) and
十九届中央委员会第 (六次全体会议)."""


def _a_held_plenum(ctx: Context, token: NumberToken, plans_year: int | None) -> bool:
    """The ordinal of 十九届四中全会 (or 二十届二中、三中全会, 十九届中央委员会第六次全体会议):
    backed by the lexicon's calendar of plenums when that plenum was held by the report's
    year (the next year in the plans), or by any year when the facts give none. The
    congress's own number (十九届) is `_a_held_congress`'s."""
    text = ctx.text
    if token.kind != "ordinal" or ctx.lexicon is None:
        return False
    if text.startswith("中全会", token.end):
        window = max(0, token.start - 12)
    elif text.startswith("全体会议", token.end) and text[token.end - 1 : token.end] == "次":
        window = max(0, token.start - 9)
    else:
        return False
    congress = _congress_before().search(text, window, token.start)
    held = ctx.lexicon.plenums.get(int(cn_value(congress.group(1)) or 0)) if congress else None
    index = int(token.value) - 1
    if not held or not 0 <= index < len(held):
        return False
    year = plans_year or ctx.report_year
    return year is None or held[index] <= year


_congress_after = lazy_pattern(r"大|届(?:中央|[一二三四五六七八九]中(?:全会|[、和及与]))")
"""What follows a Party congress's number: 党的二十大, 十九届中央, 二十届二中全会,
二十届二中、三中全会."""
_party_congress_long = lazy_pattern(r"(?:党的|共产党)第[一二三四五六七八九十]+次全国代表大会$")
"""党的第二十次全国代表大会, 中国共产党第十九次全国代表大会: the congress in full."""


def _a_held_congress(ctx: Context, token: NumberToken, plans_year: int | None) -> bool:
    """The number of a Party congress (党的二十大, 党的十八大以来, 二十届二中全会,
    党的第二十次全国代表大会): backed when the lexicon's calendar has it held by the report's
    year (its first plenum's year; a congress before the calendar's first was held long
    ago), like a plenum."""
    text = ctx.text
    if token.kind != "ordinal" or ctx.lexicon is None or not ctx.lexicon.plenums:
        return False
    if text[token.start - 1 : token.start] == "第":  # 第五届创新创业大赛: a count
        if not _party_congress_long().search(text, max(0, token.start - 5), token.end + 6):
            return False  # …unless it is 党的第二十次全国代表大会
    elif not _congress_after().match(text, token.end):
        return False
    number = int(token.value)
    if number < min(ctx.lexicon.plenums):
        return True
    held = ctx.lexicon.plenums.get(number)
    year = plans_year or ctx.report_year
    return held is not None and len(held) > 0 and (year is None or held[0] <= year)


_PLACEHOLDER_MARKS = frozenset("_＿XxＸｘ×")


def _beside_placeholder(text: str, start: int, end: int) -> bool:
    """The number runs into a placeholder mark (20__年, 20XX年, __20年): it is what is left of
    a number with digits cut out, not a number of its own."""
    return text[end : end + 1] in _PLACEHOLDER_MARKS or (
        start > 0 and text[start - 1] in _PLACEHOLDER_MARKS
    )


# ----------------------------------------------------------------------------- plans year


def _year_value(m: re.Match[str]) -> int:
    if m.group(1):
        return int(m.group(1))
    return int("".join(_CN_DIGITS[ch] for ch in m.group(2)))


def _opening_year(ctx: Context) -> list[Finding]:
    """The opening of a report on a year begins with that year (2023年，我局…): another year
    there is last year's report copied with only its title changed. Checked by the title's
    year, without facts (with them, the facts rule holds every year to the facts)."""
    year = ctx.report_year
    if year is None or ctx.facts is not None or ctx.section is not None or ctx.is_plan:
        return []
    opening = ctx.doc.sections[0]
    if not ctx.is_report or opening.heading is not None or not opening.lines:
        return []
    first = opening.lines[0]
    m = _YEAR.match(ctx.text, first.cstart, first.cend)
    if m is None or ctx.text[m.end() : m.end() + 1] not in "，," or _year_value(m) == year:
        return []
    return [
        ctx.finding(
            "facts.report-year",
            Severity.ERROR,
            m.start(),
            m.end(),
            f"the title makes this a report on {year}, but its opening begins with "
            f"“{ctx.text[m.start() : m.end()]}”",
            f"write {year}年 (the report's year), or correct the year in the title",
        )
    ]


def _plans_year(ctx: Context) -> list[Finding]:
    year, want = ctx.report_year, ctx.plans_year
    if year is None or want is None:
        return []
    text = ctx.text
    out = []
    for span in ctx.spans:
        if not span.plans:
            continue
        hits: list[re.Match[str]] = []
        if span.heading_start is not None:
            heading_end = text.find("\n", span.heading_start, span.end)
            heading_end = span.body_start if heading_end < 0 else min(heading_end, span.body_start)
            hits.extend(_YEAR.finditer(text, span.heading_start, heading_end))
        hits.extend(_PLANS_YEAR.finditer(text, span.body_start, span.end))
        for line in ctx.doc.lines:
            if span.body_start <= line.cstart < span.end:
                m = _YEAR.match(text, line.cstart, line.cend)
                if m and text[m.end() : m.end() + 1] in "，,":
                    hits.append(m)
        seen = set()
        for m in hits:
            if m.start() in seen or _year_value(m) == want:
                continue
            if ctx.covers_part_of_year and _year_value(m) == year:
                continue  # a 上半年 report plans the rest of its year (2023年下半年工作打算)
            seen.add(m.start())
            out.append(
                ctx.finding(
                    "facts.plans-year",
                    Severity.ERROR,
                    m.start(),
                    m.end(),
                    f"the plans are for {want}, not {_year_value(m)}",
                    f"write {want}年: a {year} report plans the following year"
                    if want != year
                    else f"write {want}年: the title makes this the plan for {want}",
                )
            )
    return out


# ----------------------------------------------------------------------------- signature date

_EARLY_MONTHS = 6
"""A report on a year is not written in its first half: a signature dated then (warning)."""


def _signature_date(ctx: Context) -> list[Finding]:
    year = ctx.report_year
    if year is None or ctx.doc.signature is None or ctx.is_plan or not ctx.is_report:
        return []  # a plan for a year is written before it, or as it begins; a 通知 any time
    start, end = ctx.doc.signature
    out = []
    for token in ctx.numbers(start, end):
        if token.date is None or not token.date[0] or token.date[0] > year:
            continue
        written = ctx.text[token.start : token.end]
        hint = f"date it at the end of {year} or after, as the report was written"
        if token.date[0] < year:
            severity = Severity.ERROR
            message = (
                f"the signature is dated {written}, before the year the report covers ({year})"
            )
        elif token.date[1] <= _EARLY_MONTHS and not ctx.covers_part_of_year:
            # last year's facts copied with only the year changed: their date (early in
            # this year, when last year's report was signed) now dates this year's report
            severity = Severity.WARNING
            message = (
                f"the signature is dated {written}, in the first half of the year the report "
                f"covers ({year}): a date kept from last year's facts?"
            )
        else:
            continue
        out.append(
            ctx.finding("facts.signature-date", severity, token.start, token.end, message, hint)
        )
    return out


# ----------------------------------------------------------------------------- must mention


def _searchable(text: str) -> str:
    """A fact's text as a draft names it: no blanks, no item number, no final punctuation
    or 等 (the templates' filters drop them, and end a value their own way)."""
    return "".join(series_item(text).split())


def _mentioned(value: Any, section_text: str, compact: str, numbers: set[float]) -> list[str]:
    """The parts of `value` the section does not name (empty when it names them all)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [] if round(float(value), 6) in numbers else [str(value)]
    if isinstance(value, dt.date):
        forms = (f"{value.year}年{value.month}月{value.day}日", value.isoformat())
        return [] if any(f in compact for f in forms) else [forms[0]]
    if isinstance(value, str):
        return [] if _searchable(value) in compact else [value]
    if isinstance(value, list):
        missing = []
        for item in value:
            if isinstance(item, dict):
                texts = [v for v in item.values() if isinstance(v, str)]
                if texts and _searchable(texts[0]) not in compact:
                    missing.append(texts[0])
            else:
                missing.extend(_mentioned(item, section_text, compact, numbers))
        return missing
    return []


def _section_text(ctx: Context, span: SectionSpan) -> str:
    return ctx.text[span.body_start : span.end]


def _must_mention(ctx: Context) -> list[Finding]:
    assert ctx.spec is not None and ctx.facts is not None
    out = []
    for span in ctx.spans:
        if span.spec is None or not span.spec.must_mention:
            continue
        body = _section_text(ctx, span)
        compact = "".join(body.split())
        numbers = {
            round(v, 6)
            for t in ctx.numbers(span.body_start, span.end)
            if not t.date
            for v in t.amounts()
        }
        start, end = ctx.section_anchor(span)
        for name in span.spec.must_mention:
            fact = ctx.spec.facts[name]
            value = ctx.facts.values.get(name)
            if value is None and name == span.spec.when:
                continue  # a section a draft of these facts leaves out, written by hand
            if value is None:
                if marker(fact.label) in body:
                    continue
                missing = [marker(fact.label)]
            else:
                missing = _mentioned(value, body, compact, numbers)
            if not missing:
                continue
            shown = "、".join(f"“{m}”" for m in missing[:4])
            message = f"the section must name {fact.label}: {shown} is missing"
            hint = f"write {fact.label} ({shown}) into this section"
            if value is None and not ctx.reads_typed_values:
                # its marker filled in the text (the Word file), which a facts file checked
                # with does not read: say where to give it, not only "write the marker back"
                message = (
                    f"the section must name {fact.label}, which the facts leave empty, "
                    f"and its marker {shown} is gone"
                )
                hint = (
                    f"if {fact.label} is written here, give it in "
                    f"{ctx.facts.source or 'the facts file'} (key '{name}') and check again; "
                    f"otherwise write the marker {shown} back into this section"
                )
            out.append(ctx.finding("facts.must-mention", Severity.ERROR, start, end, message, hint))
    return out


# ----------------------------------------------------------------------------- names


def _same(written: str, value: str) -> bool:
    return "".join(written.split()) == "".join(value.split())


def _signature_names(ctx: Context) -> list[str]:
    """The 落款's name lines as written (the unit, then a second name if any); none when
    it is only a date."""
    assert ctx.doc.signature is not None
    start, end = ctx.doc.signature
    lines = [line.strip() for line in ctx.text[start:end].split("\n") if line.strip()]
    return lines[:-1]


def _signature_unit(ctx: Context) -> list[Finding]:
    assert ctx.spec is not None and ctx.facts is not None
    if ctx.doc.signature is None or ctx.spec.signature is None:
        return []
    unit = ctx.facts.values.get(ctx.spec.signature.unit)
    names = _signature_names(ctx)
    if not isinstance(unit, str) or not names:
        return []
    start, _ = ctx.doc.signature
    first = names[0]
    signer = SIGNER_LINE().match(first)
    name = first[signer.end() :] if signer else first  # 述职人：张明 is signed by 张明
    if _same(name, unit):
        return []
    label = ctx.spec.label(ctx.spec.signature.unit)
    return [
        ctx.finding(
            "facts.unit-name",
            Severity.ERROR,
            start,
            start + len(first),
            f"the signature names “{first}”, but {label} is “{unit}”",
            f"sign with “{ctx.spec.signature.role}：{unit}”"
            if ctx.spec.signature.role
            else f"sign with “{unit}”",
        )
    ]


def _addressee(ctx: Context) -> list[Finding]:
    assert ctx.spec is not None and ctx.facts is not None
    name = ctx.spec.addressee
    value = ctx.facts.values.get(name) if name else None
    if not name or not isinstance(value, str):
        return []
    label = ctx.spec.label(name)
    line = ctx.doc.addressee
    if line is None:
        at = ctx.doc.title.cend if ctx.doc.title is not None else 0
        return [
            ctx.finding(
                "facts.addressee",
                Severity.ERROR,
                at,
                at,
                f"the text has no {label} line under the title: “{value}：”",
                f"write “{value}：” on its own line under the title, flush left",
            )
        ]
    written = line.content(ctx.text).rstrip("：:")
    if _same(written, value) or MARKER_RE.fullmatch(written):
        return []  # a marker is the gap's own finding
    return [
        ctx.finding(
            "facts.addressee",
            Severity.ERROR,
            line.cstart,
            line.cend,
            f"the {label} line names “{written}”, but {label} is “{value}”",
            f"write “{value}：”",
        )
    ]


def _signature_second(ctx: Context) -> list[Finding]:
    """The 落款's second name line (办公室, or the signing person) against its fact."""
    assert ctx.spec is not None and ctx.facts is not None
    if ctx.doc.signature is None or ctx.spec.signature is None or not ctx.spec.signature.second:
        return []
    second = ctx.facts.values.get(ctx.spec.signature.second)
    names = _signature_names(ctx)
    if not isinstance(second, str) or not second.strip() or not names:
        return []
    label = ctx.spec.label(ctx.spec.signature.second)
    start, _ = ctx.doc.signature
    if len(names) == 1:
        if _same(names[0], second):
            return []  # the unit's line is what is missing: facts.unit-name says so
        end = ctx.text.index(names[0], start) + len(names[0])
        return [
            ctx.finding(
                "facts.signature-second",
                Severity.ERROR,
                start,
                end,
                f"the signature has no line for {label} “{second}” under “{names[0]}”",
                f"sign with “{second}” on the line under “{names[0]}”",
            )
        ]
    if _same(names[1], second):
        return []
    at = ctx.text.index(names[1], ctx.text.index(names[0], start) + len(names[0]))
    return [
        ctx.finding(
            "facts.signature-second",
            Severity.ERROR,
            at,
            at + len(names[1]),
            f"the signature names “{names[1]}”, but {label} is “{second}”",
            f"sign with “{second}”",
        )
    ]


@dataclass(frozen=True)
class _Counties:
    """The counties the facts name, and what may be written before 县 or 旗."""

    counties: list[tuple[str, str]]
    """(value, label) of each county fact."""
    allowed: set[str]
    strings: list[str]
    """Every string of the facts: a name inside one is not another county."""


_COUNTIES: IdentityCache[_Counties] = IdentityCache()


def _counties(ctx: Context) -> _Counties:
    assert ctx.spec is not None and ctx.facts is not None
    counties = []
    for name, fact in ctx.spec.facts.items():
        value = ctx.facts.values.get(name)
        if (
            fact.type == "string"
            and isinstance(value, str)
            and re.search(r"县|旗", fact.label)
            and value.endswith(("县", "旗"))
            and len(value) >= 2
        ):
            counties.append((value, fact.label))
    strings: list[str] = []
    if counties:
        collect_strings(ctx.facts.values, strings)
    allowed = {v[-3:] for v, _ in counties} | {v[-2:] for v, _ in counties}
    return _Counties(counties, allowed, strings)


def _county(ctx: Context) -> list[Finding]:
    known = _COUNTIES.get((ctx.spec, ctx.facts), lambda: _counties(ctx))
    if not known.counties:
        return []
    text = ctx.text
    allowed, strings = known.allowed, known.strings
    out = []
    for value, label in known.counties:
        suffix = value[-1]
        at = text.find(suffix)
        while at != -1:
            start, at = at, text.find(suffix, at + 1)
            before = text[max(0, start - 2) : start]
            if (
                len(before) < 2
                or any(ch in _COUNTY_STOP or not ("\u4e00" <= ch <= "\u9fff") for ch in before)
                or not_a_place_stem().search(before)  # 配合县政府: a verb, not a place
            ):
                continue
            name = before + suffix
            if any(name.endswith(a) or a.endswith(name) for a in allowed):
                continue
            if any(name in s for s in strings):
                continue
            out.append(
                ctx.finding(
                    "facts.county",
                    Severity.ERROR,
                    start - 2,
                    start + 1,
                    f"“{name}” is not the county of the facts ({label}: {value})",
                    f"write “{value}”",
                )
            )
    return out


def collect_strings(value: Any, out: list[str]) -> None:
    """Append every text inside a fact value (a list's items, an object's fields) to `out`."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            collect_strings(v, out)
    elif isinstance(value, list):
        for v in value:
            collect_strings(v, out)


def check_facts(ctx: Context) -> list[Finding]:
    """The plans year and the signature date (whenever the report year is known), and with
    facts every number and name."""
    findings = _opening_year(ctx) + _plans_year(ctx) + _signature_date(ctx)
    if ctx.facts is None or ctx.spec is None:
        return findings
    numbers = _unsupported(ctx)
    backing = backing_for(ctx)
    findings += numbers
    reported = [(f.start, f.end) for f in numbers]
    findings += check_claimed_names(ctx, backing.strings, backing.values, reported)
    findings += _must_mention(ctx)
    if ctx.section is None:
        findings += _signature_unit(ctx) + _signature_second(ctx) + _addressee(ctx)
    findings += _county(ctx)
    return findings
