"""Every gap and every sample-specific value of a sample, as named facts with Chinese labels.

Two kinds of facts come out of a sample:

- a **gap** (a hole the checker found: "共开展中心组学习 次", "党的 大精神", "《 县 年…》"):
  a fact whose type and label come from its context (中心组学习次数, 党的全国代表大会届次,
  县名), with a plausible example marked as such in its description;
- a **sample value** that only fits the sample's own unit and year (the year in the title,
  "十九大", "共培训教师120人次", "2021年1月15日"): a fact whose example is the sample's value.

Each occurrence becomes a replacement of a span of the cleaned text by a Jinja expression.
Literal corrections (a set phrase restored, a mixed 一要/三是 series unified, a plans year
moved to the following year) are `Edit`s.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.checker.references import reference_spans
from pipeline.checker.text import attachment_items, is_attachment_note
from pipeline.checker.times import times_of_day
from pipeline.learn.cleaning import CleanedSample, Hole
from pipeline.learn.found_counts import (
    CN_NUM,
    cn_to_int,
    count_gap,
    count_value,
    counted_lists,
    in_quotes,
    other_numbers,
)
from pipeline.learn.found_dates import (
    CN_YEAR,
    UNTIL,
    issue_year,
    month_days,
    period_end,
    weekday_facts,
    without_year,
    year_value,
)
from pipeline.learn.found_names import contact_facts, person_names, position_fact, signature_facts
from pipeline.learn.found_places import (
    BARE_PLACE_OFFICE,
    PLACE_BEFORE_OFFICE,
    PLACE_SUFFIXES,
    is_place_name,
    level_words,
    own_place_names,
)
from pipeline.learn.found_titles import body_year, title_facts
from pipeline.learn.label_core import DELIMS, context_core
from pipeline.learn.measures import MEASURE_RE
from pipeline.learn.outline import Block, Outline, heading_at
from pipeline.learn.outline_edits import end_list_items, fill_skipped_levels, unify_points
from pipeline.learn.registry import Edit, FactsFound, Registry, around, distinct_label
from pipeline.learn.set_phrases import fix_garbles, restore_set_phrases, set_phrase_spans
from pipeline.markers import MARKER_RE
from pipeline.type_words import UNIT_ENDINGS

# ----------------------------------------------------------------------------- vocabulary

_CN_COUNT_MEASURES = "次|场|期|篇|名|人次|项|批|节"

ANNIVERSARY_BASE = {"新中国成立": 1949, "建国": 1949, "国庆": 1949, "建党": 1921, "改革开放": 1978}

_SPEAKER_AFTER = re.compile(r"^(?:关于|系列|重要讲话|总书记|新时代)")

# ----------------------------------------------------------------------------- helpers


def congress_for_year(year: int) -> int:
    """The party congress in force in a given year (19 for 2018–2022)."""
    return max(1, (year - 1922) // 5 + 1) if year < 2023 else 20 + (year - 2023) // 5


# ----------------------------------------------------------------------------- the finder


def find_facts(
    sample: CleanedSample, outline: Outline, *, banned: list[str] | None = None
) -> FactsFound:
    """Every gap and every sample-specific value of the sample, as facts; and the corrections.

    `banned` are phrases the known document types ban; those found in the sample are
    corrected where a correction is known, and reported in `garbles_left` otherwise.
    """
    text = sample.text
    reg = Registry(text)
    edits: list[Edit] = []
    _addressee_fact(text, outline, reg)
    _attachment_fact(text, outline, reg)
    year = title_facts(text, outline, reg)
    if year is None and "总结年度" not in reg.by_label and outline.signature:
        # 关于开展“七一”主题党日活动的通知 … 2025年6月20日: the year is the 成文日期's
        year = body_year(
            reg, year_value(outline.signature.date[:4]), "sample", outline.title_span.end
        )
    next_year = plans_follow_year(outline.title)
    garbles_left = fix_garbles(text, banned or [], reg, edits)
    restore_set_phrases(text, sample.holes, reg, edits)
    unexplained = _gap_facts(text, sample.holes, reg, year, outline)
    _line_start_years(text, outline, reg, year)
    notes: list[str] = []
    if outline.doc_number:
        notes.append(
            f"the 文号 line “{outline.doc_number}” above the title is left out: "
            "each document is given its own 文号 when it is issued"
        )
    if outline.imprint:
        notes.append(
            "the 版记 lines after the 落款 (" + " / ".join(outline.imprint) + ") are left out: "
            "each document is given its own when it is issued"
        )
    signature_facts(text, outline, reg)
    contact_facts(text, outline, reg)
    _deadlines(text, outline, reg, year)
    _references(text, outline, reg)
    _time_facts(text, outline, reg)
    position_fact(text, outline, reg)
    person_names(text, outline, reg)
    counted_lists(text, outline, reg)
    _value_facts(text, outline, reg, year, notes, plans_shift=next_year)
    own_place_names(text, outline, reg)
    _project_names(text, outline, reg)
    level_words(text, outline, reg)
    weekday_facts(text, reg, notes)
    unify_points(outline, edits)
    fill_skipped_levels(text, outline, edits)
    end_list_items(text, outline, edits)
    issued = reg.by_label.get("成文日期")
    if issued is not None and any(
        "until(report_date)" in o.expression for f in reg.by_label.values() for o in f.occurrences
    ):  # dates written without a year take the 成文日期's: it must be given
        issued.required = True
    year_fact = reg.by_label.get("总结年度")
    if year_fact is not None and outline.title.endswith("通知"):
        year_fact.label, year_fact.description = "工作年度", "本通知部署的工作所在的年度。"
    elif year_fact is not None and "述职" in outline.title:
        year_fact.label, year_fact.description = "述职年度", "本述职报告所述的年度。"
    elif year_fact is not None and not next_year:
        plan = _FORWARD_DOC.search(outline.title) is not None
        year_fact.label = "计划年度" if plan else "总结年度"
        year_fact.description = "本计划所针对的年度。" if plan else "本总结所涵盖的年度。"
    return FactsFound(
        facts=list(reg.by_label.values()),
        edits=edits,
        notes=notes,
        report_year=year,
        plans_next_year=next_year,
        unexplained=unexplained,
        garbles_left=garbles_left,
    )


def _addressee_fact(text: str, outline: Outline, reg: Registry) -> None:
    """The 主送机关 line under the title, without its colon: whom each draft addresses."""
    span = outline.addressee
    if span is None:
        return
    reg.add_sample_text("主送机关", span.start, span.end - 1, fact_id="addressee")


def _attachment_fact(text: str, outline: Outline, reg: Registry) -> None:
    """The attachment note (附件：1. … / 2. …) as one list of names, each line an occurrence:
    the first writes the whole note, the others nothing."""
    lines = [p for b in outline.sections for p in b.paragraphs]
    contents = [text[p.start : p.end] for p in lines]
    items = attachment_items(contents)
    for i, content in enumerate(contents):
        if not is_attachment_note(content):
            continue
        note = [lines[i]]
        for line, item in zip(lines[i + 1 :], items[i + 1 :], strict=True):
            if not item:
                break
            note.append(line)
        names = [_ATTACHMENT_NUMBER.sub("", text[p.start : p.end]).strip() for p in note]
        for p in note:
            reg.add(
                "附件",
                start=p.start,
                end=p.end,
                fact_id="attachments",
                type="string-list",
                example=names,
                description="随文下发的附件名称，每项一个，不写序号（样稿中为"
                + "、".join(f"“{n}”" for n in names)
                + "）。",
                origin="sample",
            )
        return


_ATTACHMENT_NUMBER = re.compile(r"^(?:附件[：:])?\s*\d{1,2}[.．、]\s*")

_DEADLINE = re.compile(
    r"于(?P<date>(?:(?P<year>(?:19|20)\d{2})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日)"
    r"(?:\d{1,2}[:：]\d{2})?前"
)
"""A deadline: 于2025年4月30日前, 于3月25日前, 于3月5日17:00前 (the time stays text)."""

_DUE = re.compile(
    r"(?P<verb>报送|上报|报至|提交|发送|请假|召开|完成|签到|(?<![汇通上])报(?![告表名道]))"
    r"(?:至|给|到)?"
    r"(?P<unit>[\u4e00-\u9fff（）()]{2,20}?"
    rf"(?:{UNIT_ENDINGS}|办|股|组))?(?=[，,。；;]|$)"
)
"""What is due by a deadline (报送, 请假…), and the unit it goes to (报送县安委会办公室)."""

_REPORTING = {"上报": "报送", "报至": "报送", "报": "报送"}

_ANY_UNIT = re.compile(r"^(?:各|有关|相关|上级|所在|本|我)")
"""A unit named only by what it is to the reader (各单位, 有关部门): no unit's own name."""


