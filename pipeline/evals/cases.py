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
from pipeline.facts import Facts, validate_facts
from pipeline.prompts import PromptSet
from pipeline.spec import (
    DocSpec,
    UnknownDoctypeError,
    doctype_id,
    is_spec_path,
    load_spec,
    load_spec_file,
    named_in,
)
from pipeline.textio import LineMap, load_structured, read_text
from pipeline.validation import format_path


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


def _named(loc: tuple[Any, ...], path: str, lines: LineMap) -> dict[str, Any]:
    """Where a doctype is named, for `SpecCache.get`: the key, the file and its line."""
    return {"field": format_path(loc), "path": path, "line": lines.line(loc)}


def _suite_doctype(
    suite: DraftingSuite | CheckerSuite, i: int, own: str | None
) -> tuple[str | None, tuple[Any, ...]]:
    """The doctype a case names (its own, else the suite's), a spec file's path resolved
    against the suite's folder like every path in a suite, and the key that names it."""
    doctype, loc = (own, ("cases", i, "doctype")) if own else (suite.doctype, ("doctype",))
    if doctype and is_spec_path(doctype):
        doctype = str(suite_relative(suite, doctype))
    return doctype, loc


class SpecCache:
    """Each document type loaded (and its templates checked) once per run."""

    def __init__(self) -> None:
        self._specs: dict[str, DocSpec] = {}

    def get(self, doctype: str, *, field: str, path: str, line: int | None) -> DocSpec:
        """The spec of `doctype`, named by `field` at `path`:`line` (said when it is unknown)."""
        if doctype not in self._specs:
            if is_spec_path(doctype) and not Path(doctype).is_file():
                raise InputError(
                    f"field '{field}': document-type spec {_absent(Path(doctype))}",
                    path=path,
                    line=line,
                )
            try:
                self._specs[doctype] = load_spec(doctype)
            except InputError as exc:
                if exc.path is not None:  # the spec file's own problem names that file
                    raise
                if not isinstance(exc, UnknownDoctypeError):
                    raise InputError(f"field '{field}': {exc}", path=path, line=line) from None
                hint = _own_type_hint(doctype, Path(path))
                raise InputError(
                    f"field '{field}': {exc.reason}{hint}", path=path, line=line
                ) from None
        return self._specs[doctype]


def _own_type_hint(doctype: str, named_in_file: Path) -> str:
    """How a suite or case names a type of one's own (`draft eval` takes no --spec-dir): by
    its spec file's path, relative to the file. The spec is looked for beside that file and
    one folder down, to give the exact path."""
    base = named_in_file.parent
    found = sorted(base.glob(f"schemas/{doctype}.yaml")) + sorted(
        base.glob(f"*/schemas/{doctype}.yaml")
    )
    example = found[0].relative_to(base).as_posix() if found else f"DIR/schemas/{doctype}.yaml"
    return (
        f"; for a type of your own, name its spec file, relative to this file: 'doctype: {example}'"
    )


def _facts(
    suite: DraftingSuite | CheckerSuite,
    lines: LineMap,
    i: int,
    facts: str | dict[str, Any],
    own_doctype: str | None,
    specs: SpecCache,
) -> tuple[DocSpec, Facts]:
    suite_path = str(suite.source)
    loc = ("cases", i, "facts")
    doctype, doctype_loc = _suite_doctype(suite, i, own_doctype)
    named_in_suite = _named(doctype_loc, suite_path, lines)
    if isinstance(facts, str):
        path = suite_relative(suite, facts)
        if not path.is_file():
            raise InputError(
                f"field 'cases[{i}].facts': facts file '{facts}' {_absent(path)}",
                **_where(suite_path, lines, loc),
            )
        data, file_lines = load_structured(path, what="facts file")
        named = data.get("doctype") if isinstance(data, dict) else None
        if not isinstance(named, str) or not named:
            named = None
        # a spec file's path is relative to the facts file, as the suite's own paths are
        chosen = doctype or (named and named_in(named, path))
        if not isinstance(chosen, str) or not chosen:
            raise InputError(
                "field 'doctype' is missing: name the document type in the facts file or on "
                f"the suite's case cases[{i}]",
                path=str(path),
            )
        where = named_in_suite if doctype else _named(("doctype",), str(path), file_lines)
        spec = specs.get(chosen, **where)  # the suite's may be a spec file's path: compare ids
        if doctype and named and doctype_id(named) != spec.id:
            raise InputError(
                f"field 'doctype' says '{named}' but the suite's case says '{spec.id}'",
                path=str(path),
                line=file_lines.line(("doctype",)),
            )
        return spec, validate_facts(data, spec, path=str(path), lines=file_lines)
    chosen = doctype or facts.get("doctype")
    if not chosen:
        raise InputError(
            f"field 'cases[{i}]': inline facts need a doctype (on the case, the suite, or as "
            "'doctype:' in the facts)",
            **_where(suite_path, lines, ("cases", i)),
        )
    where = named_in_suite if doctype else _named((*loc, "doctype"), suite_path, lines)
    spec = specs.get(str(chosen), **where)
    return spec, validate_facts(facts, spec, path=suite_path, lines=PrefixedLines(lines, loc))


