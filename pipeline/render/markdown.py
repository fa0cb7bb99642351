"""Markdown: the title as #, the numbering levels 一、/（一）/1./（1） as ## to #####, markers kept.

The 公文 numbers stay in the heading text; Markdown's own syntax in the draft's words
(`*`, `_`, a paragraph opening with "1. ") is escaped, so that a placeholder such as
"******" or "20__年" shows as written instead of turning into emphasis or a list. A lead
heading's title is bold after its number ("（一）**强化耕地保护**。严格…"), so that
`draft check` of the Markdown reads the same headings as in the plain text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.render.layout import LEVEL_PATTERNS, layout

if TYPE_CHECKING:
    from pipeline.document import Draft
    from pipeline.render.layout import Block

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)](?=\s|$))")
"""Block syntax at a line's start; "1." starts a list only before a space ("1.完善" does not)."""


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """`text` with the characters Markdown would read as syntax escaped (with `line_start`,
    also a heading, quote, list or rule mark at its start)."""
    text = _INLINE.sub(r"\\\1", text)
    if not line_start:
        return text
    return _LINE_START.sub(lambda m: m.group(1) + _escape_start(m.group(2)), text)


def _escape_start(token: str) -> str:
    if token[-1] in ".)" and token[:-1].isdigit():
        return token[:-1] + "\\" + token[-1]
    return "\\" + token


def render_markdown(draft: Draft) -> str:
    """The draft as Markdown: headings as # levels, paragraphs separated by blank lines."""
    blocks = layout(draft)
    out: list[str] = []
    for block in blocks:
        if block.kind == "title":
            out += [f"# {escape_markdown(block.text, line_start=False)}", ""]
        elif block.kind == "heading":
            # after the #s a heading's text is inline: "#### 1.完善制度" needs no escape
            out += [
                f"{'#' * (block.level + 1)} {escape_markdown(block.text, line_start=False)}",
                "",
            ]
        elif block.kind == "paragraph" and block.lead:
            out += [_bold_lead(block, len(block.text)), ""]
        elif block.kind in ("paragraph", "addressee", "attachment"):
            out += [escape_markdown(block.text), ""]
    signature = [b.text for b in blocks if b.kind == "signature"]
    if signature:
        # a hard line break (two trailing spaces) keeps unit and date on separate lines
        out += ["  \n".join(escape_markdown(line) for line in signature), ""]
    return "\n".join(out)


def markdown_position(draft: Draft, offset: int) -> tuple[int, int]:
    """Line and column (from 1) in `render_markdown(draft)` of the character at `offset` in
    `Draft.text`, where findings point: so that a run's summary names the place in the
    Markdown file it wrote, as `draft check` of that file does."""
    blocks = layout(draft)
    line, found = 1, None
    for block in blocks:
        if block.kind != "signature":
            if block.start <= offset:
                found = (block, line)
            line += 2  # the paragraph and the blank line after it
    for block in blocks:
        if block.kind == "signature":  # its lines follow one another
            if block.start <= offset:
                found = (block, line)
            line += 1
    if found is None:
        return 1, 1
    block, row = found
    return row, len(_prefix(block, min(offset - block.start, len(block.text)))) + 1


def _prefix(block: Block, k: int) -> str:
    """What the Markdown line of `block` holds before the block's k-th character."""
    if block.kind == "title":
        return "# " + escape_markdown(block.text[:k], line_start=False)
    if block.kind == "heading":
        return "#" * (block.level + 1) + " " + escape_markdown(block.text[:k], line_start=False)
    if block.kind == "paragraph" and block.lead:
        return _bold_lead(block, k)
    # the line's start is escaped as in the whole paragraph: "1.完善" cut after "1." is not
    start = _LINE_START.match(block.text)
    return escape_markdown(block.text[:k], line_start=bool(start and k >= start.end()))


def _bold_lead(block: Block, k: int) -> str:
    """The first `k` characters of a paragraph with a lead heading, as Markdown: the lead's
    title in bold, its number and final stop outside ("（一）**强化耕地保护**。严格…").

    CommonMark closes `**` only after a letter or before a space or punctuation: with the
    stop inside, "**（一）强化耕地保护。**严格" shows its asterisks. And with the number
    first, `draft check` of the Markdown reads the heading as it reads the plain text.
    """
    text, lead = block.text, block.lead
    number = next((p.match(lead) for level, p in LEVEL_PATTERNS if level == block.level), None)
    title_start = number.end() if number else 0
    title = lead[title_start:-1]
    bold_start = title_start + len(title) - len(title.lstrip())
    bold_end = title_start + len(title.rstrip())
    marks = [bold_start, bold_end] if bold_start < bold_end else []
    out, pos = [], 0
    for mark in marks:
        if mark > k:
            break
        out += [escape_markdown(text[pos:mark], line_start=False), "**"]
        pos = mark
    out.append(escape_markdown(text[pos:k], line_start=False))
    return "".join(out)
