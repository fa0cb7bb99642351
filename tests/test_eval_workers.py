"""`draft eval --workers N`: a run spread over forked processes.

The pieces (shares of the limits, the shared cursor, errors from a worker) in-process; then
real runs of `draft eval` over real HTTP: the same results as one process, the run's cap on
calls in flight and each model's rate still holding in sum, and a parent killed with SIGKILL
taking its workers with it, the run resuming without asking for a journaled answer again.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from pipeline.errors import DraftsmithError, InputError
from pipeline.evals.workers import (
    MAX_AUTO_WORKERS,
    MIN_SAMPLES_PER_WORKER,
    SharedCursor,
    auto_workers,
    available_cpus,
    can_fork,
    run_forked,
    split,
)
from tests.evalrun import (
    SECTIONS,
    journaled_calls,
    served_calls,
    server_env,
    settled_count,
    start_eval,
    wait_for_first_sample,
    write_suite,
)

pytestmark = pytest.mark.skipif(not can_fork(), reason="worker processes are forked (Linux)")

CASES = [
    "complete",
    "missing-numbers",
    "another-year",
    "year-2019",
    "minimal",
    "long-activity-lists",
]


def _suite(tmp_path: Path, cases: list[str], models: str = "models: [openai:good]\n") -> Path:
    return write_suite(tmp_path, cases, models, name="workers")


def _samples(report: Path) -> list[tuple[str, str, dict, dict]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return [(s["case"], s["text"], s["metrics"], s["findings_by_code"]) for s in data["samples"]]


# ----------------------------------------------------------------------------- the pieces


def test_limits_are_split_into_shares_that_add_up():
    assert split(16, 2) == [8, 8]
    assert split(5, 2) == [3, 2]
    assert split(3, 3) == [1, 1, 1]
    assert sum(split(17, 4)) == 17


def test_small_runs_stay_in_one_process():
    assert auto_workers(MIN_SAMPLES_PER_WORKER - 1, 16) == 1
    assert auto_workers(1000, 1) == 1  # one call in flight: nothing to share
    assert auto_workers(1000, 16) == min(available_cpus(), MAX_AUTO_WORKERS)


def test_the_shared_cursor_hands_out_each_sample_once_across_processes():
    items = list(range(200))
    cursor = SharedCursor(items)
    seen: list[int] = []

    def child(index: int, send) -> int:
        taken = 0
        while (item := cursor.take()) is not None:
            send(item)
            taken += 1
        return taken

    taken = run_forked(3, child, seen.append)
    assert sorted(seen) == items  # each once, none lost
    assert sum(taken) == len(items)


def test_an_error_in_a_worker_is_raised_in_the_parent_as_itself():
    def bad_input(index: int, send) -> None:
        if index == 1:
            raise InputError("expected a number", path="facts.yaml", line=3)

    with pytest.raises(InputError, match=r"facts\.yaml:3: expected a number"):
        run_forked(2, bad_input, lambda _: None)

    def one_fails_one_would_go_on(index: int, send) -> None:
        if index == 0:
            raise InputError("facts.yaml: bad")
        time.sleep(60)  # stands for a worker still calling the model

    started = time.monotonic()
    with pytest.raises(InputError, match=r"facts\.yaml: bad"):
        run_forked(2, one_fails_one_would_go_on, lambda _: None)
    assert time.monotonic() - started < 10, "the other worker was waited for, not stopped"

    def dies(index: int, send) -> None:
        os._exit(7)

    with pytest.raises(DraftsmithError, match=r"stopped unexpectedly \(exit 7, 7\)"):
        run_forked(2, dies, lambda _: None)


# ----------------------------------------------------------------------------- real runs


def test_two_workers_give_the_same_results_within_the_same_limits(cli, tmp_path, openai_server):
    openai_server.latency = 0.1
    suite = _suite(tmp_path, CASES)
    two = cli(
        "eval", suite, "--workers", "2", "--concurrency", "4", "--no-cache", "-q",
        "-o", tmp_path / "two.json", env=server_env(openai_server),
    )  # fmt: skip
    assert two.returncode == 0, two.stderr
    calls = openai_server.count()  # a section or two is repaired: more than one call
    assert calls >= len(CASES) * SECTIONS and f"{calls} answer(s) from the model" in two.stderr
    # The cap holds for the run as a whole, counted across both processes, and is reached.
    assert "peak 4 in flight, 2 processes" in two.stderr
    received = sorted(r.received_at for r in openai_server.requests())
    overlapping = max(
        sum(1 for t in received if start <= t < start + openai_server.latency) for start in received
    )
    assert overlapping <= 4

    one = cli(
        "eval", suite, "--workers", "1", "--concurrency", "4", "--no-cache", "-q",
        "-o", tmp_path / "one.json", env=server_env(openai_server),
    )  # fmt: skip
    assert one.returncode == 0, one.stderr
    assert "processes" not in one.stderr
    assert _samples(tmp_path / "two.json") == _samples(tmp_path / "one.json")


def test_a_model_rate_holds_in_sum_across_workers(cli, tmp_path, openai_server):
    suite = _suite(tmp_path, CASES[:2], "models:\n  - {id: openai:good, rpm: 600}\n")
    result = cli("eval", suite, "--workers", "2", "--no-cache", "-q", env=server_env(openai_server))
    assert result.returncode == 0, result.stderr
    assert "2 processes" in result.stderr
    times = sorted(r.received_at for r in openai_server.requests())
    assert len(times) == 2 * SECTIONS
    # 600 a minute in sum: each of the two processes starts one call every 0.2 s (were the
    # rate not shared out, every 0.1 s). The first calls of each arrive bunched (building the
    # HTTP client delays the first), so the spacing is read from the last eight arrivals: four
    # starts of each process, 3 × 0.2 s apart (unlimited, all 14 arrive within a few hundredths).
    assert times[-1] - times[-8] >= 0.5, [round(t - times[0], 3) for t in times]


def test_killing_the_parent_stops_its_workers_and_the_run_resumes(cli, tmp_path, openai_server):
    openai_server.latency = 0.3
    suite = _suite(tmp_path, CASES)
    proc = start_eval(
        openai_server, suite, "--workers", "2", "--concurrency", "4", "--no-cache", "-q"
    )
    journal = wait_for_first_sample()
    assert journal is not None, "no sample was journaled"
    proc.send_signal(signal.SIGKILL)  # the parent only: its workers must notice by themselves
    proc.communicate(timeout=10)
    run_dir = journal.parent
    finished_before = journal.read_text(encoding="utf-8").count("\n")
    assert 1 <= finished_before < len(CASES), "the kill must land mid-run"
    at_kill = openai_server.count()
    # the calls in flight at the kill (--concurrency 4) may still arrive, and nothing more
    assert settled_count(openai_server) - at_kill <= 4, "a worker went on calling after the kill"

    openai_server.latency = 0.0
    resumed = cli("eval", "--resume", run_dir.name, "-q", "-o", tmp_path / "resumed.json",
                  env=server_env(openai_server))  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    records = journaled_calls(run_dir)
    assert len(records) >= len(CASES) * SECTIONS  # each answer once, by whichever process
    needed = Counter(r.key for r in records)
    served = served_calls(openai_server)
    assert not (needed - served)
    assert sum((served - needed).values()) <= 4  # at most the calls in flight at the kill
    keys = [
        json.loads(x)["key"]
        for x in (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == len(CASES)

    fresh = cli("eval", suite, "--no-cache", "-q", "-o", tmp_path / "fresh.json",
                env=server_env(openai_server))  # fmt: skip
    assert fresh.returncode == 0
    assert _samples(tmp_path / "fresh.json") == _samples(tmp_path / "resumed.json")


def test_interrupting_the_parent_stops_the_workers_and_says_how_to_resume(
    cli, tmp_path, openai_server
):
    openai_server.latency = 0.3
    suite = _suite(tmp_path, CASES)
    proc = start_eval(openai_server, suite, "--workers", "2", "--concurrency", "4", "--no-cache")
    wait_for_first_sample()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "resume with `draft eval --resume" in err
    at_exit = openai_server.count()
    # the calls in flight as the run stopped (--concurrency 4) may still arrive, nothing more
    assert settled_count(openai_server) - at_exit <= 4, "a worker went on calling after Ctrl-C"
