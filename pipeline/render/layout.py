"""The draft as a list of laid-out paragraphs, each with its role and its offsets in `Draft.text`.

Every renderer that needs more than the plain text (Markdown headings, Word fonts) starts
here, so that all of them agree on what is a heading. Offsets are into `Draft.text`, where
markers and findings point, so a renderer can map a finding onto the words it covers.

Numbering levels (GB/T 9704): 一、 (level 1) → （一） (2) → 1. (3) → （1） (4). A numbered
paragraph is a heading when it is short, unless it is an item of a list (（一）…；, read as
the checker reads lists: `list_items`); a paragraph that opens with a short numbered
sentence and goes on ("（一）强化耕地保护。严格落实……") has that sentence as its lead
heading and the rest as body text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from pipeline.checker.text import attachment_items, list_items

if TYPE_CHECKING:
    from pipeline.document import Draft

_CN_NUM = "[一二三四五六七八九十百]+"
LEVEL_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^{_CN_NUM}、")),
    (2, re.compile(rf"^[（(]{_CN_NUM}[）)]")),
    (3, re.compile(r"^\d{1,2}[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
)
"""The numbering of each heading level, at the start of a paragraph."""

MAX_HEADING_CHARS = 40
"""The longest text (number included) read as a heading."""

_SENTENCE_END = "。！？!?"
_LEAD_END = re.compile(r"[。！？!?]")

Role = Literal[
    "title", "body", "heading1", "heading2", "heading3", "heading4", "signature", "page_number"
]
Kind = Literal["title", "addressee", "heading", "paragraph", "attachment", "signature"]
"""An `attachment` is a line continuing the attachment note (附件：1. …), 2. …: no heading."""


class Segment(BaseModel):
    """A stretch of one paragraph set in one role's font."""

    role: Role
    start: int
    end: int


class Block(BaseModel):
    """One paragraph of the laid-out draft."""

    kind: Kind
    level: int = 0
    """Heading level 1–4 for a heading (or a paragraph with a lead heading), else 0."""
    text: str
    start: int
    """Offset of the paragraph's first character in `Draft.text`."""
    segments: list[Segment]
    lead: str = ""
    """For a paragraph that opens with a numbered heading sentence: that sentence."""

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _whole_block(kind: Kind, text: str, start: int, role: Role, level: int = 0) -> Block:
    """A paragraph set in one role from end to end (a title, a heading, a 落款 line…)."""
    return Block(
        kind=kind,
        level=level,
        text=text,
        start=start,
        segments=[Segment(role=role, start=start, end=start + len(text))],
    )


def heading_level(paragraph: str) -> int:
    """The numbering level (1–4) that `paragraph` opens with, or 0."""
    for level, pattern in LEVEL_PATTERNS:
        if pattern.match(paragraph):
            return level
    return 0


def _is_standalone_heading(paragraph: str) -> bool:
    """Short, and no sentence ends inside it (a final 。 is allowed)."""
    if len(paragraph) > MAX_HEADING_CHARS:
        return False
    inner = paragraph.rstrip(_SENTENCE_END)
    return not any(c in _SENTENCE_END for c in inner)


def _numbered_line(paragraph: str) -> tuple[int, str] | None:
    """The level and text of a paragraph that is one numbered line, for `list_items`."""
    level = heading_level(paragraph)
    return (level, paragraph) if level and _is_standalone_heading(paragraph) else None


def lead_heading(paragraph: str) -> str:
    """The numbered lead sentence of a paragraph that goes on after it, or ""."""
    if not heading_level(paragraph):
        return ""
    m = _LEAD_END.search(paragraph)
    if not m or m.end() > MAX_HEADING_CHARS or m.end() >= len(paragraph):
        return ""
    return paragraph[: m.end()]


def _paragraph_block(paragraph: str, start: int) -> Block:
    level = heading_level(paragraph)
    if level and _is_standalone_heading(paragraph):
        role: Role = f"heading{level}"  # type: ignore[assignment]
        return _whole_block("heading", paragraph, start, role, level)
    lead = lead_heading(paragraph)
    if lead:
        role = f"heading{level}"  # type: ignore[assignment]
        cut = start + len(lead)
        return Block(
            kind="paragraph",
            level=level,
            text=paragraph,
            start=start,
            lead=lead,
            segments=[
                Segment(role=role, start=start, end=cut),
                Segment(role="body", start=cut, end=start + len(paragraph)),
            ],
        )
    return _whole_block("paragraph", paragraph, start, "body")


def layout(draft: Draft) -> list[Block]:
    """The paragraphs of `draft` in order, with roles and offsets into `draft.text`.

    Walks the draft exactly as `Draft.text` is built; a mismatch is a bug and raises.
    """
    text = draft.text
    blocks: list[Block] = []
    pos = 0

    def take(line: str) -> int:
        nonlocal pos
        start = pos
        if text[start : start + len(line)] != line:
            raise AssertionError(f"layout out of step with Draft.text at offset {start}")
        pos = start + len(line) + 1  # the newline
        return start

    blocks.append(_whole_block("title", draft.title, take(draft.title), "title"))
    take("")
    if draft.addressee_line:  # the 主送机关, in the body's font
        line = draft.addressee_line
        blocks.append(_whole_block("addressee", line, take(line), "body"))
    for section in draft.sections:
        if section.heading:
            start = take(section.heading)
            blocks.append(_whole_block("heading", section.heading, start, "heading1", 1))
        paragraphs = [p for p in section.body.split("\n") if p]
        listed = list_items([_numbered_line(p) for p in paragraphs])
        for paragraph, attached, item in zip(
            paragraphs, attachment_items(paragraphs), listed, strict=True
        ):
            start = take(paragraph)
            if attached:
                blocks.append(_whole_block("attachment", paragraph, start, "body"))
            elif item:  # （一）镇党政领导班子成员；: a list's item, in the body's font
                blocks.append(_whole_block("paragraph", paragraph, start, "body"))
            else:
                blocks.append(_paragraph_block(paragraph, start))
    if draft.signature:
        take("")
        for line in draft.signature.lines():
            blocks.append(_whole_block("signature", line, take(line), "signature"))
    return blocks
