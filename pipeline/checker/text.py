"""Reading a text as the checker sees it: lines, headings, sections — with exact offsets.

Plain text and Markdown are both accepted: a Markdown heading mark (`## `), a quote mark
(`> `) and the indentation are skipped, but every offset stays an offset into the text
exactly as given. Paragraph breaks that PDF extraction flattened into spaces can be passed in
(`breaks`), so a whole report extracted onto one line still parses into its headings.

Numbering levels (DOMAIN.md): 一、 → （一） → 1. → （1）.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.lazy_re import lazy_pattern
from pipeline.markers import MARKER_RE
from pipeline.numerals import parse_chinese
from pipeline.title_lengths import PLAIN_TITLE, reads_as_formal_title
from pipeline.type_words import DOC_TYPE_WORDS, SIGNER_WORDS, UNIT_ENDINGS

CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
"""Han characters (and 〇), for use inside a regex character class."""
CN_DIGITS = "〇零一二三四五六七八九十百千万亿两"
"""Characters of a Chinese numeral."""
HSPACE = " \t\u3000\u00a0"
"""Horizontal white space: a blank inside a line."""
SENTENCE_END = "。：:！？!?；;…"
"""Characters that may end a paragraph."""


def is_cjk(ch: str) -> bool:
    """True for a Han character (or 〇)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or o == 0x3007
        or 0x20000 <= o <= 0x2FFFF
    )


def in_cjk_class(ch: str) -> bool:
    """True for a character of `CJK_CLASS` (unlike `is_cjk`, no supplementary-plane Han)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or o == 0x3007


def small_cn_number(s: str) -> int | None:
    """一 → 1, 十二 → 12, 九十九 → 99: the ordinals of headings and 一是/二是 (None if not one)."""
    if not s or len(s) > 3 or (len(s) > 1 and "十" not in s):
        return None
    value = parse_chinese(s)
    return value if value is not None and value < 100 else None


class LineIndex:
    """Maps an offset to its 1-based line and column (in characters)."""

    def __init__(self, text: str):
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", text))
        self._lines: tuple[str, list[tuple[int, int]]] | None = None

    def locate(self, offset: int) -> tuple[int, int]:
        """(line, column) of `offset`, both 1-based."""
        i = bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def physical_lines(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every line, newline (and a CR before it) excluded (not to be mutated:
        four rule families read them, so they are worked out once per text)."""
        if self._lines is not None and self._lines[0] is text:
            return self._lines[1]
        out = []
        n = len(text)
        for i, start in enumerate(self.starts):
            end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else n
            if end > start and text[end - 1] == "\r":
                end -= 1
            out.append((start, end))
        self._lines = (text, out)
        return out


# ----------------------------------------------------------------------------- headings

_HEADING_RES: list[tuple[int, str, re.Pattern[str]]] = [
    (0, "一、", re.compile(r"([一二三四五六七八九十]{1,3})[、，,]")),
    (1, "（一）", re.compile(r"[（(]([一二三四五六七八九十]{1,3})[）)]")),
    (3, "（1）", re.compile(r"[（(](\d{1,2})[）)]")),
    (2, "1.", re.compile(r"(\d{1,2})(?:[.．](?!\d)|、)")),
]
MD_PREFIX = re.compile(r"[ \t\u3000\u00a0]*(?:(#{1,6})[ \t]+|>[ \t]?)?[ \t\u3000\u00a0]*")
"""What comes before a line's content: blanks and a Markdown heading's marks (group 1) or a quote's."""
_RUN_IN_END = re.compile(r"[。！？!?]")


@dataclass(frozen=True)
class Line:
    """A logical line: a physical line, or part of one split at a flattened paragraph break."""

    start: int
    end: int
    cstart: int
    """Where the content starts: after indentation and any Markdown mark."""
    cend: int
    """Where the content ends: before trailing white space."""
    md_level: int = 0
    """The number of `#` of a Markdown heading; 0 for other lines."""

    def content(self, text: str) -> str:
        return text[self.cstart : self.cend]

    @property
    def blank(self) -> bool:
        return self.cend <= self.cstart


