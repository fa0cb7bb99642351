"""What filling a marker in by hand leaves behind (`gap.marker-debris`, error).

A clerk who types a value over 【待补充：内设机构数】 in Word may delete too little: a stray
】 after the value (内设机构9】个), the value still in the marker's brackets (【9】个), or
the unit typed again before the one the draft already wrote after the marker (9个个).
"""

from __future__ import annotations

import re

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.vocab import MEASURE_WORDS, unit_at

_BRACKETED_VALUE = re.compile(r"【([\d０-９][^【】\n]{0,20})】")
"""A value left in a marker's brackets: it opens with a digit, as no label does."""
_DIGITS = re.compile(r"[\d０-９]+")
_BRACKETS = re.compile("[【】]")
_DOC_NUMBER_YEAR = re.compile(r"第?[\d０-９]+号")
"""What follows the year of a 文号 written in the wrong brackets (【2023】5号)."""


def _stray_closers(ctx: Context) -> list[Finding]:
    """A 】 with no 【 before it on its line."""
    text, out = ctx.text, []
    for start, end in ctx.index.physical_lines(text):
        if "】" not in text[start:end]:
            continue
        depth = 0
        for m in _BRACKETS.finditer(text, start, end):
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
    for m in _BRACKETED_VALUE.finditer(ctx.text):
        value = m.group(1)
        if ctx.in_residue(m.start(), m.end()) or _DOC_NUMBER_YEAR.match(ctx.text, m.end()):
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


def _doubled_units(ctx: Context) -> list[Finding]:
    """A measure word written twice right after a number (9个个, 12次次)."""
    text, out = ctx.text, []
    for m in _DIGITS.finditer(text):
        unit = unit_at(text, m.end())
        if unit is None or unit not in MEASURE_WORDS:
            continue
        second = m.end() + len(unit)
        if unit_at(text, second) != unit or ctx.in_residue(m.start(), second + len(unit)):
            continue
        out.append(
            ctx.finding(
                "gap.marker-debris",
                Severity.ERROR,
                second,
                second + len(unit),
                f"the measure word “{unit}” is written twice: “{text[m.start() : second + len(unit)]}”",
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
