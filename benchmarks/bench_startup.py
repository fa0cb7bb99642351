"""CLI start-up: `draft --help` and `draft check` must not pay for langchain or openai.

    python benchmarks/bench_startup.py [--repeat 7]

Times `draft --help` and `draft check` on an offline draft of the school example (real
subprocesses, median of `--repeat`), prints each against the 0.4 s target (a ratio under
1.0 is within target), and lists which modules of openai, langchain, httpx2, aiohttp and
tenacity each command imported, from `python -X importtime` (there must be none). For scale
it also times `python -c pass` (the interpreter alone) and `import langchain_openai`.
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

from model_imports import model_imports  # benchmarks/model_imports.py

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "school-ideology-summary.yaml"
TARGET_S = 0.4


def _time(argv: list[str], env: dict[str, str], repeat: int) -> tuple[float, list[float]]:
    subprocess.run(argv, env=env, capture_output=True)  # warm-up: writes the bytecode cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        assert proc.returncode in (0, 1), proc.stderr
    return statistics.median(times), times


def _model_imports(argv: list[str], env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True
    )
    return model_imports(proc.stderr)


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
            [py, "-m", "pipeline", "run", str(FACTS), "-o", str(draft_txt), "--no-log"],
            env=env,
            check=True,
            capture_output=True,
        )
        commands = {
            "draft --help": [py, "-m", "pipeline", "--help"],
            "draft check": [py, "-m", "pipeline", "check", str(draft_txt), "--facts", str(FACTS)],
        }
        interpreter, _ = _time([py, "-c", "pass"], env, args.repeat)
        langchain, _ = _time([py, "-c", "import langchain_openai"], env, max(1, args.repeat // 2))
        print(f"python -c pass: {interpreter:.3f} s; import langchain_openai: {langchain:.3f} s")
        for name, argv in commands.items():
            median, times = _time(argv, env, args.repeat)
            verdict = "within target" if median < TARGET_S else "OVER target"
            runs = ", ".join(f"{t:.3f}" for t in times)
            print(f"{name}: median {median:.3f} s ({runs})")
            print(f"  target {TARGET_S} s; median / target = {median / TARGET_S:.2f}  ({verdict})")
            imported = _model_imports(argv, env)
            shown = ", ".join(imported[:6]) + (" …" if len(imported) > 6 else "")
            print(f"  openai/langchain/httpx2/aiohttp/tenacity modules imported: {shown or 'none'}")


if __name__ == "__main__":
    main()
