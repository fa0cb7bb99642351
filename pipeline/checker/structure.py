"""Structure: headings, numbered points, and (with a document type) the required parts.

Always:
- `structure.heading-number` (error): 一、二、四、 — a number skipped, repeated or out of order;
- `structure.heading-level` (error): a level skipped (（1） right under 一、; not by a numbered
  list of whole sentences, 1. …； 2. …。, which is no heading);
- `structure.heading-form` (warning): numbering not in the spec's forms (1、 or (一) for 1. or （一）);
- `structure.empty-section` (error): a heading with nothing under it (a numbered list of
  whole sentences, 一项一句, is no heading);
- `structure.heading-run-on` (error): a heading whose title runs on into the text with no
  full stop or line break between (（一）强化耕地保护全年共组织…), where its sibling headings
  have short titles: the break after the title was lost (reported instead of an empty section);
- `structure.series` (error): 一是/二是/三是 with a point missing or repeated, or a number with
  nothing after it (…；三是 and the paragraph ends);
- `structure.series-form` (error): one series in two forms (一要、二要、三是).

With a document type:
- `structure.missing-section` / `structure.section-order` (error): required sections present
  and in the spec's order;
- `structure.extra-section` (error): a top-level heading after the type's last section that is
  neither a section's heading nor an alias (五、保障措施 after 四、2024年工作打算); in one
  section drafted (the repair loop), any top-level heading in its body: the drafter writes
  the section's own heading, so one more starts a section the type does not have;
- `structure.title` (error): the title names the unit, the year and the type of document;
- `structure.too-few-points` (error): fewer points than the section's `min_points`, a point
  being a 一是/二是 or a subheading of the section's top sublevel (（一）（二）…)
  (unless the marker of a list the section uses stands where the points begin: a known gap),
  checked with facts no more than the items its lists give (none for a single item);
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.checker.context import Context, SectionSpan
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.text import HSPACE, Heading, Line, list_items, small_cn_number
from pipeline.heading_titles import RUN_ON_TITLE, SHORT_TITLE
from pipeline.lazy_re import lazy_pattern
from pipeline.markers import marker

if TYPE_CHECKING:  # annotations only: checking text without a spec needs neither module
    from pipeline.spec import SectionSpec

_TEMPLATE_VAR = re.compile(r"\{\{[^{}]*\}\}")
_HALF_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！"})
_SERIES = re.compile(r"([一二三四五六七八九十]{1,3})(是|要)")
_SERIES_TAIL = lazy_pattern(r"([一二三四五六七八九十]{1,3})$")
"""A series number ending a line, its 是/要 wrapped onto the next line."""
_SERIES_BOUNDARY = frozenset("，。；：,;:“（(！？!?、") | frozenset(HSPACE)
_LEVEL_NAMES = {0: "一、", 1: "（一）", 2: "1.", 3: "（1）"}


def _norm(s: str) -> str:
    """A heading as compared: blanks gone, half-width punctuation made full-width."""
    s = "".join(ch for ch in s if ch not in HSPACE).translate(_HALF_TO_FULL)
    return s.rstrip("。：")


_SIMPLE_VAR = lazy_pattern(r"\{\{\s*([a-z_][a-z0-9_]*)\s*(?:([+-])\s*(\d+)\s*)?\}\}")
"""A heading variable that is a fact, or a number fact plus or minus a constant."""


def _heading_value(ctx: Context, variable: str) -> str:
    """What a spec heading's `{{ … }}` reads with the facts given (2024 for
    {{ report_year + 1 }}), or … when they do not tell."""
    m = _SIMPLE_VAR().fullmatch(variable)
    value = ctx.facts.values.get(m[1]) if m and ctx.facts is not None else None
    if isinstance(value, bool) or value is None or not isinstance(value, int | str):
        return "…"
    if m and m[2]:
        if not isinstance(value, int):
            return "…"
        value = value + int(m[3]) if m[2] == "+" else value - int(m[3])
    return str(value)


_MATCH_SCORE = 0.6
"""The least score of a written heading taken for a spec section's (heading or alias)."""
_PREFIX_SCORE = 0.8
"""The score of a heading that begins with a spec heading (or alias) whole."""