@dataclass(frozen=True)
class Heading:
    """A numbered heading (一、 （一） 1. （1）) or an unnumbered Markdown heading."""

    level: int
    """0 for 一、, 1 for （一）, 2 for 1., 3 for （1）; an unnumbered Markdown heading takes the
    level of its `#` count (## → 0, ### → 1)."""
    number: int | None
    form: str
    """The number as written, normalised: 一、 （一） 1. （1）; a non-standard form keeps its own
    shape (1、, (一), 一，)."""
    start: int
    """Start of the number (or of the title for an unnumbered heading)."""
    title_start: int
    title_end: int
    """The title runs to the first 。 for a run-in heading, else to the end of the line."""
    end: int
    """End of the line's content."""
    run_in: bool
    """Body text follows the title on the same line."""
    line: Line

    def title(self, text: str) -> str:
        return text[self.title_start : self.title_end]


def _heading_form(level: int, written: str) -> str:
    if level == 0:
        return "一、" if written.endswith("、") else "一" + written[-1]
    if level == 1:
        return "（一）" if written.startswith("（") and written.endswith("）") else "(一)"
    if level == 3:
        return "（1）" if written.startswith("（") and written.endswith("）") else "(1)"
    return "1." if written.endswith((".", "．")) else "1、"


def parse_heading(text: str, line: Line) -> Heading | None:
    """The heading on `line`, if the line starts with a heading number (or is a Markdown heading)."""
    content = line.content(text)
    if not content:
        return None
    for level, _, pattern in _HEADING_RES:
        m = pattern.match(content)
        if not m:
            continue
        rest = content[m.end() :]
        if not rest.strip(HSPACE):
            return None  # a bare number is not a heading
        if level == 0 and m.group(0)[-1] in "，," and (len(rest) > 40 or _RUN_IN_END.search(rest)):
            return None  # 一，二，… is a heading only on its own short line
        if level == 2 and rest[0].isdigit():
            return None
        number = int(m.group(1)) if level >= 2 else small_cn_number(m.group(1))
        title_start = line.cstart + m.end()
        stop = _RUN_IN_END.search(content, m.end())
        run_in = bool(stop and stop.end() < len(content))
        title_end = line.cstart + stop.start() if stop else line.cend
        while title_end > title_start and text[title_end - 1] == "*":
            title_end -= 1  # the end of a bold run-in title: **（一）标题**。正文
        return Heading(
            level=level,
            number=number,
            form=_heading_form(level, m.group(0)),
            start=line.cstart,
            title_start=title_start,
            title_end=title_end,
            end=line.cend,
            run_in=run_in,
            line=line,
        )
    if line.md_level >= 2:
        return Heading(
            level=line.md_level - 2,
            number=None,
            form="",
            start=line.cstart,
            title_start=line.cstart,
            title_end=line.cend,
            end=line.cend,
            run_in=False,
            line=line,
        )
    return None


# ----------------------------------------------------------------------------- document


@dataclass
class Section:
    """A top-level part: the opening (no heading) or a 一、 section with everything under it."""

    heading: Heading | None
    start: int
    end: int
    body_start: int
    lines: list[Line] = field(default_factory=list)
    """The non-blank lines of the body (subheadings included)."""

    def body(self, text: str) -> str:
        return text[self.body_start : self.end]


@dataclass
class Document:
    """A text split into title, sections and signature."""

    text: str
    lines: list[Line]
    """Non-blank logical lines in order."""
    title: Line | None
    headings: list[Heading]
    sections: list[Section]
    signature: tuple[int, int] | None = None
    """(start, end) of the signature block (unit and date lines), when there is one."""
    addressee: Line | None = None
    """The 主送机关 line under the title (各乡镇人民政府，县直各有关单位：), when there is one."""

    @property
    def heading_numbers(self) -> list[tuple[int, int]]:
        """The spans of the headings' numbers (一、 （一） 1. （1）): they state no fact."""
        return [(h.start, h.title_start) for h in self.headings]


