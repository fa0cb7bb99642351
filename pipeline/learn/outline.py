"""The outline of a cleaned sample: title, opening, numbered sections, points, signature.

Works on the cleaned text (one paragraph per line); every span is an offset into it.
Heading levels, never skipped in a well-formed report: 一、 → （一） → 1. → （1）. Inside
paragraphs, points run 一是/二是/三是 (in plans also 一要/二要).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from pipeline.checker.text import attachment_items, imprint_start, is_addressee, is_masthead
from pipeline.errors import InputError
from pipeline.title_lengths import FORMAL_TITLE, PLAIN_TITLE, reads_as_formal_title
from pipeline.type_words import POSTS, SIGNER_WORDS, UNIT_ENDINGS

CN_DIGITS = "一二三四五六七八九十"
_LEVELS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(r"([一二三四五六七八九十]{1,3})、")),
    (2, re.compile(r"[（(]([一二三四五六七八九十]{1,3})[）)]")),
    (3, re.compile(r"(\d{1,2})[.．、](?!\d)")),
    (4, re.compile(r"[（(](\d{1,2})[）)]")),
]
_POINT = re.compile(r"(?:^|(?<=[。；;：:！？]))([一二三四五六七八九十]{1,2})(是|要)(?=[^\s，,。])")
_TITLE_NOISE = re.compile(
    r"[（(【\[]?(?:范文|模板|范本|精选|通用|参考|样本|例文)(?:\d+篇)?[）)】\]]?$"
)
_DOC_WORDS = (
    "总结",
    "报告",
    "方案",
    "计划",
    "汇报",
    "述职",
    "意见",
    "通知",
    "情况",
    "规划",
    "要点",
)
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_END_PUNCT = "。；;：:！？!?，,"
_SIGNER_LINE = re.compile(rf"^({'|'.join(SIGNER_WORDS)}|{POSTS})[：:]\s*([\u4e00-\u9fff·]{{2,8}})$")
"""A person signing: 述职人：张建华, 校长：张伟."""
_PERSON_LINE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_SECOND_NAME_LINE = re.compile(r"^[\u4e00-\u9fff·（）()]{2,15}$")
"""A 落款's second name line: a department or office (办公室), or a person's name."""
_DEPARTMENT_END = re.compile(rf"(?:{UNIT_ENDINGS}|室|办|股|组)$")
"""How a department's or office's name ends (办公室, 财务股): no person's name."""
_UNIT_LINE = re.compile(rf"^[\u4e00-\u9fff（）()Xx×]{{2,30}}(?:{UNIT_ENDINGS})$")
MAX_HEADING = 50
"""Longest heading accepted; a longer numbered line is a numbered paragraph."""


class Span(BaseModel):
    """A span of the cleaned text."""

    start: int
    end: int


class Point(BaseModel):
    """One in-paragraph point: 一是, 二要…"""

    number: int
    form: str
    """The character after the numeral: 是 or 要."""
    start: int
    """Offset of the numeral."""
    end: int
    """Offset just past the form character."""


class SubMarker(BaseModel):
    """The number of a subheading inside a section: its level and where it is written."""

    level: int
    start: int
    end: int


class Block(BaseModel):
    """The opening, or one top-level section with its body (subsection headings included)."""

    heading: str | None
    """The heading without its number; None for the opening."""
    number: str | None = None
    """The heading's number as written (一、)."""
    heading_span: Span | None = None
    """Where the heading text (without the number) is."""
    body: Span
    """The body: from the first paragraph after the heading to the end of the section."""
    paragraphs: list[Span]
    points: list[Point] = []
    subheadings: list[str] = []
    sub_markers: list[SubMarker] = []
    """The number of each subheading (（一）, 1.…), with its level."""
    """Headings of the levels below (（一）…, 1.…) found inside the body, with their numbers."""

    def length(self, text: str) -> int:
        """Characters of the body, without paragraph breaks."""
        return sum(p.end - p.start for p in self.paragraphs)