@lru_cache(maxsize=256)
def _heading_template(template: str) -> tuple[str, re.Pattern[str]]:
    """A spec heading template's literal text, and a pattern matching it with any value in
    place of each variable (compiled once per template, not once per heading compared)."""
    literal_parts = [_norm(p) for p in _TEMPLATE_VAR.split(template)]
    pattern = ".{1,20}?".join(re.escape(p) for p in literal_parts)
    return "".join(literal_parts), re.compile(pattern)


@lru_cache(maxsize=1024)
def _heading_score(title: str, template: str) -> float:
    """How well a written heading matches a spec heading template (1.0: exactly).

    Cached: drafts of one document type repeat the same headings, and the fuzzy ratio is the
    costliest step of mapping a text's sections."""
    literal, pattern = _heading_template(template)
    norm = _norm(title)
    if pattern.fullmatch(norm):
        return 1.0
    ratio = difflib.SequenceMatcher(None, norm, literal).ratio()
    if len(literal) >= 4 and pattern.match(norm):
        # the whole heading, with words added after it (2024年工作思路和举措): a year in it
        # makes the literal a small part of the text, which the ratio alone undervalues
        return max(ratio, _PREFIX_SCORE)
    return ratio


def _section_score(title: str, section: SectionSpec) -> float:
    """How well a written heading matches a spec section: its heading or any alias."""
    return max(_heading_score(title, h) for h in (section.heading or "", *section.aliases))


def map_sections(ctx: Context) -> list[SectionSpan]:
    """The text's sections, each matched to the spec's section it is (when there is a spec)."""
    if ctx.section is not None:
        return [
            SectionSpan(
                start=0,
                end=len(ctx.text),
                spec=ctx.section,
                body_start=0,
                plans=ctx.is_plans(ctx.section, None),
            )
        ]
    spec_sections = list(ctx.spec.sections) if ctx.spec else []
    headed = [s for s in spec_sections if s.heading is not None]
    unheaded = [s for s in spec_sections if s.heading is None]
    used: set[str] = set()
    spans = []
    for sec in ctx.doc.sections:
        match: SectionSpec | None = None
        title = sec.heading.title(ctx.text) if sec.heading else None
        if sec.heading is None:
            if unheaded and sec.lines:
                match = unheaded[0]
        elif headed:
            scored = [
                (_section_score(title or "", s), -i, s)
                for i, s in enumerate(headed)
                if s.id not in used
            ]
            if scored:
                score, _, best = max(scored, key=lambda t: (t[0], t[1]))
                if score >= _MATCH_SCORE:
                    match = best
        if match is not None:
            used.add(match.id)
        spans.append(
            SectionSpan(
                start=sec.start,
                end=sec.end,
                spec=match,
                heading_start=sec.heading.start if sec.heading else None,
                body_start=sec.body_start,
                plans=ctx.is_plans(match, title),
            )
        )
    return spans


# ----------------------------------------------------------------------------- headings


