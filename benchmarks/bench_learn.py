"""How long `draft learn` takes on the shared sample, in-process (no interpreter start-up).

    python benchmarks/bench_learn.py [--repeat 5]

Prints the median and best time per learn and the ratio to the issue's "in seconds" promise
(a 2 s budget): a ratio under 1.0 is within budget. Then how the time grows with the
sample: reports of 10, 40 and 160 sections full of counts, the time per section against
the 10-section report's (about 1.0 when learning is linear in the sample's length; a
quadratic step shows as a ratio that grows with the size).
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
        _growth(Path(home))


def _growth(home: Path) -> None:
    """Learn a report of 10 sections, then of 40 and 160 (each section a page of counted
    activities, so that every line holds a number to learn): time per section against the
    10-section report's."""
    from pipeline.learn import learn_sample

    base = 0.0
    for sections in (10, 40, 160):
        text = "青山县红星中学2020年工作总结\n" + "".join(
            f"{_CN[i % 10]}、第{i + 1}项工作\n" + "学校开展专题学习12次，参加教师85人次。\n" * 40
            for i in range(sections)
        )
        sample = home / f"growth-{sections}.txt"
        sample.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        learn_sample(sample, doctype_id=f"bench-growth-{sections}", out=home / "types")
        per_section = (time.perf_counter() - start) / sections
        base = base or per_section
        print(
            f"  {sections:3d} sections ({sample.stat().st_size // 1024} KB): "
            f"{per_section * sections:.2f} s, per section / at 10 sections = {per_section / base:.2f}"
        )


_CN = "一二三四五六七八九十"


if __name__ == "__main__":
    main()
