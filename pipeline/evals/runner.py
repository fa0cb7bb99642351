"""Running a suite: the matrix cases × models × prompt variants × repeats, journaled per sample.

- One cap on model calls in flight for the whole run (section and judge calls included),
  plus each model's own cap and request rate (`pipeline.evals.limits`).
- A bounded pool of sample workers pulls from the plan, so memory stays flat however many
  cases there are: each finished sample goes to `samples.jsonl` and is dropped.
- `resume_run` skips finished samples and replays the journaled answers of unfinished ones,
  so no model call is made twice; `retry_errors` runs the samples that ended in an error again.
- Results are reported in suite order (case, model, variant, repeat), whatever order they
  finished in.
- A large run is spread over worker processes (`pipeline.evals.workers`), each running the
  same loop on its share of the limits; a small one stays in this process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import DraftsmithError, InputError
from pipeline.evals.assertions import AssertionOutcome, evaluate_all
from pipeline.evals.cases import (
    PreparedCase,
    PreparedCheck,
    PromptCache,
    prepare_checks,
    prepare_drafting,
)
from pipeline.evals.journal import (
    AssertionRecord,
    CompactFinding,
    Journal,
    RunMeta,
    RunOptions,
    SampleResult,
    ScoredAgainst,
    count_model_calls,
    find_run,
    load_calls,
    new_run_dir,
    read_meta,
    repair_journal,
    running,
    sample_status,
    write_meta,
)
from pipeline.evals.limits import CallLimits, LimitedModel
from pipeline.evals.run_models import RunModels
from pipeline.evals.suite import (
    CheckerSuite,
    DraftingSuite,
    ModelEntry,
    Suite,
    Variant,
    load_suite,
)
from pipeline.evals.workers import (
    SharedCursor,
    SharedPeak,
    auto_workers,
    can_fork,
    run_forked,
    split,
)
from pipeline.models.base import Model, model_identity
from pipeline.textio import LineMap

if TYPE_CHECKING:
    from pipeline.checker.findings import Finding

ProgressSink = Callable[[SampleResult, int, int], None]
"""Called with each finished sample, the number done and the number planned."""


@dataclass(frozen=True)
class PlannedSample:
    """One cell of the matrix."""

    key: str
    order: tuple[int, int, int, int]
    case_index: int
    model_index: int
    variant_index: int
    repeat: int


@dataclass
class RunPlan:
    """A suite resolved into everything a run needs."""

    suite: Suite
    lines: LineMap
    models: list[ModelEntry]
    variants: list[Variant]
    repeat: int
    concurrency: int
    drafting: list[PreparedCase]
    checks: list[PreparedCheck]
    prompts: PromptCache | None
    use_cache: bool = True
    workers: int | None = None
    """Processes asked for (`--workers`); None: decided by the run's size."""
    models_from_flags: bool = False
    """The models came from `--model` flags, not from the suite: errors name the flag."""

    def __post_init__(self) -> None:
        self.drafting_by_index = {c.index: c for c in self.drafting}
        self.checks_by_index = {c.index: c for c in self.checks}

    def samples(self) -> Iterator[PlannedSample]:
        """The matrix in report order."""
        if isinstance(self.suite, CheckerSuite):
            for check in self.checks:
                yield PlannedSample(
                    key=f"{check.case.id}|checker|default|0",
                    order=(check.index, 0, 0, 0),
                    case_index=check.index,
                    model_index=0,
                    variant_index=0,
                    repeat=0,
                )
            return
        for c in self.drafting:
            for mi, m in enumerate(self.models):
                for vi, v in enumerate(self.variants):
                    for r in range(self.repeat):
                        yield PlannedSample(
                            key=f"{c.case.id}|{m.name}|{v.name}|{r}",
                            order=(c.index, mi, vi, r),
                            case_index=c.index,
                            model_index=mi,
                            variant_index=vi,
                            repeat=r,
                        )

    @property
    def size(self) -> int:
        if isinstance(self.suite, CheckerSuite):
            return len(self.checks)
        return len(self.drafting) * len(self.models) * len(self.variants) * self.repeat


