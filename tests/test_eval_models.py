"""`draft eval` against real HTTP: the scripted OpenAI-compatible server on 127.0.0.1.

Two scripted models are ranked; a run killed with SIGKILL resumes without asking the server
again for any answer it had journaled; the run-wide cap on calls in flight and per-model rates
hold; errors are retried on request; the judge is called once per draft and then cached."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from pipeline.testing.openai_server import ScriptedOpenAIServer
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


def _run_id(stderr: str) -> str:
    return next(x for x in stderr.splitlines() if x.startswith("run ")).split()[1]


def test_good_and_bad_models_are_ranked(cli, tmp_path, openai_server):
    # Two endpoints, as two profiles: a good model, and a bad one that invents numbers, drops
    # the sentences holding digits, and never answers for the public-opinion section.
    with ScriptedOpenAIServer() as bad_server:
        bad_server.script("public_opinion", *["empty"] * 20)
        (tmp_path / "draft.toml").write_text(
            f'[profiles.good]\nmodel = "good"\nbase_url = "{openai_server.base_url}"\nkey_required = false\n'
            f'[profiles.bad]\nmodel = "bad"\nbase_url = "{bad_server.base_url}"\nkey_required = false\n',
            encoding="utf-8",
        )
        suite = write_suite(
            tmp_path,
            ["complete", "missing-numbers", "another-year"],
            "models: [bad, good]\ndefault_assert:\n  - {type: metric, name: structure_pass, min: 1}\n",
        )
        report = tmp_path / "report.json"
        md = tmp_path / "report.md"
        result = cli("eval", suite, "-o", report, "-o", md, "-q", "--no-cache", cwd=tmp_path)
        assert bad_server.count() > 0 and openai_server.count() == 3 * SECTIONS
    assert result.returncode == 1, result.stderr  # the bad model fails its thresholds
    data = json.loads(report.read_text(encoding="utf-8"))
    groups = {g["model"]: g for g in data["summary"]["groups"]}
    assert groups["good"]["rank"] == 1 and groups["bad"]["rank"] == 2
    good, bad = groups["good"]["metrics"], groups["bad"]["metrics"]
    assert groups["good"]["pass_rate"] == 1.0 and groups["bad"]["pass_rate"] == 0.0
    assert good["structure_pass"] == 1.0 and bad["structure_pass"] == 0.0
    assert good["fact_coverage"] == 1.0 > bad["fact_coverage"]
    assert groups["good"]["quality"] > groups["bad"]["quality"]
    bad_sample = next(s for s in data["samples"] if s["model"] == "bad")
    assert "全年共组织专题活动137场" in bad_sample["text"]  # the invented numbers are in the draft
    assert bad_sample["status"] == "error" and "public_opinion" in bad_sample["error"]
    # The terminal table lists the good model first.
    assert result.stdout.index("│    1 │ good") < result.stdout.index("│    2 │ bad")
    # Its column of samples that ended in an error is not read as error findings.
    assert groups["bad"]["errors"] == 3 and groups["good"]["errors"] == 0
    assert "┃ errored ┃" in result.stdout and "errors" not in result.stdout.splitlines()[1]
    table = md.read_text(encoding="utf-8").splitlines()
    assert table[4].startswith("| rank | model | samples | pass rate | errored |")
    assert table[7].startswith("| 2 | bad | 3 | 0.0% | 3 |")


def test_killed_run_resumes_without_repeating_model_calls(cli, tmp_path, openai_server):
    openai_server.latency = 0.25
    cases = ["complete", "missing-numbers", "another-year", "year-2019"]
    suite = write_suite(tmp_path, cases, "models: [openai:good]\n")
    proc = start_eval(openai_server, suite, "--concurrency", "2", "--no-cache")
    journal = wait_for_first_sample()
    assert journal is not None, "no sample was journaled"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    run_dir = journal.parent
    finished_before = journal.read_text(encoding="utf-8").count("\n")
    assert 1 <= finished_before < len(cases), "the kill must land mid-run"
    settled_count(openai_server)  # requests the killed client left in flight reach the log
    openai_server.latency = 0.0
    junit = tmp_path / "partial.xml"
    md, html = tmp_path / "partial.md", tmp_path / "partial.html"
    # the stopped run's results
    partial = cli("eval", "report", run_dir.name, "-o", junit, "-o", md, "-o", html)
    assert partial.returncode == 1 and "INCOMPLETE" in partial.stdout
    # every report says what is missing and how to finish the run, not only JUnit
    note = (
        f"{finished_before} of {len(cases)} samples finished; finish the run with "
        f"`draft eval --resume {run_dir.name}`"
    )
    assert note in partial.stderr
    assert f"**{note}**" in md.read_text(encoding="utf-8")
    assert f'<p class="bad" id="unfinished">{note}</p>' in html.read_text(encoding="utf-8")
    incomplete = ET.parse(junit).getroot().find(".//testcase[@name='run complete']/failure")
    assert incomplete is not None  # CI sees the missing samples, not a green partial report
    assert incomplete.get("message") == f"{finished_before} of {len(cases)} samples finished"

    resumed = cli("eval", "--resume", run_dir.name, "-q", env=server_env(openai_server))
    assert resumed.returncode == 0, resumed.stderr
    # calls.jsonl now holds each answer the run used exactly once (replays are not journaled
    # again): what the server had to be asked. Anything the server answered beyond that was a
    # request in flight when the run was killed, whose answer never reached the journal.
    records = journaled_calls(run_dir)
    assert len(records) == len(cases) * SECTIONS
    needed = Counter(r.key for r in records)
    served = served_calls(openai_server)
    assert not (needed - served), "an answer the run used never came from the server"
    lost_in_flight = served - needed
    assert sum(lost_in_flight.values()) <= 2  # the run's cap on calls in flight
    lines = (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    keys = [json.loads(x)["key"] for x in lines]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == len(cases)

    # The same results as an uninterrupted run of the same suite.
    fresh = cli(
        "eval",
        suite,
        "--no-cache",
        "-q",
        "-o",
        tmp_path / "fresh.json",
        env=server_env(openai_server),
    )
    resumed_report = cli("eval", "report", run_dir.name, "-o", tmp_path / "resumed.json")
    assert fresh.returncode == resumed_report.returncode == 0

    def texts(p: Path) -> list[tuple[str, str, dict, tuple]]:
        data = json.loads(p.read_text(encoding="utf-8"))
        paid = ("requests", "cached", "input_tokens", "output_tokens")
        return [
            (s["case"], s["text"], s["metrics"], tuple(s["usage"][k] for k in paid))
            for s in data["samples"]
        ]

    assert texts(tmp_path / "fresh.json") == texts(tmp_path / "resumed.json")
    # The calls the killed invocation made count in the run's total, as in a fresh run.
    model_calls = [
        json.loads((tmp_path / name).read_text(encoding="utf-8"))["run"]["model_calls"]
        for name in ("resumed.json", "fresh.json")
    ]
    assert model_calls == [len(records), len(records)]


def test_one_cap_on_calls_in_flight_and_per_model_rates(cli, tmp_path, openai_server):
    openai_server.latency = 0.1
    suite = write_suite(tmp_path, ["complete", "minimal", "year-2019"], "models: [openai:good]\n")
    result = cli("eval", suite, "--concurrency", "3", "--no-cache", env=server_env(openai_server))
    assert result.returncode == 0, result.stderr
    # Section calls and repairs all go through the one cap, and every call is counted.
    assert (
        f"{openai_server.count()} answer(s) from the model, 0 from the cache, peak 3 in flight"
        in result.stderr
    )
    assert openai_server.count() >= 3 * SECTIONS

    openai_server.reset()
    openai_server.latency = 0.0
    rated = write_suite(
        tmp_path,
        ["complete"],
        "models:\n  - {id: openai:good, rpm: 300}\n",  # one call every 0.2 s
    )
    result = cli("eval", rated, "--no-cache", "-q", env=server_env(openai_server))
    assert result.returncode == 0, result.stderr
    times = sorted(r.received_at for r in openai_server.requests())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Starts are spaced 0.2 s apart (6 gaps: 1.2 s; unlimited, all seven arrive within
    # a few hundredths). Arrivals jitter with the client's CPU time (the first call also builds
    # the HTTP client), so only the spread is checked here; the limiter's exact spacing is
    # tested in-process below.
    assert len(times) == SECTIONS
    assert times[-1] - times[0] >= 0.6, gaps


def test_rate_limiter_spaces_call_starts():
    import asyncio

    from pipeline.evals.limits import RateLimiter

    async def starts() -> list[float]:
        limiter = RateLimiter(rpm=600)  # one start every 0.1 s
        stamps: list[float] = []

        async def call() -> None:
            await limiter.wait()
            stamps.append(time.monotonic())

        await asyncio.gather(*(call() for _ in range(6)))
        return stamps

    stamps = asyncio.run(starts())
    # Start k is scheduled k × 0.1 s after the first (a late wake-up delays one start, not
    # the schedule), so each start is at least that far from the first.
    offsets = [t - stamps[0] for t in stamps]
    assert all(off >= k * 0.1 - 0.005 for k, off in enumerate(offsets)), offsets


def test_retry_errors_reruns_only_the_failed_sample_and_section(cli, tmp_path, openai_server):
    openai_server.script("opening", "400")  # the first opening asked for is refused
    suite = write_suite(tmp_path, ["complete", "year-2019"], "models: [openai:good]\n")
    first = cli(
        "eval", suite, "--concurrency", "1", "--no-cache", "-q", env=server_env(openai_server)
    )
    assert first.returncode == 1 and "section opening failed" in first.stdout
    run = _run_id(first.stderr)
    assert openai_server.count() == 2 * SECTIONS

    plain = cli("eval", "--resume", run, "-q", env=server_env(openai_server))
    assert plain.returncode == 1 and openai_server.count() == 2 * SECTIONS  # nothing left to run

    retried = cli("eval", "--resume", run, "--retry-errors", "-q", env=server_env(openai_server))
    assert retried.returncode == 0, retried.stdout
    assert openai_server.count() == 2 * SECTIONS + 1  # only the refused section, once more
    assert openai_server.requests()[-1].section == "opening"


def test_sections_failed_for_one_reason_give_it_once(cli, tmp_path, openai_server):
    # a wrong key: every section of every sample fails with the provider's same message
    openai_server.script("*", "401")
    suite = write_suite(tmp_path, ["complete", "minimal"], "models: [openai:good]\n")
    report = tmp_path / "r.json"
    result = cli(
        "eval", suite, "--concurrency", "1", "--no-cache", "-o", report,
        env=server_env(openai_server),
    )  # fmt: skip
    assert result.returncode == 1
    assert openai_server.count() == 1  # the run stopped at the first 401
    for sample in json.loads(report.read_text(encoding="utf-8"))["samples"]:
        error = sample["error"]
        assert error.startswith(
            "sections opening, organization, theory_study, public_opinion, civic_culture, "
            "shortcomings, plans failed: 401 Unauthorized from http://127.0.0.1:"
        ), error
        assert error.count("401 Unauthorized") == 1
        assert sample["failed_sections"] == [
            "opening", "organization", "theory_study", "public_opinion", "civic_culture",
            "shortcomings", "plans",
        ]  # fmt: skip


def test_a_sample_out_of_time_says_what_its_requests_ran_into(cli, tmp_path, openai_server):
    # a profile whose model answers slower than its read timeout, under the run's deadline
    (tmp_path / "draft.toml").write_text(
        f'[profiles.slow]\nmodel = "good"\nbase_url = "{openai_server.base_url}"\n'
        "key_required = false\nread_timeout = 0.5\n",
        encoding="utf-8",
    )
    openai_server.script("plans", *["hang:5"] * 20)
    suite = write_suite(tmp_path, ["complete"], "models: [slow]\n")
    report = tmp_path / "r.json"
    env = {
        **server_env(openai_server),
        "DRAFTSMITH_RETRY_DEADLINE": "4",
        "DRAFTSMITH_RETRY_MAX_ATTEMPTS": "50",  # the deadline, not the attempts, runs out
        "DRAFTSMITH_RETRY_INITIAL_BACKOFF": "0.01",
        "DRAFTSMITH_RETRY_JITTER": "0",
    }
    result = cli("eval", suite, "--no-cache", "-q", "-o", report, env=env, cwd=tmp_path)
    assert result.returncode == 1
    (sample,) = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert sample["failed_sections"] == ["plans"]
    error = sample["error"]
    # the deadline either cuts a waiting request short or leaves no time for another attempt:
    # which one depends on the machine's timing, and both must say the same things
    assert error.startswith(
        (
            "section plans failed: no usable answer within the 4 s deadline (its requests were "
            "retried after: request timed out); a slow model needs a larger --timeout",
            "section plans failed: request timed out after ",
        )
    ), error
    assert "deadline" in error, error
    assert "a larger --timeout" in error, error
    assert "a lower --concurrency" in error, error


def test_retry_errors_asks_again_for_an_answer_that_failed_its_section(
    cli, tmp_path, openai_server
):
    # A refusal, and an answer cut off twice at the token limit, come back as answers (not
    # HTTP errors) and are journaled; retrying the sample must ask for them again.
    openai_server.script("theory_study", "refuse")
    openai_server.script("plans", "truncate", "truncate")
    suite = write_suite(tmp_path, ["complete"], "models: [openai:good]\n")
    first = cli("eval", suite, "--no-cache", "-q", env=server_env(openai_server))
    assert first.returncode == 1 and "section theory_study failed" in first.stdout
    assert "section plans failed" in first.stdout
    run = _run_id(first.stderr)
    served = openai_server.count()
    assert served == SECTIONS + 1  # the plans answer was cut off, and so was its continuation

    retried = cli("eval", "--resume", run, "--retry-errors", "-q", env=server_env(openai_server))
    assert retried.returncode == 0, retried.stdout
    again = [r.section for r in openai_server.requests()[served:]]
    assert sorted(again) == ["plans", "theory_study"]  # only the failed sections, once each


def test_compare_says_why_a_sample_that_ended_in_an_error_now_fails(cli, tmp_path, openai_server):
    suite = write_suite(tmp_path, ["complete"], "models: [openai:good]\n")
    a = cli("eval", suite, "-q", env=server_env(openai_server))
    openai_server.script("theory_study", "refuse")
    b = cli("eval", suite, "-q", "--no-cache", env=server_env(openai_server))
    assert a.returncode == 0 and b.returncode == 1
    compared = cli("eval", "compare", _run_id(a.stderr), _run_id(b.stderr), "--format", "json")
    (regressed,) = json.loads(compared.stdout)["regressions"]
    (reason, *_) = regressed["reasons"]
    assert reason.startswith("now fails (error: section theory_study failed: the model refused")


def test_repeats_are_distinct_calls_and_reruns_are_cached(cli, tmp_path, openai_server):
    suite = write_suite(tmp_path, ["complete"], "models: [openai:good]\nrepeat: 2\n")
    first = cli("eval", suite, "-q", "-o", tmp_path / "r.json", env=server_env(openai_server))
    assert first.returncode == 0, first.stderr
    assert openai_server.count() == 2 * SECTIONS  # each repeat asks the model itself
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["summary"]["groups"][0]["metrics"]["agreement"] == 1.0
    again = cli("eval", suite, "-q", env=server_env(openai_server))
    assert again.returncode == 0 and openai_server.count() == 2 * SECTIONS  # all from the cache
    assert f"0 answer(s) from the model, {2 * SECTIONS} from the cache" in again.stderr


def test_answers_from_the_cache_wait_for_no_rate_limit(cli, tmp_path, openai_server):
    first = cli("eval", write_suite(tmp_path, ["complete"], "models: [openai:good]\n"), "-q",
                env=server_env(openai_server))  # fmt: skip
    assert first.returncode == 0, first.stderr
    # The same model, now limited to one call every 10 s: its answers are all cached.
    limited = write_suite(tmp_path, ["complete"], "models:\n  - {id: openai:good, rpm: 6}\n")
    started = time.monotonic()
    again = cli("eval", limited, "-q", env=server_env(openai_server))
    elapsed = time.monotonic() - started
    assert again.returncode == 0 and openai_server.count() == SECTIONS
    assert (
        f"0 answer(s) from the model, {SECTIONS} from the cache, peak 0 in flight" in again.stderr
    )
    assert elapsed < 30, elapsed  # spaced as calls, the seven answers took 60 s


def test_llm_judge_scores_each_draft_once(cli, tmp_path, openai_server):
    extra = (
        "models: [openai:good]\n"
        "judge:\n  model: openai:good\n  rubric: 结构完整、表述规范、数字有据。\n  min_score: 3\n"
    )
    suite = write_suite(tmp_path, ["complete", "minimal"], extra)
    report = tmp_path / "r.json"
    result = cli("eval", suite, "-q", "-o", report, env=server_env(openai_server))
    assert result.returncode == 0, result.stderr
    judge_requests = [r for r in openai_server.requests() if r.section is None]
    assert len(judge_requests) == 2
    assert "结构完整、表述规范、数字有据" in judge_requests[0].body["messages"][1]["content"]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [s["metrics"]["judge_score"] for s in data["samples"]] == [4.0, 4.0]
    assert data["samples"][0]["judge_reasons"] == ["结构完整，表述规范"]
    assert any(
        a["name"] == "judge_score ≥ 3" and a["passed"] for a in data["samples"][0]["assertions"]
    )

    openai_server.script("judge", "text:评分：2分，数字缺少依据。")
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        suite.read_text(encoding="utf-8").replace("rubric: ", "rubric: 严格："), encoding="utf-8"
    )
    again = cli(
        "eval", strict, "-q", "--case", "complete", "-o", report, env=server_env(openai_server)
    )
    assert again.returncode == 1  # the judge's 2 is below min_score 3
    assert (
        json.loads(report.read_text(encoding="utf-8"))["samples"][0]["metrics"]["judge_score"]
        == 2.0
    )
    before = openai_server.count()
    cached = cli("eval", strict, "-q", "--case", "complete", env=server_env(openai_server))
    assert cached.returncode == 1 and openai_server.count() == before  # verdict and drafts cached


def test_a_thinking_judges_reasoning_is_not_read_as_its_verdict(cli, tmp_path, openai_server):
    # Qwen3 or DeepSeek-R1 on Ollama or vLLM: the reasoning, with a score it then thought
    # better of and a brace, comes before the verdict in the content
    answer = (
        "<think>\n先按评分标准看。我的评分：2分？再想想，结构完整、数字有据，应该更高。"
        "{不足之处}几乎没有。\n</think>\n\n"
        '{"score": 4, "reasons": ["结构完整，表述规范"]}'
    )
    openai_server.script("judge", {"kind": "text", "text": answer})
    extra = (
        "models: [openai:good]\n"
        "judge:\n  model: openai:thinker\n  rubric: 结构完整、表述规范、数字有据。\n  min_score: 3\n"
    )
    report = tmp_path / "r.json"
    suite = write_suite(tmp_path, ["complete"], extra)
    result = cli("eval", suite, "-q", "-o", report, env=server_env(openai_server))
    assert result.returncode == 0, result.stdout + result.stderr
    (sample,) = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert sample["metrics"]["judge_score"] == 4.0
    assert sample["judge_reasons"] == ["结构完整，表述规范"]


def test_cache_clear_also_forgets_the_judges_verdicts(cli, tmp_path, openai_server):
    extra = "models: [openai:good]\njudge:\n  model: openai:good\n  rubric: 数字有据。\n"
    suite = write_suite(tmp_path, ["complete"], extra)
    first = cli("eval", suite, "-q", env=server_env(openai_server))
    assert first.returncode == 0, first.stdout
    assert openai_server.count() == SECTIONS + 1
    cleared = cli("cache", "clear")
    assert cleared.returncode == 0 and "removed 1 cached judge verdict(s)" in cleared.stdout
    again = cli("eval", suite, "-q", env=server_env(openai_server))
    assert again.returncode == 0, again.stdout
    judged = [r for r in openai_server.requests() if r.section is None]
    assert openai_server.count() == 2 * (SECTIONS + 1) and len(judged) == 2  # judged afresh


def test_resuming_a_run_another_process_is_running_is_refused(cli, tmp_path, openai_server):
    """`draft eval --resume RUN` while the run was still going in another terminal ran every
    unfinished sample a second time beside it (each call paid twice, both results journaled,
    the run marked finished by whichever ended first). It is refused, naming the run; once
    the first process has ended, the run resumes as usual."""
    openai_server.latency = 0.25
    cases = ["complete", "missing-numbers", "another-year", "year-2019"]
    suite = write_suite(tmp_path, cases, "models: [openai:good]\n")
    proc = start_eval(openai_server, suite, "--concurrency", "2", "--no-cache", "-q")
    journal = wait_for_first_sample()
    assert journal is not None, "no sample was journaled"
    openai_server.latency = 5.0  # the first run is certainly still going during the resume
    run_id = journal.parent.name
    second = cli("eval", "--resume", run_id, "-q", env=server_env(openai_server))
    openai_server.latency = 0.0
    assert second.returncode == 2, second.stderr
    assert proc.poll() is None, "the first run ended before the resume was tried"
    assert second.stderr.startswith(
        f"error: the evaluation run {run_id} is still running in another process"
    ), second.stderr
    proc.communicate(timeout=60)
    assert proc.returncode == 0

    keys = [json.loads(x)["key"] for x in journal.read_text(encoding="utf-8").splitlines()]
    assert len(keys) == len(set(keys)) == len(cases)  # each sample run once
    assert len(journaled_calls(journal.parent)) == len(cases) * SECTIONS
    again = cli("eval", "--resume", run_id, "-q", env=server_env(openai_server))
    assert again.returncode == 0, again.stderr


def test_resume_with_no_cache_asks_the_models_again(cli, tmp_path, openai_server):
    suite = write_suite(tmp_path, ["complete", "year-2019"], "models: [openai:good]\n")
    env = server_env(openai_server)
    assert cli("eval", suite, "-q", env=env).returncode == 0  # fills the answer cache
    asked = openai_server.count()
    second = cli("eval", suite, "-q", env=env)
    assert second.returncode == 0 and openai_server.count() == asked  # all from the cache
    run = _run_id(second.stderr)
    run_dir = Path(os.environ["DRAFTSMITH_HOME"]) / "data" / "runs" / run

    def as_if_killed_after_the_first_sample() -> int:
        """Cut the journal back to its first sample; the calls of the others it dropped."""
        samples = (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines(True)
        kept = json.loads(samples[0])["key"]
        calls = (run_dir / "calls.jsonl").read_text(encoding="utf-8").splitlines(True)
        mine = [c for c in calls if json.loads(c)["sample"] == kept]
        (run_dir / "samples.jsonl").write_text(samples[0], encoding="utf-8")
        (run_dir / "calls.jsonl").write_text("".join(mine), encoding="utf-8")
        return len(calls) - len(mine)

    assert as_if_killed_after_the_first_sample() > 0
    assert cli("eval", "--resume", run, "-q", env=env).returncode == 0
    assert openai_server.count() == asked  # the missing sample came from the cache
    dropped = as_if_killed_after_the_first_sample()
    resumed = cli("eval", "--resume", run, "--no-cache", "-q", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert openai_server.count() == asked + dropped  # --no-cache: its sections asked again


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(cli, tmp_path, openai_server):
    openai_server.latency = 0.2
    suite = write_suite(
        tmp_path, ["complete", "year-2019", "another-year"], "models: [openai:good]\n"
    )
    proc = start_eval(openai_server, suite, "--concurrency", "2")
    wait_for_first_sample()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    run = _run_id(err)
    assert f"resume with `draft eval --resume {run}`" in err
    openai_server.latency = 0.0
    resumed = cli(
        "eval", "--resume", run, "-q", "-o", tmp_path / "r.json", env=server_env(openai_server)
    )
    assert resumed.returncode == 0, resumed.stderr
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [s["case"] for s in data["samples"]] == ["complete", "year-2019", "another-year"]


def test_a_failed_judge_keeps_the_draft_and_is_retried_alone(cli, tmp_path, openai_server):
    openai_server.script("judge", "text:我觉得写得还行。")  # no score: an unusable verdict
    extra = "models: [openai:good]\njudge:\n  model: openai:good\n  rubric: 数字有据。\n"
    suite = write_suite(tmp_path, ["complete"], extra)
    report = tmp_path / "r.json"
    first = cli("eval", suite, "-q", "--no-cache", "-o", report, env=server_env(openai_server))
    assert first.returncode == 1
    (sample,) = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert sample["status"] == "error" and sample["error"].startswith("judge failed: ")
    assert "中心组学习12次" in sample["text"] and sample["metrics"]["fact_coverage"] == 1.0
    asked = openai_server.count()
    assert asked == SECTIONS + 1

    retried = cli("eval", "--resume", _run_id(first.stderr), "--retry-errors", "-q", "-o", report,
                  env=server_env(openai_server))  # fmt: skip
    assert retried.returncode == 0, retried.stdout
    assert openai_server.count() == asked + 1  # the judge again; every section replayed
    (sample,) = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert sample["metrics"]["judge_score"] == 4.0 and sample["status"] == "ok"
    run = json.loads(report.read_text(encoding="utf-8"))["run"]
    assert run["model_calls"] == openai_server.count()  # both verdicts count


def test_a_verdict_the_cache_cannot_keep_still_counts(
    cli, tmp_path, openai_server, draftsmith_home
):
    """A full disk, or `draft cache clear` meanwhile: the judge was paid for, so its verdict
    scores the draft instead of failing the sample."""
    from pipeline.paths import judge_cache_dir

    judge_cache_dir().parent.mkdir(parents=True, exist_ok=True)
    judge_cache_dir().write_text("not a folder", encoding="utf-8")  # nothing can be stored
    extra = "models: [openai:good]\njudge:\n  model: openai:good\n  rubric: 结构完整。\n"
    report = tmp_path / "r.json"
    suite = write_suite(tmp_path, ["complete"], extra)
    result = cli("eval", suite, "-q", "-o", report, env=server_env(openai_server))
    assert result.returncode == 0, result.stderr
    [sample] = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert sample["status"] != "error" and sample["metrics"]["judge_score"] == 4.0
    assert "the judge's verdict could not be cached" in result.stderr


def test_judge_verdicts_are_asked_again_when_the_judge_profile_changes(
    cli, tmp_path, openai_server
):
    # A maintainer points the judge profile at another model (or changes its temperature):
    # the verdicts of the old judge must not be reused for the new one.
    def profile(model: str, temperature: float) -> None:
        (tmp_path / "draft.toml").write_text(
            f'[profiles.judge]\nmodel = "{model}"\nbase_url = "{openai_server.base_url}"\n'
            f"key_required = false\ntemperature = {temperature}\n",
            encoding="utf-8",
        )

    suite = write_suite(
        tmp_path, ["complete"], "judge:\n  model: judge\n  rubric: 结构完整。\n  min_score: 3\n"
    )
    report = tmp_path / "r.json"

    def judged() -> tuple[int, float]:
        result = cli("eval", suite, "-q", "-o", report, cwd=tmp_path)
        sample = json.loads(report.read_text(encoding="utf-8"))["samples"][0]
        return result.returncode, sample["metrics"]["judge_score"]

    profile("lenient", 0.0)
    assert judged() == (0, 4.0) and openai_server.count() == 1
    assert judged() == (0, 4.0) and openai_server.count() == 1  # the same judge: cached

    openai_server.script("judge", "text:评分：2分，数字缺少依据。", "text:评分：2分。")
    profile("strict", 0.0)
    assert judged() == (1, 2.0) and openai_server.count() == 2
    assert openai_server.requests()[-1].body["model"] == "strict"
    profile("strict", 0.7)
    assert judged() == (1, 2.0) and openai_server.count() == 3


def test_eval_holds_each_section_to_the_profiles_deadline(cli, tmp_path, openai_server):
    # `[retry] deadline` bounds a section in `draft run`; an eval of the same profile must not
    # wait on a hanging endpoint past it (repeat 1 goes through the repeat-keyed cache too).
    # The time a call waits for the model's rate is not the model's: at 120 a minute the last
    # of the 14 calls starts past 6 s, and its section still passes.
    (tmp_path / "draft.toml").write_text(
        f'[retry]\ndeadline = 4\n[profiles.hangs]\nmodel = "good"\nbase_url = "{openai_server.base_url}"\n'
        "key_required = false\n",
        encoding="utf-8",
    )
    openai_server.script("theory_study", "hang:90", "hang:90")
    suite = write_suite(tmp_path, ["complete"], "models: [{id: hangs, rpm: 120}]\nrepeat: 2\n")
    report = tmp_path / "r.json"
    result = cli("eval", suite, "-q", "-o", report, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    samples = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert [s["status"] for s in samples] == ["error", "error"]
    for s in samples:
        assert s["failed_sections"] == ["theory_study"]
        assert "within the 4 s deadline" in s["error"]
        # far below the 90 s hang: each sample's own time (the whole eval, library loading
        # included, took 66 s under heavy load)
        assert s["duration_s"] < 60, s["duration_s"]


def test_reports_give_each_models_tokens_and_cost_alike(cli, tmp_path, openai_server):
    # Two priced profiles compared: every report shows what each model used and cost, the
    # same figures, the sums of the samples' usage at the profile's prices.
    prices = {"cheap": (0.001, 0.002), "dear": (0.01, 0.03)}
    (tmp_path / "draft.toml").write_text(
        "".join(
            f'[profiles.{name}]\nmodel = "{name}"\nbase_url = "{openai_server.base_url}"\n'
            f"key_required = false\nprice_input_per_1k = {p_in}\nprice_output_per_1k = {p_out}\n"
            for name, (p_in, p_out) in prices.items()
        ),
        encoding="utf-8",
    )
    # With repeats and a judge, the terminal table has every column it can have: read in a
    # CI log (not a terminal), no figure or model name may be cut or wrapped.
    suite = write_suite(
        tmp_path,
        ["complete", "minimal"],
        "models: [cheap, dear]\nrepeat: 2\njudge: {model: cheap, rubric: 结构完整。}\n",
    )
    out = {ext: tmp_path / f"r.{ext}" for ext in ("json", "md", "html")}
    result = cli("eval", suite, "-q", *(x for p in out.values() for x in ("-o", p)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len([r for r in openai_server.requests() if r.section]) == 2 * 2 * 2 * SECTIONS
    table = result.stdout.split("pass rate by case tag")[0]
    assert "…" not in table and "agreement" in table and "judge" in table
    data = json.loads(out["json"].read_text(encoding="utf-8"))
    md = out["md"].read_text(encoding="utf-8")
    html = out["html"].read_text(encoding="utf-8")
    for group in data["summary"]["groups"]:
        name, usage = group["model"], group["usage"]
        samples = [s["usage"] for s in data["samples"] if s["model"] == name]
        tokens_in = sum(u["input_tokens"] for u in samples)
        tokens_out = sum(u["output_tokens"] for u in samples)
        assert tokens_in > 0 and usage["input_tokens"] == tokens_in
        assert usage["output_tokens"] == tokens_out
        assert usage["requests"] == 2 * 2 * SECTIONS
        p_in, p_out = prices[name]
        assert usage["cost"] == round(tokens_in / 1000 * p_in + tokens_out / 1000 * p_out, 10)
        cells = f"{tokens_in} / {tokens_out} | {usage['cost']:.4f} |"
        assert f"| {name} |" in md and cells in md
        assert f"<td>{tokens_in} / {tokens_out}</td><td>{usage['cost']:.4f}</td>" in html
        row = next(line for line in result.stdout.splitlines() if f" {name} " in line)
        assert f"{tokens_in} / {tokens_out}" in row and f"{usage['cost']:.4f}" in row


def test_compare_lists_a_failing_sample_that_fails_a_further_assertion(
    cli, tmp_path, openai_server
):
    # A model that invents numbers fails every case before and after a template edit; the edit
    # (same length, so no rate moves) loses a phrase one case asserts. That case got worse and
    # is the one regression; the other, unchanged but for the edit, is not listed.
    import shutil

    from tests.conftest import REPO

    types = tmp_path / "mytypes"
    (types / "schemas").mkdir(parents=True)
    shutil.copy(REPO / "schemas" / "school-ideology-summary.yaml", types / "schemas")
    shutil.copytree(
        REPO / "prompts" / "school-ideology-summary", types / "prompts" / "school-ideology-summary"
    )
    suite = write_suite(
        tmp_path,
        ["complete", "minimal"],
        "models: [openai:inventor]\ndefault_assert:\n"
        "  - {type: max-findings, code: facts.unsupported-number, max: 0}\n",
    )
    body = suite.read_text(encoding="utf-8").replace(
        "doctype: school-ideology-summary", "doctype: mytypes/schemas/school-ideology-summary.yaml"
    )
    suite.write_text(
        body.replace(
            "complete.yaml\n",
            "complete.yaml\n    assert:\n      - {type: contains, value: 提供强有力的思想保证}\n",
        ),
        encoding="utf-8",
    )
    a = cli("eval", suite, "-q", env=server_env(openai_server))
    opening = types / "prompts" / "school-ideology-summary" / "opening.j2"
    text = opening.read_text(encoding="utf-8")
    opening.write_text(
        text.replace("提供强有力的思想保证", "提供坚强有力思想保证"), encoding="utf-8"
    )
    b = cli("eval", suite, "-q", env=server_env(openai_server))
    assert a.returncode == 1 and b.returncode == 1, b.stderr  # inventing fails both runs
    run_a, run_b = _run_id(a.stderr), _run_id(b.stderr)
    data = json.loads(cli("eval", "compare", run_a, run_b, "--format", "json").stdout)
    (regressed,) = data["regressions"]
    assert regressed["case"] == "complete"
    (reason,) = regressed["reasons"]
    assert reason.startswith("now also fails") and "contains “提供强有力的思想保证”" in reason
    assert data["improvements"] == []
    assert cli("eval", "compare", run_a, run_b, "--fail-on-regression").returncode == 1
    # and back: the assertion passes again, the sample still fails the others
    back = json.loads(cli("eval", "compare", run_b, run_a, "--format", "json").stdout)
    assert back["regressions"] == []
    (improved,) = back["improvements"]
    assert improved["case"] == "complete" and improved["reasons"][0].startswith(
        "no longer fails (contains"
    )


def test_resume_warns_when_a_template_changed_since_the_run_started(cli, tmp_path, openai_server):
    # Killed, then a template edited before --resume: the finished samples were drafted with
    # the old template and the rest will be drafted with the new one. Said, as for a suite edit.
    import shutil

    from tests.conftest import REPO

    types = tmp_path / "mytypes"
    (types / "schemas").mkdir(parents=True)
    shutil.copy(REPO / "schemas" / "school-ideology-summary.yaml", types / "schemas")
    shutil.copytree(
        REPO / "prompts" / "school-ideology-summary", types / "prompts" / "school-ideology-summary"
    )
    cases = ["complete", "missing-numbers", "another-year", "year-2019"]
    suite = write_suite(tmp_path, cases, "models: [openai:good]\n")
    suite.write_text(
        suite.read_text(encoding="utf-8").replace(
            "doctype: school-ideology-summary",
            "doctype: mytypes/schemas/school-ideology-summary.yaml",
        ),
        encoding="utf-8",
    )

    def killed_after_the_first_sample() -> str:
        openai_server.latency = 0.25
        proc = start_eval(openai_server, suite, "--concurrency", "2", "--no-cache")
        journal = wait_for_first_sample()
        assert journal is not None, "no sample was journaled"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        openai_server.latency = 0.0
        return journal.parent.name

    run = killed_after_the_first_sample()
    unchanged = cli("eval", "--resume", run, "-q", env=server_env(openai_server))
    assert unchanged.returncode == 0 and "changed since" not in unchanged.stderr

    shutil.rmtree(Path(os.environ["DRAFTSMITH_HOME"]) / "data" / "runs")
    run = killed_after_the_first_sample()
    opening = types / "prompts" / "school-ideology-summary" / "opening.j2"
    opening.write_text(
        opening.read_text(encoding="utf-8").replace("强有力的", "坚强有力的"), encoding="utf-8"
    )
    edited = cli("eval", "--resume", run, "-q", env=server_env(openai_server))
    assert edited.returncode == 0, edited.stderr
    assert "warning: the cases' facts, document types or templates changed since run" in (
        edited.stderr
    )


def test_a_parameter_the_model_refuses_stops_every_sample_of_the_run(cli, tmp_path, openai_server):
    # o-series models take only their default temperature: no request of the run gets through
    refused = {
        "kind": "raw",
        "status": 400,
        "text": json.dumps(
            {
                "error": {
                    "message": "Unsupported parameter: 'temperature' is not supported with this "
                    "model.",
                    "type": "invalid_request_error",
                    "param": "temperature",
                    "code": "unsupported_parameter",
                }
            }
        ),
    }
    openai_server.script("*", refused, "ok")
    cases = ["complete", "minimal", "year-2019"]
    suite = write_suite(tmp_path, cases, "models: [openai:o3]\n")
    report = tmp_path / "r.json"
    result = cli(
        "eval", suite, "--concurrency", "1", "--no-cache", "-o", report,
        env=server_env(openai_server),
    )  # fmt: skip
    assert result.returncode == 1
    assert openai_server.count() == 1  # not 3 × 7 doomed requests
    for sample in json.loads(report.read_text(encoding="utf-8"))["samples"]:
        error = sample["error"]
        assert error.startswith(
            "sections opening, organization, theory_study, public_opinion, civic_culture, "
            "shortcomings, plans failed: 400 Bad Request from http://127.0.0.1:"
        ), error
        assert error.count("leave out --temperature") == 1, error


def test_compare_says_when_the_provider_changed_the_model_behind_the_name(
    cli, tmp_path, openai_server
):
    suite = write_suite(tmp_path, ["complete"], "models: [openai:gpt-4o]\n")
    runs = []
    for dated in ("gpt-4o-2024-05-13", "gpt-4o-2024-08-06"):
        openai_server.reset()
        openai_server.script("*", {"kind": "ok", "served_model": dated})
        result = cli("eval", suite, "--no-cache", env=server_env(openai_server))
        assert result.returncode == 0, result.stderr
        runs.append(_run_id(result.stderr))
    compared = cli("eval", "compare", *runs)
    assert compared.returncode == 0, compared.stderr
    assert (
        "openai:gpt-4o: answered by gpt-4o-2024-05-13 in A, by gpt-4o-2024-08-06 in B (the "
        "provider changed the model behind the name)" in " ".join(compared.stdout.split())
    ), compared.stdout
    report = tmp_path / "c.json"
    assert cli("eval", "compare", *runs, "-o", report).returncode == 0
    served = json.loads(report.read_text(encoding="utf-8"))["served"]
    assert served == [
        {"model": "openai:gpt-4o", "a": ["gpt-4o-2024-05-13"], "b": ["gpt-4o-2024-08-06"]}
    ]
    # the same model in both runs: nothing to say
    same = cli("eval", "compare", runs[1], runs[1])
    assert "changed the model behind the name" not in same.stdout


def test_a_wrong_key_is_told_once_in_the_terminal_report(cli, tmp_path, openai_server):
    openai_server.script("*", "401")
    suite = write_suite(tmp_path, ["complete", "minimal", "year-2019"], "models: [openai:good]\n")
    result = cli("eval", suite, "--concurrency", "1", "--no-cache", env=server_env(openai_server))
    assert result.returncode == 1
    assert openai_server.count() == 1
    text = " ".join(result.stdout.split())
    assert text.count("401 Unauthorized") == 1, result.stdout
    assert text.count("check the key in OPENAI_API_KEY") == 1
    for case in ("minimal", "year-2019"):
        assert (
            f"✗ {case} · openai:good · default · #0: error: the same as for complete · "
            "openai:good · default · #0" in text
        )


def test_calls_that_will_not_be_sent_do_not_wait_for_the_models_rate(cli, tmp_path, openai_server):
    # a wrong key for a model limited to 30 requests a minute: one call every 2 s
    openai_server.script("*", "401")
    suite = write_suite(
        tmp_path, ["complete", "minimal"], 'models:\n  - {id: "openai:good", rpm: 30}\n'
    )
    report = tmp_path / "r.json"
    result = cli("eval", suite, "--no-cache", "-o", report, env=server_env(openai_server))
    assert result.returncode == 1
    assert openai_server.count() == 1
    samples = json.loads(report.read_text(encoding="utf-8"))["samples"]
    # 13 unsent calls would otherwise wait their turns: 2 s each, 26 s in all
    assert all(s["duration_s"] < 6 for s in samples), [s["duration_s"] for s in samples]
    assert all("401 Unauthorized" in s["error"] for s in samples)


def test_reports_name_the_model_that_answered_when_the_endpoint_named_another(
    cli, tmp_path, openai_server
):
    # `gpt4o` asks for the alias gpt-4o and is answered by a dated version; `local` asks an
    # Ollama-style server for qwen2.5:7b and is answered by that very name: nothing to say.
    with ScriptedOpenAIServer() as alias_server:
        alias_server.script("*", {"kind": "ok", "served_model": "gpt-4o-2024-08-06"})
        (tmp_path / "draft.toml").write_text(
            f'[profiles.gpt4o]\nmodel = "gpt-4o"\nbase_url = "{alias_server.base_url}"\n'
            "key_required = false\n"
            f'[profiles.local]\nmodel = "qwen2.5:7b"\nbase_url = "{openai_server.base_url}"\n'
            "key_required = false\n",
            encoding="utf-8",
        )
        suite = write_suite(tmp_path, ["complete"], "models: [gpt4o, local]\n")
        md, html, junit = tmp_path / "r.md", tmp_path / "r.html", tmp_path / "r.xml"
        result = cli(
            "eval", suite, "--no-cache", "-o", md, "-o", html, "-o", junit, cwd=tmp_path
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    served = "served by gpt-4o-2024-08-06"
    assert f"gpt4o ({served})" in result.stdout, result.stdout
    markdown = md.read_text(encoding="utf-8")
    assert f" | gpt4o ({served}) | 1 | 100.0% |" in markdown, markdown
    page = html.read_text(encoding="utf-8")
    assert f'gpt4o<br><small class="served">{served}</small>' in page
    suites = {s.get("name"): s for s in ET.parse(junit).getroot().iter("testsuite")}
    props = suites["srv/gpt4o"].findall("properties/property")
    assert [(p.get("name"), p.get("value")) for p in props] == [
        ("served_models", "gpt-4o-2024-08-06")
    ]
    assert suites["srv/local"].find("properties") is None
    for text in (result.stdout, markdown, page):
        assert text.count("served by") == 1  # not for `local`, answered by the name it asked
    # a report made again from the stored run says the same
    again = tmp_path / "again.md"
    assert cli("eval", "report", _run_id(result.stderr), "-o", again).returncode == 0
    assert again.read_text(encoding="utf-8") == markdown


def test_a_model_that_got_no_answer_is_not_scored_on_its_failure_markers(
    cli, tmp_path, openai_server
):
    # `broken` has a wrong key: its drafts are the pipeline's failure markers alone, which
    # name no invented number and mark every missing fact. They must not score, rank or pass
    # a threshold as if the model had written them.
    with ScriptedOpenAIServer() as refusing:
        refusing.script("*", "401")
        (tmp_path / "draft.toml").write_text(
            f'[profiles.good]\nmodel = "good"\nbase_url = "{openai_server.base_url}"\n'
            "key_required = false\n"
            f'[profiles.broken]\nmodel = "gpt-4o"\nbase_url = "{refusing.base_url}"\n'
            "key_required = false\n",
            encoding="utf-8",
        )
        suite = write_suite(
            tmp_path,
            ["complete", "missing-numbers"],
            "models: [good, broken]\n"
            "default_assert:\n  - {type: max-findings, code: facts.unsupported-number, max: 0}\n"
            "thresholds:\n  pass_rate: 0\n  metrics:\n    unsupported_per_1k: {max: 0}\n",
        )
        report, md = tmp_path / "r.json", tmp_path / "r.md"
        result = cli("eval", suite, "--no-cache", "-o", report, "-o", md, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    groups = {g["model"]: g for g in data["summary"]["groups"]}
    good, broken = groups["good"], groups["broken"]
    assert good["metrics"]["fact_coverage"] == 1.0 and good["quality"] > 0.9
    assert broken["errors"] == 2 and broken["metrics"] == {} and broken["quality"] == 0.0
    assert {t["name"]: (t["value"], t["passed"]) for t in broken["thresholds"]} == {
        "pass_rate": (0.0, True),
        "unsupported_per_1k": (None, False),  # not "0, ok": nothing was measured
    }
    for sample in (s for s in data["samples"] if s["model"] == "broken"):
        assert sample["status"] == "error" and "401 Unauthorized" in sample["error"]
        assert sample["metrics"] == {} and sample["assertions"] == []
        assert sample["findings"] == [] and len(sample["failed_sections"]) == SECTIONS
    assert "| 2 | broken | 2 | 0.0% | 2 | – | – |" in md.read_text(encoding="utf-8")


def test_a_run_with_errored_samples_says_how_to_run_them_again(cli, tmp_path, openai_server):
    # a wrong key: once it is fixed, `--resume` alone would do nothing (every sample is
    # journaled), so the run says which command runs the errored samples again
    openai_server.script("*", "401")
    suite = write_suite(tmp_path, ["complete", "minimal"], "models: [openai:good]\n")
    first = cli("eval", suite, "--no-cache", "-q", env=server_env(openai_server))
    assert first.returncode == 1
    run = _run_id(first.stderr)
    hint = f"run them again with `draft eval --resume {run} --retry-errors`"
    assert f"2 sample(s) ended in an error; once its cause is fixed, {hint}" in first.stderr
    openai_server.reset()
    again = cli("eval", "--resume", run, "--retry-errors", "-q", env=server_env(openai_server))
    assert again.returncode == 0, again.stdout
    assert "ended in an error" not in again.stderr


def test_a_failed_max_findings_names_the_section_and_code_of_each_finding(
    cli, tmp_path, openai_server
):
    """A prompt engineer reads a failure to find the template to fix: each counted finding
    names its section (and, for a family, its own code), and the count beyond those shown."""
    for section in ("theory_study", "plans"):  # two sections invent, the others are good
        openai_server.script(section, "invent")
    suite = write_suite(
        tmp_path,
        ["complete"],
        "models: [openai:good]\nrepairs: 0\ndefault_assert:\n"
        "  - {type: max-findings, code: facts, severity: error, max: 0}\n",
    )
    junit = tmp_path / "junit.xml"
    result = cli("eval", suite, "-o", junit, env=server_env(openai_server))
    assert result.returncode == 1, result.stderr
    (sample,) = [
        t for t in ET.parse(junit).getroot().iter("testcase") if t.get("name") == "complete#0"
    ]
    message = sample.find("failure").get("message", "")  # type: ignore[union-attr]
    assert message.startswith("at most 0 error facts: 4 found: "), message
    for number in ("137场", "2468人次"):
        assert f"(section theory_study): facts.unsupported-number “{number}”" in message
    assert message.endswith("; and 1 more"), message
    assert "(section theory_study)" in result.stdout


def test_a_section_the_model_failed_to_write_does_not_count_against_its_markers(
    cli, tmp_path, openai_server
):
    """A failed section's draft holds the pipeline's failure marker: it was scored as a marker
    the model got wrong (marker precision 0.75), and the missing fact only that section uses as
    one the model left unmarked, blaming an outage on the model's markers."""
    openai_server.script("plans", *["empty"] * 20)  # the plans section never gets an answer
    suite = write_suite(tmp_path, ["missing-lists"], "models: [openai:good]\nrepairs: 0\n")
    report = tmp_path / "report.json"
    result = cli("eval", suite, "-o", report, "-q", "--no-cache", env=server_env(openai_server))
    assert result.returncode == 1, result.stderr
    (sample,) = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert sample["status"] == "error" and sample["failed_sections"] == ["plans"]
    assert "生成失败" in sample["text"]
    assert sample["metrics"]["marker_precision"] == 1.0
    assert sample["metrics"]["marker_recall"] == 1.0
    assert sample["metrics"]["structure_pass"] == 0.0  # the failure shows where it belongs