def _make_line(text: str, start: int, end: int) -> Line:
    m = MD_PREFIX.match(text, start, end)
    cstart = m.end() if m else start
    md_level = len(m.group(1)) if m and m.group(1) else 0
    cend = end
    while cend > cstart and text[cend - 1] in HSPACE + "\r":
        cend -= 1
    # a Markdown bold line (**一、指导思想**), as Typora and web editors write a heading
    if text.startswith("**", cstart) and text.find("**", cstart + 2, cend) != -1:
        cstart += 2
        if text.startswith("**", cend - 2) and cend - 2 > cstart:
            cend -= 2
    return Line(start=start, end=end, cstart=cstart, cend=max(cend, cstart), md_level=md_level)


def logical_lines(
    text: str, index: LineIndex, breaks: list[tuple[int, int]] | None = None
) -> list[Line]:
    """Every non-blank line, physical lines split at the flattened paragraph breaks `breaks`."""
    cuts = sorted(breaks or [])
    out: list[Line] = []
    k = 0
    for start, end in index.physical_lines(text):
        pos = start
        while k < len(cuts) and cuts[k][0] < start:
            k += 1
        while k < len(cuts) and cuts[k][1] <= end:
            a, b = cuts[k]
            line = _make_line(text, pos, a)
            if not line.blank:
                out.append(line)
            pos = b
            k += 1
        line = _make_line(text, pos, end)
        if not line.blank:
            out.append(line)
    return out


DATE_LINE = re.compile(
    r"(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十〇]{1,3}月[\d一二三四五六七八九十〇]{1,3}日"
)
"""A 落款 date as a whole line (2021年1月15日, 二〇二一年一月十五日), read by the checker and by the
clean-up of a model's answer."""


SIGNER_LINE = lazy_pattern(rf"(?:{'|'.join(SIGNER_WORDS)})[：:][ \t\u3000]*")
"""The start of a person's 落款 line, 述职人：张明: the name follows."""


def _find_signature(text: str, lines: list[Line]) -> tuple[int, int] | None:
    if not lines:
        return None
    last = lines[-1]
    content = last.content(text)
    dated = DATE_LINE.fullmatch(content) is not None
    # a draft without its date has the date's marker there (【待补充：成文日期】), under the unit
    if not dated and not MARKER_RE.fullmatch(content):
        return None
    unit = lines[-2].content(text) if len(lines) >= 2 else ""
    signer = SIGNER_LINE().match(unit)
    name = unit[signer.end() :] if signer else unit  # 述职人：张明 signs as 张明 does
    if not _a_signing_name(name):
        return (last.cstart, last.cend) if dated else None
    first = lines[-3].content(text) if len(lines) >= 3 else ""
    if not signer and len(name) <= 15 and _SIGNING_UNIT().fullmatch(first):
        return lines[-3].cstart, last.cend  # 青山县卫生健康局 / 办公室 (or 张明) / the date
    return lines[-2].cstart, last.cend


def _a_signing_name(line: str) -> bool:
    return 2 <= len(line) <= 40 and not re.search(r"[。，,；;：:、]", line)


_SIGNING_UNIT = lazy_pattern(rf"[\u4e00-\u9fff（）()Xx×]{{2,30}}(?:{UNIT_ENDINGS})")
"""A unit's name, the first of a 落款's two name lines: a line above a short one ends in
what names a unit, or it is the section's last line of text."""


def _title_lines(text: str, lines: list[Line], heading_at: dict[int, Heading]) -> Line | None:
    """The title: the first line when it reads as one, with the next line when the title is
    set on two (青山县自然资源局 / 2023年工作总结: the type of document only on the second)."""
    first = lines[0]
    content = first.content(text)
    if first.start in heading_at or not (
        first.md_level == 1
        or (len(content) <= PLAIN_TITLE and not re.search(r"[。；;]", content) and len(lines) > 1)
        or (reads_as_formal_title(content) and len(lines) > 1)
    ):
        return None
    if len(lines) < 3 or any(word in content for word in DOC_TYPE_WORDS):
        return first
    second = lines[1]
    more = second.content(text)
    if (
        second.start in heading_at
        or text.count("\n", first.end, second.start) > 1  # a blank line between
        or len(more) > 40
        or re.search(r"[。；;，,：:]", more)
        or not any(word in more for word in DOC_TYPE_WORDS)
    ):
        return first
    return Line(
        start=first.start, end=second.end, cstart=first.cstart, cend=second.cend,
        md_level=first.md_level,
    )  # fmt: skip


