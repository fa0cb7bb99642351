"""Markdown: the title as #, the numbering levels 一、/（一）/1./（1） as ## to #####, markers kept.

The 公文 numbers stay in the heading text; Markdown's own syntax in the draft's words
(`*`, `_`, a paragraph opening with "1.") is escaped, so that a placeholder such as
"******" or "20__年" shows as written instead of turning into emphasis or a list.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.render.layout import layout

if TYPE_CHECKING:
    from pipeline.document import Draft

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


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
            out += [f"# {escape_markdown(block.text)}", ""]
        elif block.kind == "heading":
            out += [f"{'#' * (block.level + 1)} {escape_markdown(block.text)}", ""]
        elif block.kind == "paragraph" and block.lead:
            rest = block.text[len(block.lead) :]
            lead = escape_markdown(block.lead, line_start=False)
            out += [f"**{lead}**{escape_markdown(rest, line_start=False)}", ""]
        elif block.kind == "paragraph":
            out += [escape_markdown(block.text), ""]
    signature = [b.text for b in blocks if b.kind == "signature"]
    if signature:
        # a hard line break (two trailing spaces) keeps unit and date on separate lines
        out += ["  \n".join(escape_markdown(line) for line in signature), ""]
    return "\n".join(out)