def _due(text: str, pos: int) -> tuple[str, str]:
    """What is due by a deadline that ends at `pos` (报送, 请假, 签到…) and the unit it goes to,
    from the clause after it; "" for what it does not say."""
    clause = re.split(r"[，,。；;\n]", text[pos:], maxsplit=1)[0]
    due = _DUE.search(clause + "。")
    if due is None:
        return "", ""
    return _REPORTING.get(due.group("verb"), due.group("verb")), due.group("unit") or ""


_DUE_OBJECT = re.compile(
    rf"(?:召开|完成)(?:[{CN_NUM}\d]+[次个项场批])?(?P<object>[\u4e00-\u9fff]{{2,8}})(?=[，,。；;]|$)"
)
"""What is held or finished by a deadline (召开一次组织生活会 → 组织生活会): a clerk names the
date by it (组织生活会召开截止日期), not by the bare verb (召开截止日期)."""


def _due_label(text: str, pos: int, verb: str) -> str:
    """The label of a deadline that ends at `pos` and is due for `verb`."""
    clause = re.split(r"[，,。；;\n]", text[pos:], maxsplit=1)[0]
    due = _DUE_OBJECT.search(clause)
    if due is not None and verb in ("召开", "完成"):
        return f"{due.group('object')}{verb}截止日期"
    return f"{verb}截止日期"


