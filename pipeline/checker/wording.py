"""The reviewer's words: what each rule's finding means and what to do about it, in Chinese.

The checker's messages are English, like every CLI message. Where a finding becomes part of
a document, of a page office staff read, or of what a Chinese model reads — a Word comment,
the web app's review panel, a repair request — it is told in Chinese: the rule's own description, the specifics its message quotes (the fact, the
number, the canonical phrase), and the fix.
"""

from __future__ import annotations

import re

from pipeline.checker.findings import Finding

RULES: dict[str, tuple[str, str]] = {
    "facts.addressee": (
        "主送机关与事实不符，或标题下缺少主送机关",
        "在标题下一行顶格写明事实中的主送机关，以全角冒号结尾",
    ),
    "facts.county": ("县（区）名与事实不符", "改为事实中的县（区）名"),
    "facts.must-mention": ("本节缺少必须写明的事实", "把事实中的数值写入本节"),
    "facts.plans-year": ("工作打算的年份有误，应为报告年度的下一年", "改为正确的年份"),
    "facts.report-year": ("开头的年份与标题的年度不符，可能沿用了往年的文字", "改为报告年度"),
    "facts.signature-date": (
        "落款日期过早（早于所总结年度的下半年），可能沿用了往年的日期",
        "改为报告成文的实际日期",
    ),
    "facts.signature-second": (
        "落款的部门或署名人与事实不符，或缺少这一行",
        "按事实写明落款单位下一行的部门或署名人",
    ),
    "facts.unit-name": ("单位名称与事实不符", "改为事实中的单位名称"),
    "facts.unsupported-number": (
        "此数字在事实中找不到依据",
        "只使用事实中给出的数字；事实中没有的，写待补充标记并写明所缺内容，如“【待补充：学习次数】”",
    ),
    "facts.unsupported-name": (
        "此名称（荣誉、文件或人名）在事实中找不到依据",
        "删去这一名称及说它的整句话，不要换成别的荣誉、文件或人名；确有其事的，请补充到事实文件中",
    ),
    "gap.broken-phrase": ("固定提法残缺或有误", "写出完整、规范的提法"),
    "gap.empty-item": ("列举中有空项", "补全缺少的列举项"),
    "gap.marker": ("待补充标记，尚未填写", "写明缺少的内容后删除标记"),
    "gap.marker-debris": ("填写待补充标记时留下的多余符号或重复的量词", "删除多余的符号或量词"),
    "gap.placeholder": (
        "占位符，尚未填写实际内容",
        "用事实中的内容替换占位符；事实中没有的，写待补充标记并写明所缺内容，如“【待补充：学习次数】”",
    ),
    "gap.silent-name": (
        "此处缺少名称",
        "写明名称；不清楚的写待补充标记并写明所缺内容，如“【待补充：县名】”",
    ),
    "gap.silent-number": (
        "此处缺少数字",
        "填写事实中的数字；不清楚的写待补充标记并写明所缺内容，如“【待补充：学习次数】”",
    ),
    "gap.silent-ordinal": (
        "此处缺少序数（如“党的十九大”中的“十九”）",
        "按事实写明序数；不清楚的写“【待补充：届次】”",
    ),
    "gap.stray-mark": ("文字中夹有多余符号，可能有文字被删去", "补全被删去的文字，删除符号"),
    "gap.suspect-space": ("汉字之间有空格，可能缺字", "补全缺少的文字；如无缺字，删除空格"),
    "noise.boilerplate": ("网站残留文字，不属于报告", "删除"),
    "noise.line-break": ("段落被并成一行", "恢复分段"),
    "noise.stray-space": ("多余的空格", "删除空格"),
    "noise.wrap-space": ("排版换行留下的空格", "删除空格"),
    "numbers.list-count": ("列举的项数与所写的数目不符", "核对列举的各项和数目，使二者一致"),
    "numbers.date": ("日期不存在（月份或日数超出日历）", "核对并改正月份或日期"),
    "numbers.weekday": ("星期几与所写日期不符", "按日期改正星期几，或改正日期"),
    "structure.empty-section": ("本部分没有正文", "补写本部分内容"),
    "structure.extra-section": (
        "多出一个文种没有的部分（一级标题）",
        "删去该标题；其下内容属于本部分的并入本部分，否则删去",
    ),
    "structure.heading-run-on": (
        "标题后直接接正文，缺少句号或换行",
        "在标题后加句号或另起一行写正文",
    ),
    "structure.heading-form": ("标题格式不规范", "按公文标题格式改写"),
    "structure.heading-level": ("标题层级跳级", "按“一、（一）1.（1）”的层级改正"),
    "structure.heading-number": ("标题序号有误或重复", "按顺序重新编号"),
    "structure.missing-section": ("缺少必备的部分", "补写缺少的部分"),
    "structure.section-order": ("各部分的先后顺序有误", "按规定顺序调整"),
    "structure.series": ("“一是、二是……”序列不连贯", "按顺序补全或改正序列"),
    "structure.series-form": ("序列写法前后不一致", "统一序列写法"),
    "structure.title": ("标题有误", "按“单位＋年度＋事项＋文种”改写标题"),
    "structure.too-few-points": ("本部分列举的要点不足", "补充要点"),
    "style.banned-phrase": ("不宜使用的表述", "改用规范表述"),
    "style.half-width-punct": ("使用了半角标点", "改为全角中文标点"),
    "style.misused-word": ("错别字", "改为括号中的正确写法"),
    "style.latin-abbreviation": (
        "正文中使用了英文缩写",
        "改用中文表述，或在首次出现时写出中文全称并在括号中注明缩写",
    ),
    "style.length": ("本部分篇幅不符合要求", "调整篇幅"),
    "style.number-form": (
        "数字用法不规范（见GB/T 15835-2011《出版物上数字用法》）",
        "按规范改写数字，如“二〇二〇年”“95%”“300余人”，约数只用一种说法",
    ),
    "style.repeated-sentence": ("句子重复", "删去重复的句子"),
    "style.repeated-word": ("字词重复（多打了一遍）", "删去重复的字词"),
    "style.signature-role": (
        "落款署名前缺少“述职人：”等称谓",
        "在姓名前加上称谓，如“述职人：王建国”",
    ),
    "style.signature-date-form": ("成文日期用了汉字数字", "改用阿拉伯数字，如2023年12月28日"),
    "style.traditional": ("使用了繁体字，公文应使用规范汉字", "改为简化字"),
}

