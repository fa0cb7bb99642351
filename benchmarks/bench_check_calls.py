"""Per-call cost of the checker as the drafter and `draft eval` use it, and its import time.

    python benchmarks/bench_check_calls.py [--calls N] [--imports N]

- `check_section`: every section body of the offline draft of the school example, checked
  against its spec section and the facts (what the repair loop does once per model answer);
- `check_text`: the assembled draft with spec and facts (once per drafted document);
- import: `import pipeline.checker` in a fresh interpreter (bytecode cached), in total and
  with what it needs from outside the checker (pydantic, yaml, the spec and facts modules)
  imported first — the checker's own share.

Each per-call figure is the median of several rounds of N calls, in microseconds; each import
figure the median of N fresh interpreters, in milliseconds. Compare before and after back to
back on the same machine: it is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EXAMPLE = REPO / "examples" / "school-ideology-summary.yaml"
_IMPORT = (
    "import time; {pre}; t = time.perf_counter(); import pipeline.checker; "
    "print((time.perf_counter() - t) * 1000)"
)
_PRE = "import pydantic, yaml, pipeline.spec, pipeline.facts, pipeline.markers, pipeline.numerals"


def per_call_us(fn, calls: int, rounds: int = 7) -> float:
    """Median over `rounds` of the mean time of one call, in microseconds."""
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(times)


def import_ms(runs: int, pre: str = "pass") -> float:
    """Median time to import pipeline.checker in a fresh interpreter, bytecode cached."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd = [sys.executable, "-c", _IMPORT.format(pre=pre)]
    subprocess.run(cmd, env=env, cwd=REPO, check=True, capture_output=True)  # write bytecode
    times = [
        float(subprocess.run(cmd, env=env, cwd=REPO, check=True, capture_output=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per round")
    parser.add_argument("--imports", type=int, default=9, help="fresh interpreters per figure")
    args = parser.parse_args()

    from pipeline.checker import check_section, check_text
    from pipeline.drafting import draft_document
    from pipeline.facts import load_facts
    from pipeline.models import get_model

    spec, facts = load_facts(EXAMPLE)
    draft = draft_document(spec, facts, get_model("offline"))
    by_id = {s.id: s for s in spec.sections}
    bodies = [(by_id[s.id], s.body) for s in draft.sections]

    def sections() -> None:
        for section, body in bodies:
            check_section(body, section=section, spec=spec, facts=facts)

    section_us = per_call_us(sections, max(1, args.calls // len(bodies))) / len(bodies)
    text_us = per_call_us(lambda: check_text(draft.text, spec=spec, facts=facts), args.calls)
    print(
        f"check_section: {section_us:8.0f} µs per call ({len(bodies)} sections of the school draft)"
    )
    print(f"check_text:    {text_us:8.0f} µs per call ({len(draft.text):,} characters)")
    print(f"import pipeline.checker: {import_ms(args.imports):6.1f} ms in total")
    print(f"import pipeline.checker: {import_ms(args.imports, _PRE):6.1f} ms of its own")


if __name__ == "__main__":
    main()
