"""Evaluation suites: the YAML a user writes (`evals/<name>.yaml`), validated into pydantic models.

A suite is either a *drafting* suite — cases (facts, doctype, tags, assertions) drafted by each
model × prompt variant × repeat and scored — or a *checker* suite: texts with injected defects
(and clean ones) whose expected findings measure the checker's precision and recall.

Paths inside a suite (facts files, prompt folders, texts) resolve relative to the suite file.
Every error names the suite file, the key path and its line, and exits with code 2.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from pipeline import paths, validation
from pipeline.errors import InputError
from pipeline.textio import LineMap, load_structured
from pipeline.validation import did_you_mean, format_path, raise_validation_error

CaseId = Annotated[str, Field(pattern=validation.NAME, max_length=80)]
VariantName = Annotated[str, Field(pattern=validation.NAME, max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ----------------------------------------------------------------------------- assertions


class ContainsAssertion(_Strict):
    """The draft contains `value` (or, with `not-contains`, does not)."""

    type: Literal["contains", "not-contains"]
    value: str = Field(min_length=1)


class RegexAssertion(_Strict):
    """The draft matches the regular expression `pattern` (or, with `not-regex`, does not)."""

    type: Literal["regex", "not-regex"]
    pattern: str = Field(min_length=1)

    @model_validator(mode="after")
    def _compiles(self) -> RegexAssertion:
        import re

        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return self


class MaxFindingsAssertion(_Strict):
    """At most `max` findings whose code is `code` (or, for a family such as `gap`, in it)."""

    type: Literal["max-findings"]
    code: str | None = Field(None, min_length=1)
    """A full code (`facts.unsupported-number`), a family (`facts`), or none for any code."""
    max: int = Field(0, ge=0)
    severity: Literal["error", "warning", "info"] | None = None
    """Count only findings of this severity."""


class MetricAssertion(_Strict):
    """A metric of the draft is at least `min` and/or at most `max`."""

    type: Literal["metric"]
    name: str
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> MetricAssertion:
        from pipeline.evals.metrics import DRAFT_METRICS, unreachable_bound

        if self.name not in DRAFT_METRICS:
            raise ValueError(
                f"unknown metric '{self.name}'{did_you_mean(self.name, DRAFT_METRICS)} "
                f"(known: {', '.join(DRAFT_METRICS)})"
            )
        if self.min is None and self.max is None:
            raise ValueError("a metric assertion needs 'min' or 'max'")
        unreachable = unreachable_bound(self.name, self.min, self.max)
        if unreachable:
            raise ValueError(unreachable)
        return self


AssertionSpec = Annotated[
    ContainsAssertion | RegexAssertion | MaxFindingsAssertion | MetricAssertion,
    Field(discriminator="type"),
]


# ----------------------------------------------------------------------------- suite parts


class ModelEntry(_Strict):
    """A model in the matrix, with optional limits of its own."""

    id: str = Field(min_length=1)
    """`offline`, `openai:<model>` or a profile name from draft.toml."""
    label: str | None = None
    """The name shown in reports; defaults to `id`."""
    rpm: float | None = Field(None, gt=0)
    """Requests started per minute, at most."""
    concurrency: int | None = Field(None, ge=1)
    """Calls to this model in flight at once, at most (the run's own limit still applies)."""

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, data: Any) -> Any:
        """`offline` is short for `{id: offline}`; any other shape is one error, not one per
        form a model may take."""
        if isinstance(data, str):
            return {"id": data}
        if isinstance(data, dict | ModelEntry):
            return data
        raise ValueError(
            "expected a model (offline, openai:<model> or a profile's name) or a mapping "
            "with its 'id'"
        )

    @property
    def name(self) -> str:
        return self.label or self.id


class Variant(_Strict):
    """A prompt variant: the doctype's templates from another folder."""

    name: VariantName
    prompts: str | None = None
    """A folder of section templates (relative to the suite); none means the doctype's own."""