_ADDRESSEE = lazy_pattern(
    rf"[^。；;！？!?]{{2,150}}(?:{UNIT_ENDINGS}|单位|部门|机关|学院|同志|科室|班级|党员)[：:]"
    r"|[^。；;！？!?]{0,150}?(?:全|广大|各)[^，,、。；;：:\s]{0,6}"
    r"(?:团员|队员|教职工|职工|师生|干部|会员)[：:]"
    rf"|{MARKER_RE.pattern}[：:]"
)
"""A 主送机关 line: names of units (or its marker), ending in a colon — not an opening's
lead-in, 现将有关情况报告如下：. Inside a unit it names its parts or people (院内各科室：,
各年级组、教研组，各班级：, 各党小组，全体党员：, 全体教职工：); people other than 党员 only
after 全/广大/各, so that a sentence (决定表彰以下团员：) is none."""


def is_addressee(line: str) -> bool:
    """Whether a line (the first after the title) reads as a 主送机关: units and a colon."""
    return _ADDRESSEE().fullmatch(line) is not None


def _addressee_line(text: str, lines: list[Line], heading_at: dict[int, Heading]) -> Line | None:
    """The first line after the title when it is a 主送机关."""
    if not lines or lines[0].start in heading_at:
        return None
    return lines[0] if is_addressee(lines[0].content(text)) else None


_attachment_note = lazy_pattern(r"附件[：:][ \t\u3000]*\d{1,2}[.．、]")
"""The attachment note of a 公文 (附件：1. 活动安排表), its items numbered as in GB/T 9704."""
_attachment_item = lazy_pattern(r"\d{1,2}[.．、]")


def is_attachment_note(line: str) -> bool:
    """Whether a line starts an attachment note: 附件：1. 活动安排表."""
    return _attachment_note().match(line) is not None


def attachment_items(contents: list[str]) -> list[bool]:
    """For each line's content, whether it continues an attachment note (附件：1. …, then
    2. …): an attachment's name, not a heading."""
    out: list[bool] = []
    in_list = False
    for content in contents:
        if _attachment_note().match(content):
            in_list = True
            out.append(False)
        else:
            in_list = in_list and _attachment_item().match(content) is not None
            out.append(in_list)
    return out


_ITEM_END = frozenset("。；;！!")
_LIST_ITEM_END = frozenset("；;")


def list_items(lines: Sequence[tuple[int, str] | None]) -> list[bool]:
    """For each line, whether it is an item of a numbered list, not a heading awaiting text.

    `lines` gives each line's numbering level and text, or None for a line that is no whole
    numbered line (body text, a run-in heading). An item ends in ；, or is one of two or more
    same-level lines in a row each a whole sentence ((一)危险化学品企业；(二)人员密集场所；
    (三)道路交通领域。). The checker and the renderers read lists by this one rule.
    """
    out = [False] * len(lines)
    run: list[int] = []
    run_level = 0

    def close() -> None:
        if len(run) >= 2:
            for i in run:
                out[i] = True

    for i, line in enumerate(lines):
        if line is None or line[1][-1:] not in _ITEM_END:  # not a whole sentence
            close()
            run = []
            continue
        level, content = line
        if content[-1] in _LIST_ITEM_END:
            out[i] = True
        if run and run_level != level:
            close()
            run = []
        run.append(i)
        run_level = level
    close()
    return out


def _attachment_list(text: str, lines: list[Line]) -> set[int]:
    """Starts of the lines continuing an attachment note."""
    items = attachment_items([ln.content(text) for ln in lines])
    return {ln.start for ln, item in zip(lines, items, strict=True) if item}


