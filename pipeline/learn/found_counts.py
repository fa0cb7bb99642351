"""Counts and other figures of a sample as facts, labelled by what they count: a gap before a
measure word (共开展中心组学习 次), a figure with its measure (培训教师120人次), a list the
sample counts (kept as text), and every other number of the body."""

from __future__ import annotations

import re
from typing import Any

from pipeline.learn.found_places import LEVELS
from pipeline.learn.label_core import (
    CORE_WINDOW,
    DELIM_RE,
    DELIMS,
    ETC,
    LEAD_WORDS,
    LIGHT_SPLIT,
    MAX_CORE,
    context_core,
)
from pipeline.learn.label_words import (
    COUNTED_NOUN,
    DURATION_UNITS,
    SPAN_OF_YEARS,
    counted_by_verb,
    duration_core,
    years_label,
)
from pipeline.learn.measures import MEASURE_RE, MEASURES
from pipeline.learn.outline import Outline, heading_at
from pipeline.learn.registry import Registry, distinct_label

CN_NUM = "一二两三四五六七八九十百"


def cn_to_int(text: str) -> int | None:
    """The value of a Chinese numeral (十二 → 12), None if it is not one."""
    from pipeline.numerals import parse_chinese

    return parse_chinese(text)


_SAYS_MEASURE = ("数", "次", "率", "比例", "占比", "比重", "时间", "时长")
"""Endings of a label that already say what its figure measures (药品占比, not 药品占比比例)."""


_DAYS = ("天数", "工作日数")
"""What a figure in days is: 平均办理时间 says it is a time, not that it counts days."""


def _measured_label(core: str, suffix: str) -> str:
    """The label of a measured number: the words before it and what the measure word says
    it is, unless they already say so (新建卫生室 → 新建卫生室数量, 粮食播种面积 stays); a
    time in minutes, hours or days is a 时长 (会议时间60分钟 → 会议时长, 培训时间为3天 → 培训时长)."""
    if suffix in ("时长", "天数") and core.endswith(("时间", "时长")):
        return f"{duration_core(core)}时长"
    says = _SAYS_MEASURE if suffix not in _DAYS else _SAYS_MEASURE[:-2]  # 办理时间天数
    said = (*says, suffix, suffix.removesuffix("数") if len(suffix) > 2 else suffix)
    if (suffix, core[-1:]) in (("数量", "量"), ("比例", "度")):
        return core  # 投诉量, 满意度: not 投诉量数量, 满意度比例
    return core if core.endswith(said) else f"{core}{suffix}"  # 人均培训学时: not 学时学时数


def count_gap(reg: Registry, s: int, e: int, before: str, measure: str) -> None:
    """The gap at `s:e` before `measure` (共开展中心组学习 次) as a count fact labelled by
    the words `before` it."""
    core = context_core(before)
    if measure in ("%", "％"):
        label = core if core.endswith(("率", "比例", "占比", "比重")) else f"{core}比例"
        unit, example, typ = "%", 90, "number"
    else:
        suffix, unit, example = MEASURES[measure]
        label = _measured_label(core, suffix)
        typ = "number" if _fractional(unit, label) else "integer"
    if not core:
        label = f"数量{len(reg.by_label) + 1}"
    reg.add(
        label,
        start=s,
        end=e,
        type=typ,
        unit=unit,
        min=0,
        example=example,
        description=f"{label}（样稿此处留空，示例值仅供参考）。",
        origin="gap",
    )


_PER_SUBJECT = re.compile(r"^每[个位名]?[\u4e00-\u9fff]{1,2}(?=[\u4e00-\u9fff]{2})")
"""Whose the time is, before what lasts (每个单位交流发言, 每人发言): no part of it."""


_SPEAKS = re.compile(r"(?<=[\u4e00-\u9fff]{2})[作做](?=[\u4e00-\u9fff]{2,6}$)")
"""作 between who speaks and what they give (负责人作表态发言): what lasts follows it."""


