"""Resolving a suite's cases into what the runner needs: specs, validated facts, texts, prompts.

Everything is checked before the first model call, so a bad facts file or prompt folder is
reported (exit 2) without spending anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.evals.suite import (
    CheckerCase,
    CheckerSuite,
    DraftCase,
    DraftingSuite,
    PrefixedLines,
    Variant,
    suite_relative,
)
from pipeline.facts import Facts, load_facts, validate_facts
from pipeline.prompts import PromptSet
from pipeline.spec import DocSpec, load_spec, load_spec_file
from pipeline.textio import LineMap, read_text


@dataclass(frozen=True)
class PreparedCase:
    """A drafting case ready to draft."""

    index: int
    case: DraftCase
    spec: DocSpec
    facts: Facts


@dataclass(frozen=True)
class PreparedCheck:
    """A checker case ready to check."""

    index: int
    case: CheckerCase
    text: str
    spec: DocSpec | None
    facts: Facts | None


def _where(suite_path: str, lines: LineMap, loc: tuple[Any, ...]) -> dict[str, Any]:
    return {"path": suite_path, "line": lines.line(loc)}


def _facts(
    suite: DraftingSuite | CheckerSuite,
    lines: LineMap,
    i: int,
    facts: str | dict[str, Any],
    doctype: str | None,
) -> tuple[DocSpec, Facts]:
    suite_path = str(suite.source)
    loc = ("cases", i, "facts")
    if isinstance(facts, str):
        path = suite_relative(suite, facts)
        if not path.is_file():
            raise InputError(
                f"field 'cases[{i}].facts': facts file '{facts}' not found (looked in {path})",
                **_where(suite_path, lines, loc),
            )
        return load_facts(path, doctype=doctype)
    chosen = doctype or facts.get("doctype")
    if not chosen:
        raise InputError(
            f"field 'cases[{i}]': inline facts need a doctype (on the case, the suite, or as "
            "'doctype:' in the facts)",
            **_where(suite_path, lines, ("cases", i)),
        )
    spec = load_spec(str(chosen))
    return spec, validate_facts(facts, spec, path=suite_path, lines=PrefixedLines(lines, loc))


def prepare_drafting(suite: DraftingSuite, lines: LineMap) -> list[PreparedCase]:
    """Every case with its spec and validated facts."""
    out = []
    for i, case in enumerate(suite.cases):
        spec, facts = _facts(suite, lines, i, case.facts, case.doctype or suite.doctype)
        out.append(PreparedCase(index=i, case=case, spec=spec, facts=facts))
    return out


def prepare_checks(suite: CheckerSuite, lines: LineMap) -> list[PreparedCheck]:
    """Every checker case with its text and, where given, its spec and facts."""
    out = []
    for i, case in enumerate(suite.cases):
        if case.file is not None:
            path = suite_relative(suite, case.file)
            if not path.is_file():
                raise InputError(
                    f"field 'cases[{i}].file': text file '{case.file}' not found (looked in {path})",
                    **_where(str(suite.source), lines, ("cases", i, "file")),
                )
            text = read_text(path, what="checker case text")
        else:
            text = case.text or ""
        doctype = case.doctype or suite.doctype
        spec: DocSpec | None = None
        facts: Facts | None = None
        if case.facts is not None:
            spec, facts = _facts(suite, lines, i, case.facts, doctype)
        elif doctype:
            spec = load_spec(doctype)
        for j, exp in enumerate(case.expect):
            if exp.at is not None and exp.at not in text:
                raise InputError(
                    f"field 'cases[{i}].expect[{j}].at': “{exp.at}” is not in the case's text",
                    **_where(str(suite.source), lines, ("cases", i, "expect", j, "at")),
                )
        out.append(PreparedCheck(index=i, case=case, text=text, spec=spec, facts=facts))
    return out


class PromptCache:
    """One loaded PromptSet per (document type, prompt variant)."""

    def __init__(self, suite: DraftingSuite, lines: LineMap):
        self._suite = suite
        self._lines = lines
        self._sets: dict[tuple[str, str], tuple[DocSpec, PromptSet]] = {}

    def get(self, spec: DocSpec, variant: Variant) -> tuple[DocSpec, PromptSet]:
        """The spec (with the variant's prompt folder) and its prompts."""
        key = (str(spec.source), variant.name)
        if key not in self._sets:
            if variant.prompts is None:
                self._sets[key] = (spec, PromptSet.load(spec))
            else:
                folder = self.variant_dir(variant)
                varied = load_spec_file(Path(str(spec.source)), prompts_dir=folder)
                self._sets[key] = (varied, PromptSet.load(varied))
        return self._sets[key]

    def variant_dir(self, variant: Variant) -> Path:
        """The variant's prompt folder, checked to exist."""
        assert variant.prompts is not None
        folder = suite_relative(self._suite, variant.prompts)
        if not folder.is_dir():
            i = [v.name for v in self._suite.variants].index(variant.name)
            raise InputError(
                f"field 'variants[{i}].prompts': prompt folder '{variant.prompts}' not found "
                f"(looked in {folder})",
                **_where(str(self._suite.source), self._lines, ("variants", i, "prompts")),
            )
        return folder
