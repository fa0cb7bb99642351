"""Sections in parallel: a six-section draft against the scripted server, every call taking L s.

    python benchmarks/bench_parallel.py [--latency 1.0] [--repeat 3]

Drafts the same six sections concurrently (one request in flight per section) and then one
at a time, in-process (the libraries are loaded before timing: interpreter start-up and the
one-off langchain import are not the drafting), with the cache off. Prints both times, the
speed-up, and the ratio of the concurrent time to the target 1.25 × L + 0.3 s (under 1.0 is
within target). Also prints a whole `draft run` subprocess, start-up included, for scale.
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

import yaml
from six_sections import SIX, six_section_doctype  # benchmarks/six_sections.py

ROOT = Path(__file__).resolve().parent.parent


def six_section_run(where: Path) -> tuple[Path, Path]:
    """The six-section type under `where`, and a facts file for it: (spec dir, facts file)."""
    _, facts = six_section_doctype(where)
    facts["doctype"] = SIX
    facts_file = where / "facts.yaml"
    facts_file.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    return where, facts_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0, help="L: seconds per call")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    latency = args.latency

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        os.environ["DRAFTSMITH_HOME"] = str(home)
        os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-real-key"
        spec_dir, facts_file = six_section_run(Path(tmp) / "spec")

        from pipeline.drafting import draft_document_async
        from pipeline.facts import load_facts
        from pipeline.models import get_model
        from pipeline.models.registry import ModelOptions
        from pipeline.testing.openai_server import ScriptedOpenAIServer

        spec, facts = load_facts(facts_file, spec_dirs=[spec_dir])
        n = len(spec.sections)
        with ScriptedOpenAIServer(latency=0.0) as server:
            model = get_model(
                "openai:good", options=ModelOptions(base_url=server.base_url), use_cache=False
            )

            async def draft(concurrency: int) -> float:
                started = time.perf_counter()
                result = await draft_document_async(
                    spec, facts, model, concurrency=concurrency, repairs=0
                )
                elapsed = time.perf_counter() - started
                assert not result.failed_sections, [s.error for s in result.failed_sections]
                return elapsed

            async def bench() -> tuple[list[float], list[float]]:
                try:
                    await draft(n)  # warm-up: libraries, connections
                    server.latency = latency
                    parallel = [await draft(n) for _ in range(args.repeat)]
                    sequential = [await draft(1) for _ in range(max(1, args.repeat // 2))]
                    return parallel, sequential
                finally:
                    await model.aclose()

            parallel, sequential = asyncio.run(bench())
            calls = server.count()

            env = dict(
                os.environ, OPENAI_BASE_URL=server.base_url, DRAFTSMITH_HOME=str(home / "cli")
            )
            started = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pipeline",
                    "run",
                    str(facts_file),
                    "--spec-dir",
                    str(spec_dir),
                    "--model",
                    "openai:good",
                    "--concurrency",
                    str(n),
                    "--no-cache",
                    "-q",
                    "-o",
                    str(Path(tmp) / "draft.md"),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            cli_s = time.perf_counter() - started
            assert proc.returncode in (0, 1), proc.stderr

    target = 1.25 * latency + 0.3
    par, seq = statistics.median(parallel), statistics.median(sequential)
    print(f"{n} sections, L = {latency:g} s per call, {calls} requests served")
    print(
        f"concurrent (--concurrency {n}): median {par:.3f} s (runs: "
        + ", ".join(f"{t:.3f}" for t in parallel)
        + ")"
    )
    print(f"sequential (--concurrency 1):  median {seq:.3f} s (≈ {n} × L = {n * latency:g} s)")
    print(f"speed-up: {seq / par:.2f}×")
    print(
        f"target 1.25 × L + 0.3 s = {target:.2f} s; concurrent / target = {par / target:.2f}"
        + ("  (within target)" if par <= target else "  (OVER target)")
    )
    print(f"whole `draft run` subprocess, start-up and library import included: {cli_s:.2f} s")


if __name__ == "__main__":
    main()