_DONE_IN = re.compile(r"(?:开展|进行|组织|用于)([\u4e00-\u9fff]{2,8}?)(?=[，,。；;]|$)")
"""What is done in a duration, right after it (15分钟开展经典诵读): what lasts."""


_LASTS = re.compile(r"(?:为期|历时|用时|持续)$")
"""Words before a duration that say it lasts (为期3天): a 时间, as 时间为3天 is."""


_LASTING = re.compile(r"每[个位名]?人?")
"""Words before a duration that only say whose it is (每人5分钟)."""


def _names_nothing(core: str) -> bool:
    """Whether the words before a duration name nothing that lasts (时间, 每人, 为期, 全镇)."""
    what = _PER_SUBJECT.sub("", core)
    return len(what) < 2 or bool(_LASTING.fullmatch(what) or _WHOLE_AREA.fullmatch(what))


def _what_lasts(text: str, s: int, core: str) -> str:
    """The words of a duration whose own words name nothing that lasts: the nearest earlier
    clause of its sentence and 时间 (交流发言，时间为60分钟 → 交流发言时间; 发言时间：每人60分钟
    → 每人发言时间), else 时间 alone, so that its label is a 时长."""
    sentence = max(text.rfind(c, 0, s) for c in "。；;\n") + 1
    clauses = DELIM_RE.split(text[sentence:s])[:-1]
    per = "每人" if core.startswith("每人") else ""
    for clause in reversed(clauses):
        what = duration_core(_PER_SUBJECT.sub("", context_core(clause)))
        what = _SPEAKS.split(what)[-1]  # 主要负责人作表态发言: 表态发言
        if len(what) >= 2 and not _WHOLE_AREA.fullmatch(what):
            return f"{per}{what}时间"
    return f"{per}时间"


