"""What filling a marker in by hand leaves behind (`gap.marker-debris`, error).

A clerk who types a value over 【待补充：内设机构数】 in Word may delete too little: a stray
】 after the value (内设机构9】个), the value still in the marker's brackets (【9】个), or
the unit typed again before the one the draft already wrote after the marker (9个个, 九个个).
"""

from __future__ import annotations

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.vocab import MEASURE_WORDS, unit_at
from pipeline.lazy_re import lazy_pattern
from pipeline.numerals import parse_chinese

_BRACKETED_VALUE = lazy_pattern(r"【([\d０-９][^【】\n]{0,20})】")
"""A value left in a marker's brackets: it opens with a digit, as no label does."""
_DIGITS = lazy_pattern(r"[\d０-９]+")
_BRACKETS = lazy_pattern("[【】]")
_DOC_NUMBER_YEAR = lazy_pattern(r"第?[\d０-９]+号")
"""What follows the year of a 文号 written in the wrong brackets (【2023】5号)."""
_cn_doubled = lazy_pattern(
    r"(?<![〇零一二三四五六七八九十百千万亿两])[〇零一二三四五六七八九十百千万亿两]++(?=(\w\w?)\1)"
)
"""A Chinese numeral run right before a word written twice (九个个, 十二次次, 两项项)."""


def _stray_closers(ctx: Context) -> list[Finding]:
    """A 】 with no 【 before it on its line."""
    text, out = ctx.text, []
    for start, end in ctx.index.physical_lines(text):
        if "】" not in text[start:end]:
            continue
        depth = 0
        for m in _BRACKETS().finditer(text, start, end):
            pos = m.start()
            if m.group(0) == "【":
                depth += 1
            elif depth:
                depth -= 1
            elif not ctx.in_residue(pos, pos + 1):
                out.append(
                    ctx.finding(
                        "gap.marker-debris",
                        Severity.ERROR,
                        pos,
                        pos + 1,
                        "a stray “】” with no “【” before it: the rest of a marker",
                        "delete the 】",
                    )
                )
    return out


def _bracketed_values(ctx: Context) -> list[Finding]:
    """A value left inside a marker's brackets once 待补充：and the label were deleted."""
    out = []
    for m in _BRACKETED_VALUE().finditer(ctx.text):
        value = m.group(1)
        if ctx.in_residue(m.start(), m.end()) or _DOC_NUMBER_YEAR().match(ctx.text, m.end()):
            continue
        out.append(
            ctx.finding(
                "gap.marker-debris",
                Severity.ERROR,
                m.start(),
                m.end(),
                f"a value typed inside a marker's brackets: “{value}”",
                f"delete 【 and 】 around {value}, keeping the value alone",
            )
        )
    return out


def _counts(text: str) -> list[tuple[int, int]]:
    """Where a number stands before a doubled word: digits (9个个) or a Chinese numeral that
    states a count (九个个, 十二次次, 两项项), not 一 (一个个, 一次次: one after another), a
    round figure (千家家户户) or digits one by one (二〇二〇)."""
    spans = [m.span() for m in _DIGITS().finditer(text)]
    for m in _cn_doubled().finditer(text):
        run = m.group(0)
        if run == "一" or all(ch in "百千万亿" for ch in run):
            continue
        if len(run) > 1 and not any(ch in "十百千万亿" for ch in run):
            continue
        if parse_chinese(run) is not None:
            spans.append(m.span())
    return spans


_doubled_word = lazy_pattern(
    # longest first; sorted so that the pattern is the same in every process
    "|".join(sorted((w + w for w in MEASURE_WORDS), key=lambda d: (-len(d), d)))
)
"""Any measure word written twice (个个, 人次人次): most texts have none, and need no more."""


def _doubled_units(ctx: Context) -> list[Finding]:
    """A measure word written twice right after a number (9个个, 12次次, 九个个)."""
    text = ctx.text
    out: list[Finding] = []
    if _doubled_word().search(text) is None:
        return out
    for start, end in _counts(text):
        unit = unit_at(text, end)
        if unit is None or unit not in MEASURE_WORDS:
            continue
        second = end + len(unit)
        if unit_at(text, second) != unit or ctx.in_residue(start, second + len(unit)):
            continue
        out.append(
            ctx.finding(
                "gap.marker-debris",
                Severity.ERROR,
                second,
                second + len(unit),
                f"the measure word “{unit}” is written twice: “{text[start : second + len(unit)]}”",
                f"delete one {unit}",
            )
        )
    return out


def check_marker_debris(ctx: Context) -> list[Finding]:
    """Stray 】, values left in a marker's brackets, measure words typed twice."""
    text = ctx.text
    out: list[Finding] = []
    if "】" in text:
        out += _stray_closers(ctx) + _bracketed_values(ctx)
    return out + _doubled_units(ctx)
