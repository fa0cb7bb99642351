"""Latin-letter abbreviations in Chinese text: `style.latin-abbreviation` (a warning).

A model writes KPI, OA系统, PPT and APP into a 公文, where the house style writes 关键绩效指标,
办公自动化系统, 演示文稿 and 应用程序, or the full Chinese name on first use. A run of two or
more capitals beside Chinese text is reported, unless

- the facts write it (the user's own word: 家长QQ群 typed in the facts file);
- the text gives its Chinese name in brackets beside it (关键绩效指标（KPI）, KPI（关键绩效指标）),
  which covers every later use;
- the built-in list `schemas/lexicon/latin-abbreviations.yaml` allows it (GDP, CPI);
- it is part of a code: a standard number (GB/T 9704, ISO 9001), a unit after a number
  (37.5 KB), a code with digits (PM2.5, HB2023001), a web or e-mail address, one letter
  repeated (国家AAAA级旅游景区; XX is a placeholder) or a placeholder word (TODO).

The list is data, read on the first text with such a run: most texts have none.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from pipeline import paths
from pipeline.checker.context import Context
from pipeline.checker.facts import collect_strings
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.placeholders import LATIN_PLACEHOLDERS
from pipeline.checker.text import in_cjk_class
from pipeline.lazy_re import lazy_pattern
from pipeline.validation import load_model

FILE_NAME = "latin-abbreviations.yaml"

_run = lazy_pattern(
    r"(?<![A-Za-z0-9_./@:\-])[A-Z]{2,}(?:\d+(?:\.\d+)?)?(?![A-Za-z0-9_@\-]|/[A-Za-z]|:/|\.[A-Za-z])"
)
"""A run of capitals (and digits glued after it), not part of a longer Latin word, a path,
an address or a hyphenated code."""
_STANDARD = lazy_pattern(r"[ \t]?\d")
"""What follows a standard's letters (ISO 9001, GB 50016): its number."""
_CHINESE_MARKS = frozenset("，。、；：？！“”‘’（）《》【】〔〕")


class Abbreviations(BaseModel):
    """The built-in list: abbreviations a 公文 writes as they are, and the Chinese for others."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: int = 1
    allowed: frozenset[str] = frozenset()
    chinese: dict[str, str] = {}


def builtin_path() -> Path:
    """The built-in list."""
    return paths.builtin_schemas_dir() / "lexicon" / FILE_NAME


@cache
def builtin_abbreviations() -> Abbreviations:
    """The built-in list, read and validated once; a broken file is an InputError naming it."""
    return load_model(builtin_path(), Abbreviations, what="abbreviation list", expected="a mapping")


def _beside_chinese(text: str, start: int, end: int) -> bool:
    """The nearest character on the line before or after the run (blanks skipped) is Chinese."""
    for step, pos in ((-1, start - 1), (1, end)):
        while 0 <= pos < len(text) and text[pos] in " \t\u3000":
            pos += step
        if 0 <= pos < len(text) and (in_cjk_class(text[pos]) or text[pos] in _CHINESE_MARKS):
            return True
    return False


def _a_code(text: str, start: int, end: int, word: str) -> bool:
    """Whether the run is part of a code, a unit, a placeholder or a rating, not a word."""
    if any(ch.isdigit() for ch in word) or _STANDARD().match(text, end):
        return True  # PM2.5, HB2023001; ISO 9001, GB 50016
    if text[max(0, start - 2) : start].strip(" \t")[-1:].isdigit():
        return True  # 37.5 KB, 5 MB: a unit after a number
    return len(set(word)) == 1 or word in LATIN_PLACEHOLDERS  # AAAA级, XX; TODO


def _explained(text: str, word: str) -> bool:
    """The text names it in Chinese in brackets beside it: 关键绩效指标（KPI） or KPI（关键绩效指标）."""
    w = re.escape(word)
    return (
        re.search(rf"[\u4e00-\u9fff][（(]{w}[）)]|(?<![A-Za-z]){w}[（(][\u4e00-\u9fff]", text)
        is not None
    )


def check_latin_abbreviations(ctx: Context) -> list[Finding]:
    """`style.latin-abbreviation` for each run of capitals beside Chinese text that no fact
    text writes, the text does not explain and the built-in list does not allow."""
    text = ctx.text
    found = [
        m
        for m in _run().finditer(text)
        if _beside_chinese(text, m.start(), m.end())
        and not _a_code(text, m.start(), m.end(), m[0])
        and not ctx.in_residue(m.start(), m.end())
        and not any(a < m.end() and m.start() < b for a, b in ctx.marker_spans)
    ]
    if not found:
        return []
    known = builtin_abbreviations()
    fact_texts: list[str] = []
    if ctx.facts is not None:
        collect_strings(ctx.facts.values, fact_texts)
    out = []
    for m in found:
        word = m[0]
        if word in known.allowed or any(word in s for s in fact_texts) or _explained(text, word):
            continue
        chinese = known.chinese.get(word)
        hint = (
            f"write “{chinese}”, or give the full Chinese name on first use: {chinese}（{word}）"
            if chinese
            else f"write it in Chinese, or give the full Chinese name on first use: …（{word}）"
        )
        out.append(
            ctx.finding(
                "style.latin-abbreviation",
                Severity.WARNING,
                m.start(),
                m.end(),
                f"Latin abbreviation “{word}” in Chinese text",
                hint,
            )
        )
    return out
