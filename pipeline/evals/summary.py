"""A run's summary: per model × variant pass rates, metric means, rank and threshold outcomes;
for a checker suite, precision and recall per rule family."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, computed_field

from pipeline.evals.checker_score import precision_recall
from pipeline.evals.journal import RunMeta, SampleResult
from pipeline.evals.metrics import DRAFT_METRICS, agreement, quality_score
from pipeline.evals.suite import Bound, Suite, Thresholds
from pipeline.models.base import Usage


class ThresholdOutcome(BaseModel):
    """One threshold checked against one group."""

    name: str
    value: float | None
    bound: str
    passed: bool


class FamilyScore(BaseModel):
    """The checker's counts and rates for one rule family."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float | None = None
    recall: float | None = None


class GroupSummary(BaseModel):
    """One model × prompt variant over all its samples."""

    model: str
    variant: str
    samples: int = 0
    passed: int = 0
    errors: int = 0
    pass_rate: float = 0.0
    metrics: dict[str, float] = {}
    """Means over the samples that were measured; `agreement` over repeats of each case."""
    quality: float = 0.0
    """The ranking score (see `pipeline.evals.metrics.quality_score`)."""
    rank: int = 0
    families: dict[str, FamilyScore] = {}
    thresholds: list[ThresholdOutcome] = []
    usage: Usage = Usage()
    """What the group's drafts used, summed over its samples: tokens, requests, cost."""
    served: str = ""
    """`served by gpt-4o-2024-08-06` when the endpoint's answers named another model than
    the one asked for (`Usage.served_text`), else empty."""

    @property
    def ok(self) -> bool:
        return all(t.passed for t in self.thresholds)


class TagSummary(BaseModel):
    """The samples of the cases carrying one tag, for one model × prompt variant."""

    tag: str
    model: str
    variant: str
    samples: int = 0
    passed: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pass_rate(self) -> float:
        return round(self.passed / self.samples, 4) if self.samples else 0.0


class RunSummary(BaseModel):
    """Everything a report shows above the per-case drill-down."""

    run_id: str
    suite: str
    kind: str
    planned: int
    finished: int
    groups: list[GroupSummary]
    """In suite order (model, then variant); `rank` gives the ranking."""
    failing: list[str]
    """Keys of samples that failed an assertion or ended in an error, in report order."""
    by_tag: list[TagSummary] = []
    """Pass counts per case tag and group: where drafts fail (tags in the order the cases
    first give them, groups in suite order)."""

    @property
    def ranked(self) -> list[GroupSummary]:
        """The groups best first (pass rate, then quality; suite order breaks ties)."""
        return sorted(self.groups, key=lambda g: g.rank)

    @property
    def complete(self) -> bool:
        return self.finished >= self.planned

    @property
    def passed(self) -> bool:
        return self.complete and all(g.ok for g in self.groups)


def _check(name: str, value: float | None, bound: Bound) -> ThresholdOutcome:
    parts = []
    ok = value is not None
    if bound.min is not None:
        parts.append(f"≥ {bound.min:g}")
        ok = ok and value is not None and value >= bound.min - 1e-9
    if bound.max is not None:
        parts.append(f"≤ {bound.max:g}")
        ok = ok and value is not None and value <= bound.max + 1e-9
    return ThresholdOutcome(name=name, value=value, bound=" and ".join(parts), passed=ok)


def _thresholds(group: GroupSummary, thresholds: Thresholds) -> list[ThresholdOutcome]:
    out = [_check("pass_rate", group.pass_rate, Bound(min=thresholds.pass_rate))]
    for name, bound in thresholds.metrics.items():
        out.append(_check(name, group.metrics.get(name), bound))
    for family, fb in thresholds.families.items():
        score = group.families.get(family, FamilyScore())
        if fb.precision is not None:
            out.append(_check(f"{family} precision", score.precision, Bound(min=fb.precision)))
        if fb.recall is not None:
            out.append(_check(f"{family} recall", score.recall, Bound(min=fb.recall)))
    return out


