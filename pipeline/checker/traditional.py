"""Traditional characters in a simplified-Chinese text (`style.traditional`, a warning).

A 公文 is written in 规范汉字. A model (or a clerk's pasted text) that drifts into 工作總結 is
found with OpenCC: a stretch of Han characters is converted to simplified (t2s, with its
phrases, so 乾隆 and 著作 stay), and back (s2t); a character t2s changes and s2t gives back is
a traditional character written where its simplified form belongs. One that t2s changes and
s2t does not give back (昇 → 升) is a variant, not a traditional form, and is left alone.

GB 2312 is the national set of simplified characters. The few it holds that t2s changes — 乾,
於 (a surname too), 後, 夥 — are reported only in a stretch with a character GB 2312 lacks, so
a text it encodes gets no finding and OpenCC is loaded only for a text with a Han character
outside it (`draft check` of a clean text does not pay for the library).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.lazy_re import lazy_pattern

if TYPE_CHECKING:  # OpenCC is imported only when a text may hold a traditional character
    from opencc import OpenCC

_HAN = lazy_pattern("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
"""A stretch of Han characters (OpenCC's phrases never span punctuation or a blank); compiled
on first use, by a text with a character outside GB 2312."""


def in_gb2312(s: str) -> bool:
    """Whether GB 2312, the simplified set, holds every character of `s`."""
    try:
        s.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _converters() -> tuple[OpenCC, OpenCC]:
    """OpenCC's t2s and s2t converters, loaded on first use (about 0.1 s)."""
    from opencc import OpenCC

    return OpenCC("t2s"), OpenCC("s2t")


def _traditional_in(stretch: str) -> tuple[str, str] | None:
    """The traditional characters of a Han stretch: (first to last of them, as written; the
    same in simplified), or None when it has none that GB 2312 lacks."""
    t2s, s2t = _converters()
    simplified = t2s.convert(stretch)
    back = s2t.convert(simplified)
    if not len(simplified) == len(back) == len(stretch):  # a phrase of another length: by character
        simplified = "".join(t2s.convert(ch) for ch in stretch)
        back = "".join(s2t.convert(ch) for ch in simplified)
        if not len(simplified) == len(back) == len(stretch):
            return None
    found = [
        i
        for i, ch in enumerate(stretch)
        if simplified[i] != ch and back[i] == ch  # a traditional form, not a variant
    ]
    if not found or all(in_gb2312(stretch[i]) for i in found):
        return None
    a, b = found[0], found[-1] + 1
    return stretch[a:b], simplified[a:b]


def _lacking(text: str) -> Iterator[int]:
    """The offset of each character GB 2312 lacks: the codec writes it as "?" (each character
    is one again after the round trip, so offsets stay)."""
    seen = text.encode("gb2312", "replace").decode("gb2312")
    i = seen.find("?")
    while i != -1:
        if text[i] != "?":
            yield i
        i = seen.find("?", i + 1)


def _stretches(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each Han stretch holding a Han character GB 2312 lacks, in order."""
    end = 0
    for i in _lacking(text):
        if i < end or not _HAN().fullmatch(text[i]):
            continue  # in the stretch just given, or no Han character (〇, •, an emoji)
        stretch = _HAN().search(text, _stretch_start(text, i))
        assert stretch is not None  # it holds the character at i
        end = stretch.end()
        yield stretch.start(), end


def _stretch_start(text: str, pos: int) -> int:
    while pos and _HAN().fullmatch(text[pos - 1]):
        pos -= 1
    return pos


def check_traditional(ctx: Context) -> list[Finding]:
    """`style.traditional`: one finding per stretch of Han text that holds traditional
    characters, naming each with its simplified form."""
    text = ctx.text
    if in_gb2312(text):
        return []  # the common case: no character outside GB 2312, OpenCC not loaded
    out = []
    for a, b in _stretches(text):
        found = _traditional_in(text[a:b])
        if found is None:
            continue
        written, simplified = found
        start = a + text[a:b].index(written)
        end = start + len(written)
        if ctx.in_residue(start, end):
            continue
        pairs = "、".join(
            dict.fromkeys(f"{t}→{s}" for t, s in zip(written, simplified, strict=True) if t != s)
        )
        out.append(
            ctx.finding(
                "style.traditional",
                Severity.WARNING,
                start,
                end,
                f"traditional characters in “{written}”: {pairs}",
                f"write “{simplified}” in simplified characters (规范汉字; draft check --fix does)",
                replacement=simplified,
            )
        )
    return out
