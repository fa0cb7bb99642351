"""The run folder: `run.json` (what was asked), `samples.jsonl` (one result per finished sample)
and `calls.jsonl` (every model answer, by sample), each line appended and flushed as it finishes.

A run stopped at any point — Ctrl-C or kill -9 — loses at most the line being written; on
resume, finished samples are not run again and the answers of unfinished ones are replayed
from `calls.jsonl` instead of asking the model twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field, ValidationError

from pipeline import paths
from pipeline.errors import InputError
from pipeline.models.base import Completion, Usage
from pipeline.prompts import Message
from pipeline.textio import (
    LineMap,
    a_or_an,
    existing_file,
    parse_json,
    read_text,
    write_atomic,
)
from pipeline.validation import raise_validation_error

RUN_FILE = "run.json"
SAMPLES_FILE = "samples.jsonl"
CALLS_FILE = "calls.jsonl"
LOCK_FILE = ".lock"
_JOURNALS = {
    SAMPLES_FILE: "evaluation run's journal of finished samples",
    CALLS_FILE: "evaluation run's journal of model answers",
}
"""What each journal file is, as a message about it names it."""


class RunOptions(BaseModel):
    """The choices a run was started with; a resumed run keeps them."""

    models: list[str] | None = None
    """`--model` overrides of the suite's models."""
    cases: list[str] | None = None
    """`--case` filter."""
    tags: list[str] | None = None
    """`--tag` filter: the cases carrying any of these tags."""
    repeat: int | None = None
    concurrency: int | None = None
    no_cache: bool = False
    """Ask the models even where the response cache has an answer."""
    workers: int | None = None
    """`--workers`: processes to spread the run over (None: one per core for a large run)."""


class RunMeta(BaseModel):
    """`run.json`: the suite and options of a run."""

    run_id: str
    suite_path: str
    suite_name: str
    suite_kind: str
    suite_hash: str
    inputs_hash: str | None = None
    """What the drafts are made from besides the suite file: the cases' facts and document
    types and each variant's templates (None in runs from before it was kept)."""
    options: RunOptions
    planned: int = 0
    """Samples in the matrix."""
    created_at: str = Field(
        # to the millisecond: two runs started in the same second still list in order
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    )
    finished_at: str | None = None
    model_calls: int = 0
    """Calls that reached a model, over every invocation (replayed answers excluded): counted
    in `calls.jsonl`, so that the calls of an invocation killed or interrupted count too."""
    peak_in_flight: int = 0
    """The most model calls in flight at once."""
    asked_models: dict[str, str] = {}
    """The model name each model of the run asks its endpoint for, by label (`gpt-4o` for
    `openai:gpt-4o`, a profile's `model`): what the models the answers name are told apart
    from (empty in runs from before it was kept)."""
    thresholds: dict[str, Any] | None = None
    """The suite's thresholds when the run last ran: its verdict does not depend on the suite
    file still being there (None in runs from before they were kept)."""


class CompactFinding(BaseModel):
    """A finding as journaled: enough to list it and to highlight it in the draft."""

    code: str
    severity: str
    start: int
    end: int
    line: int
    excerpt: str
    message: str
    section: str | None = None


class AssertionRecord(BaseModel):
    name: str
    passed: bool
    message: str = ""


class ScoredAgainst(BaseModel):
    """What a case's drafts were scored against, kept with each sample so that a result can
    be read later without the suite, the facts file or the document type."""

    assertions: list[dict[str, Any]] = []
    """The suite's `default_assert` and the case's `assert`, as given (for a checker case, its
    `expect` and `ignore`)."""
    must_mention: dict[str, list[str]] = {}
    """`fact_coverage`: by must-mention fact id, the units the draft must name."""
    missing: list[str] = []
    """`marker_precision` / `marker_recall`: the facts (and `fact.field`s of list items) the
    case leaves out and a section uses, each of which should get a marker."""
    numbers: dict[str, list[float]] = {}
    """`number_coverage`: by section id, the numbers the facts give the section."""


class SampleResult(BaseModel):
    """One finished sample: a case drafted by one model, variant and repeat (or checked)."""

    key: str
    order: tuple[int, int, int, int]
    """(case, model, variant, repeat) positions in the suite: the report order."""
    case: str
    model: str
    variant: str
    repeat: int
    tags: list[str] = []
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    passed: bool = False
    metrics: dict[str, float] = {}
    findings_by_code: dict[str, int] = {}
    assertions: list[AssertionRecord] = []
    title: str = ""
    text: str = ""
    findings: list[CompactFinding] = []
    judge_reasons: list[str] = []
    # checker suites: expected vs found, by rule family
    family_counts: dict[str, dict[str, int]] = {}
    """family → {tp, fp, fn}."""
    missed: list[str] = []
    """Expected findings the checker did not give (code @ text)."""
    unexpected: list[str] = []
    """Findings the case did not expect."""
    usage: Usage = Field(default_factory=Usage)
    duration_s: float = 0.0
    failed_sections: list[str] = []
    """Sections that got no usable answer (a retried sample asks the model for them again)."""
    scored_against: ScoredAgainst = Field(default_factory=ScoredAgainst)
    """The case's assertions and expectations (empty in runs from before it was kept)."""