def plan_run(suite: Suite, lines: LineMap, options: RunOptions) -> RunPlan:
    """Resolve and check everything a run needs before any model is called."""
    if isinstance(suite, CheckerSuite):
        if options.models or options.repeat:
            raise InputError("a checker suite runs no model: drop --model and --repeat")
        checks = prepare_checks(suite, lines, selected_cases(suite, options.cases, options.tags))
        return RunPlan(
            suite=suite,
            lines=lines,
            models=[ModelEntry(id="checker")],
            variants=[Variant(name="default")],
            repeat=1,
            concurrency=options.concurrency or suite.concurrency,
            drafting=[],
            checks=checks,
            prompts=None,
        )
    cases = prepare_drafting(suite, lines, selected_cases(suite, options.cases, options.tags))
    if options.models and "" in options.models:
        raise InputError("--model '': expected offline, openai:<model> or a profile's name")
    models = [ModelEntry(id=m) for m in options.models] if options.models else suite.models
    names = [m.name for m in models]
    for i, name in enumerate(names):
        if name in names[:i]:
            if options.models:
                raise InputError(f"--model '{name}' is given twice")
            raise InputError(
                f"model '{name}' is listed twice; give one a 'label'",
                path=str(suite.source),
                line=lines.line(("models", i)),
            )
    repeat = options.repeat or suite.repeat
    if repeat < 2 and "agreement" in suite.thresholds.metrics:
        raise InputError(
            "field 'thresholds.metrics.agreement': agreement compares the repeats of a case, "
            "and this run drafts each case once, so the threshold could never pass: set "
            "'repeat: 2' or more (or give --repeat 2)",
            path=str(suite.source),
            line=lines.line(("thresholds", "metrics", "agreement")),
        )
    prompts = PromptCache(suite, lines)
    for v in suite.variant_list:
        for c in cases:
            prompts.get(c.spec, v)
    return RunPlan(
        suite=suite,
        lines=lines,
        models=models,
        variants=suite.variant_list,
        repeat=repeat,
        concurrency=options.concurrency or suite.concurrency,
        drafting=cases,
        checks=[],
        prompts=prompts,
        use_cache=not options.no_cache,
        workers=options.workers,
        models_from_flags=bool(options.models),
    )


def selected_cases(
    suite: Suite, cases: list[str] | None, tags: list[str] | None
) -> list[str] | None:
    """The ids of the cases a run takes: those named by `--case` (if given) that carry one of
    the `--tag`s (if given); None when neither filter is given. A case or tag the suite does
    not have, or filters that leave no case, are refused."""
    from pipeline.validation import did_you_mean

    ids = [c.id for c in suite.cases]
    for w in cases or []:
        if w not in ids:
            raise InputError(
                f"--case '{w}': no such case in suite '{suite.name}'{did_you_mean(w, ids)}"
            )
    known_tags = list(dict.fromkeys(t for c in suite.cases for t in c.tags))
    for t in tags or []:
        if t not in known_tags:
            hint = did_you_mean(t, known_tags) or (
                f"; its tags: {', '.join(known_tags)}" if known_tags else "; it has no tags"
            )
            raise InputError(f"--tag '{t}': no case in suite '{suite.name}' has it{hint}")
    if cases is None and tags is None:
        return None
    chosen = [
        c.id
        for c in suite.cases
        if (cases is None or c.id in cases) and (tags is None or set(tags) & set(c.tags))
    ]
    if not chosen:
        raise InputError(
            f"no case of suite '{suite.name}' is both named by --case and tagged "
            f"{' or '.join(repr(t) for t in tags or [])}"
        )
    return chosen