def _deadlines(text: str, outline: Outline, reg: Registry, year: int | None) -> None:
    """A deadline (请各单位于3月25日前将……报送县安委会办公室) is a date fact labelled by what
    is due (报送截止日期), written as the sample writes it; the unit the sample reports to is
    the fact 报送单位, wherever the body names it: another unit reports elsewhere, and by
    another date."""
    for m in _DEADLINE.finditer(text, outline.title_span.end):
        start, end = m.span("date")
        if not reg.free(start, end):
            continue
        the_year = int(m.group("year") or issue_year(outline, year))
        try:
            day = dt.date(the_year, int(m.group("month")), int(m.group("day")))
        except ValueError:
            continue
        verb, unit = _due(text, m.end())
        label = distinct_label(text, reg, start, _due_label(text, m.end(), verb), day.isoformat())
        reg.add(
            label,
            start=start,
            end=end,
            expression_of="{id} | date_cn" if m.group("year") else without_year(outline),
            type="date",
            example=day.isoformat(),
            description=f"{label}（样稿中为“{m.group('date')}”）。",
            origin="sample",
        )
        if verb == "报送" and unit and not _ANY_UNIT.match(unit):
            _recipient(text, outline, reg, unit)


def _references(text: str, outline: Outline, reg: Registry) -> None:
    """Numbers that name a document (（青安委〔2025〕1号）), an article, a page, a standard… —
    the checker's references — stay text: a document cited is the same for every unit."""
    for start, end in reference_spans(text):
        if start >= outline.title_span.end and reg.free(start, end):
            reg.take(start, end)


_PERIOD_JOIN = re.compile(r"[ \t]*(?:—{1,2}|[–\-－~～至到])[ \t]*")
"""What joins the two times of a period (8:30—17:00, 9:00至11:30)."""