class CallRecord(BaseModel):
    """One model answer, journaled so a resumed run need not ask for it again."""

    sample: str
    key: str
    completion: Completion
    section: str | None = None
    """The section the answer was for."""
    replay: bool = True
    """False for a judge's verdict: journaled to be counted, but asked for again on resume
    (verdicts are cached once they parse)."""


def new_run_id(suite_name: str) -> str:
    """A sortable, unique run id: `20250101-120000-<suite>-<hex>`."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in suite_name)[:40]
    return f"{stamp}-{slug}-{secrets.token_hex(2)}"


def new_run_dir(suite_name: str) -> Path:
    """A new, empty run folder under `runs_dir()`, made by this process alone: two runs of
    one suite started in the same second never share a folder."""
    root = runs_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        while True:
            run_dir = root / new_run_id(suite_name)
            try:
                run_dir.mkdir()
                return run_dir
            except FileExistsError:
                continue
    except OSError as exc:
        raise InputError(
            f"cannot make the evaluation run's folder: {exc.strerror or exc}", path=str(root)
        ) from None


def runs_dir() -> Path:
    """Where runs are stored: `<user data>/runs/`."""
    return paths.user_data_dir() / "runs"


def find_run(run: str | Path) -> Path:
    """A run folder from a run id or a path."""
    p = Path(run)
    if (p / RUN_FILE).is_file():
        return p
    candidate = runs_dir() / str(run)
    if (candidate / RUN_FILE).is_file():
        return candidate
    known = sorted(d.name for d in runs_dir().glob("*") if (d / RUN_FILE).is_file())[-5:]
    hint = f" (recent runs: {', '.join(known)})" if known else ""
    raise InputError(f"no evaluation run '{run}' in {runs_dir()}{hint}")


def call_key(model: str, messages: list[Message]) -> str:
    """The identity of one model call: the model and the whole conversation."""
    blob = json.dumps(
        [model, [m.model_dump() for m in messages]], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _drop_torn_tail(path: Path) -> None:
    """Cut a last line left half-written by a killed run, so appends start on a fresh line."""
    if not _journal_exists(path):
        return
    with open(path, "rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        keep = size
        chunk = 65536
        while keep > 0:
            start = max(0, keep - chunk)
            fh.seek(start)
            block = fh.read(keep - start)
            cut = block.rfind(b"\n")
            if cut != -1:
                fh.truncate(start + cut + 1)
                return
            keep = start
        fh.truncate(0)


def repair_journal(run_dir: Path) -> None:
    """Cut the torn last lines a killed run may have left, before anything is appended."""
    for name in (SAMPLES_FILE, CALLS_FILE):
        _drop_torn_tail(run_dir / name)


class Journal:
    """Appends results and model answers to a run folder, one line each.

    Each line is one `write` to a file opened for appending, so the processes of a run
    spread over workers can share the files: lines never interleave, and a process killed
    at any moment leaves whole lines (or, at worst, a torn last one)."""

    def __init__(self, run_dir: Path, *, repair: bool = True):
        """`repair=False` for a worker process: the parent repaired the files before the
        workers started, and cutting a tail now could cut a sibling's line."""
        self.run_dir = run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        if repair:
            repair_journal(run_dir)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        self._samples = os.open(run_dir / SAMPLES_FILE, flags, 0o600)
        self._calls = os.open(run_dir / CALLS_FILE, flags, 0o600)

    def add_sample(self, result: SampleResult) -> None:
        _append(self._samples, result.model_dump_json())

    def add_call(self, record: CallRecord) -> None:
        _append(self._calls, record.model_dump_json())

    def close(self) -> None:
        for fd in (self._samples, self._calls):
            with contextlib.suppress(OSError):
                os.fsync(fd)
            os.close(fd)


