"""Style: section lengths, repeated sentences, half-width punctuation, banned phrases, wording.

- `style.length` (warning): a section shorter or longer than the spec's bounds (characters of
  the body, blanks, the heading and Markdown marks not counted); not too short while it holds a
  【待补充】 marker (the missing fact is why, and the marker is reported);
- `style.repeated-sentence` (warning): a sentence written twice;
- `style.half-width-punct` (warning): , ; : ? ! ( ) inside Chinese text (official documents use
  full-width punctuation); `--fix` writes each full-width, a bracket only with its partner
  (学校(Word) keeps its half-width pair, not a （…) of two kinds);
- `style.banned-phrase` (error): a phrase the spec bans (`rules.banned_phrases`), matched with
  blanks ignored;
- `style.signature-date-form` (warning): the signature's date in Chinese numerals
  (二〇二三年十二月二十八日), where GB/T 9704-2012 writes the 成文日期 in Arabic numerals;
- `style.signature-role` (warning): a 落款 signed with the bare name where the type signs
  with a word before it (spec `signature.role`: 述职人：王建国);
- `style.traditional` (warning): traditional characters (工作總結) in a simplified text
  (`traditional.py`);
- `style.misused-word` (error): a commonly misused word (再接再励, 截止2024年底), from the
  built-in list `schemas/lexicon/misused-words.yaml` (`misused.py`);
- `style.latin-abbreviation` (warning): an English abbreviation in Chinese text (KPI, OA系统)
  that the facts do not write, the text does not explain and the built-in list
  `schemas/lexicon/latin-abbreviations.yaml` does not allow (`abbreviations.py`).

`style.repeated-word` (的的, 落实落实) is a rule family of its own, `doubled.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checker.abbreviations import check_latin_abbreviations
from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.misused import check_misused_words
from pipeline.checker.text import SIGNER_LINE, in_cjk_class
from pipeline.checker.traditional import check_traditional
from pipeline.lazy_re import lazy_pattern
from pipeline.markers import MARKER_RE

_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
HALF_WIDTH = re.compile(r"[,;:?!()]")
"""The half-width marks `style.half-width-punct` looks at."""
_BRACKET_OR_LINE = lazy_pattern(r"[()\n]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CN_DIGIT = re.compile("[〇零一二三四五六七八九十]")
_MIN_REPEAT = 10
"""Shorter sentences (时间紧、任务重。) may well repeat."""
_MARKUP = re.compile(
    r"(?m)^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?)"  # a heading or quote mark
    r"|\*\*(?=\S)(.+?)(?<=\S)\*\*"  # bold (a lead sentence), its text kept
    r"|\\([\\`*_\[\]<>|~#+\-=.)])"  # an escaped Markdown character, kept
)
"""Markdown's own marks, which `draft run -o x.md` writes and its section lengths do not count."""


def _unmarked(m: re.Match[str]) -> str:
    return m.group(1) or m.group(2) or ""


def _lengths(ctx: Context) -> list[Finding]:
    out = []
    for span in ctx.spans:
        if span.spec is None:
            continue
        bounds = span.spec.length
        body = _MARKUP.sub(_unmarked, ctx.text[span.body_start : span.end])
        n = len("".join(body.split()))  # split() drops exactly the characters isspace() is true of
        # a section with a marker in it is short by the fact still to fill, which its
        # gap.marker already reports: "expand the section from the facts" cannot be done
        low = n < bounds.min and not any(
            span.body_start <= a < span.end for a, _ in ctx.marker_spans
        )
        high = bounds.max is not None and n > bounds.max
        if not (low or high):
            continue
        start, end = ctx.section_anchor(span)
        expected = f"{bounds.min}–{bounds.max}" if bounds.max else f"at least {bounds.min}"
        out.append(
            ctx.finding(
                "style.length",
                Severity.WARNING,
                start,
                end,
                f"the section has {n} characters; expected {expected}",
                "expand the section from the facts" if low else "tighten the section",
            )
        )
    return out


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence ending in 。！？ (a line break ends one too, unreported)."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group(0) != "\n":
            yield start, m.end()
        start = m.end()


def _repeats(ctx: Context) -> list[Finding]:
    seen: dict[str, int] = {}
    out = []
    text = ctx.text
    for a, b in _sentences(text):
        sentence = text[a:b]
        key = "".join(sentence.split())
        if len(key) < _MIN_REPEAT or ctx.in_residue(a, b):
            continue
        start = a + (len(sentence) - len(sentence.lstrip()))
        if key in seen:
            line, _ = ctx.index.locate(seen[key])
            out.append(
                ctx.finding(
                    "style.repeated-sentence",
                    Severity.WARNING,
                    start,
                    b,
                    f"this sentence repeats the one on line {line}",
                    "delete the repetition or say something new",
                )
            )
        else:
            seen[key] = start
    return out