class Signature(BaseModel):
    """The 落款 found after the last section."""

    unit: str | None
    unit_span: Span | None
    role: str | None = None
    """The signer's role when the 落款 names a person (述职人：张建华): the unit is the name."""
    role_written: bool = False
    """Whether the sample writes the role before the name (述职人：张建华), so drafts do too."""
    second: str | None = None
    second_span: Span | None = None
    """The name line under the unit's in a 落款 of three lines: a department (青山县卫生健康局
    / 办公室 / date) or a person (城关镇人民政府 / 张伟 / date)."""
    second_role: str | None = None
    """The role of the person on the second line (述职人 in a 述职报告), None for a department."""
    date: str
    date_span: Span


class Outline(BaseModel):
    """Everything structural learned from a sample."""

    title: str
    """The title as cleaned: residue words (范文…) and spaces removed."""
    title_span: Span
    opening: Block | None
    sections: list[Block]
    top_level: int
    """The heading level the sections use: 1 for 一、, 2 for （一）…"""
    signature: Signature | None = None
    addressee: Span | None = None
    """The 主送机关 line under the title (各乡镇人民政府，县直各有关单位：), colon included."""
    doc_number: str | None = None
    """The 文号 line above the title (青应急〔2024〕12号): the sample's own, left out."""
    imprint: list[str] = []
    """The 版记 lines after the 落款 (抄送：…, …印发) as the checker reads them: left out."""


def _lines(text: str) -> list[Span]:
    spans, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + line.index(stripped)
            spans.append(Span(start=start, end=start + len(stripped)))
        pos += len(line) + 1
    return spans


def heading_of(line: str) -> tuple[int, str, int, int] | None:
    """(level, number text, heading start, heading end) for a heading line, else None.

    The heading runs to the end of the line, or to its first 。 when the body continues on
    the same line ("（一）加强组织领导。学校成立…").
    """
    for level, pattern in _LEVELS:
        m = pattern.match(line)
        if not m:
            continue
        rest = line[m.end() :]
        stop = rest.find("。")
        if stop == -1 and len(rest) <= MAX_HEADING:
            return level, m.group(0), m.end(), len(line)
        if 0 < stop <= MAX_HEADING:
            return level, m.group(0), m.end(), m.end() + stop
        if level == 1:
            # A top-level heading run into its body: cut at the first comma.
            comma = min((i for i in (rest.find("，"), rest.find(",")) if i > 0), default=-1)
            if 0 < comma <= MAX_HEADING:
                return level, m.group(0), m.end(), m.end() + comma
        return None
    return None


def _clean_title(title: str) -> str:
    title = re.sub(r"\s+", "", title)
    while True:
        stripped = _TITLE_NOISE.sub("", title)
        if stripped == title:
            return title
        title = stripped


def _find_title(text: str, lines: list[Span]) -> tuple[int, str, Span]:
    """Index of the title line, the cleaned title and its span."""

    def title_like(line: str) -> bool:
        too_long = len(line) > PLAIN_TITLE and not reads_as_formal_title(line)
        return not (heading_of(line) or too_long or line[-1] in _END_PUNCT)

    for i, span in enumerate(lines[:5]):
        line = text[span.start : span.end]
        if not title_like(line):
            continue
        if any(w in line for w in _DOC_WORDS):
            return i, _clean_title(line), span
        if i == 0:
            after = lines[1] if len(lines) > 1 else None
            second = text[after.start : after.end] if after else ""
            # a title in two lines: the unit, then the rest (青山县应急管理局 / 2023年…工作总结)
            if (
                after
                and len(line) <= 30
                and title_like(second)
                and any(w in second for w in _DOC_WORDS)
            ):
                return 1, _clean_title(line + second), Span(start=span.start, end=after.end)
            return i, _clean_title(line), span
    first = lines[0]
    line = text[first.start : first.end]
    if len(line) <= PLAIN_TITLE:
        return 0, _clean_title(line), first
    raise InputError(
        "no title found: the sample's first line should be the report's title (this one has "
        f"{len(line)} characters: a title has at most {PLAIN_TITLE}, or {FORMAL_TITLE} for a "
        "公文 title, 关于… ending in its type of document, with no sentence punctuation)"
    )