def _time_facts(text: str, outline: Outline, reg: Registry) -> None:
    """Times of day (14:30, 上午9:00, 于3月5日17:00前) as string facts, as the checker holds a
    time to the facts' times whole (`checker.times`): a period (8:30—17:00) is one fact, as a
    notice's arrangement is read and given (活动时间), whose two times the checker finds in it.
    A time is labelled by what it is the time of (重温入党誓词时间, 签到截止时间), else by its
    section's heading (会议时间), else 时间. 9:00 without 上午 is a time only beside another
    time or before 前 (8:20前签到): a ratio (1:10) is none."""
    body = outline.title_span.end
    end_of_body = outline.signature.date_span.start if outline.signature else len(text)
    sure = {t.start for t in times_of_day(text)}
    times = [t for t in times_of_day(text, in_fact=True) if body <= t.start < end_of_body]
    i = 0
    while i < len(times):
        first = i
        while i + 1 < len(times) and _PERIOD_JOIN.fullmatch(text, times[i].end, times[i + 1].start):
            i += 1
        start, end = times[first].start, times[i].end
        period = i > first
        i += 1
        if not reg.free(start, end):
            continue
        if not (period or start in sure or text.startswith("前", end)):
            continue
        label = _time_label(text, outline, reg, start, end)
        label = distinct_label(text, reg, start, label, text[start:end])
        reg.add_sample_text(label, start, end)


def _time_label(text: str, outline: Outline, reg: Registry, start: int, end: int) -> str:
    """What a time of day at `start:end` is the time of (see `_time_facts`)."""
    if text.startswith("前", end):
        return f"{_due(text, end + 1)[0]}截止时间"
    core = context_core(reg.before(start, 14).rstrip("（(：:为于在"))
    if core and not re.search(r"\d", core):
        return core if core.endswith("时间") else f"{core}时间"
    heading = heading_at(outline, start)
    return heading if heading.endswith("时间") else "时间"


def _recipient(text: str, outline: Outline, reg: Registry, unit: str) -> None:
    """Every place the body names the unit the sample reports to (报送县安委会办公室)."""
    for occ in re.compile(re.escape(unit)).finditer(text, outline.title_span.end):
        if reg.free(occ.start(), occ.end()):
            reg.add_sample_text("报送单位", occ.start(), occ.end())


def _gap_facts(
    text: str, holes: list[Hole], reg: Registry, year: int | None, outline: Outline
) -> list[str]:
    """A fact for every hole not restored; returns the contexts no rule could type."""
    unexplained: list[str] = []
    the_year = year or dt.date.today().year - 1
    plans = _plans_spans(outline)
    for hole in holes:
        s, e = hole.start, hole.end
        if not reg.free(s, e):
            continue
        before, after = text[max(0, s - 12) : s], text[e : e + 8]
        marker = MARKER_RE.fullmatch(text[s:e])
        if marker:
            reg.add(
                marker.group(1),
                start=s,
                end=e,
                type="string",
                example="（示例）",
                description="样稿中的待补充项（示例值，请按实际填写）。",
                origin="gap",
            )
        elif re.search(r"党的$|十$", before) and re.match(r"[大届]", after):
            reg.add(
                "党的全国代表大会届次",
                fact_id="party_congress",
                start=s,
                end=e,
                expression_of="{id} | cn",
                type="integer",
                min=1,
                max=40,
                example=congress_for_year(the_year),
                description="所学习贯彻的党的全国代表大会是第几次，如 19 表示党的十九大"
                "（样稿此处留空，示例值按年度推算）。",
                origin="gap",
            )
        elif after.startswith("周年"):
            core = context_core(before) or "纪念"
            base = next((v for k, v in ANNIVERSARY_BASE.items() if core.endswith(k)), None)
            reg.add(
                f"{core}周年数",
                start=s,
                end=e,
                type="integer",
                unit="周年",
                min=1,
                example=the_year - base if base else 10,
                description=f"“{core}”的周年数（样稿此处留空，示例值按年度推算）。",
                origin="gap",
            )
        elif after.startswith("年") and not after.startswith("年级"):
            in_plans = any(a <= s < b for a, b in plans)  # “ 年工作打算”: the next year's
            reg.add(
                "总结年度",
                fact_id="report_year",
                start=s,
                end=e,
                expression_of="{id} + 1" if in_plans else "{id}",
                type="year",
                example=the_year,
                description="本总结所涵盖的年度。",
                origin="gap",
                required=True,
            )
        elif m := re.match(rf"(?:%|％|{MEASURE_RE})", after):
            count_gap(reg, s, e, before, m.group(0))
        elif after[:1] in PLACE_SUFFIXES and re.search(
            r"(?:^|[^\u4e00-\u9fff]|按照|根据|《)$", before
        ):
            suffix = after[0]
            reg.add(
                PLACE_SUFFIXES[suffix],
                fact_id={"县": "county"}.get(suffix),
                start=s,
                end=e + 1,
                type="string",
                example=f"青山{suffix}",
                description=f"所在{suffix}的名称，带“{suffix}”字（样稿此处留空，示例值仅供参考）。",
                origin="gap",
            )
        elif _SPEAKER_AFTER.match(after):
            reg.add(
                "讲话人",
                fact_id="speaker",
                start=s,
                end=e,
                type="string",
                example="习近平总书记",
                description="所学习的讲话、论述的讲话人（样稿此处留空，示例值仅供参考）。",
                origin="gap",
            )
        else:
            left = re.sub(rf"^.*[{DELIMS}]", "", text[max(0, s - 4) : s])
            right = re.sub(rf"[{DELIMS}].*$", "", text[e : e + 4], flags=re.S)
            where = f"{left}□{right}"
            reg.generic += 1
            unit = next(
                (f for f in reg.by_label.values() if f.origin == "title" and f.type == "string"),
                None,
            )
            reg.add(
                f"“{where}”处缺失的内容",
                fact_id=f"missing_{reg.generic}",
                start=s,
                end=e,
                type="string",
                example=unit.example if unit else "（示例）",
                description="样稿此处有内容被删去，请按实际填写（示例值仅供参考）。",
                origin="gap",
            )
            unexplained.append(around(text, s, e))
    return unexplained