def _instantiate(plan: RunPlan, *, use_cache: bool) -> RunModels:
    """One model object per model in the matrix (and the judge), shared by all samples."""
    models = RunModels(use_cache=use_cache)
    if isinstance(plan.suite, CheckerSuite):
        return models
    for i, entry in enumerate(plan.models):
        try:
            models.add(entry.name, entry.id)
        except InputError as exc:
            if plan.models_from_flags:
                raise InputError(f"--model {entry.id}: {exc}") from None
            raise InputError(
                f"models[{i}]: {exc}",
                path=str(plan.suite.source),
                line=plan.lines.line(("models", i)),
            ) from None
    judge = plan.suite.judge
    if judge is not None:
        try:
            models.add("judge:" + judge.model, judge.model)
        except InputError as exc:
            raise InputError(
                f"judge.model: {exc}", path=str(plan.suite.source), line=plan.lines.line(("judge",))
            ) from None
    return models


def _calls_ahead(plan: RunPlan, pending: list[PlannedSample]) -> bool:
    """Whether the pending samples will call a model library: False when every section's
    first prompt of every pending sample is answered by the response cache, as in a re-run
    of a finished suite, which then need not load langchain and openai (about 2 s). Looks
    no further than the first miss. A later call that misses (a repair the cache lacks, the
    judge) still loads them then."""
    if isinstance(plan.suite, CheckerSuite):
        return False
    if not plan.use_cache or plan.prompts is None:
        return True
    models = _instantiate(plan, use_cache=True)
    try:
        if not models.needs_libraries:
            return False
        for planned in pending:
            model = models.get(plan.models[planned.model_index].name, planned.repeat)
            lookup = getattr(model, "lookup", None)
            if lookup is None:  # offline: drafts without a library
                continue
            prepared = plan.drafting_by_index[planned.case_index]
            spec, prompts = plan.prompts.get(prepared.spec, plan.variants[planned.variant_index])
            for section in spec.drafted_sections(prepared.facts.values):
                prompt = prompts.render_section(section, prepared.facts.values)
                if lookup(prompt.messages) is None:
                    return True
        return False
    finally:
        models.close_cache()


# ----------------------------------------------------------------------------- one sample


def _identity_text(model: Model) -> str:
    """The model's cache identity (its model, endpoint and parameters) as stable text."""
    return json.dumps(model_identity(model), ensure_ascii=False, sort_keys=True)


def _compact(findings: list[Finding]) -> list[CompactFinding]:
    return [
        CompactFinding(
            code=f.code,
            severity=str(f.severity),
            start=f.start,
            end=f.end,
            line=f.line,
            excerpt=f.excerpt,
            message=f.message,
            section=f.section,
        )
        for f in findings
    ]


def _drafting_basis(suite: DraftingSuite, prepared: PreparedCase) -> ScoredAgainst:
    """What a drafting case is scored against: its assertions, and what the metrics look for."""
    from pipeline.evals.metrics import missing_fact_ids, must_mention_units, section_numbers

    spec, facts = prepared.spec, prepared.facts
    assertions = [
        a.model_dump(mode="json", exclude_none=True)
        for a in [*suite.default_assert, *prepared.case.assertions]
    ]
    if suite.judge is not None and suite.judge.min_score is not None:
        assertions.append(
            {"type": "judge", "model": suite.judge.model, "min_score": suite.judge.min_score}
        )
    return ScoredAgainst(
        assertions=assertions,
        must_mention=must_mention_units(spec, facts),
        missing=sorted(missing_fact_ids(spec, facts)),
        numbers=section_numbers(spec, facts),
    )


def _checking_basis(prepared: PreparedCheck) -> ScoredAgainst:
    """What a checker case is scored against: the findings it expects and the codes it ignores."""
    expected = [
        {"expect": e.model_dump(mode="json", exclude_none=True)} for e in prepared.case.expect
    ]
    return ScoredAgainst(assertions=expected + [{"ignore": code} for code in prepared.case.ignore])