def _strip_repeated_title(text: str, span: Span, title: str) -> Span:
    """A body line that begins with the title again (as extracted from a PDF): skip it."""
    compact, pos = "", span.start
    while pos < span.end and len(compact) < len(title):
        if not text[pos].isspace():
            compact += text[pos]
        pos += 1
    core = _TITLE_NOISE.sub("", compact)
    if compact and (compact == title or core == title or compact.startswith(title)):
        # also swallow a trailing 范文/模板 word
        rest = text[pos : span.end]
        m = re.match(r"\s*(?:范文|模板|范本)?\s*", rest)
        pos += m.end() if m else 0
        return Span(start=pos, end=span.end)
    return span


def find_points(text: str, body: Span) -> list[Point]:
    """Every 一是/二是/一要… point in a body, in order."""
    from pipeline.numerals import parse_chinese

    points = []
    for para_match in re.finditer(r"[^\n]+", text[body.start : body.end]):
        base = body.start + para_match.start()
        for m in _POINT.finditer(para_match.group(0)):
            points.append(
                Point(
                    number=parse_chinese(m.group(1)) or 0,
                    form=m.group(2),
                    start=base + m.start(1),
                    end=base + m.end(2),
                )
            )
    return _series(points)


def _series(points: list[Point]) -> list[Point]:
    """Keep the points that form one or more 一, 二, 三… runs; drop stray words like 一要."""
    kept: list[Point] = []
    for i, p in enumerate(points):
        if p.number == 1:
            nxt = points[i + 1] if i + 1 < len(points) else None
            if nxt is not None and nxt.number == 2:
                kept.append(p)
        elif kept and p.number == kept[-1].number + 1:
            kept.append(p)
    return kept


def _block(
    text: str, lines: list[Span], heading: str | None, number: str | None, heading_span: Span | None
) -> Block:
    body = (
        Span(start=lines[0].start, end=lines[-1].end)
        if lines
        else Span(
            start=heading_span.end if heading_span else 0,
            end=heading_span.end if heading_span else 0,
        )
    )
    subs, markers = [], []
    listed = attachment_items([text[s.start : s.end] for s in lines])
    for span, item in zip(lines, listed, strict=True):
        found = None if item else heading_of(text[span.start : span.end])  # 附件：1. … / 2. …
        if found:
            subs.append(text[span.start : span.start + found[3]])
            level, _, h_start, _ = found
            markers.append(SubMarker(level=level, start=span.start, end=span.start + h_start))
    return Block(
        heading=heading,
        number=number,
        heading_span=heading_span,
        body=body,
        paragraphs=lines,
        points=find_points(text, body) if lines else [],
        subheadings=subs,
        sub_markers=markers,
    )


def _signature(text: str, lines: list[Span], personal: bool) -> tuple[Signature | None, int]:
    """The 落款 at the end (unit line, date line), and how many lines it takes (`personal`:
    the report is a person's, who signs it)."""
    if not lines:
        return None, 0
    last = text[lines[-1].start : lines[-1].end]
    if not _DATE_LINE.match(last):
        return None, 0
    unit_span, role, role_written = None, None, False
    second_span, second_role = None, None
    if (
        len(lines) >= 3
        and _SECOND_NAME_LINE.match(text[lines[-2].start : lines[-2].end])
        and _UNIT_LINE.match(text[lines[-3].start : lines[-3].end])
    ):  # a unit, a department or a person, the date: each line is the sample's
        unit_span, second_span = lines[-3], lines[-2]
        second = text[second_span.start : second_span.end]
        if _PERSON_LINE.match(second) and not _DEPARTMENT_END.search(second):
            second_role = "述职人" if personal else "落款人"
    elif len(lines) >= 2:
        prev = text[lines[-2].start : lines[-2].end]
        signer = _SIGNER_LINE.match(prev)
        if signer:
            role, role_written = signer.group(1), True
            unit_span = Span(start=lines[-2].start + signer.start(2), end=lines[-2].end)
        elif len(prev) <= 30 and not any(c in prev for c in _END_PUNCT + "、"):
            unit_span = lines[-2]
    sig = Signature(
        unit=text[unit_span.start : unit_span.end] if unit_span else None,
        unit_span=unit_span,
        role=role,
        role_written=role_written,
        second=text[second_span.start : second_span.end] if second_span else None,
        second_span=second_span,
        second_role=second_role,
        date=re.sub(r"\s+", "", last),
        date_span=lines[-1],
    )
    return sig, 3 if second_span else 2 if unit_span else 1


