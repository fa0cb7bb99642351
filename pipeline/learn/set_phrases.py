"""Set phrases in a sample: garbles corrected from the lexicon and the built-in wording
(两手两手硬 → 两手抓、两手都要硬), a set phrase a hole cut restored, and where a set phrase with
a count in it stands (八项规定), which no fact may take."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.errors import InputError
from pipeline.learn.cleaning import Hole
from pipeline.learn.measures import MEASURE_RE
from pipeline.learn.registry import Edit, Registry

if TYPE_CHECKING:
    from pipeline.checker.lexicon import Lexicon


def _lexicon() -> Lexicon | None:
    """The checker's built-in lexicon of set phrases, or None when it cannot be loaded."""
    try:
        from pipeline.checker.lexicon import load_lexicon
    except ImportError:
        return None
    try:
        return load_lexicon()
    except InputError:
        return None


def lexicon_forms() -> list[str]:
    """Every correct form of every set phrase (canonical phrases and their variants)."""
    lex = _lexicon()
    return [form for entry in lex.phrases for form in entry.forms] if lex else []


def _builtin_wording() -> str:
    """The text of the built-in section templates: curated wording to correct garbles against."""
    from pipeline import paths

    root = paths.builtin_prompts_dir()
    return "".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("*/*.j2")))


def fix_garbles(text: str, banned: list[str], reg: Registry, edits: list[Edit]) -> list[str]:
    """Known garbles corrected: the lexicon's wrong forms, and banned phrases whose characters,
    reordered, are a set phrase or the built-in wording ("正确舆引导论" → "正确引导舆论").

    Returns the banned phrases that could not be corrected.
    """
    lex = _lexicon()
    fixes: dict[str, str] = {}
    if lex is not None:
        for entry in lex.phrases:
            for wrong in entry.wrong_forms:
                fixes[wrong] = entry.phrase
    wording: str | None = None
    left = []
    for phrase in banned:
        if phrase in fixes or phrase not in text:
            continue
        forms = [f for f in lexicon_forms() if len(f) == len(phrase)]
        fix = next((f for f in forms if sorted(f) == sorted(phrase) and f != phrase), None)
        if fix is None:
            wording = wording if wording is not None else _builtin_wording()
            key = sorted(phrase)
            for i in range(len(wording) - len(phrase) + 1):
                window = wording[i : i + len(phrase)]
                if window[:2] == phrase[:2] and window != phrase and sorted(window) == key:
                    fix = window
                    break
        if fix:
            fixes[phrase] = fix
        else:
            left.append(phrase)
    for wrong in sorted(fixes, key=len, reverse=True):
        for m in re.finditer(re.escape(wrong), text):
            if reg.free(m.start(), m.end()):
                edits.append(
                    Edit(
                        start=m.start(),
                        end=m.end(),
                        replacement=fixes[wrong],
                        reason=f"garble corrected: {wrong} → {fixes[wrong]}",
                    )
                )
                reg.take(m.start(), m.end())
    return left


def _typed_blank(text: str, hole: Hole) -> bool:
    """A blank before a measure word, 年, 周年, %, a place suffix or 大/届: a fact, not a phrase."""
    after = text[hole.end : hole.end + 2]
    before = text[max(0, hole.start - 2) : hole.start]
    return bool(
        re.match(rf"(?:{MEASURE_RE}|年|周年|%|％)", after)
        or (before.endswith(("党的", "十")) and after[:1] in "大届")
    )


def restore_set_phrases(text: str, holes: list[Hole], reg: Registry, edits: list[Edit]) -> None:
    """A hole that is the missing part of a canonical set phrase gets that part back."""
    phrases = [p for p in lexicon_forms() if not re.search(r"[十二]+[大届]|第.+次", p)]
    for hole in holes:
        if _typed_blank(text, hole):
            continue
        best: tuple[int, str] | None = None
        for phrase in phrases:
            for j in range(1, len(phrase) - 1):
                suffix = phrase[j:]  # the words after the blank say what is missing
                if not text.startswith(suffix, hole.end):
                    continue
                for i in range(j):
                    prefix, missing = phrase[:i], phrase[i:j]
                    if len(prefix) + len(suffix) < 4:
                        continue
                    if text[hole.start - len(prefix) : hole.start] != prefix:
                        continue
                    evidence = len(prefix) + len(suffix)
                    if best is None or evidence > best[0]:
                        best = (evidence, missing)
        if best is not None:
            edits.append(
                Edit(
                    start=hole.start,
                    end=hole.end,
                    replacement=best[1],
                    reason=f"set phrase restored from the lexicon: {best[1]}",
                )
            )
            reg.take(hole.start, hole.end)


def set_phrase_spans(text: str, count: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where the sample writes a set phrase with a count in it (中央八项规定精神, or its core
    八项规定): the count is part of the phrase, not a fact."""
    cores: set[str] = set()
    for form in lexicon_forms():
        m = count.search(form)
        if m:
            cores.update((form, form[m.start() : m.end() + 2]))
    return [
        (m.start(), m.end())
        for core in sorted(cores, key=len, reverse=True)
        for m in re.finditer(re.escape(core), text)
    ]