def _headings(ctx: Context, items: set[int]) -> list[Finding]:
    """Heading numbers and levels; `items` are the numbered lines that are list items."""
    text = ctx.text
    out: list[Finding] = []
    forms = list(ctx.spec.rules.numbering) if ctx.spec else list(_LEVEL_NAMES.values())
    allowed = set(forms)
    counters: dict[int, int] = {}
    depth = 0 if ctx.section is not None else -1  # a section body sits under its 一、 heading
    for h in ctx.doc.headings:
        if h.number is None:
            continue
        number_span = (h.start, h.title_start)
        written = text[h.start : h.title_start]
        if h.form not in allowed and h.form:
            if h.level < len(forms):  # the document type's own form of this level
                standard = forms[h.level]
                kind = "standard" if standard == _LEVEL_NAMES.get(h.level) else "document type's"
                message = f"heading number “{written}” is not in the {kind} form “{standard}”"
            else:
                standard = _LEVEL_NAMES.get(h.level, "")
                message = (
                    f"heading number “{written}”: the document type numbers "
                    f"{len(forms)} level(s) of headings ({' '.join(forms)})"
                )
            out.append(
                ctx.finding(
                    "structure.heading-form",
                    Severity.WARNING,
                    *number_span,
                    message,
                    f"number this level {standard.replace('一', _cn(h.number)).replace('1', str(h.number))}",
                )
            )
        if h.level > depth + 1 and h.start not in items:  # a list of sentences is no level
            above = _LEVEL_NAMES.get(h.level - 1, "")
            out.append(
                ctx.finding(
                    "structure.heading-level",
                    Severity.ERROR,
                    *number_span,
                    f"heading level skipped: “{written}” with no “{above}” level above it",
                    f"number it at the level below the heading above (order: {' → '.join(_LEVEL_NAMES.values())})",
                )
            )
        for deeper in [lv for lv in counters if lv > h.level]:
            del counters[deeper]
        last = counters.get(h.level, 0)
        expected = last + 1
        # in a section body a top-level heading is an extra section (`_extra_sections`)
        if h.number != expected and not (ctx.section is not None and h.level == 0):
            if h.number == last:
                msg = f"heading number “{written}” repeats the one before"
            elif h.number > expected:
                msg = f"heading number “{written}” skips {_numbers(h.level, expected, h.number)}"
            else:
                msg = f"heading number “{written}” is out of order (after {last})"
            out.append(
                ctx.finding(
                    "structure.heading-number",
                    Severity.ERROR,
                    *number_span,
                    msg,
                    f"number the headings of this level 1, 2, 3… in order; this one is {expected}",
                )
            )
        counters[h.level] = h.number
        depth = h.level
    return out


_TITLE_STOP = re.compile(r"[；;]")


def _title_length(ctx: Context, h: Heading) -> int:
    stop = _TITLE_STOP.search(ctx.text, h.title_start, h.title_end)
    return (stop.start() if stop else h.title_end) - h.title_start


def _run_on(ctx: Context, items: set[int]) -> list[tuple[Heading, int, int]]:
    """(heading, its title's length, the longest short title of its siblings) of each heading
    with the text glued onto its title, told by its short-titled siblings."""
    groups: dict[tuple[int, int], list[Heading]] = {}
    parents: dict[int, int] = {}  # level -> index of the last heading at that level
    for i, h in enumerate(ctx.doc.headings):
        if h.number is None:
            continue
        parent = max((parents[lv] for lv in parents if lv < h.level), default=-1)
        groups.setdefault((h.level, parent), []).append(h)
        parents = {lv: k for lv, k in parents.items() if lv < h.level}
        parents[h.level] = i
    out: list[tuple[Heading, int, int]] = []
    for siblings in groups.values():
        lengths = [_title_length(ctx, h) for h in siblings]
        short = [n for n in lengths if n <= SHORT_TITLE]
        if short:
            out.extend(
                (h, n, max(short))
                for h, n in zip(siblings, lengths, strict=True)
                if n > RUN_ON_TITLE and h.start not in items
            )
    return out


def _run_on_findings(ctx: Context, run_on: list[tuple[Heading, int, int]]) -> list[Finding]:
    out = []
    for h, n, longest in run_on:
        written = ctx.text[h.start : h.title_start + 8]
        out.append(
            ctx.finding(
                "structure.heading-run-on",
                Severity.ERROR,
                h.start,
                min(h.title_end, h.title_start + RUN_ON_TITLE),
                f"heading “{written}…” runs on into the text: {n} characters before its first "
                f"full stop, where the titles of its sibling headings have at most {longest}",
                "end the title with 。 and go on with the text, or start the text on the next line",
            )
        )
    return out


def _cn(n: int) -> str:
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + ("" if ones == 0 else digits[ones])


def _numbers(level: int, first: int, stop: int) -> str:
    form = _LEVEL_NAMES.get(level, "1.")
    return "、".join(
        form.replace("一", _cn(n)) if "一" in form else form.replace("1", str(n))
        for n in range(first, min(stop, first + 5))
    )