def find_outline(text: str) -> Outline:
    """The outline of a cleaned sample; InputError when it has no numbered sections."""
    lines = _lines(text)
    if not lines:
        raise InputError("the sample has no text left after cleaning")
    doc_number = None
    if len(lines) > 1 and is_masthead(text[lines[0].start : lines[0].end]):
        doc_number, lines = text[lines[0].start : lines[0].end], lines[1:]
    t_index, title, title_span = _find_title(text, lines)
    body_lines = lines[t_index + 1 :]
    if body_lines:
        body_lines[0] = _strip_repeated_title(text, body_lines[0], title)
        if body_lines[0].end <= body_lines[0].start:
            body_lines = body_lines[1:]
    addressee = None
    first = text[body_lines[0].start : body_lines[0].end] if body_lines else ""
    if first and is_addressee(first) and not heading_of(first):
        addressee, body_lines = body_lines[0], body_lines[1:]
    cut = imprint_start([text[s.start : s.end] for s in body_lines])
    imprint = [text[s.start : s.end] for s in body_lines[cut:]]
    body_lines = body_lines[:cut]
    signature, sig_lines = _signature(text, body_lines, personal="述职" in title)
    if sig_lines:
        body_lines = body_lines[:-sig_lines]

    headed = []
    for i, span in enumerate(body_lines):
        found = heading_of(text[span.start : span.end])
        if found:
            headed.append((i, found))
    if not headed:
        raise InputError(
            "no numbered sections found: expected headings such as 一、… or （一）… "
            "at the start of a line"
        )
    top = min(level for _, (level, *_rest) in headed)
    tops = [(i, f) for i, f in headed if f[0] == top]

    opening_lines = body_lines[: tops[0][0]]
    opening = _block(text, opening_lines, None, None, None) if opening_lines else None
    sections = []
    for k, (i, (_level, number, h_start, h_end)) in enumerate(tops):
        line = body_lines[i]
        h_span = Span(start=line.start + h_start, end=line.start + h_end)
        heading = text[h_span.start : h_span.end].strip().rstrip("。：:")
        end = tops[k + 1][0] if k + 1 < len(tops) else len(body_lines)
        rest = body_lines[i + 1 : end]
        # A heading whose body goes on in the same line ("（一）…。学校成立…").
        after = h_span.end + (1 if text[h_span.end : h_span.end + 1] == "。" else 0)
        if after < line.end:
            rest = [Span(start=after, end=line.end), *rest]
        sections.append(_block(text, rest, heading, number, h_span))
    return Outline(
        title=title,
        title_span=title_span,
        opening=opening,
        sections=sections,
        top_level=top,
        signature=signature,
        addressee=addressee,
        doc_number=doc_number,
        imprint=imprint,
    )


def heading_at(outline: Outline, pos: int) -> str:
    """The heading of the section holding `pos` ("" in the opening)."""
    return next(
        (
            b.heading
            for b in outline.sections
            if b.heading and (b.heading_span or b.body).start <= pos < b.body.end
        ),
        "",
    )
