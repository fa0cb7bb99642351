"""Plain text: 公文 numbering as written, no Markdown, one paragraph per line."""

from __future__ import annotations

from pipeline.document import Draft


def render_text(draft: Draft) -> str:
    return draft.text
