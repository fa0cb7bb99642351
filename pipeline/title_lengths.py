"""How long a document's title is: the measure the checker and `draft learn` read a first
line as the title by, and the limit a document title cited in the title is held to as input."""

from __future__ import annotations

import re

from pipeline.type_words import type_word

PLAIN_TITLE = 60
"""A first line of at most 60 characters with no sentence stop may be the title."""
CITED_TITLE = 80
"""Most characters in a document's title that a title cites in 《》 (a 转发通知's
关于转发《…》的通知): real forwarded titles run to 40–80 characters; more is a paragraph."""
FORMAL_TITLE = 130
"""Most characters in a 公文 title (…关于…的通知), set on two lines or more: a unit's name of
40 (`spec.MAX_NAME_CHARS`), 关于转发《》的通知 and a cited title of 80 fit."""

_NOT_IN_A_TITLE = re.compile(r"[。；;，,！？!?：:]")


def reads_as_formal_title(line: str) -> bool:
    """Whether a line longer than a plain title still reads as a 公文 title: 关于 a subject,
    ending in the type of document (…关于转发《…》的通知), with no sentence punctuation."""
    return (
        len(line) <= FORMAL_TITLE
        and "关于" in line
        and type_word(line) is not None
        and not _NOT_IN_A_TITLE.search(line)
    )
