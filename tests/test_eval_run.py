"""`draft eval` end to end, offline: every report format, thresholds and exit codes, repeats,
prompt variants, resuming from a torn journal, and comparing two runs."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.evals.journal import RunOptions, find_run, latest_samples, read_meta
from pipeline.evals.runner import resume_run, start_run
from tests.conftest import EXAMPLES, REPO

COMPLETE = EXAMPLES / "school-ideology-summary.yaml"
INCOMPLETE = EXAMPLES / "school-ideology-summary-incomplete.yaml"


def _suite(tmp_path: Path, body: str, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _run_id(stderr: str) -> str:
    line = next(x for x in stderr.splitlines() if x.startswith("run "))
    return line.split()[1]


TWO_CASES = f"""
name: two
doctype: school-ideology-summary
default_assert:
  - {{type: metric, name: marker_recall, min: 1}}
cases:
  - id: complete
    facts: {COMPLETE}
    assert:
      - {{type: contains, value: 中心组学习12次}}
  - id: incomplete
    facts: {INCOMPLETE}
    assert:
      - {{type: contains, value: 【待补充：中心组学习次数】}}
"""


def test_offline_run_writes_every_report_format(cli, tmp_path):
    suite = _suite(tmp_path, TWO_CASES)
    out = {ext: tmp_path / f"report.{ext}" for ext in ("json", "md", "xml", "html")}
    result = cli("eval", suite, *(a for p in out.values() for a in ("-o", p)))
    assert result.returncode == 0, result.stderr
    assert "PASS" in result.stdout and "offline" in result.stdout
    assert "[2/2] incomplete · offline · default #0: pass" in result.stderr

    data = json.loads(out["json"].read_text(encoding="utf-8"))
    assert data["summary"]["passed"] is True
    assert [s["case"] for s in data["samples"]] == ["complete", "incomplete"]
    incomplete = data["samples"][1]
    assert incomplete["metrics"]["marker_recall"] == 1.0
    assert incomplete["findings_by_code"]["gap.marker"] == 3
    assert incomplete["findings"][0]["excerpt"] == "【待补充：中心组学习次数】"

    root = ET.fromstring(out["xml"].read_text(encoding="utf-8"))
    assert root.tag == "testsuites" and root.get("failures") == "0"
    names = [c.get("name") for c in root.iter("testcase")]
    assert "complete#0" in names and "incomplete#0" in names

    md = out["md"].read_text(encoding="utf-8")
    assert "| 1 | offline | 2 | 100.0% | 0 |" in md
    html = out["html"].read_text(encoding="utf-8")
    assert (
        'id="summary-table"' in html
        and "<script" not in html
        and "http" not in html.split("suite ")[0]
    )


def test_failed_threshold_exits_1_and_names_the_failure(cli, tmp_path):
    suite = _suite(
        tmp_path,
        TWO_CASES.replace("中心组学习12次", "中心组学习99次")
        + "thresholds:\n  metrics:\n    fact_coverage: {min: 1}\n",
    )
    junit = tmp_path / "junit.xml"
    result = cli("eval", suite, "-o", junit, "-q")
    assert result.returncode == 1, result.stderr
    assert "FAIL" in result.stdout
    assert "“中心组学习99次” is missing from the draft" in result.stdout
    root = ET.fromstring(junit.read_text(encoding="utf-8"))
    failures = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == ["complete#0", "offline: pass_rate"]

    # The run keeps its verdict when its suite file is gone.
    suite.unlink()
    again = cli("eval", "report", _run_id(result.stderr))
    assert again.returncode == 1 and "FAIL offline: pass_rate = 0.5 (needs ≥ 1)" in again.stdout


def test_a_report_never_replaces_the_suite_or_the_run_it_is_made_from(cli, tmp_path):
    suite = _suite(tmp_path, TWO_CASES)
    before = suite.read_bytes()
    result = cli("eval", suite, "-o", suite.with_suffix(".json"), "-q")  # another name: fine
    assert result.returncode == 0, result.stderr
    onto_suite = suite.with_suffix(".md")
    onto_suite.write_bytes(before)
    result = cli("eval", onto_suite, "-o", onto_suite, "-q")
    assert result.returncode == 2 and "would replace the input file" in result.stderr
    assert onto_suite.read_bytes() == before

    run = _run_id(cli("eval", suite, "-q").stderr)
    run_file = Path(os.environ["DRAFTSMITH_HOME"]) / "data" / "runs" / run / "run.json"
    record = run_file.read_bytes()
    # Nor does a resumed run's report or a comparison (they replaced the run record, and the
    # run could no longer be read), nor a new run's report written into an old run's folder.
    for args in (
        ("eval", "report", run, "-o", run_file),
        ("eval", "--resume", run, "-o", run_file),
        ("eval", "compare", run, run, "-o", run_file),
        ("eval", suite, "-q", "-o", run_file),
    ):
        result = cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert f"would replace run.json, a file of the evaluation run {run}" in result.stderr
        assert "Traceback" not in result.stderr
        assert run_file.read_bytes() == record
    assert cli("eval", "report", run).returncode == 0


def test_builtin_suite_by_name_and_case_filter(cli, tmp_path):
    report = tmp_path / "r.json"
    result = cli(
        "eval", "annual-work-summary", "--case", "minimal", "--case", "complete", "-o", report, "-q"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [s["case"] for s in data["samples"]] == ["complete", "minimal"]  # suite order


def test_tag_filter_runs_the_tagged_cases_and_reports_pass_rate_by_tag(cli, tmp_path):
    report, page = tmp_path / "r.json", tmp_path / "r.html"
    result = cli("eval", "annual-work-summary", "--tag", "missing", "-o", report, "-o", page, "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    cases = [s["case"] for s in data["samples"]]
    assert cases and all("missing" in s["tags"] for s in data["samples"])
    assert data["run"]["options"]["tags"] == ["missing"]  # kept for --resume
    by_tag = {t["tag"]: t for t in data["summary"]["by_tag"]}
    assert by_tag["missing"]["samples"] == len(cases) and by_tag["missing"]["pass_rate"] == 1
    assert "pass rate by case tag" in result.stdout and "missing" in result.stdout
    html = page.read_text(encoding="utf-8")
    assert 'id="tag-table"' in html and '<span class="tag">missing</span>' in html


def test_tag_and_case_filters_narrow_together(cli, tmp_path):
    report = tmp_path / "r.json"
    both = cli(
        "eval", "annual-work-summary", "--tag", "missing", "--case", "minimal", "--case",
        "complete", "--case", "no-results", "-o", report,
    )  # fmt: skip
    assert both.returncode in (0, 1), both.stderr  # thresholds judge the cases run
    samples = json.loads(report.read_text("utf-8"))["samples"]
    assert [s["case"] for s in samples] == ["no-results", "minimal"]
    none = cli("eval", "annual-work-summary", "--tag", "lists", "--case", "minimal")
    assert none.returncode == 2 and "no case of suite" in none.stderr, none.stderr


def test_repeats_measure_agreement(tmp_path):
    suite = _suite(tmp_path, TWO_CASES)
    result = start_run(suite, RunOptions(repeat=3))
    samples = latest_samples(result.run_dir)
    assert [(s.case, s.repeat) for s in samples] == [
        ("complete", 0), ("complete", 1), ("complete", 2),
        ("incomplete", 0), ("incomplete", 1), ("incomplete", 2),
    ]  # fmt: skip
    from pipeline.evals.summary import summarize

    summary = summarize(read_meta(result.run_dir), samples, None)
    assert summary.groups[0].metrics["agreement"] == 1.0  # the offline model is deterministic


def test_prompt_variants_are_drafted_and_reported_apart(cli, tmp_path):
    variant = tmp_path / "prompts-formal"
    shutil.copytree(REPO / "prompts" / "school-ideology-summary", variant)
    opening = variant / "opening.j2"
    opening.write_text(
        opening.read_text(encoding="utf-8").replace(
            "以深入学习贯彻", "一年来，学校党支部以深入学习贯彻"
        ),
        encoding="utf-8",
    )
    suite = _suite(
        tmp_path,
        TWO_CASES + "variants:\n  - {name: default}\n  - {name: formal, prompts: prompts-formal}\n",
    )
    report = tmp_path / "r.json"
    result = cli("eval", suite, "-o", report, "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    groups = [(g["model"], g["variant"]) for g in data["summary"]["groups"]]
    assert groups == [("offline", "default"), ("offline", "formal")]
    # The terminal table tells the rows apart too ("[formal]" is not taken for rich markup).
    table_rows = [line for line in result.stdout.splitlines() if "│ offline" in line]
    assert len(table_rows) == 2 and "offline [formal]" in table_rows[1], result.stdout
    by_variant = {s["variant"]: s["text"] for s in data["samples"] if s["case"] == "complete"}
    assert "一年来，学校党支部" in by_variant["formal"]
    assert "一年来，学校党支部" not in by_variant["default"]


def test_resume_after_a_torn_journal_makes_no_model_call(tmp_path):
    suite = _suite(tmp_path, TWO_CASES)
    first = start_run(suite, RunOptions(repeat=2))
    reference = [(s.key, s.text, s.metrics) for s in latest_samples(first.run_dir)]
    samples_file = first.run_dir / "samples.jsonl"
    lines = samples_file.read_text(encoding="utf-8").splitlines(keepends=True)
    # As if killed mid-write: one sample kept, the next one torn in half.
    samples_file.write_text(lines[0] + lines[1][: len(lines[1]) // 2], encoding="utf-8")

    resumed = resume_run(first.run_dir.name)
    assert resumed.model_calls == 0  # every answer replayed from calls.jsonl
    assert [(s.key, s.text, s.metrics) for s in latest_samples(first.run_dir)] == reference

    again = resume_run(first.run_dir.name)
    assert again.model_calls == 0 and len(latest_samples(first.run_dir)) == 4


def test_resume_runs_damaged_records_again_without_a_traceback(cli, tmp_path):
    """Lines that are JSON but not records (edited by hand, written by another version)
    count as not journaled: the samples run again and the run completes."""
    suite = _suite(tmp_path, TWO_CASES)
    first = start_run(suite, RunOptions())
    reference = [(s.key, s.text, s.metrics) for s in latest_samples(first.run_dir)]
    samples_file = first.run_dir / "samples.jsonl"
    good, damaged = samples_file.read_text(encoding="utf-8").splitlines(keepends=True)[:2]
    damaged = json.dumps({**json.loads(damaged), "metrics": "x"}) + "\n"
    junk = ['{"key": ["x"]}\n', '{"key": "k", "failed_sections": 5}\n', "[1, 2]\n"]
    samples_file.write_text(good + damaged + "".join(junk), encoding="utf-8")
    with (first.run_dir / "calls.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"completion": "x"}\n{"completion": {"usage": 3}}\n')

    resumed = cli("eval", "run", "--resume", first.run_dir.name, "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr and "INCOMPLETE" not in resumed.stdout
    assert [(s.key, s.text, s.metrics) for s in latest_samples(first.run_dir)] == reference


def test_compare_shows_deltas_and_regressed_cases(cli, tmp_path):
    suite = _suite(tmp_path, TWO_CASES)
    a = cli("eval", suite, "-q")
    assert a.returncode == 0, a.stderr
    # The same suite after a "change" that loses a fact the complete case must mention.
    suite.write_text(
        TWO_CASES.replace(f"facts: {COMPLETE}", f"facts: {INCOMPLETE}", 1), encoding="utf-8"
    )
    b = cli("eval", suite, "-q")
    assert b.returncode == 1
    run_a, run_b = _run_id(a.stderr), _run_id(b.stderr)

    text = cli("eval", "compare", run_a, run_b)
    assert text.returncode == 0, text.stderr
    assert "regressed samples: 1" in text.stdout and "complete" in text.stdout

    js = cli("eval", "compare", run_a, run_b, "--format", "json")
    data = json.loads(js.stdout)
    (regressed,) = data["regressions"]
    assert regressed["case"] == "complete"
    (reason,) = regressed["reasons"]
    assert reason.startswith("now fails") and "contains “中心组学习12次”" in reason
    pass_rate = next(d for d in data["deltas"] if d["metric"] == "pass_rate")
    assert (pass_rate["a"], pass_rate["b"], pass_rate["verdict"]) == (1.0, 0.5, "worse")
    written = cli("eval", "compare", run_a, run_b, "-o", tmp_path / "c.json")  # format from -o
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8")) == data, written.stderr
    # An HTML or Word name would get a Markdown table that its program cannot show.
    html = cli("eval", "compare", run_a, run_b, "-o", tmp_path / "c.html")
    assert html.returncode == 2 and "name it .md, .txt or .json" in html.stderr, html.stderr
    assert not (tmp_path / "c.html").exists()
    chars = next(d for d in data["deltas"] if d["metric"] == "chars")
    assert chars["delta"] and chars["verdict"] == "changed"  # a length is neither

    partial = _run_id(cli("eval", suite, "-q", "--case", "complete").stderr)
    fewer = cli("eval", "compare", run_a, partial)
    assert "only in A: 1 sample(s); only in B: 0" in fewer.stdout  # as the Markdown says
    # …and which sample it is, so that a gate failing on it says what to run again
    (missing_key,) = json.loads(cli("eval", "compare", run_a, partial, "--format", "json").stdout)[
        "only_in_a"
    ]
    case, model, _, repeat = missing_key.split("|")
    assert f"only in A: {case} · {model} #{repeat}" in fewer.stdout and case == "incomplete"
    fewer_md = cli("eval", "compare", run_a, partial, "--format", "md").stdout
    assert f"## Only in A (1)\n\n- {case} · {model} #{repeat}\n" in fewer_md

    gate = cli("eval", "compare", run_a, run_b, "--fail-on-regression")
    assert gate.returncode == 1
    same = cli("eval", "compare", run_a, run_a, "--fail-on-regression")
    assert same.returncode == 0 and "regressed samples: 0" in same.stdout
    # A gate does not pass on samples the new run never ran; extra samples in it are fine.
    only_incomplete = _run_id(cli("eval", suite, "-q", "--case", "incomplete").stderr)
    missing = cli("eval", "compare", run_a, only_incomplete, "--fail-on-regression")
    assert missing.returncode == 1 and "regressed samples: 0" in missing.stdout
    assert "1 sample(s) of RUN_A missing from RUN_B count as regressed" in missing.stderr
    extra = cli("eval", "compare", only_incomplete, run_a, "--fail-on-regression")
    assert extra.returncode == 0, extra.stderr
    # The metrics compare like with like: the one sample both runs have is unchanged.
    subset = json.loads(cli("eval", "compare", run_a, only_incomplete, "--format", "json").stdout)
    assert subset["matched"] == 1 and subset["only_in_a"]
    assert {d["verdict"] for d in subset["deltas"]} == {"same"}


def test_compare_names_the_repeat_of_each_regressed_sample(cli, tmp_path):
    suite = _suite(tmp_path, TWO_CASES.replace("name: two\n", "name: two\nrepeat: 2\n"))
    a = cli("eval", suite, "-q")
    suite.write_text(
        suite.read_text(encoding="utf-8").replace(f"facts: {COMPLETE}", f"facts: {INCOMPLETE}", 1),
        encoding="utf-8",
    )
    b = cli("eval", suite, "-q")
    assert a.returncode == 0 and b.returncode == 1, b.stderr
    text = cli("eval", "compare", _run_id(a.stderr), _run_id(b.stderr))
    assert "regressed samples: 2" in text.stdout
    # Two lines, one per repeat, not the same line twice.
    assert "✗ complete · offline #0: now fails" in text.stdout
    assert "✗ complete · offline #1: now fails" in text.stdout
    md = cli("eval", "compare", _run_id(a.stderr), _run_id(b.stderr), "--format", "md").stdout
    assert "- complete · offline #1 (`complete|offline|default|1`)" in md


def test_report_and_list_read_stored_runs(cli, tmp_path):
    suite = _suite(tmp_path, TWO_CASES)
    run = _run_id(cli("eval", suite, "-q").stderr)
    md = tmp_path / "again.md"
    again = cli("eval", "report", run, "-o", md)
    assert again.returncode == 0 and md.read_text(encoding="utf-8").startswith(
        "# Evaluation: two — PASS"
    )
    listing = cli("eval", "list")
    assert listing.returncode == 0
    assert "school-ideology-summary" in listing.stdout and run in listing.stdout

    # one damaged run record is flagged, and the other runs are still listed
    other = _run_id(cli("eval", suite, "-q").stderr)
    (Path(os.environ["DRAFTSMITH_HOME"]) / "data" / "runs" / other / "run.json").write_text(
        "{", encoding="utf-8"
    )
    listing = cli("eval", "list")
    assert listing.returncode == 0, listing.stderr
    assert run in listing.stdout and f"{other}  damaged" in listing.stdout
    assert cli("eval", suite, "--repeat", "101").returncode == 2


def test_two_runs_started_in_one_second_never_share_a_folder(draftsmith_home, monkeypatch):
    """Run ids are the second plus four random hex digits: when two runs draw the same id,
    the second takes another instead of writing into the first's folder."""
    import secrets

    from pipeline.evals import journal

    drawn = iter(["abcd", "abcd", "beef"])
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(drawn))
    first = journal.new_run_dir("同一套件")
    second = journal.new_run_dir("同一套件")
    assert first.name.endswith("-abcd") and second.name.endswith("-beef")
    assert first.parent == second.parent == journal.runs_dir()
    assert first.is_dir() and second.is_dir()


