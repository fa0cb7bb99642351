"""How a learned count's label names what it counts, as a clerk would write it.

Pure string rules that `facts_finder` applies to the words around a figure: the noun a
measure word counts when a verb comes before the figure (组成5个督导组 → 督导组数量), a
duration's 时长 (会议时间60分钟 → 会议时长), and no other figure inside a label
(入职3年内的青年教师45人 → 青年教师人数, and 入职年限 for the 3).
"""

from __future__ import annotations

import re

FORMING_VERBS = "组成|组建|成立|设立|下设|分设|分成|分为|划分为|编为|编成"
"""Verbs that form the groups a figure counts (组成5个督导组): the group's noun alone names
them, as a clerk writes 督导组数量."""
ACTING_VERBS = (
    "提交|上交|撰写|报送|上报|推荐|推选|评选出|评选|遴选|选派|派出|抽调|招募|招聘|聘请|邀请"
    "|新建|新增|建成|打造|培育|选树|发现|排查出|整改|发放|慰问|走访|培训|表彰|征集|收集"
)
"""Verbs that say what is done to what a figure counts (提交2篇读后感, 抽调12名骨干教师):
the verb and the noun make the label (提交读后感篇数)."""
_VERB_AT_END = re.compile(rf"(?:(?P<forming>{FORMING_VERBS})|(?P<acting>{ACTING_VERBS}))$")
_PER_PERSON = re.compile(r"每(?:人|名|位)")
"""每人 before the verb (学生每人至少提交): the figure is each one's, kept in the label."""

_NOUN_ENDS = (
    rf"的|和|与|及|对|全部|均|已|被|分赴|深入|参加|参与|开展|实施|进行|负责|获得|受到"
    rf"|{FORMING_VERBS}|{ACTING_VERBS}"
)
COUNTED_NOUN = re.compile(
    rf"(?!{_NOUN_ENDS})([\u4e00-\u9fff]{{2,8}}?)(?=[，,。；;、：:（）()“”\s]|$|\d|{_NOUN_ENDS})"
)
"""The noun right after a measure word (5个督导组，…), up to what ends a noun phrase; none
when a verb follows the measure word (抽调5人参加督导)."""


def counted_by_verb(core: str, noun: str) -> str | None:
    """The label core of a figure between a verb and the noun it counts: the noun for a verb
    that forms it (县安委会组成5个督导组 → 督导组), else the verb and the noun (学生每人至少提交
    2篇读后感 → 每人提交读后感); None when the words before do not end in such a verb."""
    verb = _VERB_AT_END.search(core)
    if verb is None:
        return None
    if verb.group("forming"):
        return noun
    per = "每人" if _PER_PERSON.search(core[: verb.start()]) else ""
    return f"{per}{verb.group(0)}{noun}"


_FIGURE = re.compile(r"(?<![A-Za-z.．])\d+(?:[.．]\d+)?(?![A-Za-z\d])")
"""A figure inside a label's words, not part of a Latin name (PM2.5, 5G)."""
_AFTER_FIGURE = re.compile(
    r"^[余多]?(?:个月|个|年|月|日|天|周|岁|小时|分钟|名|人|次)?"
    r"(?:以内|以上|以下|及以上|以来|内|来|后|前|左右)?"
)
"""What qualifies a figure right after it (3年内, 5年以上): no part of the noun after."""


def without_figures(phrase: str) -> str:
    """The words of a label with no figure in them: a figure is the sample's own value (its
    own fact), so a label holding it is wrong for every other unit. The noun after the last
    figure's qualifier is kept (入职3年内的青年教师 → 青年教师); a phrase with nothing after its
    figure keeps the words before it (服务群众达到3 → 服务群众达到)."""
    figures = list(_FIGURE.finditer(phrase))
    if not figures:
        return phrase
    last = figures[-1]
    rest = phrase[last.end() :]
    of = rest.find("的")
    rest = rest[of + 1 :] if of >= 0 else rest[_AFTER_FIGURE.match(rest).end() :]  # type: ignore[union-attr]
    if len(rest) >= 2:
        return rest
    return without_figures(phrase[: figures[0].start()])


SPAN_OF_YEARS = re.compile(r"年(?:以内|以上|以下|及以上|以来|内|来)")
"""A figure of years that is a span (入职3年内, 工作满5年以上), not a year (2025年) or a grade."""
_YEARS_LEAD = re.compile(r"^.*(?:[为对是的]|邀请|聘请|选派)")
_YEARS_TRAIL = re.compile(r"(?:已满|不满|不足|超过|达到|满|达|近|连续)+$")


def years_label(core: str) -> str | None:
    """The label of a span of years by what has lasted that long (本次培训对象为入职3年内 →
    入职年限, 工作满5年以上 → 工作年限); None when the words name nothing."""
    words = _YEARS_TRAIL.sub("", _YEARS_LEAD.sub("", core))
    return f"{words}年限" if len(words) >= 2 else None


DURATION_UNITS = ("分钟", "小时", "天")
"""Measure words of a length of time (会议时间60分钟): the figure is a 时长."""


def duration_core(core: str) -> str:
    """What lasts, from the words before a duration: 时间 and 时长 dropped (会议时间 → 会议)."""
    return core.removesuffix("时间").removesuffix("时长")
