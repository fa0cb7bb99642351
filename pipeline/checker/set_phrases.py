"""Broken set phrases: a canonical phrase of the lexicon used with a part missing or garbled.

Matched on the compact view (blanks removed), so a gap's blank or a wrap space does not hide
the phrase, and reported as `gap.broken-phrase` (error) on the text exactly as given:

- an *anchor* of a phrase found without the whole phrase around it
  ("深入学习贯彻 新时代中国特色社会主义思想": 习近平 is missing; "凝聚起 、牢记使命");
- a known *wrong form* ("两手两手硬" for 两手抓、两手都要硬);
- an enumeration listed with some of its *parts* only ("守土有责、守土尽责");
- a blank where part of a phrase was cut out, its head before the blank and its tail after
  ("“三会 课”", "稳中 工作总基调", "中央 规定精神"): matched on the text as given, since the
  blank is the evidence (a whole phrase around a stray blank or a PDF wrap space is no cut).
  Blanks read as line ends are matched too: a cut may sit where a line ended, and a line end
  inside a whole phrase joins it whole ("不忘初心、 使命" taken for a paragraph end is still cut).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.layout import is_layout, pads_name_or_column
from pipeline.checker.lexicon import Lexicon, PhraseEntry
from pipeline.checker.memo import IdentityCache
from pipeline.checker.text import HSPACE

_SEPARATOR = re.compile(r"[、，,和及与]?")


def _find_all(haystack: str, needle: str) -> list[int]:
    out = []
    pos = haystack.find(needle)
    while pos != -1:
        out.append(pos)
        pos = haystack.find(needle, pos + 1)
    return out


def _original_span(ctx: Context, cstart: int, cend: int, *, with_blank: bool) -> tuple[int, int]:
    start, end = ctx.compact.span(cstart, cend)
    if with_blank:
        while start > 0 and ctx.text[start - 1] in HSPACE:
            start -= 1
    return start, end


@dataclass(frozen=True)
class _Tables:
    """A lexicon's needles, flattened once: each anchor with the forms that hold it (and where),
    each wrong form, and the entries that list parts."""

    anchors: list[tuple[str, list[tuple[str, int]], str]]
    wrong_forms: list[tuple[str, str]]
    with_parts: list[PhraseEntry]
    heads: dict[str, list[tuple[str, int, str]]]
    """By its last two characters, each head form[:i] a cut may leave before a blank: (form,
    i, phrase)."""


_TABLES: IdentityCache[_Tables] = IdentityCache(8)


def _tables(lexicon: Lexicon) -> _Tables:
    anchors = []
    wrong_forms: list[tuple[str, str]] = []
    for entry in lexicon.phrases:
        forms = entry.forms
        for anchor in entry.anchors:
            held = [(form, form.find(anchor)) for form in forms if anchor in form]
            anchors.append((anchor, held, entry.phrase))
        wrong_forms.extend((wrong, entry.phrase) for wrong in entry.wrong_forms)
    heads: dict[str, list[tuple[str, int, str]]] = {}
    for entry in lexicon.phrases:
        for form in entry.forms:
            if len(form) < _MIN_CUT_FORM:
                continue
            for i in range(_MIN_CUT_HEAD, len(form) - 1):
                heads.setdefault(form[i - 2 : i], []).append((form, i, entry.phrase))
    return _Tables(anchors, wrong_forms, [e for e in lexicon.phrases if e.parts], heads)


_MIN_CUT_FORM = 4
_MIN_CUT_HEAD = 2
_MIN_CUT_KEPT = 3
"""A cut is recognised in a form of at least 4 characters of which at least 3 are left around
the blank, 2 of them before it: fewer would match ordinary words by chance."""


def _head_start(text: str, head: str, pos: int) -> int | None:
    """Where `head` starts when it ends at `pos`, over the wrap blanks inside it (预防 为主、 并重),
    or None when it does not end there."""
    k = pos
    for ch in reversed(head):
        while k > 0 and text[k - 1] in HSPACE and k < pos:
            k -= 1
        if k == 0 or text[k - 1] != ch:
            return None
        k -= 1
    return k


def _cut_at_blanks(ctx: Context, tables: _Tables, out: list[tuple[int, int, str, str]]) -> None:
    text = ctx.text
    blanks = ctx.blanks
    for b in itertools.chain(blanks.midline, blanks.wraps, blanks.breaks):
        for form, i, phrase in tables.heads.get(text[b.start - 2 : b.start], ()):
            if text.endswith(form[:i], 0, b.start):
                start: int | None = b.start - i
            elif any(ch in HSPACE for ch in text[b.start - i - 1 : b.start]):
                start = _head_start(text, form[:i], b.start)
            else:
                continue
            if start is None or text.startswith(form[i : i + 2], b.end):
                continue  # not this head, or the form goes on whole after the blank
            for j in range(i + 1, len(form)):
                kept = i + len(form) - j
                if kept < _MIN_CUT_KEPT:
                    break
                if form[j] != text[b.end] or not text.startswith(form[j:], b.end):
                    continue
                if pads_name_or_column(text, b) or is_layout(text, b):
                    break
                out.append((start, b.end + len(form) - j, phrase, "incomplete"))
                break


def _form_at(ct: str, form: str, at: int) -> bool:
    """`form` stands at `at` in the compact text, or runs over a line break there (a PDF
    copied with a hard line end at every line: 习近平新时代中国特色社会主义思\n想)."""
    if at >= 0 and ct.startswith(form, at):
        return True
    window = ct[max(0, at - 2) : at + len(form) + 2]
    return "\n" in window and form in window.replace("\r", "").replace("\n", "")


def _anchored(ctx: Context, tables: _Tables, out: list[tuple[int, int, str, str]]) -> None:
    ct = ctx.compact.text
    for anchor, forms, phrase in tables.anchors:
        if anchor not in ct:
            continue
        for pos in _find_all(ct, anchor):
            if any(_form_at(ct, form, pos - k) for form, k in forms):
                continue
            start, end = _original_span(ctx, pos, pos + len(anchor), with_blank=True)
            out.append((start, end, phrase, "incomplete"))


def _wrong_forms(ctx: Context, tables: _Tables, out: list[tuple[int, int, str, str]]) -> None:
    ct = ctx.compact.text
    for wrong, phrase in tables.wrong_forms:
        if wrong not in ct:
            continue
        for pos in _find_all(ct, wrong):
            start, end = _original_span(ctx, pos, pos + len(wrong), with_blank=False)
            out.append((start, end, phrase, "garbled"))


def _two_present(ct: str, parts: list[str]) -> bool:
    """At least two of `parts` occur in `ct`, searched only until that is known."""
    present = 0
    for i, part in enumerate(parts):
        if part in ct:
            present += 1
            if present == 2:
                return True
        elif present + len(parts) - i - 1 < 2:
            return False
    return False


def _partial_lists(ctx: Context, entry: PhraseEntry, out: list[tuple[int, int, str, str]]) -> None:
    ct = ctx.compact.text
    if not _two_present(ct, entry.parts):
        return  # a partial list names at least two different parts
    hits = sorted((pos, i) for i, part in enumerate(entry.parts) for pos in _find_all(ct, part))
    if len(hits) < 2:
        return
    cluster: list[tuple[int, int]] = []

    def close() -> None:
        indices = [i for _, i in cluster]
        if len(set(indices)) >= 2 and indices != list(range(len(entry.parts))):
            first, last = cluster[0], cluster[-1]
            end = last[0] + len(entry.parts[last[1]])
            start, end_ = _original_span(ctx, first[0], end, with_blank=False)
            out.append((start, end_, entry.phrase, "partial"))

    for pos, i in hits:
        if cluster:
            prev_pos, prev_i = cluster[-1]
            prev_end = prev_pos + len(entry.parts[prev_i])
            between = ct[prev_end:pos]
            if prev_end <= pos and _SEPARATOR.fullmatch(between):
                cluster.append((pos, i))
                continue
            close()
        cluster = [(pos, i)]
    close()


_MESSAGES = {
    "incomplete": "set phrase with a part missing: should read “{}”",
    "garbled": "garbled set phrase: should read “{}”",
    "partial": "set phrase listed in part: should read “{}”",
}


def check_set_phrases(ctx: Context) -> list[Finding]:
    """Every broken use of a phrase in the lexicon (none without a lexicon)."""
    if ctx.lexicon is None:
        return []
    lexicon = ctx.lexicon
    tables = _TABLES.get((lexicon,), lambda: _tables(lexicon))
    hits: list[tuple[int, int, str, str]] = []
    _anchored(ctx, tables, hits)
    _wrong_forms(ctx, tables, hits)
    _cut_at_blanks(ctx, tables, hits)
    for entry in tables.with_parts:
        _partial_lists(ctx, entry, hits)
    findings = []
    seen: list[tuple[int, int]] = []
    for start, end, phrase, kind in sorted(hits):
        if ctx.in_residue(start, end) or any(a < end and start < b for a, b in seen[-4:]):
            continue
        seen.append((start, end))
        findings.append(
            ctx.finding(
                "gap.broken-phrase",
                Severity.ERROR,
                start,
                end,
                _MESSAGES[kind].format(phrase),
                f"write the full phrase “{phrase}”",
            )
        )
    return findings
