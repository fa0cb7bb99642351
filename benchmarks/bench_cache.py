"""A cached re-run: `draft run --model openai:…` a second time makes no request, and is fast.

    python benchmarks/bench_cache.py [--repeat 5] [--latency 0.5]

Runs the school example once against the scripted server (filling the response cache, and
the template cache: the record that the spec's templates passed their load-time check, and
the compiled templates, as any user's first run does), then re-runs it `--repeat` times as
a real subprocess. Prints the requests the re-runs made
(must be 0), their median wall time, the ratio to the 0.5 s target (under 1.0 is within
target), and whether the re-run imported langchain or openai (it must not: a cache hit
needs neither). Beside the re-runs, in alternate runs, it times their dependency floor: the
libraries a re-run loads (typer, pydantic, PyYAML, jinja2, asyncio, sqlite3…) with nothing of
Draftsmith's (`import_trace.py`), so the difference is what Draftsmith's own code costs
however fast the machine is at the moment. For scale it also times the same run with
`--model offline` (no model, no cache: what start-up, facts, prompts and the checker cost)
and, in-process, the drafting step alone answered from the cache. Last, a suite of
`--suite-cases` cases run with `draft eval` and run again: the re-run must make no request
and load no model library either.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from import_trace import floor_argv, model_imports  # benchmarks/import_trace.py

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "school-ideology-summary.yaml"
TARGET_S = 0.5


def _run(
    env: dict[str, str], out: Path, *extra: str, model: str = "openai:good"
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """One `draft run` subprocess: (seconds, process)."""
    argv = [sys.executable, *extra, "-m", "pipeline", "run", str(FACTS), "--model", model]
    argv += ["--concurrency", "7", "-q", "-o", str(out)]
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    return elapsed, proc


def _draft_in_process() -> float:
    """Seconds for the drafting step alone with every answer from the cache."""
    from pipeline.drafting import draft_document_async
    from pipeline.facts import load_facts
    from pipeline.models import get_model

    spec, facts = load_facts(FACTS)
    model = get_model("openai:good")
    started = time.perf_counter()
    draft = asyncio.run(draft_document_async(spec, facts, model, concurrency=7))
    elapsed = time.perf_counter() - started
    assert draft.usage.cached == len(spec.sections) and draft.usage.requests == 0
    return elapsed


def _eval_suite(root: Path, cases: int) -> Path:
    """A suite of `cases` cases of the school example, each with its own counts, for a model
    the runs above did not use (the server answers any name as a good model)."""
    import yaml

    base = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    base["doctype"] = "school-ideology-summary"
    items = [
        {
            "id": f"case-{i:03d}",
            "facts": dict(base, central_group_sessions=i + 1, anniversary=71 + i),
        }
        for i in range(cases)
    ]
    suite = {"name": "bench-cached", "doctype": "school-ideology-summary", "cases": items}
    suite |= {"models": ["openai:bench-eval"], "repairs": 0}
    path = root / "suite.yaml"
    path.write_text(yaml.safe_dump(suite, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _eval(env: dict[str, str], suite: Path, *extra: str) -> tuple[float, str]:
    """One `draft eval` subprocess: (seconds, its stderr)."""
    argv = [sys.executable, *extra, "-m", "pipeline", "eval", str(suite), "-q"]
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert proc.returncode in (0, 1), proc.stderr
    return elapsed, proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per uncached call")
    parser.add_argument("--suite-cases", type=int, default=30, help="cases of the eval suite")
    args = parser.parse_args()

    from pipeline.testing.openai_server import ScriptedOpenAIServer

    with (
        tempfile.TemporaryDirectory() as tmp,
        ScriptedOpenAIServer(latency=args.latency) as server,
    ):
        os.environ["DRAFTSMITH_HOME"] = str(Path(tmp) / "home")
        os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-real-key"
        os.environ["OPENAI_BASE_URL"] = server.base_url
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # time what a user sees: bytecode cached
        out = Path(tmp)
        first_s, _ = _run(env, out / "first.md")
        filled = server.count()
        _, traced = _run(env, out / "traced.md", "-X", "importtime")
        floor_cmd = floor_argv(sys.executable, traced.stderr)
        subprocess.run(floor_cmd, env=env, check=True)  # warm-up, as the first run was
        times, floor = [], []
        for i in range(args.repeat):
            times.append(_run(env, out / f"again{i}.md")[0])
            started = time.perf_counter()
            subprocess.run(floor_cmd, env=env, check=True)
            floor.append(time.perf_counter() - started)
        offline = [_run(env, out / f"off{i}.md", model="offline")[0] for i in range(args.repeat)]
        in_process = _draft_in_process()
        rerun_requests = server.count() - filled
        same = (out / "first.md").read_bytes() == (out / "again0.md").read_bytes()

        suite = _eval_suite(out, args.suite_cases)
        before = server.count()
        eval_first, _ = _eval(env, suite)
        asked = server.count()
        eval_times = [_eval(env, suite)[0] for _ in range(3)]
        _, eval_trace = _eval(env, suite, "-X", "importtime")
        eval_requests = server.count() - asked

    median, offline_median = statistics.median(times), statistics.median(offline)
    floor_median = statistics.median(floor)
    imported = model_imports(traced.stderr)
    runs = ", ".join(f"{t:.3f}" for t in times)
    verdict = "within target" if median < TARGET_S else "OVER target"
    print(f"first run: {filled} requests, {first_s:.2f} s (L = {args.latency:g} s per call)")
    print(
        f"cached re-runs: {rerun_requests} requests in {args.repeat + 2} runs; same output: {same}"
    )
    print(f"re-run wall time (subprocess, start-up included): median {median:.3f} s ({runs})")
    print(f"target {TARGET_S} s; median / target = {median / TARGET_S:.2f}  ({verdict})")
    print(
        f"its libraries alone, nothing of Draftsmith's: median {floor_median:.3f} s "
        f"(floor / target = {floor_median / TARGET_S:.2f}); "
        f"Draftsmith's own code: {median - floor_median:.3f} s"
    )
    print(
        f"same run with --model offline (no model, no cache): median {offline_median:.3f} s; "
        f"cached re-run / offline run = {median / offline_median:.2f}"
    )
    print(f"in-process drafting step, every answer from the cache: {in_process * 1000:.0f} ms")
    libs = ", ".join(imported[:6]) + (" …" if len(imported) > 6 else "") if imported else "none"
    print(f"openai/langchain/httpx2/aiohttp/tenacity modules a cached re-run imported: {libs}")
    eval_libs = model_imports(eval_trace)
    eval_runs = ", ".join(f"{t:.2f}" for t in eval_times)
    print(
        f"draft eval of {args.suite_cases} cases: first run {asked - before} requests, "
        f"{eval_first:.2f} s; cached re-runs "
        f"{statistics.median(eval_times):.2f} s ({eval_runs}), {eval_requests} requests; "
        f"model library modules imported: {len(eval_libs) or 'none'}"
    )


if __name__ == "__main__":
    main()