def _is_half_width(text: str, pos: int) -> bool:
    """The half-width mark at `pos` is in Chinese text: after a Han character (, ; : ? ! ) ),
    before one or an opening quote (, ; : ? ! ( ), or after a closing ” or ） (, ; :)."""
    ch = text[pos]
    before = text[pos - 1] if pos else ""
    if ch != "(" and before and in_cjk_class(before):
        return True
    after = text[pos + 1] if pos + 1 < len(text) else ""
    if ch != ")" and after and (after == "“" or in_cjk_class(after)):
        return True
    return ch in ",;:" and before in ("”", "）")


def _paired_brackets(text: str, flagged: set[int]) -> set[int]:
    """The flagged half-width brackets whose partner on the line is flagged too: only such a
    pair is written full-width by `--fix`, which never leaves a （…) of two kinds."""
    paired: set[int] = set()
    opened: list[int] = []
    for m in _BRACKET_OR_LINE().finditer(text):
        ch, pos = m.group(0), m.start()
        if ch == "\n":
            opened.clear()
        elif ch == "(":
            opened.append(pos)
        elif opened:
            start = opened.pop()
            if start in flagged and pos in flagged:
                paired.update((start, pos))
    return paired


def _half_width(ctx: Context) -> list[Finding]:
    text = ctx.text
    flagged = [
        m.start()
        for m in HALF_WIDTH.finditer(text)
        if _is_half_width(text, m.start()) and not ctx.in_residue(m.start())
    ]
    brackets = {pos for pos in flagged if text[pos] in "()"}
    paired = _paired_brackets(text, brackets) if brackets else set()
    out = []
    for pos in flagged:
        ch = text[pos]
        fixed = ch not in "()" or pos in paired
        out.append(
            ctx.finding(
                "style.half-width-punct",
                Severity.WARNING,
                pos,
                pos + 1,
                f"half-width “{ch}” in Chinese text",
                f"use the full-width “{_FULL[ch]}”"
                + (" (draft check --fix does)" if fixed else ""),
                replacement=_FULL[ch] if fixed else None,
            )
        )
    return out


def _banned(ctx: Context) -> list[Finding]:
    if ctx.spec is None or not ctx.spec.rules.banned_phrases:
        return []
    ct = ctx.compact.text
    out = []
    for phrase in ctx.spec.rules.banned_phrases:
        key = "".join(phrase.split())
        if not key:
            continue
        pos = ct.find(key)
        while pos != -1:
            start, end = ctx.compact.span(pos, pos + len(key))
            out.append(
                ctx.finding(
                    "style.banned-phrase",
                    Severity.ERROR,
                    start,
                    end,
                    f"banned phrase “{phrase}”",
                    "rewrite it in standard wording",
                )
            )
            pos = ct.find(key, pos + 1)
    return out


def _signature_date_form(ctx: Context) -> list[Finding]:
    """The 落款 date in Chinese numerals: the form before GB/T 9704-2012 (a date in the body,
    quoted from an older document, is not the text's own and is left alone)."""
    if ctx.doc.signature is None:
        return []
    start, end = ctx.doc.signature
    out = []
    for token in ctx.numbers(start, end):
        written = ctx.text[token.start : token.end]
        if token.date is None or not token.date[0] or not _CN_DIGIT.search(written):
            continue
        year, month, day = token.date
        arabic = f"{year}年{month}月" + (f"{day}日" if day else "")
        out.append(
            ctx.finding(
                "style.signature-date-form",
                Severity.WARNING,
                token.start,
                token.end,
                f"the signature's date is in Chinese numerals: “{written}”",
                f"write it in Arabic numerals, “{arabic}”, as GB/T 9704-2012 does",
            )
        )
    return out


def _signature_role(ctx: Context) -> list[Finding]:
    """A 落款 signed 王建国 where the type signs 述职人：王建国 (a name the facts give
    otherwise is the facts rule's: it says how to sign)."""
    signature = ctx.spec.signature if ctx.spec else None
    if signature is None or signature.role is None or ctx.doc.signature is None:
        return []
    role = signature.role
    start, end = ctx.doc.signature
    if "\n" not in ctx.text[start:end]:
        return []  # a date alone: no name to sign with
    name = ctx.text[start:end].split("\n", 1)[0].rstrip()
    if SIGNER_LINE().match(name) or MARKER_RE.fullmatch(name):
        return []
    given = ctx.facts.values.get(signature.unit) if ctx.facts else None
    if isinstance(given, str) and "".join(given.split()) != "".join(name.split()):
        return []
    return [
        ctx.finding(
            "style.signature-role",
            Severity.WARNING,
            start,
            start + len(name),
            f"the signature gives the name “{name}” without “{role}：” before it",
            f"sign “{role}：{name}”",
        )
    ]


def check_style(ctx: Context) -> list[Finding]:
    """Lengths (with a spec), repeats, half-width punctuation, banned phrases, the form of the
    signature's date, the signer's word before the name, traditional characters, misused words,
    Latin abbreviations."""
    return (
        _lengths(ctx)
        + _repeats(ctx)
        + _half_width(ctx)
        + _banned(ctx)
        + _signature_date_form(ctx)
        + _signature_role(ctx)
        + check_traditional(ctx)
        + check_misused_words(ctx)
        + check_latin_abbreviations(ctx)
    )
