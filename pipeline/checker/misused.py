"""Commonly misused words (常见错别字): `style.misused-word` (error).

The words are data, `schemas/lexicon/misused-words.yaml`, built in and applied to every text:
a wrong form (再接再励, 按步就班, 截止2024年底) is reported with its right one. The file is read
and validated when a text is first checked, not at start-up, and once per process.

The words are found with `str.find` on the compact view (blanks inside a line removed), one
search per wrong form whose characters the text all holds: no regular expression, since an
alternation of a hundred and more CJK words takes Python's `re` over 10 ms to compile, more
than the searches of many texts (issue #4).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline import paths
from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.validation import load_model

FILE_NAME = "misused-words.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class MisusedWord(_Strict):
    """One wrong form, its right form, and where the wrong form is one."""

    wrong: str = Field(min_length=2)
    right: str = Field(min_length=1)
    followed_by: tuple[str, ...] = ()
    """Wrong only when the text after it starts with one of these (截止 before a time point)."""
    not_followed_by: tuple[str, ...] = ()
    """No finding when the text after it starts with one of these (预防犯罪 holds 防犯)."""
    not_preceded_by: tuple[str, ...] = ()
    """No finding when the text before it ends with one of these (标签定价 holds 签定)."""

    @model_validator(mode="after")
    def _consistent(self) -> MisusedWord:
        if self.wrong == self.right:
            raise ValueError(f"'wrong' and 'right' are both '{self.wrong}'")
        for context in (*self.followed_by, *self.not_followed_by, *self.not_preceded_by):
            if not context:
                raise ValueError("a context string is empty")
        return self

    def is_wrong_at(self, text: str, start: int) -> bool:
        """True when the wrong form written at `start` of `text` is the misspelling."""
        end = start + len(self.wrong)
        if self.followed_by and not text.startswith(self.followed_by, end):
            return False
        if self.not_followed_by and text.startswith(self.not_followed_by, end):
            return False
        return not (self.not_preceded_by and text.endswith(self.not_preceded_by, 0, start))


class MisusedWords(_Strict):
    """The list of misused words, as the file holds it."""

    version: int = 1
    words: list[MisusedWord] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> MisusedWords:
        seen: set[str] = set()
        for word in self.words:
            if word.wrong in seen:
                raise ValueError(f"'{word.wrong}' is listed twice")
            seen.add(word.wrong)
        return self


def builtin_path() -> Path:
    """The built-in list."""
    return paths.builtin_schemas_dir() / "lexicon" / FILE_NAME


def load_misused_words(path: Path) -> MisusedWords:
    """Read and validate a list of misused words; a broken file is an InputError naming it."""
    return load_model(
        path, MisusedWords, what="misused-word list", expected="a mapping with a 'words' list"
    )


@cache
def _builtin_words() -> tuple[tuple[frozenset[str], MisusedWord], ...]:
    """The built-in words, each with the characters of its wrong form; loaded on first use."""
    return tuple((frozenset(w.wrong), w) for w in load_misused_words(builtin_path()).words)


def _hits(text: str) -> Iterator[tuple[int, MisusedWord]]:
    """(offset, word) of each misused word in `text`."""
    # a word is searched for only when the text holds all its characters: most wrong forms
    # have one a given report never writes (励, 篡, 憾), and one set of the text costs less
    # than the searches it saves
    present = set(text)
    for chars, word in _builtin_words():
        if not chars <= present:
            continue
        pos = text.find(word.wrong)
        while pos != -1:
            if word.is_wrong_at(text, pos):
                yield pos, word
            pos = text.find(word.wrong, pos + 1)


def check_misused_words(ctx: Context) -> list[Finding]:
    """`style.misused-word`: each misused word, with the form to write instead."""
    out = []
    compact = ctx.compact
    for pos, word in sorted(_hits(compact.text), key=lambda hit: hit[0]):
        start, end = compact.span(pos, pos + len(word.wrong))
        if ctx.in_residue(start, end):
            continue
        out.append(
            ctx.finding(
                "style.misused-word",
                Severity.ERROR,
                start,
                end,
                f"misused word: “{word.wrong}” → “{word.right}”",
                f"write “{word.right}”",
            )
        )
    return out
