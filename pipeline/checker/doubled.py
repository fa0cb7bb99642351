"""Doubled characters and words (的的, 落实落实): `style.repeated-word` (a warning).

The commonest typo a proofreader catches: a character or a word of 2–4 characters written twice
in a row, also across a PDF wrap blank (的 的) or a line break inside a paragraph. Chinese
reduplicates on purpose (常常, 扎扎实实, 一步一步), so what is allowed is data, the built-in
list `schemas/lexicon/reduplications.yaml`: a single character is reported only when the list
says it never doubles (的, 了, 在…), a word of 2–4 characters unless the list writes a word
around the doubling (扎扎实实 holds 扎扎 and 实实; 为了了解 holds 了了).

Not reported: numerals (二二, 1111), measure words after a number (9个个, 人次人次: the
marker-debris rule's), a set phrase's known garbled form (两手两手硬, the set-phrase rule's),
text in 《》 titles and in short quotes (a slogan or set phrase), site residue, markers, a word
on either side of a blank that is no wrap (a heading flattened into its paragraph: 存在的问题
问题是…), and a doubling across a line break beside the title, a heading or the signature, or
after a short line (a table cell). `--fix` deletes the extra copies of a never-doubled character written in a row
(的的 → 的): outside the words the list names, no word doubles it, so the deletion changes
nothing else; a doubled word (落实落实 may be a word missing between the two) and copies with a
blank or a line break between them (a blank may be a gap's) are left to the writer.

The text is scanned with one backreference pattern on the compact view, built from the list
and compiled when the first text is checked.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline import paths
from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.fix import touches
from pipeline.checker.lexicon import Lexicon
from pipeline.checker.memo import IdentityCache
from pipeline.checker.text import CJK_CLASS, CN_DIGITS
from pipeline.checker.vocab import MEASURE_WORDS
from pipeline.lazy_re import lazy_pattern
from pipeline.validation import load_model

FILE_NAME = "reduplications.yaml"

_enclosed = lazy_pattern(r"《[^《》\n]*》|“[^“”\n]{1,20}”")
"""A title (《…》) or a short quote (a slogan, a set phrase): written as its source writes it."""
_MAX = float("inf")
_WRAPPED_LINE = 20
"""A line broken inside a paragraph runs the page's width: a shorter one is a table cell, a
heading or a list item, whose last word may well start the next line (上半年完成 / 完成率)."""


class Reduplications(BaseModel):
    """The built-in list: characters that never double, and words that hold a doubling."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: int = 1
    never_doubled: frozenset[str] = Field(min_length=1)
    words: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Reduplications:
        for ch in self.never_doubled:
            if len(ch) != 1:
                raise ValueError(f"'never_doubled' holds '{ch}', not one character")
            if ch + ch in self.words:
                raise ValueError(f"'{ch}{ch}' is listed as a word, but '{ch}' never doubles")
        seen: set[str] = set()
        for word in self.words:
            if len(word) < 2:
                raise ValueError(f"'{word}' is no word of two or more characters")
            if word in seen:
                raise ValueError(f"'{word}' is listed twice")
            seen.add(word)
        return self


def builtin_path() -> Path:
    """The built-in list."""
    return paths.builtin_schemas_dir() / "lexicon" / FILE_NAME


def load_reduplications(path: Path) -> Reduplications:
    """Read and validate a list of reduplications; a broken file is an InputError naming it."""
    return load_model(
        path, Reduplications, what="reduplication list", expected="a mapping with 'never_doubled'"
    )


