"""Plain text: 公文 numbering as written, no Markdown, one paragraph per line.

This is `Draft.text` exactly — the canonical form whose character offsets the markers and
findings carry — so that `draft check` on a .txt output reports the same positions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.document import Draft


def render_text(draft: Draft) -> str:
    """Title, a blank line, every heading and paragraph on its own line, then the 落款."""
    return draft.text