def test_samples_of_one_run_are_named_and_a_long_list_is_cut():
    from pipeline.evals.compare import ONE_RUN_SHOWN, one_run_lines, sample_label

    assert sample_label("complete|openai:gpt-4o|short|2") == "complete · openai:gpt-4o [short] #2"
    assert sample_label("complete|offline|default|0") == "complete · offline #0"
    keys = [f"case-{i}|offline|default|0" for i in range(ONE_RUN_SHOWN + 5)]
    lines = one_run_lines(keys)
    assert lines[0] == "case-0 · offline #0" and len(lines) == ONE_RUN_SHOWN + 1
    assert lines[-1] == "… and 5 more"


def test_each_sample_records_what_its_case_was_scored_against(cli, tmp_path):
    # The suite and the facts file are gone when the run is reported again: the record
    # alone says what each draft had to state, mark and pass.
    facts = tmp_path / "incomplete.yaml"
    shutil.copy(INCOMPLETE, facts)
    suite = _suite(
        tmp_path,
        "name: basis\ndoctype: school-ideology-summary\ndefault_assert:\n"
        "  - {type: metric, name: number_coverage, min: 1}\ncases:\n"
        f"  - id: incomplete\n    facts: {facts}\n    assert:\n"
        "      - {type: contains, value: 【待补充：中心组学习次数】}\n",
    )
    result = cli("eval", suite)
    assert result.returncode == 0, result.stderr
    suite.unlink()
    facts.unlink()
    report = tmp_path / "r.json"
    assert cli("eval", "report", _run_id(result.stderr), "-o", report).returncode == 0
    (sample,) = json.loads(report.read_text(encoding="utf-8"))["samples"]
    basis = sample["scored_against"]
    assert basis["assertions"] == [
        {"type": "metric", "name": "number_coverage", "min": 1.0},
        {"type": "contains", "value": "【待补充：中心组学习次数】"},
    ]
    assert [a["name"] for a in sample["assertions"]] == [
        "number_coverage ≥ 1",
        "contains “【待补充：中心组学习次数】”",
    ]
    # the facts left out, each of which should get a marker (these three have none)
    assert basis["missing"] == ["anniversary", "central_group_sessions", "theory_sessions"]
    # must-mention: the campaigns' names (the two session counts are left out, not given)
    assert set(basis["must_mention"]) == {"campaigns"}
    assert "扫黑除恶" in basis["must_mention"]["campaigns"]
    # the numbers each section is given (微党课10次, 5 activities; 19 is 十九大), which the
    # offline draft states: its number_coverage assertion passed
    assert 10.0 in basis["numbers"]["theory_study"] and 5.0 in basis["numbers"]["public_opinion"]