def summarize(meta: RunMeta, samples: Iterable[SampleResult], suite: Suite | None) -> RunSummary:
    """Aggregate samples (in report order) into the run's summary, judged by the thresholds
    the run kept (else the suite's, if it is still there)."""
    if meta.thresholds is not None:
        thresholds: Thresholds | None = Thresholds.model_validate(meta.thresholds)
    else:
        thresholds = suite.thresholds if suite is not None else None
    groups: dict[tuple[str, str], GroupSummary] = {}
    sums: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    repeats: dict[tuple[str, str], list[float]] = defaultdict(list)
    counts: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    )
    failing: list[str] = []
    tagged: dict[tuple[str, str, str], TagSummary] = {}
    finished = 0
    current: tuple[str, str, str] | None = None
    texts: list[str] = []

    def close_case() -> None:
        if current is not None:
            value = agreement(texts)
            if value is not None:
                repeats[(current[1], current[2])].append(value)

    for s in samples:
        finished += 1
        gk = (s.model, s.variant)
        g = groups.setdefault(gk, GroupSummary(model=s.model, variant=s.variant))
        g.samples += 1
        g.passed += s.passed
        g.errors += s.status == "error"
        g.usage = g.usage + s.usage
        if not s.passed:
            failing.append(s.key)
        for tag in dict.fromkeys(s.tags):
            t = tagged.setdefault((tag, *gk), TagSummary(tag=tag, model=s.model, variant=s.variant))
            t.samples += 1
            t.passed += s.passed
        for name, value in s.metrics.items():
            sums[gk][name].append(value)
        for family, c in s.family_counts.items():
            for k in ("tp", "fp", "fn"):
                counts[gk][family][k] += c.get(k, 0)
        case_key = (s.case, s.model, s.variant)
        if case_key != current:
            close_case()
            current, texts = case_key, []
        if s.text and s.status == "ok":
            texts.append(s.text)
    close_case()

    for gk, g in groups.items():
        g.pass_rate = round(g.passed / g.samples, 4) if g.samples else 0.0
        means = {
            name: round(sum(values) / len(values), 4) for name, values in sums[gk].items() if values
        }
        ordered = {m: means[m] for m in DRAFT_METRICS if m in means}
        if repeats.get(gk):
            ordered["agreement"] = round(sum(repeats[gk]) / len(repeats[gk]), 4)
        if counts.get(gk):
            total = {"tp": 0, "fp": 0, "fn": 0}
            for family, c in sorted(counts[gk].items()):
                p, r = precision_recall(c)
                g.families[family] = FamilyScore(**c, precision=p, recall=r)
                for k in total:
                    total[k] += c[k]
            p, r = precision_recall(total)
            if p is not None:
                ordered["precision"] = round(p, 4)
            if r is not None:
                ordered["recall"] = round(r, 4)
        g.metrics = ordered
        g.served = g.usage.served_text(meta.asked_models.get(g.model, g.model))
        if meta.suite_kind != "drafting":
            g.quality = g.pass_rate
        else:  # a model none of whose drafts got an answer has no quality to speak of
            g.quality = quality_score(ordered) if ordered else 0.0
        if thresholds is not None:
            g.thresholds = _thresholds(g, thresholds)

    ordered_groups = list(groups.values())
    ranked = sorted(ordered_groups, key=lambda g: (-g.pass_rate, -g.quality))
    for i, g in enumerate(ranked, 1):
        g.rank = i
    return RunSummary(
        run_id=meta.run_id,
        suite=meta.suite_name,
        kind=meta.suite_kind,
        planned=meta.planned,
        finished=finished,
        groups=ordered_groups,
        failing=failing,
        by_tag=_by_tag(tagged, ordered_groups),
    )


def _by_tag(
    tagged: dict[tuple[str, str, str], TagSummary], groups: list[GroupSummary]
) -> list[TagSummary]:
    """The tag cells ordered by tag (first given first), then by group in suite order."""
    tags = list(dict.fromkeys(tag for tag, _, _ in tagged))
    return [
        tagged[(tag, g.model, g.variant)]
        for tag in tags
        for g in groups
        if (tag, g.model, g.variant) in tagged
    ]