async def _draft_sample(
    plan: RunPlan,
    planned: PlannedSample,
    models: RunModels,
    limits: CallLimits,
    journal: Journal,
    replay: dict,
) -> SampleResult:
    from pipeline.drafting import draft_document_async
    from pipeline.evals.judge import judge_draft
    from pipeline.evals.metrics import draft_metrics, findings_by_code

    suite = plan.suite
    assert isinstance(suite, DraftingSuite) and plan.prompts is not None
    prepared = plan.drafting_by_index[planned.case_index]
    entry = plan.models[planned.model_index]
    variant = plan.variants[planned.variant_index]
    base = SampleResult(
        key=planned.key,
        order=planned.order,
        case=prepared.case.id,
        model=entry.name,
        variant=variant.name,
        repeat=planned.repeat,
        tags=prepared.case.tags,
        scored_against=_drafting_basis(suite, prepared),
    )
    started = time.perf_counter()
    model = LimitedModel(
        models.get(entry.name, planned.repeat),
        label=entry.name,
        limits=limits,
        sample=planned.key,
        replay=replay,
        record=journal.add_call,
    )
    try:
        spec, prompts = plan.prompts.get(prepared.spec, variant)
        draft = await draft_document_async(
            spec,
            prepared.facts,
            model,
            prompts=prompts,
            concurrency=len(spec.sections),
            repairs=suite.repairs,
        )
        answered = len(draft.failed_sections) < len(draft.sections)
        metrics = draft_metrics(spec, prepared.facts, draft) if answered else {}
    except (DraftsmithError, OSError, ValueError) as exc:
        return base.model_copy(
            update={
                "status": "error",
                "error": str(exc),
                "duration_s": time.perf_counter() - started,
            }
        )
    # Sections failed for one reason (a wrong key, an empty account, the endpoint down) are
    # named together: the provider's message once, not once per section in every sample.
    problems = [
        f"section {failed[0].id} failed: {reason}"
        if len(failed) == 1
        else f"sections {', '.join(s.id for s in failed)} failed: {reason}"
        for reason, failed in draft.failures_by_reason().items()
    ]
    if not answered:
        # No section got an answer: the draft is the failure markers alone, nothing of the
        # model's to score, assert on or judge (its metrics would rank a model with a wrong
        # key, and pass its thresholds on unsupported numbers).
        return base.model_copy(
            update={
                "status": "error",
                "error": "; ".join(problems),
                "title": draft.title,
                "text": draft.text,
                "usage": draft.usage,
                "duration_s": round(time.perf_counter() - started, 4),
                "failed_sections": [s.id for s in draft.failed_sections],
            }
        )
    reasons: list[str] = []
    judge_error: str | None = None
    if suite.judge is not None:
        judge_inner = models.get("judge:" + suite.judge.model)
        judge_model = LimitedModel(
            judge_inner,
            label="judge:" + suite.judge.model,
            limits=limits,
            sample=planned.key,
            replay=None,  # verdicts are cached by judge_draft once they parse
            record=journal.add_call,
        )
        try:
            verdict = await judge_draft(
                judge_model,
                # keyed by what the name stands for: a profile pointed at another model, or
                # given another temperature, is another judge
                cache_name=_identity_text(judge_inner),
                rubric=suite.judge.rubric,
                title=draft.title,
                text=draft.text,
                use_cache=plan.use_cache,
            )
            metrics["judge_score"] = float(verdict.score)
            reasons = verdict.reasons
        except (DraftsmithError, OSError, ValueError) as exc:
            judge_error = f"judge failed: {exc}"
    text = draft.text
    outcomes = evaluate_all(
        [*suite.default_assert, *prepared.case.assertions],
        text=text,
        findings=draft.findings,
        metrics=metrics,
    )
    if suite.judge is not None and suite.judge.min_score is not None and judge_error is None:
        ok = metrics["judge_score"] >= suite.judge.min_score
        outcomes.append(
            AssertionOutcome(
                name=f"judge_score ≥ {suite.judge.min_score:g}",
                passed=ok,
                message="" if ok else f"judge gave {metrics['judge_score']:g}",
            )
        )
    if judge_error:
        problems.append(judge_error)
    return base.model_copy(
        update={
            "status": "error" if problems else "ok",
            "error": "; ".join(problems) or None,
            "passed": not problems and all(o.passed for o in outcomes),
            "metrics": metrics,
            "findings_by_code": findings_by_code(draft.findings),
            "assertions": [AssertionRecord(**o.model_dump()) for o in outcomes],
            "title": draft.title,
            "text": text,
            "findings": _compact(draft.findings),
            "judge_reasons": reasons,
            "usage": draft.usage,
            "duration_s": round(time.perf_counter() - started, 4),
            "failed_sections": [s.id for s in draft.failed_sections],
        }
    )