_YEAR_CUT_AT_LINE_START = re.compile(r"(?m)^(?=年(?:[，,]|以来))")


def _line_start_years(text: str, outline: Outline, reg: Registry, year: int | None) -> None:
    """A paragraph opening “年，我公司…”: the site cut the year and the line start took the
    blank with it, so no gap was found. It is the report year (the next in the plans)."""
    plans = _plans_spans(outline)
    for m in _YEAR_CUT_AT_LINE_START.finditer(text, outline.title_span.end):
        if not reg.free(m.start(), m.start()):
            continue
        in_plans = any(a <= m.start() < b for a, b in plans)
        reg.add(
            "总结年度",
            fact_id="report_year",
            start=m.start(),
            end=m.start(),
            expression_of="{id} + 1" if in_plans else "{id}",
            type="year",
            example=year or dt.date.today().year - 1,
            description="本总结所涵盖的年度。",
            origin="gap",
            required=True,
        )


_PART_YEAR = re.compile(
    r"半年|季度|[一二三四五六七八九十\d]{1,2}[-—～至到]?[一二三四五六七八九十\d]{0,2}月"
)

_FORWARD_DOC = re.compile(r"(?:计划|规划|要点|方案|打算|安排|思路)$")


def plans_follow_year(title: str) -> bool:
    """Whether a report with this title plans the year after its own: a whole year's summary
    does; a summary of part of a year (上半年 → 下半年工作计划), a plan (工作计划) and a 通知
    (whose 时间安排 or 活动安排 are this year's) do not."""
    return not (_PART_YEAR.search(title) or _FORWARD_DOC.search(title) or title.endswith("通知"))


def _plans_spans(outline: Outline) -> list[tuple[int, int]]:
    """Where the plans sections are, when they plan the year after the report's."""
    if not plans_follow_year(outline.title):
        return []
    return [((b.heading_span or b.body).start, b.body.end) for b in _plans_blocks(outline)]


def _plans_blocks(outline: Outline) -> list[Block]:
    return [
        b
        for b in outline.sections
        if b.heading and re.search(r"打算|计划|安排|思路|展望|下一步", b.heading)
    ]