def prepare_drafting(
    suite: DraftingSuite, lines: LineMap, only: list[str] | None = None
) -> list[PreparedCase]:
    """Every case (or those named in `only`) with its spec and validated facts."""
    out = []
    specs = SpecCache()
    for i, case in enumerate(suite.cases):
        if only is not None and case.id not in only:
            continue
        spec, facts = _facts(suite, lines, i, case.facts, case.doctype, specs)
        out.append(PreparedCase(index=i, case=case, spec=spec, facts=facts))
    return out


def _absent(path: Path, expected: str = "file") -> str:
    """Why `path` is not the `expected` "file" or "folder": missing, or the other kind."""
    kind = "folder" if path.is_dir() else "file"
    if kind != expected and path.exists():
        return f"is a {kind} ({path}); expected a {expected}"
    if path.is_symlink():
        return f"is a symbolic link that leads back to itself ({path}); expected a {expected}"
    return f"not found (looked in {path})"


def prepare_checks(
    suite: CheckerSuite, lines: LineMap, only: list[str] | None = None
) -> list[PreparedCheck]:
    """Every checker case (or those in `only`) with its text and, where given, spec and facts."""
    out = []
    specs = SpecCache()
    for i, case in enumerate(suite.cases):
        if only is not None and case.id not in only:
            continue
        if case.file is not None:
            path = suite_relative(suite, case.file)
            if not path.is_file():
                raise InputError(
                    f"field 'cases[{i}].file': text file '{case.file}' {_absent(path)}",
                    **_where(str(suite.source), lines, ("cases", i, "file")),
                )
            text = read_text(path, what="checker case text")
        else:
            text = case.text or ""
        spec: DocSpec | None = None
        facts: Facts | None = None
        if case.facts is not None:
            spec, facts = _facts(suite, lines, i, case.facts, case.doctype, specs)
        else:
            doctype, loc = _suite_doctype(suite, i, case.doctype)
            if doctype:
                spec = specs.get(doctype, **_named(loc, str(suite.source), lines))
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
                try:
                    varied = load_spec_file(Path(str(spec.source)), prompts_dir=folder)
                    self._sets[key] = (varied, PromptSet.load(varied))
                except InputError as exc:
                    # The template's own message names its file; the suite's line names which
                    # variant it belongs to (a variant folder holds every section's template).
                    i = self._index(variant)
                    raise InputError(
                        f"field 'variants[{i}].prompts': prompt folder '{variant.prompts}' "
                        f"for {spec.id}: {exc}",
                        **_where(str(self._suite.source), self._lines, ("variants", i, "prompts")),
                    ) from None
        return self._sets[key]

    def _index(self, variant: Variant) -> int:
        return [v.name for v in self._suite.variants].index(variant.name)

    def variant_dir(self, variant: Variant) -> Path:
        """The variant's prompt folder, checked to exist."""
        assert variant.prompts is not None
        folder = suite_relative(self._suite, variant.prompts)
        if not folder.is_dir():
            i = self._index(variant)
            raise InputError(
                f"field 'variants[{i}].prompts': prompt folder '{variant.prompts}' "
                f"{_absent(folder, 'folder')}",
                **_where(str(self._suite.source), self._lines, ("variants", i, "prompts")),
            )
        return folder