def test_a_checker_sample_records_the_findings_its_case_expects(cli, tmp_path):
    suite = _suite(
        tmp_path,
        "name: expects\nkind: checker\ncases:\n  - id: placeholder\n"
        "    text: 全年共开展学习XX次。\n    expect:\n      - {code: gap.placeholder, at: XX次}\n"
        "    ignore: [style]\n",
    )
    report = tmp_path / "r.json"
    result = cli("eval", suite, "-o", report)
    assert result.returncode == 0, result.stdout + result.stderr
    (sample,) = json.loads(report.read_text(encoding="utf-8"))["samples"]
    assert sample["scored_against"]["assertions"] == [
        {"expect": {"code": "gap.placeholder", "at": "XX次"}},
        {"ignore": "style"},
    ]


CHECKER_SUITE = """
name: journal
kind: checker
cases:
  - id: a
    file: case.txt
  - id: b
    file: case.txt
"""


def _stand_in(path: Path, kind: str) -> None:
    """Put a `kind` where the journal file `path` was."""
    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "pipe":
        os.mkfifo(path)
    elif kind == "link to itself":
        path.symlink_to(path.name)
    else:  # a device
        path.symlink_to("/dev/null")


@pytest.mark.parametrize(
    ("journal", "kind", "found"),
    [
        ("samples.jsonl", "folder", "is a directory"),
        ("samples.jsonl", "pipe", "is a named pipe (FIFO)"),
        ("samples.jsonl", "link to itself", "is a symbolic link that leads back to itself"),
        ("samples.jsonl", "device", "is a device or socket"),
        ("calls.jsonl", "pipe", "is a named pipe (FIFO)"),
    ],
)
def test_a_journal_file_that_is_no_file_is_named_by_report_and_resume(
    cli, tmp_path, journal, kind, found
):
    """samples.jsonl as a folder was read as no sample finished ("0 of 2 samples
    finished", exit 1), and as a named pipe it hung `--resume` for ever."""
    (tmp_path / "case.txt").write_text("全年共开展学习12次。\n", encoding="utf-8")
    first = cli("eval", _suite(tmp_path, CHECKER_SUITE), "-q")
    assert first.returncode == 0, first.stderr
    run = _run_id(first.stderr)
    path = find_run(run) / journal
    _stand_in(path, kind)
    what = "finished samples" if journal == "samples.jsonl" else "model answers"
    commands = [("eval", "--resume", run, "-q")]
    if journal == "samples.jsonl":  # a report reads no model answer
        commands.append(("eval", "report", run))
    for args in commands:
        result = cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr == (
            f"error: {path}: {found}, not the evaluation run's journal of {what}; "
            f"remove{'' if kind == 'link to itself' else ' or rename'} it\n"
        )


def test_damaged_lines_in_the_journal_stay_skipped_by_the_report(cli, tmp_path):
    """An interrupted run leaves a torn or damaged line: the report counts the others."""
    (tmp_path / "case.txt").write_text("全年共开展学习12次。\n", encoding="utf-8")
    first = cli("eval", _suite(tmp_path, CHECKER_SUITE), "-q")
    run = _run_id(first.stderr)
    samples = find_run(run) / "samples.jsonl"
    kept = samples.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    samples.write_text(kept + "not json\n" + '{"key": "half', encoding="utf-8")
    result = cli("eval", "report", run)
    assert result.returncode == 1, result.stderr
    assert "1 of 2 samples finished" in result.stderr
