"""Evaluation suites (`draft eval`): measure drafts, prompts and models on the same cases.

suite.py          the suite YAML as pydantic models, loaded with line-accurate errors
cases.py          cases resolved into specs, validated facts, texts and prompt sets
metrics.py        grounding metrics of one draft (structure, markers, coverage, numbers…)
assertions.py     contains / regex / max-findings / metric assertions
checker_score.py  expected vs found findings for checker suites (precision/recall per family)
judge.py          the optional LLM judge (1–5 with reasons, cached)
limits.py         the run's cap on calls in flight, per-model caps and rates, call replay
run_models.py     the run's models: made once, cached per repeat, warmed up, closed
journal.py        the run folder: run.json, samples.jsonl, calls.jsonl
runner.py         the matrix, sample workers, start and resume
summary.py        per model × variant aggregates, ranking and thresholds
compare.py        two runs side by side: metric deltas and regressed cases
report/           terminal, JSON, Markdown, JUnit XML and self-contained HTML reports
pytest_plugin.py  suites and cases as pytest tests
"""