def test_a_model_that_drops_the_numbers_fails_the_number_coverage_gate(
    cli, tmp_path, openai_server
):
    # The annual summary must mention only its work items: a model that drops every sentence
    # holding a digit keeps full fact coverage. number_coverage sees the numbers go.
    from tests.conftest import REPO

    cases = REPO / "evals" / "cases" / "annual-work-summary"
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: numbers\ndoctype: annual-work-summary\nmodels: [offline, openai:dropper]\n"
        "thresholds:\n  pass_rate: 0\n  metrics:\n    number_coverage: {min: 0.9}\ncases:\n"
        + "".join(
            f"  - id: {c}\n    facts: {cases / (c + '.yaml')}\n"
            for c in ("complete", "many-work-items")
        ),
        encoding="utf-8",
    )
    # pass_rate 0: the dropper's opening is all dated sentences and comes back empty (an
    # errored sample), so the only gate left to fail is number_coverage
    report = tmp_path / "r.json"
    result = cli("eval", suite, "--no-cache", "-o", report, env=server_env(openai_server))
    assert openai_server.count() > 0
    assert result.returncode == 1, result.stderr  # the gate fails the run, as other gates do
    data = json.loads(report.read_text(encoding="utf-8"))
    groups = {g["model"]: g for g in data["summary"]["groups"]}
    offline, dropper = groups["offline"], groups["openai:dropper"]
    assert offline["metrics"]["number_coverage"] == 1.0
    assert dropper["metrics"]["fact_coverage"] == 1.0  # what coverage alone reported
    assert dropper["metrics"]["number_coverage"] <= 0.2, dropper["metrics"]
    assert offline["quality"] > dropper["quality"]
    failed = [(g, t["name"]) for g, s in groups.items() for t in s["thresholds"] if not t["passed"]]
    assert failed == [("openai:dropper", "number_coverage")]
    text = " ".join(result.stdout.split())
    assert "FAIL openai:dropper: number_coverage =" in text and "numbers" in text
    assert "ok offline: number_coverage = 1 (needs ≥ 0.9)" in text


def test_an_error_two_models_share_is_told_for_each_model(cli, tmp_path, openai_server):
    # One wrong key for two models: the same failure text for both. Each model's first
    # failing sample gives it in full, its later ones refer to that model's own first.
    openai_server.script("*", "401", "401")
    suite = write_suite(tmp_path, ["complete", "minimal"], "models: [openai:a, openai:b]\n")
    result = cli("eval", suite, "--concurrency", "1", "--no-cache", env=server_env(openai_server))
    assert result.returncode == 1
    text = " ".join(result.stdout.split())
    assert text.count("401 Unauthorized") == 2, result.stdout
    for model in ("openai:a", "openai:b"):
        assert f"✗ complete · {model} · default · #0: error: sections opening," in text
        assert (
            f"✗ minimal · {model} · default · #0: error: the same as for complete · "
            f"{model} · default · #0" in text
        ), result.stdout
        # the threshold line names the model as written (`openai:a:` is no emoji)
        assert f"FAIL {model}: pass_rate = 0" in text