def in_quotes(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    segment = text[line_start:pos]
    return segment.count("“") > segment.count("”")


_LIST_COUNT = re.compile(rf"(?P<etc>等?)(?P<number>\d+|[{CN_NUM}]{{1,4}})(?P<measure>{MEASURE_RE})")
"""The count after a list (等2个, 三项)."""


_OCCURRENCES = {"次", "场", "期", "批", "人次", "万人次"}
"""Measures that count how often the listed things happened (党委会、专题会12次), not them."""


_AFTER_FIGURE = re.compile(r"[\d.．０-９]$")
"""A list that starts right after a digit starts inside a figure (4.6万人次、出院患者)."""


_COUNTED_LIST = re.compile(
    rf"([\u4e00-\u9fff]{{1,20}}(?:、[\u4e00-\u9fff]{{1,12}}?)+)(?={_LIST_COUNT.pattern})"
)
"""An enumeration directly counted by the number after it (疼痛科、老年病科2个专科)."""


_LIST_LEAD = re.compile(
    rf"^.*(?:{LIGHT_SPLIT.pattern}|开设|设立|增设|新建|建成|建立|组建|成立|创建|打造|引进|新增"
    r"|开通|评为|获评|包括|涵盖|涉及|培育|认定|执行|落实|推行|实行)"
)
"""The words before a list's first item that say what was done with it (新开设)."""


def counted_lists(text: str, outline: Outline, reg: Registry) -> None:
    """A list the sample counts (新开设疼痛科、老年病科2个专科) is its unit's own: kept as
    text, another unit's draft would name the sample's items beside its own count."""
    for m in _COUNTED_LIST.finditer(text, outline.title_span.end):
        verb = _LIST_LEAD.match(m.group(1).split("、", 1)[0])
        start = m.start(1) + (verb.end() if verb else 0)
        whose = LEAD_WORDS.match(text[start : m.end(1)])  # 全镇青石村、…: 全镇 stays
        start += whose.end() if whose else 0
        end = m.end(1)
        items = text[start:end].split("、")
        after = _LIST_COUNT.match(text, end)
        # 科技、艺术、体育等社团28个: the list ends at 等 and the count counts the noun after
        # it; the list is still the sample's own (another school has other clubs)
        etc = ETC.search(items[-1])
        if etc is not None:
            end -= len(items[-1]) - etc.start()
            items[-1] = items[-1][: etc.start()]
        if (
            any(len(item) < 2 for item in items)
            or any(_LIST_LEAD.match(item) for item in items[1:])  # 共青团组织开展劳动竞赛
            or _AFTER_FIGURE.search(text, 0, m.start(1))
            or after is None
            or (etc is None and not _counts_items(len(items), after))
            or not reg.free(start, end)
        ):
            continue
        if etc is not None:
            noun: re.Match[str] | None = _ETC_NOUN.match(text, end + 1, m.end(1))
        else:
            noun = _NOUN_AFTER.match(text, after.end())
            noun = noun or _KIND_AFTER.match(text, after.end()) if after.group("etc") else noun
        lead = LEAD_WORDS.sub("", text[m.start(1) : start])
        what = (context_core(lead[-6:]) or lead[-6:]) + (noun.group(1) if noun else "事项")
        if after.group("etc") and noun and len(lead) > 6:
            # 各临床科室要严格执行首诊负责、三级查房等18项核心制度: a clause before the list,
            # no part of a label; the kind after the count names it
            what = noun.group(1)
        label = distinct_label(text, reg, start, f"{what}名称", text[start:end])
        reg.add_sample_text(label, start, end)


_KIND_AFTER = re.compile(rf"([\u4e00-\u9fff]{{2,{MAX_CORE - 2}}})(?=[{DELIMS}])")
"""The kind a 等 list is of, after its count (等18项医疗质量安全核心制度，): a longer noun."""


_ETC_NOUN = re.compile(r"([\u4e00-\u9fff]{2,6})$")
"""The noun between a list's 等 and its count (社团 in 体育等社团28个)."""


def _counts_items(items: int, count: re.Match[str]) -> bool:
    """Whether `count` counts the list's items: its number is theirs, or with 等 at least
    theirs (疼痛科、老年病科2个, 胸痛救治、卒中救治等3条); a count of how often they happened
    (党委会、专题会12次) counts no items."""
    if count.group("measure") in _OCCURRENCES:
        return True
    written = count.group("number")
    number = int(written) if written.isdigit() else cn_to_int(written)
    if number is None:
        return False
    return number >= items if count.group("etc") else number == items


_OTHER_NUMBER = re.compile(r"(?<![A-Za-z0-9.．（(])\d+(?:\.\d+)?(?![A-Za-z0-9.．、）)])")
"""An Arabic number that is not part of a Latin name (PM2.5, 5G), a decimal's other half,
or a heading number (1. / 1、 / （1）)."""


_TIMES_AFTER = re.compile(r"\s*[万亿]?([\u4e00-\u9fff]?次)(?=[，,。；;、）)]|以上|左右|$)")
"""A count of events no measure word names, after a figure (12.4万剂次)."""


_VERB_ONLY = re.compile(
    r"接种|救治|接诊|诊疗|服务|培训|走访|慰问|受理|办理|调解|救助|帮扶|接待|检测|筛查|巡查"
)
"""Verbs a count of events may follow with no noun (累计接种12.4万剂次)."""


def _times_label(text: str, start: int, end: int, core: str) -> str:
    """The label of a figure counted in events (12.4万剂次): the words before it and the
    count's word, which says what the figure is (接种疫苗剂次); a bare verb takes its object
    from earlier in the sentence (新冠疫苗接种任务，累计接种 → 新冠疫苗接种剂次)."""
    times = _TIMES_AFTER.match(text, end)
    if not core or times is None or core.endswith(_SAYS_MEASURE):
        return core
    if _VERB_ONLY.fullmatch(core):
        sentence = max(text.rfind(c, 0, start) for c in "。；;\n") + 1
        earlier = text.find(core, sentence, text.rfind(core, sentence, start))
        if earlier > sentence:
            what = context_core(text[max(sentence, earlier - 4) : earlier])
            core = f"{what}{core}" if len(what) >= 2 else core
    return f"{core}{times.group(1)}"


_MONTH = re.compile(r"月(?:(?P<entry>[：:])|(?P<verb>开展|举办|召开|举行|组织|启动|完成|实施)?)")
"""A month after a number: a schedule's entry (2月：) or when something is done (4月开展)."""


def other_numbers(text: str, reg: Registry, start: int, end: int) -> None:
    """Every Arabic number of the body no earlier rule made a fact (32微克每立方米): the
    sample's own figure, which fixed in a template would be written into every unit's report."""
    for m in _OTHER_NUMBER.finditer(text, start, end):
        if in_quotes(text, m.start()) or not reg.free(m.start(), m.end()):
            continue
        month = _MONTH.match(text, m.end())
        if month and 1 <= int(m.group()) <= 12 and "." not in m.group():
            if month.group("entry") and text[m.start() - 1 : m.start()] in ("", "\n"):
                reg.take(m.start(), m.end())  # 2月：… a schedule's month, the same every year
                continue
            core = month.group("verb") or ""
            label = distinct_label(text, reg, m.start(), f"{core}月份", int(m.group()))
        else:
            core = context_core(reg.before(m.start(), CORE_WINDOW))
            label = _times_label(text, m.start(), m.end(), core) or f"数值{len(reg.by_label) + 1}"
            if SPAN_OF_YEARS.match(text, m.end()):  # 入职3年内: 入职年限
                label = years_label(core) or label
        is_int = "." not in m.group()
        value: int | float = int(m.group()) if is_int else float(m.group())
        label = distinct_label(text, reg, m.start(), label, value)
        reg.add(
            label,
            start=m.start(),
            end=m.end(),
            type="number" if not is_int or _fractional(None, label) else "integer",
            min=0,
            example=value,
            description=f"{label}（样稿中为 {m.group()}）。",
            origin="sample",
        )


_WHOLE_AREA = re.compile(rf"[全我本各]?(?:{LEVELS}|校|院|局|公司|单位)?")
"""A core that only says whose the count is (全镇, 全校, or nothing)."""


_NOUN_AFTER = re.compile(
    r"([\u4e00-\u9fff]{2,6}?)(?=[，,。；;、：:）)]|全部|均|已|被|和|与|及|的|$"
    r"|开展|实施|进行|配备|完成|压减)"
)
"""The noun a measure word counts, after it (12个行政村全部完成 → 行政村)."""


_CHANGE = re.compile(r"增长|增幅|增速|提高|提升|上升|下降|降低|减少|同比|环比")
"""Words of a percentage that is a change, which may pass 100% (同比增长150%), not a share."""


def _fractional(unit: str | None, label: str) -> bool:
    """Whether a figure is a percentage or a rate, which another unit may give with decimals
    (覆盖率100% in the sample, 98.5 in another unit's facts) however the sample wrote it."""
    return unit in ("%", "个百分点") or label.endswith(("率", "比例", "占比"))


_JOINS = ("的", "和", "及", "与")


def _counted_before(text: str, reg: Registry, s: int) -> str:
    """What a count with no words before it counts: the list just before it (召开党委会、专题会
    12次), or the same thing as the count just before (监测对象21户67人 → 监测对象人数)."""
    for fact in list(reg.by_label.values()):
        for o in fact.occurrences:
            if o.end > s:
                continue
            between = text[o.end : s]
            if between in ("", "等") and re.search(r"名称\d*$", fact.label):
                return re.sub(r"名称\d*$", "", fact.label)
            if between in MEASURES and fact.type in ("integer", "number"):
                return fact.label.removesuffix(MEASURES[between][0])
    return ""


_MOVED_TO = re.compile(
    rf"\s*[余多]?(?:{MEASURE_RE}|%|％)?\s*"
    r"(?:(下降|降低|提高|提升|上升|增长|增加|减少|缩短|缩减|压减|压缩|扩大)(?:至|到|为)"
    r"|([降增升])至)"
)
"""The words between a figure and the one it moved to (20个工作日缩短至5个工作日)."""


_ONE_CHARACTER_MOVES = {"降": "下降", "增": "增长", "升": "上升"}


def _moved_from(text: str, reg: Registry, s: int) -> str:
    """The label of a figure a measured thing moved to from the figure just before it
    (审批时限由20个工作日缩短至5个工作日 → 缩短后审批时限工作日数), or "" when it is none."""
    for fact in reversed(list(reg.by_label.values())):
        if fact.type not in ("integer", "number"):
            continue
        for o in fact.occurrences:
            move = _MOVED_TO.fullmatch(text, o.end, s) if o.end < s else None
            if move:
                verb = move.group(1) or _ONE_CHARACTER_MOVES[move.group(2)]
                return f"{verb}后{fact.label}"
    return ""


_QUOTED_BEFORE = re.compile(r"“([^“”\n]{2,10})”$")
"""A name in quotes right before a count (评选“读书之星”2名): what is counted."""


def count_value(
    text: str,
    outline: Outline,
    reg: Registry,
    s: int,
    e: int,
    raw: Any,
    measure: str,
    *,
    chinese: bool,
) -> None:
    core = context_core(reg.before(s, CORE_WINDOW)).removeprefix("等")  # a list's 等18项
    # 全镇12个行政村: the words before say only whose; the noun after is what is counted.
    # 较差的4个项目, 部门和213个项目: the words before qualify it or join another count.
    after = text.find(measure, e) + len(measure)
    if measure not in ("%", "％") and (_WHOLE_AREA.fullmatch(core) or core.endswith(_JOINS)):
        noun = _NOUN_AFTER.match(text, after)
        if noun:
            core = core + noun.group(1) if core.endswith("的") else noun.group(1)
    elif measure not in ("%", "％") and (noun := COUNTED_NOUN.match(text, after)):
        # 县安委会组成5个督导组: the noun after the measure word is what is counted
        core = counted_by_verb(core, noun.group(1)) or core
    if measure in ("%", "％"):
        suffix, unit = "比例", "%"
    else:
        suffix, unit, _ = MEASURES[measure]
    moved = _moved_from(text, reg, s)
    if not core:
        core = _counted_before(text, reg, s)
    if not core and (quoted := _QUOTED_BEFORE.search(text, max(0, s - 12), s)):
        core = quoted.group(1)
    if measure in DURATION_UNITS:
        core = _LASTS.sub("时间", core)  # 校外研学为期2天: 校外研学时长
        if done := _DONE_IN.match(text, after):  # 利用每天早读前15分钟开展经典诵读
            every = re.search("每[天日周月]", core)  # 每天…15分钟: each day's
            core = f"{every.group(0) if every else ''}{done.group(1)}时间"
        elif _names_nothing(duration_core(core)):
            core = _what_lasts(text, s, core)  # 交流发言，时间为60分钟: 交流发言时长
    if not core:  # 三、参加人员 … 共计36人: what the section is about (参加人数)
        heading = heading_at(outline, s)
        core = heading.removesuffix("人员") if suffix == "人数" else heading
    label = moved or _measured_label(core, suffix)
    if not core:
        label = f"数量{len(reg.by_label) + 1}"
    is_int = chinese or "." not in str(raw)
    value: int | float = int(raw) if is_int else float(raw)
    label = distinct_label(text, reg, s, label, value)
    share = unit == "%" and not _CHANGE.search(label) and value <= 100  # 整改率: at most 100%
    reg.add(
        label,
        start=s,
        end=e,
        expression_of="{id} | cn" if chinese else "{id}",
        type="number" if not is_int or _fractional(unit, label) else "integer",
        unit=unit,
        min=0,
        max=100 if share else None,
        example=value,
        description=f"{label}（样稿中为 {raw}{measure}）。",
        origin="sample",
    )