def _list_items(ctx: Context) -> set[int]:
    """Starts of numbered lines that are items of a list, not headings awaiting text
    (`list_items`)."""
    text = ctx.text
    heading_at = {h.line.start: h for h in ctx.doc.headings}
    rows: list[Heading | None] = [heading_at.get(ln.start) for ln in ctx.doc.lines]
    flags = list_items(
        [None if h is None or h.run_in else (h.level, text[h.start : h.end]) for h in rows]
    )
    return {h.start for h, item in zip(rows, flags, strict=True) if item and h is not None}


def _empty_sections(ctx: Context, items: set[int]) -> list[Finding]:
    text = ctx.text
    out = []
    lines = ctx.doc.lines
    position = {ln.start: i for i, ln in enumerate(lines)}
    heading_at = {h.line.start: h for h in ctx.doc.headings}
    end_of_body = ctx.doc.signature[0] if ctx.doc.signature else len(text)
    for h in ctx.doc.headings:
        if h.run_in or h.start in items:
            continue
        i = position.get(h.line.start)
        if i is None:
            continue
        nxt: Line | None = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and nxt.cstart >= end_of_body:
            nxt = None
        nxt_heading = heading_at.get(nxt.start) if nxt else None
        if nxt is None or (nxt_heading is not None and nxt_heading.level <= h.level):
            out.append(
                ctx.finding(
                    "structure.empty-section",
                    Severity.ERROR,
                    h.start,
                    h.end,
                    f"section “{text[h.start : h.end]}” has no text under it",
                    "write the section, or remove the heading",
                )
            )
    return out


# ----------------------------------------------------------------------------- 一是/二是


def _series_tokens(
    ctx: Context, line: Line, nxt: Line | None, heading_lines: set[int]
) -> list[tuple[int, int, int, str]]:
    """(start, end, value, form) of each 一是/二要 point in a line, including one split by a hard
    line break at the line's end (…要求，一\n是加强…, as a PDF viewer or a hard-wrapped .txt
    has it) when the next line goes on with the paragraph."""
    text = ctx.text
    out = []
    for m in _SERIES.finditer(text, line.cstart, line.cend):
        prev = text[m.start() - 1] if m.start() > line.cstart else " "
        if prev not in _SERIES_BOUNDARY:
            continue
        value = small_cn_number(m.group(1))
        if value is not None:
            out.append((m.start(), m.end(), value, m.group(2)))
    if nxt is None or text[nxt.cstart : nxt.cstart + 1] not in ("是", "要"):
        return out
    tail = _SERIES_TAIL().search(text, max(line.cstart, line.cend - 3), line.cend)
    if tail is not None and _paragraph_goes_on(ctx, line, nxt, heading_lines):
        prev = text[tail.start() - 1] if tail.start() > line.cstart else " "
        value = small_cn_number(tail.group(1))
        if prev in _SERIES_BOUNDARY and value is not None:
            out.append((tail.start(), nxt.cstart + 1, value, text[nxt.cstart]))
    return out


def _written(ctx: Context, start: int, end: int) -> str:
    """A series number as written, a line break inside it left out (一\n是 → 一是)."""
    return "".join(ctx.text[start:end].split())


