"""How long `draft learn` takes on the shared sample, in-process (no interpreter start-up).

    python benchmarks/bench_learn.py [--repeat 5]

Prints the median and best time per learn and the ratio to the issue's "in seconds" promise
(a 2 s budget): a ratio under 1.0 is within budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

SAMPLE = (
    Path(__file__).resolve().parent.parent / "tests" / "data" / "school-ideology-summary-2020.txt"
)
BUDGET_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["DRAFTSMITH_HOME"] = home
        from pipeline.learn import learn_sample

        times = []
        for i in range(args.repeat):
            start = time.perf_counter()
            learn_sample(SAMPLE, doctype_id=f"bench-{i}", out=Path(home) / "types")
            times.append(time.perf_counter() - start)
    median, best = statistics.median(times), min(times)
    print(
        f"learn {SAMPLE.name}: median {median * 1000:.0f} ms, best {best * 1000:.0f} ms "
        f"over {args.repeat} runs (first run {times[0] * 1000:.0f} ms, imports included)"
    )
    print(f"ratio to the {BUDGET_S:.0f} s budget: {median / BUDGET_S:.3f}")


if __name__ == "__main__":
    main()