class Bound(_Strict):
    """A threshold on the mean of a metric over a model's samples."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _can_be_met(self) -> Bound:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}, so no run could pass")
        return self


class FamilyBound(_Strict):
    """Checker suites: the least precision and recall a rule family must reach."""

    precision: float | None = Field(None, ge=0, le=1)
    recall: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"precision": data, "recall": data}
        return data


class Thresholds(_Strict):
    """What a model (× variant) must reach for the run to pass."""

    pass_rate: float = Field(1.0, ge=0, le=1)
    """Share of samples that pass every assertion."""
    metrics: dict[str, Bound] = {}
    """Bounds on metric means, e.g. `fact_coverage: {min: 0.95}` (a bare number means min)."""
    families: dict[str, FamilyBound] = {}
    """Checker suites: the least precision and recall per rule family
    (`gap: {precision: 0.9, recall: 1}`; a bare number bounds both)."""

    @model_validator(mode="before")
    @classmethod
    def _bare_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("metrics"), dict):
            data = dict(data)
            data["metrics"] = {
                k: ({"min": v} if isinstance(v, int | float) else v)
                for k, v in data["metrics"].items()
            }
        return data


class Judge(_Strict):
    """An LLM judge that scores each draft 1–5 against a rubric."""

    model: str = Field(min_length=1)
    rubric: str = Field(min_length=1)
    min_score: float | None = Field(None, ge=1, le=5)
    """A sample whose score is below this fails."""


def _facts_ref(value: Any) -> Any:
    """A facts file name or inline facts; anything else in one message, not one per form."""
    if value is None or isinstance(value, str | dict):
        return value
    raise ValueError("expected the name of a facts file or a mapping of facts")


FactsRef = Annotated[str | dict[str, Any], BeforeValidator(_facts_ref)]
"""`facts:` of a case: a file (relative to the suite) or the facts inline."""


class DraftCase(_Strict):
    """One case of a drafting suite."""

    id: CaseId
    description: str = ""
    doctype: str | None = None
    """Defaults to the suite's doctype, else the facts file's `doctype:`."""
    facts: FactsRef
    """A facts file (relative to the suite) or the facts inline."""
    tags: list[str] = []
    assertions: list[AssertionSpec] = Field([], alias="assert")


class ExpectedFinding(_Strict):
    """A finding a checker case expects: its code, and optionally where (a substring of the text)."""

    code: str = Field(pattern=validation.FINDING_CODE)
    at: str | None = None
    """Text the finding must overlap; absent means anywhere."""


class CheckerCase(_Strict):
    """One case of a checker suite: a text and the findings it must (and must only) give."""

    id: CaseId
    description: str = ""
    text: str | None = None
    file: str | None = None
    """A text file (relative to the suite) instead of inline `text`."""
    doctype: str | None = None
    facts: FactsRef | None = None
    tags: list[str] = []
    expect: list[ExpectedFinding] = []
    """Every error or warning the checker should give; empty for a clean text."""
    ignore: list[str] = []
    """Codes (or families) left out of this case's scoring, e.g. `style.half-width-punct` in
    a text that is about gaps."""

    @model_validator(mode="after")
    def _one_text(self) -> CheckerCase:
        if (self.text is None) == (self.file is None):
            raise ValueError("give exactly one of 'text' and 'file'")
        return self


class _SuiteBase(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    concurrency: int = Field(8, ge=1, le=256)
    """Model calls in flight for the whole run, section calls included."""

    # Set by the loader.
    source: Path | None = Field(None, exclude=True)
    content_hash: str = Field("", exclude=True)


class DraftingSuite(_SuiteBase):
    """Cases × models × prompt variants × repeats, each draft scored by metrics and assertions."""

    kind: Literal["drafting"] = "drafting"
    doctype: str | None = None
    models: list[ModelEntry] = Field(
        default_factory=lambda: [ModelEntry(id="offline")], min_length=1
    )
    """Model names or mappings with an `id` (and a label, limits)."""
    variants: list[Variant] = []
    repeat: int = Field(1, ge=1, le=100)
    repairs: int = Field(2, ge=0, le=10)
    default_assert: list[AssertionSpec] = []
    """Assertions applied to every case."""
    judge: Judge | None = None
    cases: list[DraftCase] = Field(min_length=1)

    @property
    def variant_list(self) -> list[Variant]:
        return self.variants or [Variant(name="default")]


class CheckerSuite(_SuiteBase):
    """Texts with known defects (and clean ones): the checker's precision and recall per family."""

    kind: Literal["checker"]
    doctype: str | None = None
    cases: list[CheckerCase] = Field(min_length=1)


Suite = DraftingSuite | CheckerSuite


# ----------------------------------------------------------------------------- loading


class PrefixedLines(LineMap):
    """The line map of a mapping nested inside the suite (e.g. inline facts)."""

    def __init__(self, lines: LineMap, prefix: tuple[Any, ...]):
        super().__init__()
        self._outer = lines
        self._prefix = prefix

    def line(self, path: tuple[Any, ...]) -> int | None:
        return self._outer.line((*self._prefix, *path))


_NESTED: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    DraftingSuite: {
        "thresholds": Thresholds,
        "judge": Judge,
        "variants": Variant,
        "cases": DraftCase,
        "models": ModelEntry,
    },
    CheckerSuite: {"thresholds": Thresholds, "cases": CheckerCase},
    Thresholds: {"families": FamilyBound},
    CheckerCase: {"expect": ExpectedFinding},
}