def _check_sample(plan: RunPlan, planned: PlannedSample) -> SampleResult:
    from pipeline.checker import check_text
    from pipeline.evals.checker_score import score_findings
    from pipeline.evals.metrics import findings_by_code

    prepared = plan.checks_by_index[planned.case_index]
    started = time.perf_counter()
    report = check_text(prepared.text, spec=prepared.spec, facts=prepared.facts)
    score = score_findings(
        prepared.text, list(prepared.case.expect), report.findings, prepared.case.ignore
    )
    return SampleResult(
        key=planned.key,
        order=planned.order,
        case=prepared.case.id,
        model="checker",
        variant="default",
        repeat=0,
        tags=prepared.case.tags,
        passed=score.passed,
        metrics={
            "errors": float(sum(f.severity == "error" for f in report.findings)),
            "warnings": float(sum(f.severity == "warning" for f in report.findings)),
            "chars": float(len(prepared.text)),
        },
        findings_by_code=findings_by_code(report.findings),
        title=prepared.case.description or prepared.case.id,
        text=prepared.text,
        findings=_compact(report.findings),
        family_counts=score.families,
        missed=score.missed,
        unexpected=score.unexpected,
        duration_s=round(time.perf_counter() - started, 4),
        scored_against=_checking_basis(prepared),
    )


# ----------------------------------------------------------------------------- the run


async def _execute(
    plan: RunPlan,
    journal: Journal,
    take: Callable[[], PlannedSample | None],
    finished: Callable[[SampleResult], None],
    limits: CallLimits,
    replay: dict,
    *,
    load_libraries: bool,
) -> None:
    """Run samples as `take` hands them out, until it has none left; journal each result,
    then pass it to `finished`. `load_libraries`: load the model libraries before the first
    call (when calls are ahead; see `_calls_ahead`)."""
    models = _instantiate(plan, use_cache=plan.use_cache)
    await models.warm_up(load_libraries=load_libraries)

    async def worker() -> None:
        while (planned := take()) is not None:
            if isinstance(plan.suite, CheckerSuite):
                result = _check_sample(plan, planned)
            else:
                result = await _draft_sample(plan, planned, models, limits, journal, replay)
            journal.add_sample(result)
            for k in [k for k in replay if k[0] == planned.key]:
                del replay[k]
            finished(result)

    try:
        await asyncio.gather(*(worker() for _ in range(_samples_at_once(plan, limits.concurrency))))
    finally:
        await models.aclose()


