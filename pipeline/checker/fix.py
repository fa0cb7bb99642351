"""`draft check --fix`: a cleaned copy — residue removed, wrap spaces joined, breaks restored,
half-width punctuation in Chinese text written full-width, traditional characters simplified,
a 0 or O in Chinese numerals written 〇 (二0二0年 → 二〇二〇年), a doubled function word written
once (的的 → 的).

Only noise, those three style findings and that typo carry a replacement (of
`style.number-form`, only the 0 or O in Chinese numerals: its other forms need a person's
choice); a gap is never touched (not even a suspect blank), so the cleaned copy has exactly the
holes the original had, and the checker finds them again. A model's answer gets the style
fixes alone (`style_fixed`).
"""

from __future__ import annotations

from bisect import bisect_left

from pipeline.checker.findings import Finding
from pipeline.lazy_re import lazy_pattern

_BLANK_LINES = lazy_pattern(r"(?:[ \t\u3000]*\r?\n)+")
_NEWLINE = lazy_pattern(r"\r?\n")
_BLANK_LINE = lazy_pattern(r"[ \t\u3000]*\r?\n")
_ENDS_BLANK = lazy_pattern(r"\n[ \t\u3000]*\r?\n\Z")


def _ends_with_blank_line(parts: list[str]) -> bool:
    """True when the copy so far (`parts` joined) ends with a blank line."""
    tail = ""
    for part in reversed(parts):
        tail = part + tail
        if tail.count("\n") >= 2:
            return _ENDS_BLANK().search(tail) is not None
    return _ENDS_BLANK().search("\n" + tail) is not None  # the copy's first line counts too


def _blank_line_after(text: str, pos: int, parts: list[str]) -> int:
    """Past the blank line at `pos` when the copy so far (`parts`) ends with a blank line too:
    a residue line removed from between two blank lines leaves one, not two in a row."""
    blank = _BLANK_LINE().match(text, pos)
    if blank is None or not _ends_with_blank_line(parts):
        return pos
    return blank.end()


STYLE_FIXES = ("style.half-width-punct", "style.traditional", "style.number-form")
"""The style findings a fix applies to any text: how a 公文 writes a character, never what
it says."""
TYPO_FIXES = ("style.repeated-word",)
"""The typos `--fix` corrects too (的的 → 的: a character no word doubles, the second copy
deleted); a model's answer is redrafted instead."""


def fixable(findings: list[Finding]) -> list[Finding]:
    """The findings a fix applies: noise, and the style findings of STYLE_FIXES and
    TYPO_FIXES, with a replacement."""
    codes = STYLE_FIXES + TYPO_FIXES
    return [
        f
        for f in findings
        if f.replacement is not None and (f.code.startswith("noise.") or f.code in codes)
    ]


def _gap_spans(findings: list[Finding]) -> list[tuple[int, int]]:
    """The spans of every gap finding, merged: sorted and disjoint."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted((f.start, max(f.end, f.start + 1)) for f in findings if f.family == "gap"):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def touches(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when [start, end) overlaps one of the sorted, disjoint `spans`."""
    i = bisect_left(spans, (end,)) - 1
    return i >= 0 and spans[i][1] > start


def apply_fixes(text: str, findings: list[Finding]) -> str:
    """`text` with every fixable finding's span replaced; a removed residue line takes its
    newline with it, and a removed first line the blank lines after it; one removed from
    between two blank lines takes one of them. An edit that would
    touch a gap finding's span is not made."""
    gaps = _gap_spans(findings)
    edits: list[tuple[int, int, str]] = []
    for f in fixable(findings):
        if touches(gaps, f.start, max(f.end, f.start + 1)):
            continue
        start, end = f.start, f.end
        if f.replacement == "" and f.code == "noise.boilerplate":
            at_line_start = start == 0 or text[start - 1] == "\n"
            newline = _NEWLINE().match(text, end)
            if at_line_start and newline is not None:
                end = newline.end()
            elif at_line_start and end == len(text) and start > 0:
                start -= 2 if text[start - 2 : start] == "\r\n" else 1
        edits.append((start, end, f.replacement or ""))
    out: list[str] = []
    pos = 0
    for start, end, replacement in sorted(edits):
        if start < pos:
            if replacement or end <= pos:
                continue  # overlapping edits: the first wins
            start = pos  # two deletions meet (a residue line after one that took the newline)
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
        if not replacement and start > 0 and text[start - 1] == text[end - 1] == "\n":
            pos = _blank_line_after(text, end, out)
    out.append(text[pos:])
    fixed = "".join(out)
    if edits and min(edits)[0] == 0 and min(edits)[2] == "":
        # the first line was residue: the copy starts at the first kept line, not a blank one
        blanks = _BLANK_LINES().match(fixed)
        if blanks is not None:
            fixed = fixed[blanks.end() :]
    return fixed


def clean_text(text: str) -> str:
    """The text with its noise fixed (site residue removed, wrap spaces joined), its half-width
        punctuation in Chinese text written full-width, its traditional characters simplified and a
    doubled function word written once."""
    from pipeline.checker import check_text

    return apply_fixes(text, check_text(text).findings)


def style_fixed(text: str) -> str:
    """`text` with only the style fixes (STYLE_FIXES) made: for a model's answer, whose blanks
    and lines are its own, not a PDF's. A text with no half-width mark, no character outside
    GB 2312 and no 0 or O beside a Chinese numeral (most answers) has nothing to fix and is
    not checked twice."""
    from pipeline.checker import check_text
    from pipeline.checker.number_forms import zero_beside_numerals
    from pipeline.checker.style import HALF_WIDTH
    from pipeline.checker.traditional import in_gb2312

    if HALF_WIDTH.search(text) is None and in_gb2312(text) and not zero_beside_numerals(text):
        return text
    findings = check_text(text).findings
    return apply_fixes(text, [f for f in findings if f.code in STYLE_FIXES or f.family == "gap"])
