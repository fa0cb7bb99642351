"""Renderers: a Draft to Markdown, plain text, JSON or Word.

The renderers are imported when used, and `Draft` only for type checking, so that
`pipeline.spec` can import the house-style overrides (`pipeline.render.overrides`) without a
cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pipeline.errors import InputError

if TYPE_CHECKING:
    from pipeline.document import Draft
    from pipeline.render.overrides import StyleOverrides

Format = Literal["md", "txt", "json", "docx"]
FORMATS: tuple[str, ...] = ("md", "txt", "json", "docx")


OTHER_DOCUMENT_FORMATS = frozenset(
    {"doc", "dot", "dotx", "wps", "wpt", "rtf", "odt", "pdf", "ofd", "html", "htm", "epub"}
    | {"xls", "xlsx", "et", "ppt", "pptx", "dps"}
)
"""Extensions of documents Draftsmith does not write: Markdown under such a name would be a
file its user's program cannot open."""


def format_for(path: str | Path | None, explicit: str | None) -> str:
    """The output format: the explicit one, else the file's extension, else Markdown (a name
    ending in another document format, `.doc` or `.pdf`, is refused: it would not open)."""
    if explicit:
        if explicit not in FORMATS:
            raise InputError(f"unknown format '{explicit}': expected one of {', '.join(FORMATS)}")
        return explicit
    if path is not None:
        ext = Path(path).suffix.lstrip(".").lower()
        aliases = {"markdown": "md", "text": "txt"}
        ext = aliases.get(ext, ext)
        if ext in FORMATS:
            return ext
        if ext in OTHER_DOCUMENT_FORMATS:
            word = (
                "; for Word, name it .docx"
                if ext in {"doc", "dot", "dotx", "wps", "wpt", "rtf"}
                else ""
            )
            raise InputError(
                f"cannot write a .{ext} file: the output formats are "
                f"{', '.join('.' + f for f in FORMATS)}{word}",
                path=str(path),
            )
    return "md"


def word_options(
    fmt: str, *, clean: bool = False, spec_style: StyleOverrides | None = None
) -> dict[str, object]:
    """The Word renderer's options for `render`: `clean`, and the house style resolved from
    the spec's `style:` and draft.toml's `[style]`. Empty for the text formats."""
    if fmt != "docx":
        return {}
    from pipeline.render.style import house_style

    return {"clean": clean, "style": house_style(spec_style)}


def render(draft: Draft, fmt: str, **options: object) -> str | bytes:
    """Render `draft` in `fmt` (md, txt, json: text; docx: bytes).

    `options` are the Word renderer's (`clean`, `style`); the text formats take none and
    ignore them.
    """
    if fmt == "md":
        from pipeline.render.markdown import render_markdown

        return render_markdown(draft)
    if fmt == "txt":
        from pipeline.render.text import render_text

        return render_text(draft)
    if fmt == "json":
        from pipeline.render.json import render_json

        return render_json(draft)
    if fmt == "docx":
        from pipeline.render.docx import render_docx

        return render_docx(draft, **options)  # type: ignore[arg-type]
    raise InputError(f"unknown format '{fmt}': expected one of {', '.join(FORMATS)}")
