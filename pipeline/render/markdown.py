"""Markdown: the title as #, section headings as ##, subsection headings as ###, markers kept."""

from __future__ import annotations

import re

from pipeline.document import Draft

SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）\S{1,40}$")
"""A paragraph that is a second-level heading such as （一）强化耕地保护."""


def render_markdown(draft: Draft) -> str:
    out = [f"# {draft.title}", ""]
    for s in draft.sections:
        if s.heading:
            out += [f"## {s.heading}", ""]
        for p in filter(None, s.body.split("\n")):
            out += [f"### {p}" if SUBHEADING.match(p) else p, ""]
    if draft.signature:
        out.append(draft.signature.unit + ("  " if draft.signature.date else ""))
        if draft.signature.date:
            out.append(draft.signature.date)
        out.append("")
    return "\n".join(out)
