"""Reading a sample report (.txt, .md or .docx) into plain text, one paragraph per line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from pipeline.checker.escapes import Unescaped
from pipeline.docx_text import read_docx
from pipeline.errors import InputError
from pipeline.textio import document_kind, read_text

SampleFormat = Literal["txt", "md", "docx"]
SUPPORTED = {".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx"}

_WORD_RESAVE = "open it in Word or WPS and save it as .docx (文件 → 另存为 → Word 文档)"
_RESAVE = {
    ".doc": _WORD_RESAVE,
    ".wps": _WORD_RESAVE,
    ".rtf": _WORD_RESAVE,
    ".pdf": "copy its text into a .txt file, or open it in Word or WPS and save it as .docx",
}
"""What to do with a sample in a format an office worker has and learn cannot read."""
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_BULLET = re.compile(r"^\s{0,3}[-*+]\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


class SampleText(BaseModel):
    """A sample report as plain text."""

    path: str
    format: SampleFormat
    text: str
    """Paragraphs separated by newlines (a text file keeps its own line structure)."""


def _strip_markdown(text: str) -> str:
    """Markdown marks (#, >, list bullets, **bold**) removed and escapes resolved (`1\\.` is
    the heading number 1.), as the checker reads them; the words kept."""
    lines = []
    for line in text.splitlines():
        line = _MD_HEADING.sub("", line)
        line = _MD_QUOTE.sub("", line)
        line = _MD_BULLET.sub("", line)
        lines.append(_MD_EMPHASIS.sub(r"\2", line))
    return Unescaped("\n".join(lines)).text


_FIGURE = re.compile(r"\d")
MAX_CELL = 40
"""Longest cell of a table of figures; a table with a longer one lays out text, read as it is."""


def table_lines(rows: list[list[str]]) -> list[str]:
    """A sample's table as sentences, a row to a line, so that its figures keep their labels:
    under a header row (项目 | 参训人数 | 学时) a row reads “班主任培训：参训人数120，学时16。”;
    without one, “项目：数值。” (or its cells in a row). A table laying out text (long cells)
    gives its cells, one to a line."""
    rows = [[c.strip() for c in row] for row in rows if any(c.strip() for c in row)]
    if any(len(c) > MAX_CELL for row in rows for c in row):
        return [c for row in rows for c in row if c]
    head = rows[0] if len(rows) >= 2 and not any(_FIGURE.search(c) for c in rows[0]) else None
    lines = []
    for row in rows[1:] if head else rows:
        cells = [c for c in row if c]
        if head and len(row) == len(head) and len(cells) > 1:
            parts = [f"{h}{c}" for h, c in zip(head[1:], row[1:], strict=True) if c]
            lines.append(f"{row[0]}：{'，'.join(parts)}。")
        elif len(cells) == 2:
            lines.append(f"{cells[0]}：{cells[1]}。")
        elif cells:
            lines.append("，".join(cells) + ("。" if len(cells) > 1 else ""))
    return lines


def read_sample(path: str | Path) -> SampleText:
    """Read a sample report; refuse other extensions, empty files and undecodable text (exit 2)."""
    p = Path(path)
    # what is there comes before its name: a folder or a missing path has no "type"
    if not p.exists():
        if p.is_symlink():
            raise InputError("sample is a symbolic link to nothing (or to itself)", path=str(p))
        raise InputError("sample not found", path=str(p))
    if p.is_dir():
        raise InputError("expected a sample file, found a directory", path=str(p))
    kind = SUPPORTED.get(p.suffix.lower())
    if kind is None:
        resave = _RESAVE.get(p.suffix.lower(), "")
        raise InputError(
            f"unsupported sample type '{p.suffix or '(none)'}': expected .txt, .md or .docx"
            + (f"; {resave}" if resave else ""),
            path=str(p),
        )
    if kind == "docx":
        text = read_docx(p, what="sample", rows=table_lines)
    else:
        document = document_kind(p)  # a 范文.docx renamed 范文.txt: not "not UTF-8"
        if document is not None:
            raise InputError(f"not a text file but {document}", path=str(p))
        text = read_text(p, what="sample")
        if kind == "md":
            text = _strip_markdown(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    return SampleText(path=str(p), format=kind, text=text)  # type: ignore[arg-type]