def _series(ctx: Context) -> tuple[list[Finding], dict[int, int]]:
    """Findings on 一是/二是 series, and the longest series found in each section span."""
    out: list[Finding] = []
    longest: dict[int, int] = {}
    heading_lines = {h.line.start for h in ctx.doc.headings}
    series: list[tuple[int, int, int, str]] = []
    span_index = -1

    def close() -> None:
        if not series:
            return
        if span_index >= 0:
            longest[span_index] = max(longest.get(span_index, 0), len(series))
        forms = Counter(f for *_, f in series)
        if len(forms) > 1:
            main = max(forms, key=lambda f: (forms[f], f == "是"))
            for start, end, value, form in series:
                if form != main:
                    out.append(
                        ctx.finding(
                            "structure.series-form",
                            Severity.ERROR,
                            start,
                            end,
                            f"“{_written(ctx, start, end)}” breaks a series written “一{main}、二{main}…”",
                            f"use one form for the whole series: {_cn(value)}{main}",
                        )
                    )

    lines = ctx.doc.lines
    for i, line in enumerate(lines):
        idx = _span_index(ctx, line.cstart)
        if line.start in heading_lines or idx != span_index:
            close()
            series = []
            span_index = idx
            if line.start in heading_lines:
                continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        for start, end, value, form in _series_tokens(ctx, line, nxt, heading_lines):
            written = _written(ctx, start, end)
            at, after = line, nxt
            if nxt is not None and end > line.cend:  # split by a line break: ends on the next line
                at, after = nxt, _line_after(lines, i + 1)
            if _point_left_empty(ctx, end, at, after, heading_lines):
                out.append(
                    ctx.finding(
                        "structure.series",
                        Severity.ERROR,
                        start,
                        end,
                        f"“{written}” with nothing after it: the point is missing",
                        "write the point, or remove the number",
                    )
                )
            if value == 1:
                close()
                series = [(start, end, value, form)]
                continue
            if not series:
                out.append(
                    ctx.finding(
                        "structure.series",
                        Severity.ERROR,
                        start,
                        end,
                        f"“{written}” with no “一{form}” before it",
                        "start the series with 一是 (or 一要)",
                    )
                )
                series = [(start, end, value, form)]
                continue
            last = series[-1][2]
            if value == last:
                msg = f"“{written}” repeats the point before"
            elif value > last + 1:
                msg = f"“{written}” follows “{_cn(last)}{series[-1][3]}”: a point is missing"
            elif value < last:
                msg = f"“{written}” is out of order (after “{_cn(last)}{series[-1][3]}”)"
            else:
                msg = ""
            if msg:
                out.append(
                    ctx.finding(
                        "structure.series",
                        Severity.ERROR,
                        start,
                        end,
                        msg,
                        f"number the points in order: this one is {_cn(last + 1)}{form}",
                    )
                )
            series.append((start, end, value, form))
    close()
    return out, longest


_POINT_STOP = frozenset("。；;")


def _point_left_empty(
    ctx: Context, end: int, line: Line, nxt: Line | None, heading_lines: set[int]
) -> bool:
    """A 一是/三是 with nothing after it: a full stop follows, or the paragraph ends there (the
    text's end, a blank line or a heading next; a line that merely wraps goes on)."""
    if end < line.cend:
        return ctx.text[end] in _POINT_STOP
    return not _paragraph_goes_on(ctx, line, nxt, heading_lines)


def _paragraph_goes_on(ctx: Context, line: Line, nxt: Line | None, heading_lines: set[int]) -> bool:
    """The paragraph goes on from `line` to `nxt`: the line merely wraps (no blank line, heading
    or signature comes next)."""
    if nxt is None or (ctx.doc.signature is not None and nxt.cstart >= ctx.doc.signature[0]):
        return False
    return ctx.text.count("\n", line.end, nxt.start) < 2 and nxt.start not in heading_lines


def _line_after(lines: list[Line], i: int) -> Line | None:
    return lines[i + 1] if i + 1 < len(lines) else None


def _span_index(ctx: Context, offset: int) -> int:
    return ctx.span_index(offset)


_POINTS_LEAD = lazy_pattern(r"(?:[：:]|[一二三四五六七八九十]{1,3}[是要])$")


def _points_are_a_marker(ctx: Context, span: SectionSpan) -> bool:
    """The points are a known gap: the marker of a list fact the section uses stands where
    they begin (重点抓好以下工作：【待补充：…】, 一要【待补充：…】)."""
    if ctx.spec is None or span.spec is None:
        return False
    text = ctx.text
    for name in span.spec.facts:
        fact = ctx.spec.facts[name]
        if not fact.type.endswith("-list"):
            continue
        sign = marker(fact.label)
        at = text.find(sign, span.body_start, span.end)
        while at >= 0:
            if _POINTS_LEAD().search(text[max(span.body_start, at - 4) : at].rstrip()):
                return True
            at = text.find(sign, at + len(sign), span.end)
    return False


