"""Years, dates, periods and weekdays of a sample as date facts: a full date (2024年3月1日),
a period's end written as the sample writes it (至4月30日), a date without its year (3月1日至
15日) and the weekday after a date, computed from it."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.learn.label_core import context_core
from pipeline.learn.outline import Outline
from pipeline.learn.registry import FoundFact, Occurrence, Registry, distinct_label
from pipeline.weekdays import RANGE_JOIN, WEEKDAYS_AFTER, weekday_cn, weekday_number

CN_YEAR = "[一二][〇零○一二三四五六七八九]{3}"
TITLE_YEAR = re.compile(rf"((?:19|20)\d{{2}}|(?:19|20|[Xx×]{{2}})[Xx×]{{2}}|{CN_YEAR})\s*年")
"""The year in a title: digits, in Chinese (二〇二三年), or a placeholder for them (20XX年);
group 1 is the year."""


_YEAR_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")


def year_value(written: str) -> int | None:
    """2023 from 2023 or 二〇二三; None for a placeholder (20XX)."""
    digits = written.translate(_YEAR_DIGITS)
    return int(digits) if digits.isdigit() else None


UNTIL = re.compile(r"(?:至|到|—|－|-|~|～)((?:19|20)\d{2}年)?(?:(\d{1,2})月)?(\d{1,2})日")
"""The end of a period after its first date: 至4月30日 (its year left out), 至30日 (its
month too), 至2025年1月5日."""


def period_end(reg: Registry, until: re.Match[str], first: FoundFact, label: str) -> None:
    """The end date of a period begun on the date fact `first`, written as the sample does:
    whole when the sample gives its year (至2024年4月30日), else without the start's year
    (至4月30日 and 至30日 are `until(start)`)."""
    first_day = dt.date.fromisoformat(str(first.example))
    year = int(until.group(1)[:4]) if until.group(1) else first_day.year
    try:
        day = dt.date(year, int(until.group(2) or first_day.month), int(until.group(3)))
    except ValueError:
        return
    start = until.start(1) if until.group(1) else until.start(2 if until.group(2) else 3)
    if not reg.free(start, until.end()):
        return
    reg.add(
        label,
        start=start,
        end=until.end(),
        expression_of="{id} | date_cn" if until.group(1) else f"{{id}} | until({first.id})",
        type="date",
        example=day.isoformat(),
        description=f"{label}（样稿中为 {day.isoformat()}）。",
        origin="sample",
    )


_MONTH_DAY = re.compile(
    r"(?<![\d年.．])(\d{1,2})月(\d{1,2})日"
    r"(?:(?P<to>至|到|—|－|-|~|～)(?:(?P<month>\d{1,2})月)?(?P<day>\d{1,2})日)?"
)
"""A date without its year (3月25日), or a period (3月1日—3月31日, 3月1日至15日)."""


def issue_year(outline: Outline, year: int | None) -> int:
    """The year of a date the sample writes without one: its 成文日期's, else its title's."""
    sig = outline.signature
    return (year_value(sig.date[:4]) if sig else None) or year or dt.date.today().year


def weekday_facts(text: str, reg: Registry, notes: list[str]) -> None:
    """A weekday right after a date fact (2025年3月6日（星期四）) is the date's, computed: the
    template writes `date_cn(weekday=true)` over both, never the sample's 星期四, which is
    wrong for every other date; a sample whose weekday is not its date's says so in `notes`.
    A range's weekdays (3月6日至7日（星期四至星期五）) are computed the same way from its
    start and end facts: `{{ start | weekdays(end) }}`."""
    dates = [
        (fact, occ, dt.date.fromisoformat(str(fact.example)))
        for fact in reg.by_label.values()
        if fact.type == "date"
        for occ in fact.occurrences
    ]
    ends = {occ.end: (fact, day) for fact, occ, day in dates}
    for fact, occ, day in dates:
        m = WEEKDAYS_AFTER().match(text, occ.end)
        if m is None or bool(m["open"]) != bool(m["close"]) or not reg.free(occ.end, m.end()):
            continue
        if m["second"] is not None:
            _range_weekdays(text, reg, notes, ends, (fact, occ, day), m)
            continue
        if occ.expression not in (f"{fact.id} | date_cn", f"{fact.id} | until(report_date)"):
            continue
        _note_wrong_weekday(text, notes, occ, day, m["first"])
        reg.take(occ.end, m.end())
        occ.end, occ.expression = m.end(), f"{fact.id} | date_cn(weekday=true)"


def _range_weekdays(
    text: str,
    reg: Registry,
    notes: list[str],
    ends: dict[int, tuple[FoundFact, dt.date]],
    last: tuple[FoundFact, Occurrence, dt.date],
    m: re.Match[str],
) -> None:
    """The weekdays after a range's end (7日（星期四至星期五） in 3月6日至7日), written from the
    range's two date facts, when the date before the join is one."""
    end_fact, end_occ, end_day = last
    joins = RANGE_JOIN().finditer(text, max(0, end_occ.start - 4), end_occ.start)
    join = next((j for j in joins if j.end() == end_occ.start and j.start() in ends), None)
    if join is None:
        return
    start_fact, start_day = ends[join.start()]
    if start_fact is end_fact or start_day > end_day:
        return
    start_occ = next(o for o in start_fact.occurrences if o.end == join.start())
    _note_wrong_weekday(text, notes, start_occ, start_day, m["first"])
    _note_wrong_weekday(text, notes, end_occ, end_day, m["second"])
    reg.add(
        start_fact.label,
        start=m.start(),
        end=m.end(),
        expression_of=f"{{id}} | weekdays({end_fact.id})",
    )