_SPECIFICS = re.compile(r"“[^”]*”|[^\x00-\x7f“”]+")
"""The parts of an English message a Chinese reader needs: its quotes and its Chinese words."""


_LENGTH = re.compile(r"has (\d+) characters; expected (?:(\d+–\d+)|at least (\d+))")
"""A `style.length` message, whose specifics are numbers, not Chinese words."""


_DATES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (
            r"^(.+?) is a (\S+) in (\d+) and a (\S+) in (\d+), not (\S+)$",
            r"\1在\3年是\2、在\5年是\4，都不是\6",
        ),
        (r"^(.+?) is a (\S+), not (\S+)$", r"\1是\2，不是\3"),
        (r"^(.+?) is no date: there is no month (\d+)$", r"\1：没有\2月"),
        (r"^(.+?) is no date: there is no day 0$", r"\1：没有0日"),
        (r"^(.+?) is no date: (\S+) has (\d+) days in (\d+)$", r"\1：\4年\2只有\3天"),
        (r"^(.+?) is no date: (\S+) has at most (\d+) days$", r"\1：\2最多只有\3天"),
    )
)
"""`numbers.date` and `numbers.weekday` messages, whose specifics are dates and numbers, not
Chinese words alone (2025年3月6日 is a 星期四, not 星期三 → 2025年3月6日是星期四，不是星期三)."""


def specifics(finding: Finding) -> list[str]:
    """What the finding's message names: quoted text and Chinese labels, in order, once each
    (a section's length and its bounds, for `style.length`; the date and what is wrong with
    it, for `numbers.date` and `numbers.weekday`)."""
    if finding.code == "style.length" and (m := _LENGTH.search(finding.message)):
        bounds = f"应为{m[2]}字" if m[2] else f"应不少于{m[3]}字"
        return [f"现有{m[1]}字，{bounds}"]
    if finding.code in ("numbers.date", "numbers.weekday"):
        for pattern, zh in _DATES:
            if pattern.match(finding.message):
                return [pattern.sub(zh, finding.message)]
    found = (s.strip(" ：:，,") for s in _SPECIFICS.findall(finding.message))
    named = (s for s in found if re.search(r"[\u3400-\u9fff“]", s))  # not a lone dash
    return list(dict.fromkeys(s for s in named if s != f"“{finding.excerpt}”"))


def problem_zh(finding: Finding) -> str:
    """What is wrong, in Chinese, with the specifics the message names (a code this version
    does not know, from a saved draft, keeps its own message)."""
    if finding.code not in RULES:
        return finding.message
    named = specifics(finding)
    problem = RULES[finding.code][0]
    return f"{problem}（{'，'.join(named)}）" if named else problem


def fix_zh(finding: Finding) -> str:
    """What to do, in Chinese (an unknown code keeps its own hint)."""
    if finding.code not in RULES:
        return finding.hint.rstrip("。") or "请核实并改正此处"
    return RULES[finding.code][1]
