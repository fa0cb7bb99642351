"""The lexicon of canonical set phrases: data in `schemas/lexicon/<name>.yaml`, validated here.

A document type names its lexicon in `rules.lexicon`; a spec with none gets no set-phrase
rule. Text checked without a document type uses the built-in `set-phrases`.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline import paths
from pipeline.errors import InputError
from pipeline.validation import load_model

DEFAULT_LEXICON = "set-phrases"


class _Strict(BaseModel):
    # Built when a lexicon is first validated, as one schema (the base and PhraseEntry are
    # never validated on their own).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class PhraseEntry(_Strict):
    """One canonical set phrase and how a broken use of it is recognised."""

    phrase: str = Field(min_length=2)
    variants: list[str] = []
    """Other complete forms that are also correct."""
    anchors: list[str] = []
    """Fragments found only inside the phrase: where one appears, the whole phrase must too."""
    parts: list[str] = []
    """An enumeration: two or more parts listed together must be all of them, in order."""
    wrong_forms: list[str] = []
    """Known garbled forms."""

    @property
    def forms(self) -> list[str]:
        """The phrase and its variants."""
        return [self.phrase, *self.variants]

    @model_validator(mode="after")
    def _consistent(self) -> PhraseEntry:
        for anchor in self.anchors:
            if not any(anchor in form for form in self.forms):
                raise ValueError(f"anchor '{anchor}' is not part of '{self.phrase}' or a variant")
        for part in self.parts:
            if part not in self.phrase:
                raise ValueError(f"part '{part}' is not part of '{self.phrase}'")
        if len(self.parts) == 1:
            raise ValueError("'parts' needs at least two parts")
        for wrong in self.wrong_forms:
            if any(wrong in form for form in self.forms):
                raise ValueError(f"wrong form '{wrong}' is part of a correct form")
        return self


class Lexicon(_Strict):
    """A named list of set phrases, and words whose numerals are not numbers."""

    version: int = 1
    phrases: list[PhraseEntry] = Field(min_length=1)
    number_words: list[str] = []
    plenums: dict[int, list[int]] = {}
    """Congress → the year each plenary session (一中全会, 二中全会…) of its Central Committee
    was held, in order: a report may cite one held by its year (十九届四中全会 in 2020, not
    十九届六中全会)."""

    name: str = Field("", exclude=True)
    source: Path | None = Field(None, exclude=True)

    def canonical_phrases(self) -> list[str]:
        """Every canonical phrase, in file order."""
        return [e.phrase for e in self.phrases]

    def exempt_words(self) -> list[str]:
        """Every string whose numerals are not facts: phrases, variants and number words."""
        words = {form for e in self.phrases for form in e.forms}
        words.update(e.phrase for e in self.phrases)
        words.update(self.number_words)
        return sorted(words, key=len, reverse=True)


def lexicon_path(name: str, spec_source: Path | None = None) -> Path:
    """Where the lexicon `name` lives: beside the spec first, then the built-in schemas."""
    return Path(_find(name, spec_source)[0])


@lru_cache(maxsize=64)
def _candidates(name: str, spec_source: Path | None) -> tuple[str, ...]:
    """Where the lexicon `name` may live, in order (building the paths is most of a look-up)."""
    return tuple(str(c) for c in paths.lexicon_candidates(name, spec_source))


def _find(name: str, spec_source: Path | None) -> tuple[str, int]:
    """The first candidate that is a file, and its modification time (looked up every time, so
    that a lexicon added or edited while the process runs is read)."""
    candidates = _candidates(name, spec_source)
    for c in candidates:
        try:
            st = os.stat(c)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode):
            return c, st.st_mtime_ns
    where = " or ".join(candidates)
    raise InputError(f"lexicon '{name}' not found (looked for {where})")


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int) -> Lexicon:
    lex = load_model(path, Lexicon, what="lexicon", expected="a mapping with a 'phrases' list")
    return lex.model_copy(update={"name": Path(path).stem, "source": Path(path)})


def load_lexicon(name: str = DEFAULT_LEXICON, *, spec_source: Path | None = None) -> Lexicon:
    """Load (once per file version) and validate the lexicon `name`."""
    return _load(*_find(name, spec_source))


def canonical_phrases(name: str = DEFAULT_LEXICON) -> list[str]:
    """The canonical phrases of a lexicon (the built-in one by default)."""
    return load_lexicon(name).canonical_phrases()
