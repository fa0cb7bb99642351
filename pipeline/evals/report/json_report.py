"""The JSON report: the run, its summary and every sample (text, findings, metrics)."""

from __future__ import annotations

import json

from pipeline.evals.journal import RunMeta, SampleResult
from pipeline.evals.summary import RunSummary


def render_json(meta: RunMeta, summary: RunSummary, samples: list[SampleResult]) -> str:
    """The whole run as one JSON document."""
    data = {
        "run": meta.model_dump(mode="json"),
        "summary": {
            **summary.model_dump(mode="json"),
            "complete": summary.complete,
            "passed": summary.passed,
        },
        "samples": [s.model_dump(mode="json") for s in samples],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