_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(?:[^\n]*\n){0,40}?---[ \t]*\r?(?:\n|$)")
"""A Markdown file's YAML front matter (---, title: …, ---): the editor's, not the report's."""


def parse_document(
    text: str,
    index: LineIndex | None = None,
    *,
    breaks: list[tuple[int, int]] | None = None,
    skip: list[tuple[int, int]] | None = None,
    has_title: bool = True,
) -> Document:
    """Split `text` into title, sections (by 一、 headings) and signature.

    `skip` lists spans (site residue) whose lines are left out; `has_title=False` reads a
    section body, whose first line is never a title.
    """
    index = index or LineIndex(text)
    skipped = sorted(skip or [])
    front = _FRONT_MATTER.match(text) if text.startswith("---") else None
    lines = [
        ln
        for ln in logical_lines(text, index, breaks)
        if not _covered(ln.cstart, ln.cend, skipped) and (front is None or ln.start >= front.end())
    ]
    attachments = _attachment_list(text, lines) if "附件" in text else set()
    headings = [
        h
        for ln in lines
        if ln.start not in attachments and (h := parse_heading(text, ln)) is not None
    ]
    heading_at = {h.line.start: h for h in headings}

    head = _masthead(text, lines) if has_title and ("号" in text or "签发人" in text) else set()
    kept = [ln for ln in lines if ln.start not in head]
    readable = _without_imprint(text, kept)
    imprint = kept[len(readable)].start if len(readable) < len(kept) else len(text)
    title = _title_lines(text, readable, heading_at) if has_title and readable else None
    after_title = [ln for ln in readable if title is None or ln.start >= title.end]
    addressee = _addressee_line(text, after_title, heading_at) if title else None
    if addressee is not None:
        after_title = after_title[1:]
    signature = _find_signature(text, after_title)

    body_lines = after_title
    end_of_text = signature[0] if signature else imprint
    if signature:
        body_lines = [ln for ln in body_lines if ln.cstart < signature[0]]

    sections: list[Section] = []
    opening_start = addressee.end if addressee else title.end if title else 0
    current = Section(heading=None, start=opening_start, end=end_of_text, body_start=opening_start)
    for ln in body_lines:
        h = heading_at.get(ln.start)
        if h is not None and h.level == 0:
            current.end = ln.start
            sections.append(current)
            body_start = h.end if not h.run_in else h.title_end
            current = Section(heading=h, start=ln.start, end=end_of_text, body_start=body_start)
            if h.run_in:
                current.lines.append(ln)
            continue
        current.lines.append(ln)
    sections.append(current)
    # the opening is kept even when empty, so every offset before the first heading has a home
    return Document(
        text=text,
        lines=lines,
        title=title,
        headings=headings,
        sections=sections,
        signature=signature,
        addressee=addressee,
    )


_MASTHEAD = lazy_pattern(
    rf"(?:[{CJK_CLASS}]{{1,12}}[〔［\[]\d{{4}}[〕］\]]\d{{1,4}}号)?[{HSPACE}]*"
    rf"(?:签发人[：:][{HSPACE}]*[{CJK_CLASS}{HSPACE}、，,]{{2,40}})?"
)
"""A 公文's 版头 line (GB/T 9704): its 发文字号 (青应急〔2025〕12号) and/or the 签发人 line."""


def is_masthead(line: str) -> bool:
    """Whether a line is a 公文's 发文字号 and/or 签发人 line (青应急〔2025〕12号)."""
    # such a line holds 号 or 签发人 (the rest of the pattern is optional or blank): other
    # lines are told apart without compiling the pattern, whose two Han classes are slow
    return ("号" in line or "签发人" in line) and _MASTHEAD().fullmatch(line) is not None


def _masthead(text: str, lines: list[Line]) -> set[int]:
    """Starts of the 发文字号/签发人 lines among the first three: above or under the title,
    they are layout, neither the title nor the 主送机关."""
    return {ln.start for ln in lines[:3] if is_masthead(ln.content(text))}