def _samples_at_once(plan: RunPlan, slots: int) -> int:
    """Samples a process works on at once: enough that their section calls fill its call
    slots, plus one being assembled and checked meanwhile. No more: whatever a process has
    started when the run's last samples are handed out, it must finish alone at the end."""
    if isinstance(plan.suite, CheckerSuite) or not plan.drafting:
        return 1
    sections = min(len(c.spec.sections) for c in plan.drafting)
    return min(slots, -(-slots // max(1, sections)) + 1)


def _limits(
    plan: RunPlan, share: int = 0, of: int = 1, peak: SharedPeak | None = None
) -> CallLimits:
    """Process `share`'s part of the run's limits, when the run is split over `of` processes."""
    limits = CallLimits(split(plan.concurrency, of)[share], peak=peak)
    for m in plan.models:
        limits.configure(
            m.name,
            concurrency=split(m.concurrency, of)[share] if m.concurrency else None,
            rpm=m.rpm / of if m.rpm else None,
        )
    return limits


def _worker_count(plan: RunPlan, pending: int, requested: int | None) -> int:
    """Processes for a run: as asked (or one per core for a large run), never more than
    the run's or any model's cap on calls in flight, so that each process has a share."""
    if isinstance(plan.suite, CheckerSuite) or pending == 0 or not can_fork():
        return 1
    wanted = requested or auto_workers(pending, plan.concurrency)
    caps = [plan.concurrency, pending] + [m.concurrency for m in plan.models if m.concurrency]
    return max(1, min(wanted, *caps))


def _counted(
    plan: RunPlan, done_before: int, progress: ProgressSink | None
) -> Callable[[SampleResult], None]:
    """What to call with each finished sample: counts it and reports progress."""
    done = done_before

    def finished(result: SampleResult) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(result, done, plan.size)

    return finished


@dataclass
class _Totals:
    calls: int = 0
    cached: int = 0
    peak_in_flight: int = 0


def _execute_here(
    plan: RunPlan,
    run_dir: Path,
    pending: list[PlannedSample],
    replay: dict,
    finished: Callable[[SampleResult], None],
    *,
    load_libraries: bool,
) -> _Totals:
    """The whole run in this process."""
    journal = Journal(run_dir)
    limits = _limits(plan)
    take = functools.partial(next, iter(pending), None)
    try:
        asyncio.run(
            _execute(plan, journal, take, finished, limits, replay, load_libraries=load_libraries)
        )
    finally:
        journal.close()
    return _Totals(limits.calls, limits.cached, limits.peak_in_flight)


def _execute_forked(
    plan: RunPlan,
    run_dir: Path,
    pending: list[PlannedSample],
    replay: dict,
    finished: Callable[[SampleResult], None],
    workers: int,
    *,
    load_libraries: bool,
) -> _Totals:
    """The run spread over `workers` forked processes (`pipeline.evals.workers`)."""
    repair_journal(run_dir)
    if load_libraries:
        _instantiate(plan, use_cache=False).prepare()  # once, here: every worker inherits it
    cursor = SharedCursor(pending)
    peak = SharedPeak()

    def child(index: int, send: Callable[[SampleResult], None]) -> tuple[int, int]:
        journal = Journal(run_dir, repair=False)
        limits = _limits(plan, index, workers, peak)
        try:
            asyncio.run(
                _execute(plan, journal, cursor.take, send, limits, replay, load_libraries=False)
            )
        finally:
            journal.close()
        return limits.calls, limits.cached

    counts = run_forked(workers, child, finished)
    return _Totals(
        calls=sum(c for c, _ in counts), cached=sum(c for _, c in counts), peak_in_flight=peak.peak
    )


@dataclass
class RunResult:
    """Where a run was journaled and how it went."""

    run_dir: Path
    meta: RunMeta
    model_calls: int
    """Calls that reached a model in this invocation (replayed and cached answers excluded)."""
    peak_in_flight: int
    cached_calls: int = 0
    """Calls the response cache answered."""
    matrix_s: float = 0.0
    """Seconds spent running the matrix (after the suite was loaded and checked)."""
    workers: int = 1
    """Processes the matrix was spread over."""


def _inputs_hash(plan: RunPlan) -> str | None:
    """A hash of each case's facts and document type and of each variant's templates (None
    for a checker suite, whose texts are in the suite or named files)."""
    if plan.prompts is None:
        return None
    digest = hashlib.sha256()
    for case in plan.drafting:
        digest.update(case.facts.content_hash().encode())
        for variant in plan.variants:
            spec, prompts = plan.prompts.get(case.spec, variant)
            digest.update((spec.content_hash or "").encode())
            digest.update(json.dumps(prompts.hashes, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def start_run(
    suite_ref: str | Path,
    options: RunOptions,
    *,
    progress: ProgressSink | None = None,
    on_start: Callable[[Path], None] | None = None,
) -> RunResult:
    """Run a suite from the start, in a new run folder."""
    suite, lines = load_suite(suite_ref)
    plan = plan_run(suite, lines, options)
    # a bad model name fails before the run folder exists
    asked = _instantiate(plan, use_cache=False).asked_names()
    run_dir = new_run_dir(suite.name)
    run_id = run_dir.name
    meta = RunMeta(
        run_id=run_id,
        suite_path=str(suite.source),
        suite_name=suite.name,
        suite_kind=suite.kind,
        suite_hash=suite.content_hash,
        inputs_hash=_inputs_hash(plan),
        options=options,
        planned=plan.size,
        asked_models=asked,
    )
    with running(run_dir):
        return _run(plan, run_dir, meta, retry_errors=False, progress=progress, on_start=on_start)


def resume_run(
    run: str | Path,
    *,
    retry_errors: bool = False,
    concurrency: int | None = None,
    workers: int | None = None,
    no_cache: bool = False,
    progress: ProgressSink | None = None,
    on_start: Callable[[Path], None] | None = None,
) -> RunResult:
    """Finish an interrupted run: only the samples not yet journaled (and, with
    `retry_errors`, those that ended in an error) are run. `concurrency`, `workers` and
    `no_cache` override what the run was started with."""
    run_dir = find_run(run)
    meta = read_meta(run_dir)
    suite, lines = load_suite(meta.suite_path)
    if suite.content_hash != meta.suite_hash:
        print(
            f"warning: {meta.suite_path} changed since run {meta.run_id} started; "
            "finished samples keep their results",
            file=sys.stderr,
        )
    options = meta.options
    if concurrency:
        options = options.model_copy(update={"concurrency": concurrency})
    if workers:
        options = options.model_copy(update={"workers": workers})
    if no_cache:
        options = options.model_copy(update={"no_cache": True})
    plan = plan_run(suite, lines, options)
    if meta.inputs_hash is not None and _inputs_hash(plan) != meta.inputs_hash:
        print(
            f"warning: the cases' facts, document types or templates changed since run "
            f"{meta.run_id} started; finished samples keep their results, the others are "
            "drafted from the new ones",
            file=sys.stderr,
        )
    with running(run_dir):  # refused while another process runs it
        return _run(
            plan, run_dir, meta, retry_errors=retry_errors, progress=progress, on_start=on_start
        )


def _run(
    plan: RunPlan,
    run_dir: Path,
    meta: RunMeta,
    *,
    retry_errors: bool,
    progress: ProgressSink | None,
    on_start: Callable[[Path], None] | None = None,
) -> RunResult:
    status = sample_status(run_dir)
    pending = [
        s
        for s in plan.samples()
        if s.key not in status or (retry_errors and status[s.key].status == "error")
    ]
    retried = {s.key: status[s.key].failed_sections for s in pending if s.key in status}
    done_before = plan.size - len(pending)
    replay = load_calls(run_dir, {s.key for s in pending}, retried) if status or pending else {}
    meta = meta.model_copy(
        update={
            "planned": plan.size,
            "finished_at": None,
            "thresholds": plan.suite.thresholds.model_dump(mode="json"),
        }
    )
    write_meta(run_dir, meta)
    if on_start is not None:
        on_start(run_dir)
    workers = _worker_count(plan, len(pending), plan.workers)
    matrix_started = time.perf_counter()
    finished = _counted(plan, done_before, progress)
    load = _calls_ahead(plan, pending)
    if workers > 1:
        totals = _execute_forked(
            plan, run_dir, pending, replay, finished, workers, load_libraries=load
        )
    else:
        totals = _execute_here(plan, run_dir, pending, replay, finished, load_libraries=load)
    matrix_s = time.perf_counter() - matrix_started
    meta = meta.model_copy(
        update={
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "model_calls": count_model_calls(run_dir),
            "peak_in_flight": max(meta.peak_in_flight, totals.peak_in_flight),
        }
    )
    write_meta(run_dir, meta)
    return RunResult(
        run_dir=run_dir,
        meta=meta,
        model_calls=totals.calls,
        cached_calls=totals.cached,
        peak_in_flight=totals.peak_in_flight,
        workers=workers,
        matrix_s=matrix_s,
    )