_ASSERTIONS: dict[str, type[BaseModel]] = {
    "contains": ContainsAssertion,
    "not-contains": ContainsAssertion,
    "regex": RegexAssertion,
    "not-regex": RegexAssertion,
    "max-findings": MaxFindingsAssertion,
    "metric": MetricAssertion,
}
"""An assertion's model by its `type`, the tag pydantic puts in an error's key path."""


def _without_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """An error's key path as the suite has it: without the assertion type pydantic puts
    after `assert[i]` (`assert[0].metric.min` is `assert[0].min` in the file)."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (i >= 2 and loc[i - 2] in ("assert", "default_assert") and part in _ASSERTIONS)
    )


def _known_keys(model: type[BaseModel]) -> Callable[[tuple[Any, ...]], list[str]]:
    def known(loc: tuple[Any, ...]) -> list[str]:
        current = model
        for part in loc:
            if isinstance(part, str) and part in _NESTED.get(current, {}):
                current = _NESTED[current][part]
            elif isinstance(part, str) and part in _ASSERTIONS:
                current = _ASSERTIONS[part]
        return [
            (f.alias or n)
            for n, f in current.model_fields.items()
            if n not in ("source", "content_hash")
        ]

    return known


def resolve_suite_path(name_or_path: str | Path) -> Path:
    """A suite file: a path as given, or a built-in suite by name (`school-ideology-summary`)."""
    p = Path(name_or_path)
    if p.is_dir():
        raise InputError("expected a suite file, found a directory", path=str(p))
    if p.suffix in (".yaml", ".yml", ".json") or p.is_file() or "/" in str(name_or_path):
        return p
    builtin = paths.builtin_evals_dir() / f"{name_or_path}.yaml"
    if builtin.is_file():
        return builtin
    known = sorted(f.stem for f in paths.builtin_evals_dir().glob("*.yaml"))
    raise InputError(
        f"unknown suite '{name_or_path}'{did_you_mean(str(name_or_path), known)}: give a suite "
        f"file or a built-in suite ({', '.join(known) or 'none'})"
    )


def builtin_suites() -> list[Path]:
    """The suite files shipped with Draftsmith."""
    return sorted(paths.builtin_evals_dir().glob("*.yaml"))


def load_suite(name_or_path: str | Path) -> tuple[Suite, LineMap]:
    """Load and validate a suite (file or built-in name); the line map locates later errors."""
    p = resolve_suite_path(name_or_path)
    data, lines = load_structured(p, what="evaluation suite")
    if not isinstance(data, dict):
        raise InputError("an evaluation suite must be a mapping of keys to values", path=str(p))
    kind = data.get("kind", "drafting")
    model: type[DraftingSuite] | type[CheckerSuite]
    if kind == "checker":
        model = CheckerSuite
    elif kind == "drafting":
        model = DraftingSuite
    else:
        raise InputError(
            f"field 'kind': expected 'drafting' or 'checker', got {kind!r}",
            path=str(p),
            line=lines.line(("kind",)),
        )
    try:
        suite = model.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(
            exc,
            path=str(p),
            lines=lines,
            what="evaluation suite",
            known_keys=_known_keys(model),
            shown=_without_tags,
        )
    seen: dict[str, int] = {}
    cases: Sequence[DraftCase | CheckerCase] = suite.cases
    for i, case in enumerate(cases):
        if case.id in seen:
            raise InputError(
                f"field 'cases[{i}].id': '{case.id}' is already the id of cases[{seen[case.id]}]",
                path=str(p),
                line=lines.line(("cases", i, "id")),
            )
        seen[case.id] = i
    from pipeline.evals.metrics import DRAFT_METRICS, GROUP_METRICS, unreachable_bound

    known_metrics = [*DRAFT_METRICS, *GROUP_METRICS, "precision", "recall"]
    for name in suite.thresholds.metrics:
        if name not in known_metrics:
            raise InputError(
                f"field 'thresholds.metrics.{name}': unknown metric"
                f"{did_you_mean(name, known_metrics)} (known: {', '.join(known_metrics)})",
                path=str(p),
                line=lines.line(("thresholds", "metrics", name)),
            )
        bound = suite.thresholds.metrics[name]
        unreachable = unreachable_bound(name, bound.min, bound.max)
        if unreachable:
            raise InputError(
                f"field 'thresholds.metrics.{name}': {unreachable}",
                path=str(p),
                line=lines.line(("thresholds", "metrics", name)),
            )
        unmeasured = _never_measured(suite, name)
        if unmeasured:
            raise InputError(
                f"field 'thresholds.metrics.{name}': {unmeasured}, so the threshold could "
                "never pass",
                path=str(p),
                line=lines.line(("thresholds", "metrics", name)),
            )
    _check_rule_names(suite, p, lines)
    if isinstance(suite, DraftingSuite):
        names = [v.name for v in suite.variants]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise InputError(
                    f"field 'variants[{i}].name': '{name}' appears twice",
                    path=str(p),
                    line=lines.line(("variants", i, "name")),
                )
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:16]
    suite = suite.model_copy(update={"source": p.resolve(), "content_hash": digest})
    return suite, lines


CHECKER_METRICS = ("errors", "warnings", "chars", "precision", "recall")
"""What a checker suite measures (per text, and per rule family over the run)."""


def _never_measured(suite: Suite, metric: str) -> str:
    """Why a run of `suite` never measures `metric` (empty when it does)."""
    if isinstance(suite, CheckerSuite):
        if metric not in CHECKER_METRICS:
            return f"a checker suite measures {', '.join(CHECKER_METRICS)} only"
        return ""
    if metric in ("precision", "recall"):
        return f"{metric} is measured in checker suites (kind: checker) only"
    if metric == "judge_score" and suite.judge is None:
        return "judge_score is measured only with a 'judge:'"
    return ""


def _check_rule_names(suite: Suite, p: Path, lines: LineMap) -> None:
    """Rule codes and families named in a suite are ones the checker has: a misspelt one
    would only show when the run fails (or silently ignore nothing)."""
    from pipeline.checker.wording import RULES

    families = sorted({code.split(".")[0] for code in RULES})
    for name in suite.thresholds.families:
        if not isinstance(suite, CheckerSuite):
            raise InputError(
                "field 'thresholds.families': rule families are scored in checker suites "
                "(kind: checker) only",
                path=str(p),
                line=lines.line(("thresholds", "families")),
            )
        if name not in families:
            raise InputError(
                f"field 'thresholds.families.{name}': unknown rule family"
                f"{did_you_mean(name, families)} (known: {', '.join(families)})",
                path=str(p),
                line=lines.line(("thresholds", "families", name)),
            )
    if not isinstance(suite, CheckerSuite):
        _check_assertion_codes(suite, p, lines, families)
        return
    for i, case in enumerate(suite.cases):
        for j, expected in enumerate(case.expect):
            if expected.code not in RULES:
                raise InputError(
                    f"field 'cases[{i}].expect[{j}].code': unknown rule code "
                    f"'{expected.code}'{did_you_mean(expected.code, list(RULES))}",
                    path=str(p),
                    line=lines.line(("cases", i, "expect", j, "code")),
                )
        for j, name in enumerate(case.ignore):
            if name not in RULES and name not in families:
                raise InputError(
                    f"field 'cases[{i}].ignore[{j}]': '{name}' is neither a rule code nor a "
                    f"family{did_you_mean(name, [*families, *RULES])}",
                    path=str(p),
                    line=lines.line(("cases", i, "ignore", j)),
                )


def _check_assertion_codes(
    suite: DraftingSuite, p: Path, lines: LineMap, families: list[str]
) -> None:
    """A `max-findings` code is a rule code or family: a misspelt one would count nothing, and
    the assertion could never fail."""
    from pipeline.checker.wording import RULES

    known = [*families, *RULES]
    located: list[tuple[tuple[str | int, ...], AssertionSpec]] = [
        (("default_assert", j), a) for j, a in enumerate(suite.default_assert)
    ]
    for i, case in enumerate(suite.cases):
        located += [(("cases", i, "assert", j), a) for j, a in enumerate(case.assertions)]
    for key, assertion in located:
        if not isinstance(assertion, MaxFindingsAssertion) or assertion.code is None:
            continue
        if assertion.code not in known:
            raise InputError(
                f"field '{format_path((*key, 'code'))}': '{assertion.code}' is neither a rule code nor a family, "
                f"so no finding would ever count{did_you_mean(assertion.code, known)} "
                f"(families: {', '.join(families)})",
                path=str(p),
                line=lines.line((*key, "code")),
            )


def suite_relative(suite: Suite, relative: str) -> Path:
    """A path named inside the suite, resolved against the suite file's folder."""
    base = suite.source.parent if suite.source else Path.cwd()
    # not Path.resolve: a link that leads back to itself raised RuntimeError (a traceback);
    # realpath stops at it, and the caller reports the path as what it is
    return Path(os.path.realpath(base / relative))