def _subheading_points(ctx: Context, span: SectionSpan) -> int:
    """How many subheadings of the section's top sublevel it has: points set out as
    （一）聚焦产业发展…（二）聚焦乡村振兴… count as much as 一是/二是."""
    levels = [
        h.level for h in ctx.doc.headings if span.body_start <= h.start < span.end and h.level > 0
    ]
    return levels.count(min(levels)) if levels else 0


def _items_given(ctx: Context, span: SectionSpan) -> int | None:
    """The most items any list fact of the section has in the facts checked against: a
    section sets out no more points than the facts give, and one item is stated plainly, as
    no point (一是 with no 二是 is a numbering error); None without facts or a list given."""
    if ctx.facts is None or span.spec is None:
        return None
    counts = [
        len(value)
        for name in span.spec.facts
        if isinstance(value := ctx.facts.values.get(name), list) and value
    ]
    return max(counts) if counts else None


def _too_few_points(ctx: Context, longest: dict[int, int]) -> list[Finding]:
    out = []
    for i, span in enumerate(ctx.spans):
        need = span.spec.min_points if span.spec else 0
        given = _items_given(ctx, span)
        if need and given is not None and given < need:
            need = given if given > 1 else 0
        have = longest.get(i, 0)
        if need and have < need:
            have = max(have, _subheading_points(ctx, span))
        if need and have < need and not _points_are_a_marker(ctx, span):
            start, end = ctx.section_anchor(span)
            out.append(
                ctx.finding(
                    "structure.too-few-points",
                    Severity.ERROR,
                    start,
                    end,
                    f"the section makes {have} numbered point(s) (一是、二是… or （一）（二）…); "
                    f"it needs at least {need}",
                    f"set out at least {need} points as 一是……二是……",
                )
            )
    return out


# ----------------------------------------------------------------------------- the spec


def _required_sections(ctx: Context) -> list[Finding]:
    assert ctx.spec is not None
    out = []
    order = {s.id: i for i, s in enumerate(ctx.spec.sections)}
    found = [(span, order[span.spec.id]) for span in ctx.spans if span.spec is not None]
    present = {span.spec.id for span, _ in found if span.spec}
    for i, s in enumerate(ctx.spec.sections):
        if not s.required or s.id in present:
            continue
        later = [span for span, k in found if k > i]
        pos = (
            later[0].heading_start or later[0].start
            if later
            else (ctx.doc.signature[0] if ctx.doc.signature else len(ctx.text))
        )
        what = (
            f"“{_norm(_TEMPLATE_VAR.sub(lambda m: _heading_value(ctx, m[0]), s.heading))}”"
            if s.heading
            else "the opening paragraph"
        )
        out.append(
            ctx.finding(
                "structure.missing-section",
                Severity.ERROR,
                pos,
                pos,
                f"required section missing: {what} ({s.id})",
                f"add the section {what} here",
            )
        )
    # order: the longest run of sections in spec order stays; the others are out of place
    indices = [k for _, k in found]
    keep = _longest_increasing(indices)
    for n, (span, _) in enumerate(found):
        if n in keep or span.spec is None:
            continue
        start, end = ctx.section_anchor(span)
        out.append(
            ctx.finding(
                "structure.section-order",
                Severity.ERROR,
                start,
                end,
                f"section {span.spec.id} is out of order",
                "put the sections in this order: " + ", ".join(s.id for s in ctx.spec.sections),
            )
        )
    return out


