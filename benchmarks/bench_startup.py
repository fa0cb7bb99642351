"""CLI start-up: `draft --help` and `draft check` must not pay for langchain or openai.

    python benchmarks/bench_startup.py [--repeat 7]

Times `draft --help` and `draft check` (the console script, as users type them) on an
offline draft of the school example (real subprocesses, median of `--repeat`), prints each
against the 0.4 s target (a ratio under 1.0 is within target) with how many runs were within
it, and lists which modules of openai, langchain, httpx2, aiohttp and tenacity each command
imported, from `python -X importtime` (there must be none). Beside each command, in
alternate runs, it times the command's dependency floor: its libraries (typer, pydantic,
PyYAML…) loaded with nothing of Draftsmith's (`import_trace.py`), so the difference is what
Draftsmith's own code costs however fast the machine is at the moment. For scale it also
times `python -c pass` (the interpreter alone) and `import langchain_openai`.
"""

from __future__ import annotations

import argparse
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
TARGET_S = 0.4


def _time(*argvs: list[str], env: dict[str, str], repeat: int) -> list[list[float]]:
    """Wall times of `repeat` runs of each command line, taken in turn (so that a drift in
    the machine's speed falls on all of them alike)."""
    for argv in argvs:
        subprocess.run(argv, env=env, capture_output=True)  # warm-up: writes the bytecode cache
    times: list[list[float]] = [[] for _ in argvs]
    for _ in range(repeat):
        for argv, taken in zip(argvs, times, strict=True):
            started = time.perf_counter()
            proc = subprocess.run(argv, env=env, capture_output=True, text=True)
            taken.append(time.perf_counter() - started)
            assert proc.returncode in (0, 1), proc.stderr
    return times


def _trace(argv: list[str], env: dict[str, str]) -> str:
    """The `python -X importtime` trace of a command."""
    env = dict(env, PYTHONPROFILEIMPORTTIME="1")
    return subprocess.run(argv, env=env, capture_output=True, text=True).stderr


def _draft(py: str) -> list[str]:
    """The `draft` console script beside `py`, as users run it (`python -m pipeline` would
    also time runpy), or `python -m pipeline` where the package is not installed."""
    script = Path(py).with_name("draft")
    return [str(script)] if script.exists() else [py, "-m", "pipeline"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DRAFTSMITH_HOME=str(Path(tmp) / "home"))
        # A user's Python caches bytecode; a sandbox that disables it would time compilation.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        draft_txt = Path(tmp) / "draft.txt"
        subprocess.run(
            [*_draft(py), "run", str(FACTS), "-o", str(draft_txt), "--no-log"],
            env=env,
            check=True,
            capture_output=True,
        )
        commands = {
            "draft --help": [*_draft(py), "--help"],
            "draft check": [*_draft(py), "check", str(draft_txt), "--facts", str(FACTS)],
        }
        [interpreter] = _time([py, "-c", "pass"], env=env, repeat=args.repeat)
        [langchain] = _time([py, "-c", "import langchain_openai"], env=env, repeat=3)
        print(
            f"python -c pass: {statistics.median(interpreter):.3f} s; "
            f"import langchain_openai: {statistics.median(langchain):.3f} s"
        )
        for name, argv in commands.items():
            trace = _trace(argv, env)
            times, floor = _time(argv, floor_argv(py, trace), env=env, repeat=args.repeat)
            median, floor_median = statistics.median(times), statistics.median(floor)
            verdict = "within target" if median < TARGET_S else "OVER target"
            runs = ", ".join(f"{t:.3f}" for t in times)
            within = sum(t < TARGET_S for t in times)
            print(f"{name}: median {median:.3f} s ({runs}); {within} of {len(times)} runs within")
            print(f"  target {TARGET_S} s; median / target = {median / TARGET_S:.2f}  ({verdict})")
            print(
                f"  its libraries alone, nothing of Draftsmith's: median {floor_median:.3f} s "
                f"(floor / target = {floor_median / TARGET_S:.2f}); "
                f"Draftsmith's own code: {median - floor_median:.3f} s"
            )
            imported = model_imports(trace)
            shown = ", ".join(imported[:6]) + (" …" if len(imported) > 6 else "")
            print(f"  openai/langchain/httpx2/aiohttp/tenacity modules imported: {shown or 'none'}")


if __name__ == "__main__":
    main()
