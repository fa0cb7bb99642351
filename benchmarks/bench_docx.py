"""How long the Word renderer takes, in-process: the shipped school draft (about 2,300
characters, three markers) and a long one (about 20,000 characters, one marker per
paragraph — far past the 2,000–5,000 characters of a typical annual summary).

    python benchmarks/bench_docx.py [--repeat 5]

Prints the median time per render, the ratio to the Markdown renderer on the same draft, and
the ratio of the long draft's time to a 1 s budget (under 1.0 is within budget).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "school-ideology-summary-incomplete.yaml"
BUDGET_S = 1.0


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["DRAFTSMITH_HOME"] = home
        from pipeline.drafting import draft_document
        from pipeline.facts import load_facts
        from pipeline.markers import marker
        from pipeline.models import get_model
        from pipeline.render import render

        spec, facts = load_facts(FACTS)
        draft = draft_document(spec, facts, get_model("offline"))
        paragraph = "坚持以习近平新时代中国特色社会主义思想为指导，扎实推进各项工作，" * 3
        long_body = "\n".join(
            f"（{i}）{paragraph}全年完成{marker('工作量')}项。" for i in range(1, 121)
        )
        sections = [draft.sections[0].model_copy(update={"body": long_body}), *draft.sections]
        long_draft = draft.model_copy(update={"sections": sections})
        long_draft = long_draft.model_copy(update={"markers": long_draft.locate_markers()})

        for name, d in (("school", draft), ("long", long_draft)):
            chars = sum(len(s.body) for s in d.sections)
            docx_s = _median(lambda d=d: render(d, "docx"), args.repeat)
            md_s = _median(lambda d=d: render(d, "md"), args.repeat)
            print(
                f"{name}: {chars} characters, {len(d.locate_markers())} markers: "
                f"docx {docx_s * 1000:.0f} ms, md {md_s * 1000:.1f} ms "
                f"(docx/md {docx_s / md_s:.0f}x)"
            )
        print(f"long draft docx / {BUDGET_S:.0f} s budget: {docx_s / BUDGET_S:.2f}")


if __name__ == "__main__":
    main()