def _extra_sections(ctx: Context, items: set[int]) -> list[Finding]:
    """Top-level headings of sections the type does not have: in a section body, any (not a
    list of sentences); in a document, one after the type's last section that matches no
    section's heading or alias (a heading elsewhere is left to the numbering and order)."""
    text = ctx.text
    if ctx.section is not None:
        extra = [h for h in ctx.doc.headings if h.level == 0 and h.start not in items]
        where = "inside the section: its heading is written by the drafter, so this one"
    else:
        assert ctx.spec is not None
        last = _last_section(ctx)
        ends = [i for i, span in enumerate(ctx.spans) if span.spec is last]
        if not ends:
            return []
        headed = [s for s in ctx.spec.sections if s.heading is not None]
        after = list(zip(ctx.doc.sections, ctx.spans, strict=True))[ends[0] + 1 :]
        extra = [
            sec.heading
            for sec, span in after
            if span.spec is None
            and sec.heading is not None
            and all(_section_score(sec.heading.title(text), s) < _MATCH_SCORE for s in headed)
        ]
        where = f"after the last section ({last.id}): it"
    out = []
    for h in extra:
        end = min(h.title_end, h.title_start + RUN_ON_TITLE)  # a title run on is cut short
        out.append(
            ctx.finding(
                "structure.extra-section",
                Severity.ERROR,
                h.start,
                end,
                f"heading “{text[h.start : end]}” {where} starts a section the document type "
                "does not have",
                "remove the heading, and its text unless it belongs in the section above",
            )
        )
    return out


def _last_section(ctx: Context) -> SectionSpec:
    """The type's last section for this text: a trailing section with `when` (drafted only
    when its fact is given) that the text does not have is no end the text must reach."""
    assert ctx.spec is not None
    present = {span.spec.id for span in ctx.spans if span.spec is not None}
    sections = ctx.spec.sections
    end = len(sections)
    while end > 1 and sections[end - 1].when is not None and sections[end - 1].id not in present:
        end -= 1
    return sections[end - 1]


def _longest_increasing(seq: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (small inputs)."""
    n = len(seq)
    best = [1] * n
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if seq[j] < seq[i] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    if not n:
        return set()
    i = max(range(n), key=lambda k: best[k])
    out = set()
    while i != -1:
        out.add(i)
        i = prev[i]
    return out


def _title(ctx: Context) -> list[Finding]:
    assert ctx.spec is not None
    text = ctx.text
    if ctx.doc.title is None:
        return [
            ctx.finding(
                "structure.title",
                Severity.ERROR,
                0,
                0,
                "the document has no title",
                "start with a title naming the unit, the year and the type, e.g. "
                + (ctx.spec.title if "{{" not in ctx.spec.title else ctx.spec.name),
            )
        ]
    line = ctx.doc.title
    title = _norm(line.content(text))
    missing = []
    if ctx.facts is not None:
        for name in ctx.spec.facts_in(ctx.spec.title):
            value = ctx.facts.values.get(name)
            if value is not None and _norm(str(value)) not in title:
                missing.append(f"{ctx.spec.label(name)} “{value}”")
    # without facts: a year, when the type's title has one (科长王芳述职报告 has none)
    elif "年" in ctx.spec.title and not re.search(
        r"(?:\d{4}|[〇零一二三四五六七八九]{4})年", title
    ):
        missing.append("the year")
    words = ctx.spec.title_words
    if words and not any(word in title for word in words):
        missing.append("the type " + " or ".join(f"“{word}”" for word in words))
    if not missing:
        return []
    return [
        ctx.finding(
            "structure.title",
            Severity.ERROR,
            line.cstart,
            line.cend,
            "the title does not name " + ", ".join(missing),
            "write the title as unit + year + subject + type, e.g. " + ctx.spec.name,
        )
    ]


def check_structure(ctx: Context) -> list[Finding]:
    """Headings, series and (with a spec) required sections, order, title and points."""
    items = _list_items(ctx)
    run_on = _run_on(ctx, items)
    findings = _headings(ctx, items) + _run_on_findings(ctx, run_on)
    findings += _empty_sections(ctx, items | {h.start for h, _, _ in run_on})
    series_findings, longest = _series(ctx)
    findings += series_findings
    if ctx.spec is not None or ctx.section is not None:
        findings += _too_few_points(ctx, longest) + _extra_sections(ctx, items)
    if ctx.spec is not None and ctx.section is None:
        findings += _required_sections(ctx) + _title(ctx)
    return findings
