"""Benchmark of `draft eval`'s runner against the scripted OpenAI-compatible server.

    python benchmarks/bench_eval.py [--cases 100] [--latency 0.05] [--concurrency 16]

1. Throughput: CASES cases × 6 sections, every call taking LATENCY s on the server, at most
   CONCURRENCY calls in flight for the whole run. Prints the wall time against the ideal
   (calls × latency ÷ concurrency) and their ratio (target ≤ 1.3), with the run's worker
   processes as `draft eval` chooses them (one per core), and with one process for contrast.
   The run is CPU-bound on a small machine: the CPU it used (all processes, and the server's)
   is printed beside the wall time, with the floor that CPU sets on this many cores; and the
   same requests are sent again, first by the model client alone (ChatOpenAI over the same aiohttp
   transport, from as many forked processes with the same limits, and nothing of
   Draftsmith's: the floor of the client this pipeline must use), then by a bare HTTP client
   (aiohttp with nothing else to do), for the ratio this machine and server allow at best.
2. Memory: the traced peak (tracemalloc) of runs of 25, 50 and 100 cases, in one process (a
   worker holds no more than this). What a run holds beyond the suite itself (the cases and
   their facts, loaded and checked up front) should stay flat: finished samples go to the
   journal, not to memory.

The server runs in its own process (as a real endpoint would), on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

import yaml
from six_sections import six_section_doctype  # benchmarks/six_sections.py

from pipeline.evals.workers import available_cpus

REPO = Path(__file__).resolve().parent.parent


def _suite(root: Path, spec_path: Path, base: dict, cases: int) -> Path:
    """CASES distinct cases (each school its own name, so no two prompts are alike)."""
    items = []
    for i in range(cases):
        facts = dict(base, school_name=f"青山县第{i + 1}中学", central_group_sessions=10 + i % 7)
        items.append({"id": f"case-{i:03d}", "facts": facts})
    suite = {
        "name": f"bench-{cases}",
        "doctype": str(spec_path),
        "models": ["openai:good"],
        "repairs": 0,
        "cases": items,
    }
    path = root / f"suite-{cases}.yaml"
    path.write_text(
        yaml.safe_dump(suite, allow_unicode=True, sort_keys=False, default_style=None), "utf-8"
    )
    return path


class Server:
    """The scripted server in a child process."""

    def __init__(self, latency: float):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.testing.openai_server", "--latency", str(latency)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        self.base_url = line.strip().split()[-1]
        self.root = self.base_url.rsplit("/v1", 1)[0]

    def _post(self, path: str) -> None:
        req = urllib.request.Request(self.root + path, data=b"{}", method="POST")
        urllib.request.urlopen(req, timeout=30).read()

    def reset(self) -> None:
        self._post("/_reset")

    def cpu(self) -> float:
        """CPU seconds the server process has used."""
        with open(f"/proc/{self.proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def recorded(self) -> list[dict]:
        """The requests the server has seen (section, model, body…)."""
        with urllib.request.urlopen(self.root + "/_requests", timeout=60) as resp:
            return json.loads(resp.read())

    def count(self) -> int:
        return len(self.recorded())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _run(suite: Path, concurrency: int, workers: int | None = None, on_start=None):
    from pipeline.evals.journal import RunOptions
    from pipeline.evals.runner import start_run

    options = RunOptions(concurrency=concurrency, no_cache=True, workers=workers)
    return start_run(suite, options, on_start=on_start)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the run's workers)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class SleepModel:
    """Diagnostic only: answers with the skeleton after `latency` s, in-process (no HTTP)."""

    def __init__(self, latency: float):
        self.latency = latency
        self.name = "openai:good"

    async def complete(self, prompt, messages):
        import asyncio

        from pipeline.models.base import Completion

        await asyncio.sleep(self.latency)
        return Completion(text=prompt.skeleton)


def _timed(suite: Path, concurrency: int, workers: int | None = None):
    """(matrix wall time, CPU time of the run's processes, result): loading is not timed."""
    started: list[float] = []
    result = _run(suite, concurrency, workers, on_start=lambda _dir: started.append(_cpu()))
    return result.matrix_s, _cpu() - started[0], result


def _bare_client(server: Server, bodies: list[dict], concurrency: int) -> float:
    """Seconds a bare HTTP client (aiohttp, the transport the model client uses, with nothing
    else to do) takes to send `bodies` with at most `concurrency` in flight: the best any
    client could do on this machine and server."""
    import asyncio

    import aiohttp

    async def send_all() -> float:
        gate = asyncio.Semaphore(concurrency)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def send(body: dict) -> None:
                async with gate:
                    url = server.base_url + "/chat/completions"
                    async with session.post(url, json=body) as answer:
                        answer.raise_for_status()
                        await answer.json()

            started = time.perf_counter()
            await asyncio.gather(*(send(b) for b in bodies))
            return time.perf_counter() - started

    return asyncio.run(send_all())


def _client_alone(server: Server, bodies: list[dict], concurrency: int, workers: int) -> float:
    """Seconds ChatOpenAI alone takes to send `bodies` from `workers` forked processes that
    share `concurrency` as the run's workers do: its generation step over the aiohttp
    transport, answers built inline (`AnswersInlineExecutor`), nothing else done with them."""
    import asyncio
    import multiprocessing

    import openai
    from langchain_core.messages import convert_to_messages
    from langchain_openai import ChatOpenAI

    from pipeline.evals.workers import split
    from pipeline.models.openai import AnswersInlineExecutor

    def send_share(share: list[dict], limit: int) -> None:
        async def send_all() -> None:
            asyncio.get_running_loop().set_default_executor(AnswersInlineExecutor())
            client = openai.DefaultAioHttpClient()
            chat = ChatOpenAI(
                model="good",
                base_url=server.base_url,
                api_key="sk-bench",
                max_retries=0,
                use_responses_api=False,
                http_async_client=client,
            )
            gate = asyncio.Semaphore(limit)

            async def send(body: dict) -> None:
                async with gate:
                    await chat._agenerate(convert_to_messages(body["messages"]))

            await asyncio.gather(*(send(b) for b in share))
            await client.aclose()

        asyncio.run(send_all())

    fork = multiprocessing.get_context("fork")
    started = time.perf_counter()
    shares = split(concurrency, workers)
    procs = [
        fork.Process(target=send_share, args=(bodies[i::workers], n)) for i, n in enumerate(shares)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
        assert proc.exitcode == 0, proc.exitcode
    return time.perf_counter() - started


def _diagnostics(suite: Path, args: argparse.Namespace, ideal: float) -> None:
    """Where the time goes: the same run with an in-process model, then with checks off."""
    from unittest import mock

    import pipeline.drafting as drafting
    from pipeline.checker.findings import CheckReport
    from pipeline.evals.run_models import RunModels

    sleeper = SleepModel(args.latency)
    with mock.patch.object(
        RunModels, "add", lambda self, label, name: self._base.__setitem__(label, sleeper)
    ):
        wall, cpu, _ = _timed(suite, args.concurrency)
        print(
            f"  in-process model (no HTTP client), checker on:   wall {wall:5.2f} s, "
            f"CPU {cpu:5.2f} s, ratio {wall / ideal:.2f}"
        )
        with (
            mock.patch.object(drafting, "check_section", lambda *a, **k: []),
            mock.patch.object(drafting, "check_text", lambda *a, **k: CheckReport(findings=[])),
        ):
            wall, cpu, _ = _timed(suite, args.concurrency)
        print(
            f"  in-process model, checks off (runner alone):     wall {wall:5.2f} s, "
            f"CPU {cpu:5.2f} s, ratio {wall / ideal:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-eval-"))
    os.environ["DRAFTSMITH_HOME"] = str(work / "home")
    os.environ["OPENAI_API_KEY"] = "sk-bench"
    server = Server(args.latency)
    os.environ["OPENAI_BASE_URL"] = server.base_url
    try:
        spec_path, base = six_section_doctype(work / "doctype")
        import langchain_openai  # noqa: F401  (import once, as a long run would, before timing)

        _run(_suite(work, spec_path, base, 2), args.concurrency)  # warm-up
        server.reset()

        suite = _suite(work, spec_path, base, args.cases)
        server_cpu = server.cpu()
        wall, cpu, result = _timed(suite, args.concurrency)
        server_cpu = server.cpu() - server_cpu
        bodies = [r["body"] for r in server.recorded()]
        calls = len(bodies)
        ideal = calls * args.latency / args.concurrency
        cores = available_cpus()
        print(
            f"throughput: {args.cases} cases × 6 sections, {args.latency * 1000:.0f} ms a call, "
            f"{args.concurrency} in flight, {cores} cores"
        )
        print(
            f"  calls on the server   {calls} (runner counted {result.model_calls}, "
            f"peak in flight {result.peak_in_flight}, {result.workers} worker processes)"
        )
        print(f"  wall time             {wall:.2f} s")
        print(f"  ideal                 {ideal:.2f} s  (calls × latency ÷ concurrency)")
        print(f"  ratio                 {wall / ideal:.2f}  (target ≤ 1.3)")
        floor = (cpu + server_cpu) / cores
        print(
            f"  CPU                   run {cpu:.2f} s ({cpu / calls * 1000:.1f} ms a call) + "
            f"server {server_cpu:.2f} s; on {cores} cores no less than {floor:.2f} s "
            f"(ratio {max(floor, ideal) / ideal:.2f})"
        )
        server.reset()
        wall1, cpu1, _ = _timed(suite, args.concurrency, workers=1)
        print(
            f"  one process instead   wall {wall1:.2f} s, ratio {wall1 / ideal:.2f}, "
            f"CPU {cpu1:.2f} s"
        )
        server.reset()
        alone = _client_alone(server, bodies, args.concurrency, result.workers)
        print(
            f"  model client alone    wall {alone:.2f} s, ratio {alone / ideal:.2f}  (ChatOpenAI "
            f"sending the same requests from {result.workers} processes with the same limits, "
            "nothing of Draftsmith's: the floor of the client the pipeline uses)"
        )
        print(f"  draft eval ÷ client   {wall / alone:.2f}  (what Draftsmith's own work adds)")
        server.reset()
        bare = _bare_client(server, bodies, args.concurrency)
        print(
            f"  bare HTTP client      wall {bare:.2f} s, ratio {bare / ideal:.2f}  (aiohttp alone "
            "sending the same requests: the best a client can do on this machine and server)"
        )
        print(
            f"  draft eval ÷ bare     {wall / bare:.2f}  (what the client and the pipeline add to sending; "
            "steadier than the ratio while the machine's speed drifts)"
        )
        print("where the time goes (same suite):")
        _diagnostics(suite, args, ideal)

        print("memory (tracemalloc peak during the run; latency 5 ms):")
        server.stop()
        server = Server(0.005)
        os.environ["OPENAI_BASE_URL"] = server.base_url
        _run(_suite(work, spec_path, base, 2), args.concurrency)
        from pipeline.evals.journal import RunOptions
        from pipeline.evals.runner import start_run

        for n in (25, 50, 100):
            suite = _suite(work, spec_path, base, n)
            at_start: list[int] = []

            def matrix_starts(_run_dir: Path, at_start: list[int] = at_start) -> None:
                gc.collect()  # garbage left by loading the suite is not the matrix's
                at_start.append(tracemalloc.get_traced_memory()[0])
                tracemalloc.reset_peak()

            gc.collect()
            tracemalloc.start()
            start_run(
                suite,
                RunOptions(concurrency=args.concurrency, no_cache=True, workers=1),
                on_start=matrix_starts,
            )
            _, peak = tracemalloc.get_traced_memory()
            gc.collect()
            left, _ = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            held = at_start[0]
            print(
                f"  {n:>4} cases  held before the matrix (suite, facts, templates) "
                f"{held / 1e6:4.1f} MB   peak during the matrix {peak / 1e6:4.1f} MB "
                f"(+{(peak - held) / 1e6:4.2f})   left after the run {left / 1e6:5.2f} MB"
            )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