def _holders(words: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    """For each doubling (扎扎) the words holding one, with its offset in each (扎扎实实, 0)."""
    holders: dict[str, list[tuple[str, int]]] = {}
    for word in words:
        for size in range(1, min(4, len(word) // 2) + 1):
            for i in range(len(word) - 2 * size + 1):
                if word[i : i + size] == word[i + size : i + 2 * size]:
                    holders.setdefault(word[i : i + 2 * size], []).append((word, i))
    return holders


@cache
def _builtin() -> tuple[Reduplications, dict[str, list[tuple[str, int]]], re.Pattern[str]]:
    """The built-in list, its words' doublings, and the pattern of a candidate: a character
    that never doubles, or a word of 2–4 Han characters, written twice, the copies perhaps on
    two lines (the shortest first: 进一步进一步 is one word twice). Built on first use."""
    lists = load_reduplications(builtin_path())
    never = "".join(sorted(lists.never_doubled))
    cjk = f"[{CJK_CLASS}]"
    # a word's first two characters differ: a run of one character (学学学学) is no word
    # twice; the lookahead (its first character again 2–4 on) rejects most places at once
    pattern = re.compile(
        rf"([{never}]|({cjk})(?!\2)(?={cjk}{{1,3}}?(?:\r?\n)?\2){cjk}{{1,3}}?)(\r?\n)?\1"
    )
    return lists, _holders(lists.words), pattern


_phrase_holders: IdentityCache[dict[str, list[tuple[str, int]]]] = IdentityCache(8)


def _set_phrase_holders(lexicon: Lexicon | None) -> dict[str, list[tuple[str, int]]]:
    """The doublings in set phrases and their known garbled forms (两手两手硬): the set-phrase
    rule's to report, not this one's."""
    if lexicon is None:
        return {}
    return _phrase_holders.get(
        (lexicon,),
        lambda: _holders(tuple(w for e in lexicon.phrases for w in (*e.forms, *e.wrong_forms))),
    )


def _held(text: str, start: int, doubling: str, holders: dict[str, list[tuple[str, int]]]) -> bool:
    """The doubling at `start` of `text` is part of a word of `holders` written around it."""
    return any(
        text.startswith(word, start - i) for word, i in holders.get(doubling, ()) if start >= i
    )


@dataclass
class _Scan:
    """One text's scan: the context, the list, and what only a candidate doubling needs."""

    ctx: Context
    lists: Reduplications
    listed: dict[str, list[tuple[str, int]]]
    pattern: re.Pattern[str]

    @cached_property
    def in_phrases(self) -> dict[str, list[tuple[str, int]]]:
        return _set_phrase_holders(self.ctx.lexicon)

    @cached_property
    def enclosed(self) -> list[tuple[int, int]]:
        """Titles and short quotes: written as their source writes them."""
        return [m.span() for m in _enclosed().finditer(self.ctx.text)]

    @cached_property
    def wraps(self) -> list[tuple[int, int]]:
        return sorted((b.start, b.end) for b in self.ctx.blanks.wraps)

    def touching(self, start: int, end: int, written: int) -> bool:
        """Nothing but PDF wrap blanks (which --fix joins) between the copies in
        text[start:end], `written` characters without its blanks: another blank may end a
        heading or be a gap's."""
        if end - start == written:
            return True
        blanks = [i for i in range(start, end) if self.ctx.text[i] in " \t\u3000\u00a0"]
        wraps = self.wraps
        return all(
            (k := bisect_right(wraps, (i, _MAX)) - 1) >= 0 and i < wraps[k][1] for i in blanks
        )

    @cached_property
    def unjoinable(self) -> set[int]:
        """The lines a doubling may not run into or out of: the title, headings and the
        signature (a heading's last word may well start the next line)."""
        doc, locate = self.ctx.doc, self.ctx.index.locate
        lines = {locate(h.start)[0] for h in doc.headings}
        if doc.title is not None:
            lines.add(locate(doc.title.start)[0])
        if doc.signature is not None:
            first, last = (locate(p)[0] for p in doc.signature)
            lines.update(range(first, last + 1))
        return lines

    def reported(self, m: re.Match[str]) -> bool:
        """Whether the doubling `m` of the compact view is a typo to report."""
        ctx, unit, newline = self.ctx, m.group(1), m.group(3)
        if all(ch in CN_DIGITS for ch in unit):
            return False  # 二二, 一一
        doubling = unit + unit
        if _held(m.string, m.start(), doubling, self.listed) or _held(
            m.string, m.start(), doubling, self.in_phrases
        ):
            return False
        text = ctx.text
        start, end = ctx.compact.span(m.start(), m.end())
        if len(unit) > 1 and not self.touching(start, end, m.end() - m.start()):
            return False  # a heading's word before a blank that may end it (存在的问题 问题是…)
        before = text[start - 1] if start else ""
        if unit in MEASURE_WORDS and before and (before.isdigit() or before in CN_DIGITS):
            return False  # 9个个, 三人次人次: gap.marker-debris
        if ctx.in_residue(start, end) or touches(ctx.marker_spans, start, end):
            return False
        if self.enclosed and touches(self.enclosed, start, end):
            return False
        if newline:
            line = ctx.index.locate(start)[0]
            width = ctx.compact.original(m.start(3)) - ctx.index.starts[line - 1]
            if width < _WRAPPED_LINE or {line, line + 1} & self.unjoinable:
                return False
        return True


def check_doubled(ctx: Context) -> list[Finding]:
    """`style.repeated-word` for each character or word written twice that the list does not
    allow; a never-doubled character written twice in a row is written once by `--fix`."""
    ct = ctx.compact.text
    scan = _Scan(ctx, *_builtin())
    m = scan.pattern.search(ct)
    out: list[Finding] = []
    while m is not None:
        if not scan.reported(m):
            # a listed word (的的确确) may hide a doubled one starting inside it
            m = scan.pattern.search(ct, m.start() + 1)
            continue
        unit, newline = m.group(1), m.group(3)
        run_end = m.end()
        while not newline and ct.startswith(unit, run_end):
            run_end += len(unit)  # 的的的: one finding, and one 的 left by --fix
        times = (run_end - m.start()) // len(unit) if not newline else 2
        start, end = ctx.compact.span(m.start(), run_end)
        # --fix only where the copies touch or a wrap blank (which --fix joins) is between
        # them: another blank may be a gap's
        fixed = len(unit) == 1 and not newline and scan.touching(start, end, run_end - m.start())
        out.append(
            ctx.finding(
                "style.repeated-word",
                Severity.WARNING,
                start,
                end,
                f"“{unit}” is written {'twice' if times == 2 else f'{times} times'}",
                f"delete the extra “{unit}”" + (" (draft check --fix does)" if fixed else ""),
                replacement=unit if fixed else None,
            )
        )
        m = scan.pattern.search(ct, run_end)
    return out