@contextmanager
def running(run_dir: Path) -> Iterator[None]:
    """Hold the run folder while this process (and its workers) runs it: a second
    `draft eval --resume` of the run is refused instead of running every unfinished sample
    again beside the first. The lock ends with the process, so a killed run resumes at once;
    where the system has no `fcntl` (Windows) runs are not locked."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"the evaluation run {run_dir.name} is still running in another process: "
                "wait for it to finish (or stop it), then resume it"
            ) from None
        yield
    finally:
        os.close(fd)


def _append(fd: int, line: str) -> None:
    data = (line + "\n").encode("utf-8")
    written = os.write(fd, data)
    while written < len(data):  # only on a full disk or a signal: finish the line
        written += os.write(fd, data[written:])


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def write_meta(run_dir: Path, meta: RunMeta) -> None:
    """Write `run.json` atomically. A suite's file name with a byte that is not UTF-8 (a
    lone surrogate in Python, which UTF-8 cannot hold: a traceback) is written as a JSON
    escape, read back as the same name, so the run can still be resumed."""
    text = json.dumps(meta.model_dump(mode="json"), indent=2, ensure_ascii=False)
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    write_atomic(run_dir / RUN_FILE, text + "\n")


def read_meta(run_dir: Path) -> RunMeta:
    """The run's `run.json`."""
    path = run_dir / RUN_FILE
    what = "evaluation run record"
    data = parse_json(read_text(path, what=what), path=str(path), expected=a_or_an(what))
    try:
        return RunMeta.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(exc, path=str(path), lines=LineMap(), what=what)
        raise  # not reached: raise_validation_error always raises


def _journal_exists(path: Path) -> bool:
    """Whether the journal file is there (False: nothing journaled yet); InputError naming
    it when a folder, a named pipe or a device stands in its place: read as no file, the
    run's finished samples were reported as none (exit 1), and a pipe hung a resumed run."""
    return existing_file(path, what=_JOURNALS.get(path.name, "evaluation run's journal"))


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    """Each complete JSON line of a journal file (a torn last line is skipped, and so is a
    damaged one, as an interrupted run may leave; a file that cannot be read is an
    InputError naming it)."""
    if not _journal_exists(path):
        return
    try:
        with open(path, "rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break
                try:
                    yield json.loads(line)
                except ValueError:  # not JSON, or not UTF-8: damaged, skipped like a torn one
                    continue
    except OSError as exc:
        what = _JOURNALS.get(path.name, "evaluation run's journal")
        raise InputError(f"cannot read the {what}: {exc.strerror or exc}", path=str(path)) from None


def iter_samples(run_dir: Path) -> Iterator[SampleResult]:
    """Every journaled sample, in the order they finished (a later line replaces an earlier one)."""
    for data in _lines(run_dir / SAMPLES_FILE):
        try:
            yield SampleResult.model_validate(data)
        except ValidationError:
            continue


def latest_samples(run_dir: Path) -> list[SampleResult]:
    """The final result of every sample, in report order (case, model, variant, repeat)."""
    latest: dict[str, SampleResult] = {}
    for sample in iter_samples(run_dir):
        latest[sample.key] = sample
    return sorted(latest.values(), key=lambda s: s.order)


class SampleState(NamedTuple):
    """How a sample's last journaled result ended."""

    status: str
    failed_sections: frozenset[str] = frozenset()


def sample_status(run_dir: Path) -> dict[str, SampleState]:
    """key → state of the last journaled result of each sample (small: no texts kept). A
    damaged record counts as not journaled, as `iter_samples` skips it: the sample runs again
    instead of being taken for done and then missing from the report."""
    return {
        s.key: SampleState(s.status, frozenset(s.failed_sections)) for s in iter_samples(run_dir)
    }


def load_calls(
    run_dir: Path, samples: set[str], retried: Mapping[str, Collection[str]] | None = None
) -> dict[tuple[str, str], list[Completion]]:
    """The journaled answers of the given samples: (sample, call key) → answers in order.

    `retried`: samples run again after an error, each with its failed sections; the answers
    that failed them (and any unusable answer of those samples) are left out, so that those
    calls reach the model again instead of failing the same way."""
    from pipeline.postprocess import completion_failure

    retried = retried or {}
    memo: dict[tuple[str, str], list[Completion]] = {}
    for data in _lines(run_dir / CALLS_FILE):
        if not isinstance(data, dict) or data.get("sample") not in samples:
            continue
        try:
            record = CallRecord.model_validate(data)
        except ValidationError:
            continue
        if not record.replay:
            continue
        failed = retried.get(record.sample)
        if failed is not None and (
            record.section in failed or completion_failure(record.completion) is not None
        ):
            continue
        memo.setdefault((record.sample, record.key), []).append(record.completion)
    return memo


def count_model_calls(run_dir: Path) -> int:
    """How many journaled answers came from a model (not from the response cache)."""
    count = 0
    for data in _lines(run_dir / CALLS_FILE):
        completion = data.get("completion") if isinstance(data, dict) else None
        usage = completion.get("usage") if isinstance(completion, dict) else None
        count += isinstance(usage, dict) and not usage.get("cached")
    return count
