"""Cleaning a model's answer into a section body: no fences, no preamble, no repeated heading."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*$")
_HEADING_NUMBER = re.compile(r"^[#\s]*(?:[一二三四五六七八九十]+、)?")


def clean_section_text(text: str, heading: str | None) -> str:
    """The section body as paragraphs, one per line, with the model's wrapping removed.

    Drops code fences, Markdown heading marks and a repeated section heading.
    """
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if not _FENCE.match(line)]
    paragraphs = [line.strip().lstrip("#").strip() for line in lines]
    paragraphs = [p for p in paragraphs if p]
    if heading and paragraphs:
        first = _HEADING_NUMBER.sub("", paragraphs[0]).strip()
        if first == heading.strip():
            paragraphs = paragraphs[1:]
    return "\n".join(paragraphs)