_COPIED_TO_RE = r"(?:抄送|主送)[：:].*"
_PRINTED_UNDATED_RE = rf"[{CJK_CLASS}（）()Xx×]{{2,40}}[{HSPACE}]*印发"
_IMPRINT = lazy_pattern(
    rf"{_COPIED_TO_RE}|（此件[^）]{{1,20}}）"
    rf"|.*\d{{4}}年\d{{1,2}}月\d{{1,2}}日[{HSPACE}]*印发|{_PRINTED_UNDATED_RE}"
)
"""A line of a 公文's 版记 after its 落款 (GB/T 9704): 抄送：…, the 印发 line (…2025年2月20日印发,
or XX县人民政府办公室印发 with its date on the next line or none) — or the 附注 between them,
（此件公开发布）."""
_PRINTED_UNDATED = lazy_pattern(_PRINTED_UNDATED_RE)
_COPIED_TO = lazy_pattern(_COPIED_TO_RE)
_LIST_GOES_ON = lazy_pattern(rf"[{CJK_CLASS}（）()、，,；;{HSPACE}]{{2,200}}[。.]?")
"""The second line of a 抄送 list that wraps: names of units and their separators."""


def imprint_start(contents: list[str]) -> int:
    """Where the 版记 (and 附注) ending a text starts: the index of its first line among the
    lines' `contents`, len(contents) when the text ends without one. A 抄送 list may wrap
    onto further lines, and an 印发 line without a date may have it on the next line."""
    i = len(contents)
    while i > 0:
        line = contents[i - 1]
        if _IMPRINT().fullmatch(line):
            i -= 1
        elif i >= 2 and DATE_LINE.fullmatch(line) and _PRINTED_UNDATED().fullmatch(contents[i - 2]):
            i -= 2  # XX县人民政府办公室印发 / 2025年2月20日
        elif _LIST_GOES_ON().fullmatch(line):
            j = i - 1  # a wrapped 抄送 list: its first line, not ended with 。, is above
            while j > 0 and _LIST_GOES_ON().fullmatch(contents[j - 1]):
                j -= 1
            head = contents[j - 1] if j > 0 else ""
            if not _COPIED_TO().fullmatch(head) or head.rstrip(HSPACE).endswith("。"):
                break
            i = j - 1
        else:
            break
    return i


def _without_imprint(text: str, lines: list[Line]) -> list[Line]:
    """`lines` without the 版记 (and 附注) lines that end the text: layout, not body text."""
    return lines[: imprint_start([ln.content(text) for ln in lines])]


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """True when [start, end) lies inside one of the sorted `spans`."""
    i = bisect_right(spans, (start, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]


# ----------------------------------------------------------------------------- compact view


class Compact:
    """The text with blanks inside lines removed, and the map back to original offsets.

    Set phrases and banned phrases are matched here, so a PDF wrap space ("大精 神") or a
    gap's blank does not hide them; findings map back to the text exactly as given.
    """

    def __init__(self, text: str):
        parts: list[str] = []
        self._at: list[int] = [0]
        """Compact offsets where a removed blank was."""
        self._shift: list[int] = [0]
        """Characters removed before each of those offsets."""
        pos = removed = 0
        for m in _BLANKS.finditer(text):
            parts.append(text[pos : m.start()])
            removed += m.end() - m.start()
            self._at.append(m.start() - removed + (m.end() - m.start()))
            self._shift.append(removed)
            pos = m.end()
        parts.append(text[pos:])
        self.text = "".join(parts)

    def original(self, i: int) -> int:
        """The original offset of compact character i."""
        k = bisect_right(self._at, i) - 1
        return i + self._shift[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of compact [start, end)."""
        if end <= start:
            o = self.original(start)
            return o, o
        return self.original(start), self.original(end - 1) + 1


_BLANKS = re.compile(r"[ \t\u3000\u00a0]+")


def compact_view(text: str) -> Compact:
    """Remove every horizontal blank, keeping a map to the original offsets."""
    return Compact(text)