def _value_facts(
    text: str,
    outline: Outline,
    reg: Registry,
    year: int | None,
    notes: list[str],
    *,
    plans_shift: bool = True,
) -> None:
    """Facts for the values that belong to the sample's own unit and year (`plans_shift`:
    the plans section is for the following year, so its report year is a slip)."""
    plans = [
        (b.heading_span.start if b.heading_span else b.body.start, b.body.end)
        for b in (_plans_blocks(outline) if plans_shift else [])
    ]
    body_start = outline.title_span.end
    sig = outline.signature

    # Place names before an office: 按照青山县教育局…, 青山县委….
    for m in PLACE_BEFORE_OFFICE.finditer(text):
        if m.start() < body_start or not reg.free(m.start(1), m.end(1)):
            continue
        if not is_place_name(m.group(1)):
            continue
        suffix = m.group(1)[-1]
        reg.add(
            PLACE_SUFFIXES[suffix],
            fact_id={"县": "county"}.get(suffix),
            start=m.start(1),
            end=m.end(1),
            type="string",
            example=m.group(1),
            description=f"所在{suffix}的名称，带“{suffix}”字（样稿中为“{m.group(1)}”）。",
            origin="sample",
        )
    # A bare 县委 / 县教育局 after 按照, 根据 or 在: the sample's own county (按照县委…要求).
    for m in BARE_PLACE_OFFICE.finditer(text):
        fact = reg.by_label.get(PLACE_SUFFIXES[m.group(1)])
        if fact is not None and m.start() >= body_start and reg.free(m.start(1), m.end(1)):
            reg.add(fact.label, start=m.start(1), end=m.end(1))
    # Full dates first (they contain a year).
    for m in re.finditer(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日", text):
        if m.start() < body_start or not reg.free(m.start(), m.end()):
            continue
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        in_signature = sig is not None and sig.date_span.start <= m.start() < sig.date_span.end
        core = context_core(reg.before(m.start(), 12)) or "活动"
        label = "成文日期" if in_signature else f"{core}日期"
        until = UNTIL.match(text, m.end())
        if until and not in_signature:  # 2024年3月1日至4月30日: a period, two date facts
            label = f"{core}开始日期"
        fact = reg.add(
            label,
            fact_id="report_date" if in_signature else None,
            start=m.start(),
            end=m.end(),
            expression_of="{id} | date_cn",
            type="date",
            example=day.isoformat(),
            description=f"{label}（样稿中为 {day.isoformat()}）。",
            origin="sample",
        )
        if until and not in_signature:
            period_end(reg, until, fact, f"{core}结束日期")
    month_days(text, outline, reg, year)
    # Years.
    value: int | None
    for m in re.finditer(rf"((?:19|20)\d{{2}}|{CN_YEAR})(?=\s*年)", text):
        if m.start() < body_start or not reg.free(m.start(), m.end()):
            continue
        value = year_value(m.group(1)) or 0
        in_plans = any(a <= m.start() < b for a, b in plans)
        if year is not None and value == year and in_plans:
            notes.append(
                f"the plans section says {value}年 in a {year} report: plans belong to the "
                "following year, so the template writes the year after the report year"
            )
            reg.add("总结年度", start=m.start(), end=m.end(), expression_of="{id} + 1")
        elif year is not None and abs(value - year) <= 1:
            delta = value - year
            expr = "{id}" if delta == 0 else ("{id} + 1" if delta > 0 else "{id} - 1")
            reg.add("总结年度", start=m.start(), end=m.end(), expression_of=expr)
        else:
            core = context_core(reg.before(m.start(), 12)) or "相关"
            reg.add(
                f"{core}年份",
                start=m.start(),
                end=m.end(),
                type="year",
                example=value,
                description=f"{core}的年份（样稿中为 {value} 年）。",
                origin="sample",
            )
    # Party congress ordinals: 党的十九大, 十九届四中全会, “十九大时光”.
    for m in re.finditer(r"((?:二十|十)[一二三四五六七八九]?)(?=大|届)", text):
        value = cn_to_int(m.group(1))
        if value is None or value < 15 or not reg.free(m.start(), m.end()):
            continue
        existing = reg.by_label.get("党的全国代表大会届次")
        if existing is not None and existing.origin == "gap":
            existing.example = value
            existing.description = "所学习贯彻的党的全国代表大会是第几次，如 19 表示党的十九大"
            existing.description += f"（样稿中为 {value}）。"
        reg.add(
            "党的全国代表大会届次",
            fact_id="party_congress",
            start=m.start(),
            end=m.end(),
            expression_of="{id} | cn",
            type="integer",
            min=1,
            max=40,
            example=value,
            description=f"所学习贯彻的党的全国代表大会是第几次（样稿中为 {value}）。",
            origin="sample",
        )
    # Anniversaries: 建党100周年, 建校六十周年.
    for m in re.finditer(rf"(\d{{1,3}}|[{CN_NUM}]{{1,4}})(?=周年)", text):
        if not reg.free(m.start(), m.end()):
            continue
        chinese = not m.group(1).isdigit()
        value = cn_to_int(m.group(1)) if chinese else int(m.group(1))
        if value is None:
            continue
        core = context_core(reg.before(m.start(), 12)) or "纪念"
        reg.add(
            f"{core}周年数",
            start=m.start(),
            end=m.end(),
            expression_of="{id} | cn" if chinese else "{id}",
            type="integer",
            unit="周年",
            min=1,
            example=value,
            description=f"“{core}”的周年数（样稿中为 {value}）。",
            origin="sample",
        )
    # Counts and percentages in Arabic numerals: 共培训教师120人次, 覆盖率达98.5%, 1200余人次.
    for m in re.finditer(rf"(\d+(?:\.\d+)?)\s*(?:[余多]\s*)?(%|％|{MEASURE_RE})", text):
        if m.start() < body_start or not reg.free(m.start(1), m.end(1)):
            continue
        if sig is not None and m.start() >= sig.date_span.start:
            continue
        count_value(text, outline, reg, m.start(1), m.end(1), m.group(1), m.group(2), chinese=False)
    # Counts in Chinese numerals (三次, 十二场), outside quotes, fixed words (每/第/一…) and
    # set phrases (中央八项规定精神).
    count = re.compile(rf"(?<![第每一{CN_NUM}])([{CN_NUM}]{{1,4}})({_CN_COUNT_MEASURES})")
    fixed = set_phrase_spans(text, count)
    for m in count.finditer(text):
        if m.start() < body_start or in_quotes(text, m.start()):
            continue
        if any(a <= m.start() < b for a, b in fixed):
            continue
        if not reg.free(m.start(1), m.end(1)):
            continue
        value = cn_to_int(m.group(1))
        if value is None or value < 2:
            continue
        count_value(text, outline, reg, m.start(1), m.end(1), value, m.group(2), chinese=True)
    other_numbers(text, reg, body_start, sig.date_span.start if sig else len(text))


_PROJECT = re.compile(
    r"(?<=[在对])(?P<name>[\u4e00-\u9fff]{2,6}?)(?P<kind>项目|工程)"
    r"(?=[\u4e00-\u9fff]{0,2}?(?:开展|建设|施工|现场|部)|[，。、；])"
)

_NOT_A_PROJECT_NAME = re.compile(
    r"重点|在建|新建|续建|各|所有|全部|相关|民生|建设|改造|提升|示范|惠民|扶贫|帮扶|产业|设施"
    r"|水利|交通|安全|该|本|这|多|个|类|招商|实事|工程|项目|有关|部分|其他|所|施工"
)
"""Words of a kind of project (重点项目, 在建工程), which no project's own name has."""


def _project_names(text: str, outline: Outline, reg: Registry) -> None:
    """A project the sample names (在滨江花园项目开展…): another unit has projects of its own."""
    for m in _PROJECT.finditer(text, outline.title_span.end):
        if _NOT_A_PROJECT_NAME.search(m.group("name")) or not reg.free(m.start(), m.end()):
            continue
        reg.add_sample_text(f"{m.group('kind')}名称", m.start(), m.end())
