"""Benchmark of the checker: the sample, 1 MB and 2 MB of text, and pathological runs.

    python benchmarks/bench_checker.py [--repeat N]

Targets (issue 3): the sample (about 3,000 characters) in under 5 ms; 1 MB in under 2 s on
one core; time linear in the input — the 2 MB / 1 MB ratio should be about 2, and so should
the ratio for long runs of blanks, X, * and _ (a pattern that backtracked catastrophically
would show a ratio of 4 or more). Each figure is the best of N runs, so that other load on
the machine counts as little as possible; the calibration line says how fast the machine was.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.checker import check_text  # noqa: E402

SAMPLE = REPO / "tests" / "data" / "school-ideology-summary-2020.txt"


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def calibration() -> float:
    """Milliseconds for a million Python additions (about 30–60 ms on an idle modern core)."""

    def loop() -> int:
        total = 0
        for i in range(1_000_000):
            total += i
        return total

    return best_of(loop, 3) * 1000


def offline_drafts() -> list[str]:
    """The offline drafts of the examples: clean official prose with markers."""
    from pipeline.drafting import draft_document
    from pipeline.facts import load_facts
    from pipeline.models import get_model

    texts = []
    for name in (
        "school-ideology-summary",
        "school-ideology-summary-incomplete",
        "annual-work-summary",
    ):
        spec, facts = load_facts(REPO / "examples" / f"{name}.yaml")
        texts.append(draft_document(spec, facts, get_model("offline")).text)
    return texts


def megabytes(pieces: list[str], size: int) -> str:
    """Pieces repeated until the UTF-8 text is `size` bytes or a little more."""
    unit = "\n".join(pieces) + "\n"
    reps = size // len(unit.encode("utf-8")) + 1
    return unit * reps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best is kept)")
    args = parser.parse_args()

    print(f"calibration: 1M additions in {calibration():.0f} ms")
    sample = SAMPLE.read_text(encoding="utf-8")
    check_text(sample)  # load the lexicon once
    t = best_of(lambda: check_text(sample), args.repeat * 20)
    n = len(check_text(sample).findings)
    print(f"sample ({len(sample):,} chars, {n} findings): {t * 1000:.2f} ms (target < 5 ms)")

    pieces = [sample, *offline_drafts()]
    one = megabytes(pieces, 1_000_000)
    two = one + one
    t1 = best_of(lambda: check_text(one), max(1, args.repeat // 2))
    t2 = best_of(lambda: check_text(two), max(1, args.repeat // 2))
    print(
        f"1 MB ({len(one.encode()):,} bytes, {len(one):,} chars): {t1:.2f} s (target < 2 s); "
        f"2 MB: {t2:.2f} s; ratio 2 MB / 1 MB = {t2 / t1:.2f} (linear: about 2)"
    )

    print("pathological runs (100,000 and 200,000 characters; ratio should be about 2):")
    for label, run in (
        ("blanks", " "),
        ("ideographic blanks", "\u3000"),
        ("X", "X"),
        ("*", "*"),
        ("_", "_"),
        ("学 (a blank after every character)", "学 "),
        ("X between characters", "学X"),
        ("、", "、"),
        ("newlines", "\n"),
    ):
        small = "学校" + run * (100_000 // len(run)) + "次。"
        large = "学校" + run * (200_000 // len(run)) + "次。"
        ts = best_of(lambda s=small: check_text(s), 2)
        tl = best_of(lambda s=large: check_text(s), 2)
        print(f"  {label:38s} {ts * 1000:8.1f} ms → {tl * 1000:8.1f} ms  ratio {tl / ts:.2f}")


if __name__ == "__main__":
    main()