def _note_wrong_weekday(
    text: str, notes: list[str], occ: Occurrence, day: dt.date, written: str
) -> None:
    """Say so in `notes` when the sample's weekday after a date is not the date's."""
    right = weekday_cn(day)
    if weekday_number(written) != day.weekday():
        notes.append(
            f"the sample's weekday “{written}” after {text[occ.start : occ.end]} is not "
            f"its date's ({right}): the templates write the weekday computed from the date"
        )


def without_year(outline: Outline) -> str:
    """The expression of a date the sample writes without its year: so written when the
    document has a 成文日期 to take the year from (3月25日), else in full."""
    return "{id} | until(report_date)" if outline.signature else "{id} | date_cn"


def _date_core(reg: Registry, start: int) -> str:
    """What a date is of, from the words before it: 检查时间为 → 检查时间, and 自查自纠阶段（
    or 自查阶段： → the phase for a date in brackets or after a colon."""
    words = reg.before(start, 14)
    return context_core(words.rstrip("（(：:")) or "活动"


def month_days(text: str, outline: Outline, reg: Registry, year: int | None) -> None:
    """Dates written without a year (3月1日—3月31日, 自查自纠阶段（3月1日至15日）) as date
    facts, written as the sample does: another unit's notice has dates of its own."""
    the_year = issue_year(outline, year)
    end_of_body = outline.signature.date_span.start if outline.signature else len(text)
    for m in _MONTH_DAY.finditer(text, outline.title_span.end, end_of_body):
        if not reg.free(m.start(), m.end()):
            continue
        try:
            first = dt.date(the_year, int(m.group(1)), int(m.group(2)))
            month = int(m.group("month") or first.month)
            last = dt.date(the_year, month, int(m.group("day"))) if m.group("to") else None
        except ValueError:
            continue
        core = _date_core(reg, m.start())
        start_end = m.start("to") if m.group("to") else m.end()
        label = f"{core}开始日期" if m.group("to") else f"{core}日期"
        label = distinct_label(text, reg, m.start(), label, first.isoformat())
        fact = reg.add(
            label,
            start=m.start(),
            end=start_end,
            expression_of=without_year(outline),
            type="date",
            example=first.isoformat(),
            description=f"{label}（样稿中为“{text[m.start() : start_end]}”）。",
            origin="sample",
        )
        if last is not None:
            end_label = distinct_label(text, reg, m.start(), f"{core}结束日期", last.isoformat())
            written = m.start("month") if m.group("month") else m.start("day")
            reg.add(
                end_label,
                start=written,
                end=m.end(),
                expression_of=f"{{id}} | until({fact.id})",
                type="date",
                example=last.isoformat(),
                description=f"{end_label}（样稿中为“{text[written : m.end()]}”）。",
                origin="sample",
            )
