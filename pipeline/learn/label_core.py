"""The noun phrase a figure counts, from the words before it (学校共开展中心组学习 → 中心组学习):
the core of every learned fact's label."""

from __future__ import annotations

import re

from pipeline.learn.label_words import without_figures

LIGHT_VERBS = (
    "组织开展|开展了|开展|组织了|组织|举办了|举办|召开了|召开|举行了|举行|完成了|完成|进行了|进行"
    "|参加了|参加|参与了|参与"
    "|实现了|实现|达到了|达到|共计|累计|合计|总计|总共|共有|共|全年|其中|先后|计|达|有|为|约|近|超过|逾"
)


LEAD_WORDS = re.compile(
    r"^(?:学校|我校|全校|本校|本单位|单位|公司|全年|今年|本年度|年度|年内|其中|总共|累计"
    r"|共(?![青产建享同识治商])"  # 共 of a total, not of 共青团, 共产党, 共建, 共享, 共同…
    r"|先后|同志"
    r"|[全我本](?:街道|[省市县区乡镇院局])(?![场域级间])|全公司"
    r"|[一二三四五六七八九十]+是)+"  # a point's 二是 is no part of what it counts
)


_TRAIL_WORDS = re.compile(rf"(?:{LIGHT_VERBS})+$")


LIGHT_SPLIT = re.compile("|".join(v for v in LIGHT_VERBS.split("|") if len(v) > 1))
"""Verbs that end a phrase inside it: one-character ones (达, 有, 为) are too often part of a
word (达标率, 有效) to split at."""


DELIMS = '，。；：、,.;:（）()“”"《》〈〉【】\n!！?？'
DELIM_RE = re.compile(r"[，。；：、,;:（）()“”\"《》〈〉【】\n!！?？]|(?<!\d)\.|\.(?!\d)")
"""A delimiter, as DELIMS, but a decimal point (PM2.5) is none."""


ETC = re.compile(r"(?<![平高中初对均相])等(?![级同于])(?=[\u4e00-\u9fff]{2})")
"""等 ending a list before the noun its figure counts (科技、艺术、体育等社团28个), not 等 in
a word (平等, 高等, 等级)."""


_TRAILING_NOTE = re.compile(r"[（(][^（()）]{1,8}[)）]$")


_PREPOSITION = re.compile(r"^.*?[与和同向对跟]")


MAX_CORE = 14
"""Longest label core: a longer phrase is cut at a word boundary (_WORD_START), or failing
one at its start, which may split a word."""


CORE_WINDOW = 24
"""How far before a number its label's words are looked for: wider than MAX_CORE, so that a
long phrase is cut where a word starts, not where the window happens to begin."""


_TARGET_WORDS = re.compile(
    r"(?:(?:下降|降低|提高|提升|上升|增长|增加|减少|缩短|缩减|压减|压缩|控制|保持|稳定|扩大)"
    r"(?:至|到|在|为)|降至|增至|升至|达到|不少于|不低于|不超过|不高于|不足|高于|低于|全部|由|从)+$"
)
"""Words after the measured noun that say how the figure moved or compares (药品占比下降至,
参与率保持在, 平均住院日由): the figure is the noun's value, so the label is the noun."""


_LEAD_PREPOSITION = re.compile(r"^(?:的|对(?![口外象接标照比])|为(?![民主止期了])|由(?![于此]))")
"""对全县86个部门, 为入职3年内的18名教师, (组织)的培训: no part of the noun."""


_WORD_START = re.compile(
    r"(?<=的)|(?=撰写|发表|召开|开展|举办|组织|参加|完成|实施|新建|新增|发展|建成|创建|引进"
    r"|签订|走访|慰问|配备|评选|每天|每年|每周)"
)
"""Where a word surely starts inside a long phrase: after 的, or at a verb that begins the
counted action (…主题教育撰写学习心得 → 撰写学习心得)."""


def context_core(before: str) -> str:
    """The noun phrase a number counts, from the words before it (学校共开展中心组学习 → 中心组学习)."""
    note = _TRAILING_NOTE.search(before)  # 走访村（社区）18个: the note is part of the noun
    if note:
        core = context_core(before[: note.start()])
        return core + before[note.start() :] if core else ""
    cut = max((m.start() for m in DELIM_RE.finditer(before)), default=-1)
    phrase = before[cut + 1 :].strip()
    phrase = _TARGET_WORDS.sub("", phrase) or phrase  # 时间不超过: not 超过 alone, leaving 不
    phrase = _TRAIL_WORDS.sub("", phrase)
    phrase = _TARGET_WORDS.sub("", phrase) or phrase
    phrase = _TRAIL_WORDS.sub("", phrase) or phrase  # 全部超过, 保持在…以上
    phrase = re.sub(r"(?<=[\u4e00-\u9fff]{2})各$", "", phrase)  # 运行病历和出院病历各100份
    # Split at the last verb that leaves a word after it: 参与率 is a word, not 参与 + 率.
    splits = [m.end() for m in LIGHT_SPLIT.finditer(phrase) if len(phrase) - m.end() >= 2]
    phrase = phrase[splits[-1] :] if splits else phrase
    phrase = ETC.split(phrase)[-1]  # 体育等社团: the noun after 等 is what is counted
    phrase = LEAD_WORDS.sub("", phrase)
    phrase = _LEAD_PREPOSITION.sub("", phrase)
    phrase = LEAD_WORDS.sub("", phrase) or phrase  # 对全县: whose, once 对 is gone
    if len(phrase) > MAX_CORE:  # 参加镇党委理论学习中心组学习
        phrase = _PREPOSITION.sub("", phrase)
    phrase = re.sub(r"^与(?!会)", "", phrase)  # 与各部门签订责任书: what follows 与 is the noun
    if len(phrase) > MAX_CORE:
        starts = [
            m.start()
            for m in _WORD_START.finditer(phrase)
            if m.start() > 0 and 2 <= len(phrase) - m.start() <= MAX_CORE
        ]
        phrase = phrase[starts[0] :] if starts else phrase
    return without_figures(phrase)[-MAX_CORE:]
