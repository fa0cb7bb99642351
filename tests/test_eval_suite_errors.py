"""Bad suites and bad `draft eval` options: one clear message naming the file, the key and
its line, exit code 2, no traceback, and no run folder left behind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO

COMPLETE = EXAMPLES / "school-ideology-summary.yaml"


def _suite(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(body, encoding="utf-8")
    (tmp_path / "cases").mkdir(exist_ok=True)  # a folder where a case may wrongly name a file
    return path


def _runs(home: Path) -> list[Path]:
    runs = home / "data" / "runs"
    return list(runs.iterdir()) if runs.is_dir() else []


def _fails_cleanly(result, home: Path, *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert _runs(home) == []


CASES = {
    "a case id in Chinese": (
        f"name: s\ndoctype: school-ideology-summary\ncases:\n  - id: 第一\n    facts: {COMPLETE}\n",
        ["suite.yaml:4:", "field 'cases[0].id': expected a name of ASCII letters", "'第一'"],
    ),
    "unknown key with a suggestion and its line": (
        f"name: s\ndoctype: school-ideology-summary\nrepeats: 2\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:3:", "unknown field 'repeats'", "did you mean 'repeat'"],
    ),
    "unknown assertion type": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n      - {{type: containz, value: x}}\n",
        ["suite.yaml:6:", "cases[0].assert[0].type", "containz", "did you mean 'contains'"],
    ),
    "assertion without a type": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n      - {{value: x}}\n",
        ["suite.yaml:6: field 'cases[0].assert[0].type' is required but missing"],
    ),
    "assertion written as a sentence": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n      - contains x\n",
        ["suite.yaml:6: field 'cases[0].assert[0]': expected a mapping of keys to values"],
    ),
    "misspelt key in an assertion": (
        f"name: s\ndefault_assert:\n  - {{type: metric, name: fact_coverage, mni: 1}}\ncases:\n"
        f"  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:3: unknown field 'default_assert[0].mni'; did you mean 'min'?"],
    ),
    "assertion missing its value": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n      - {{type: contains}}\n",
        ["suite.yaml:6: field 'cases[0].assert[0].value' is required but missing"],
    ),
    "unknown metric in an assertion": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n      - {{type: metric, name: coverage, min: 1}}\n",
        ["suite.yaml:6:", "unknown metric 'coverage'", "fact_coverage"],
    ),
    "unknown metric in thresholds": (
        f"name: s\nthresholds:\n  metrics:\n    recal: 0.9\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:4:", "thresholds.metrics.recal", "did you mean 'recall'"],
    ),
    "bad regular expression": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n      - {{type: regex, pattern: '(unclosed'}}\n",
        ["suite.yaml:6:", "invalid regular expression"],
    ),
    "repeat out of range": (
        f"name: s\nrepeat: 0\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:2:", "repeat"],
    ),
    "duplicate case id": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:5:", "'a' is already the id of cases[0]"],
    ),
    "missing facts file": (
        "name: s\ncases:\n  - id: a\n    facts: cases/nope.yaml\n",
        ["suite.yaml:4:", "facts file 'cases/nope.yaml' not found"],
    ),
    "bad inline fact, located in the suite": (
        "name: s\ndoctype: school-ideology-summary\ncases:\n  - id: a\n    facts:\n"
        "      school_name: 红星中学\n      county: 青山县\n      report_year: 去年\n",
        ["suite.yaml:8:", "report_year", "总结年度"],
    ),
    "facts file that is a folder": (
        "name: s\ncases:\n  - id: a\n    facts: cases\n",
        ["suite.yaml:4:", "facts file 'cases' is a folder", "expected a file"],
    ),
    "checker case file that is a folder": (
        "name: c\nkind: checker\ncases:\n  - id: a\n    file: cases\n",
        ["suite.yaml:5:", "text file 'cases' is a folder", "expected a file"],
    ),
    "facts that are neither a file nor a mapping": (
        "name: s\ncases:\n  - id: a\n    facts: 5\n",
        [
            "suite.yaml:4:",
            "field 'cases[0].facts'",
            "expected the name of a facts file or a mapping",
        ],
    ),
    "prompt variant that is a file": (
        f"name: s\nvariants:\n  - {{name: terse, prompts: {COMPLETE}}}\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:3:", "variants[0].prompts", "is a file", "expected a folder"],
    ),
    "no cases": ("name: s\ncases: []\n", ["suite.yaml:2:", "cases"]),
    "unknown model": (
        f"name: s\nmodels: [gpt-9]\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:2:", "models[0]", "unknown model 'gpt-9'"],
    ),
    "missing prompt variant folder": (
        f"name: s\nvariants:\n  - {{name: terse, prompts: nowhere}}\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:3:", "variants[0].prompts", "'nowhere' not found"],
    ),
    "checker case text not in the file": (
        "name: c\nkind: checker\ncases:\n  - id: a\n    text: 一段文字\n    expect:\n"
        "      - {code: gap.placeholder, at: 不在文中}\n",
        ["suite.yaml:7:", "“不在文中” is not in the case's text"],
    ),
    "checker case with both text and file": (
        "name: c\nkind: checker\ncases:\n  - id: a\n    text: 一段文字\n    file: a.txt\n",
        ["suite.yaml:4:", "exactly one of 'text' and 'file'"],
    ),
    "unknown suite kind": (
        "name: s\nkind: judge\ncases: []\n",
        ["suite.yaml:2:", "'drafting' or 'checker'"],
    ),
    "not YAML": ("name: s\ncases: [\n", ["suite.yaml", "invalid YAML"]),
    "metric bounds that no run can meet": (
        f"name: s\nthresholds:\n  metrics:\n    fact_coverage: {{min: 2, max: 1}}\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:4:", "min 2 is above max 1"],
    ),
    "rule families in a drafting suite": (
        f"name: s\nthresholds:\n  families: {{gap: 0.9}}\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:3:", "checker suites (kind: checker) only"],
    ),
    "a checker's precision as a drafting suite's threshold": (
        f"name: s\nthresholds:\n  metrics:\n    precision: 0.9\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:4:", "thresholds.metrics.precision", "checker suites (kind: checker) only"],
    ),
    "a judge's score as a threshold without a judge": (
        f"name: s\nthresholds:\n  metrics:\n    judge_score: 3\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:4:", "judge_score is measured only with a 'judge:'"],
    ),
    "a draft's metric as a checker suite's threshold": (
        "name: c\nkind: checker\nthresholds:\n  metrics:\n    fact_coverage: 1\ncases:\n  - id: a\n    text: 一段文字\n",
        [
            "suite.yaml:5:",
            "a checker suite measures errors, warnings, chars, precision, recall only",
        ],
    ),
    "unknown rule family": (
        "name: c\nkind: checker\nthresholds:\n  families: {gapp: 0.9}\ncases:\n  - id: a\n    text: 一段文字\n",
        ["suite.yaml:4:", "unknown rule family", "did you mean 'gap'"],
    ),
    "unknown expected code": (
        "name: c\nkind: checker\ncases:\n  - id: a\n    text: 一段文字\n    expect:\n      - {code: gap.placeholdr}\n",
        ["suite.yaml:7:", "unknown rule code 'gap.placeholdr'", "did you mean 'gap.placeholder'"],
    ),
    "unknown code to ignore": (
        "name: c\nkind: checker\ncases:\n  - id: a\n    text: 一段文字\n    ignore: [nonsense]\n",
        ["suite.yaml:6:", "'nonsense' is neither a rule code nor a family"],
    ),
    "a model that is neither a name nor a mapping": (
        f"name: s\nmodels: [5]\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:2: field 'models[0]': expected a model (offline", "got 5"],
    ),
    "a model entry's bad limit": (
        f"name: s\nmodels: [{{id: offline, rpm: 0}}]\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:2: field 'models[0].rpm': expected a value > 0"],
    ),
    "unknown suite doctype": (
        f"name: s\ndoctype: nope\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:2: field 'doctype': unknown document type 'nope'"],
    ),
    "unknown case doctype": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    doctype: school-ideology-sumary\n",
        ["suite.yaml:5: field 'cases[0].doctype'", "did you mean 'school-ideology-summary'"],
    ),
    "missing spec file as the doctype": (
        f"name: s\ndoctype: specs/nope.yaml\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
        ["suite.yaml:2: field 'doctype': document-type spec not found", "specs/nope.yaml"],
    ),
    "a share threshold written as a percentage": (
        f"name: s\nthresholds:\n  metrics:\n    fact_coverage: {{min: 95}}\ncases:\n"
        f"  - id: a\n    facts: {COMPLETE}\n",
        [
            "suite.yaml:4: field 'thresholds.metrics.fact_coverage': fact_coverage is a share "
            "from 0 to 1, so min 95 could never be met (for 95%, write 0.95)"
        ],
    ),
    "a metric assertion out of the metric's range": (
        f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n"
        "      - {type: metric, name: marker_recall, min: 100}\n",
        [
            "suite.yaml:6: field 'cases[0].assert[0]': marker_recall is a share from 0 to 1, "
            "so min 100 could never be met (for 100%, write 1)"
        ],
    ),
}


@pytest.mark.parametrize("body,needles", list(CASES.values()), ids=list(CASES))
def test_bad_suite(cli, tmp_path, draftsmith_home, body, needles):
    result = cli("eval", _suite(tmp_path, body), "-q")
    _fails_cleanly(result, draftsmith_home, *needles)
    # one message per mistake: not one per form the value may take (models[0].str, ….ModelEntry)
    assert ".str'" not in result.stderr and "ModelEntry" not in result.stderr


def test_a_suite_doctype_may_be_a_spec_file(cli, tmp_path, draftsmith_home):
    spec = REPO / "schemas" / "school-ideology-summary.yaml"
    body = f"name: s\ndoctype: {spec}\ncases:\n  - id: a\n    facts: {COMPLETE}\n"
    result = cli("eval", _suite(tmp_path, body), "-q")
    assert result.returncode == 0, result.stderr


def test_a_spec_file_named_by_a_suite_is_found_beside_the_suite(cli, tmp_path, draftsmith_home):
    """Like its facts files, a suite's spec file is relative to the suite, wherever the eval
    is started from (it was looked for in the working directory, so CI run from the
    repository's root could not find `doctype: ../schemas/x.yaml`)."""
    shutil.copytree(REPO / "schemas", tmp_path / "project" / "schemas")
    shutil.copytree(REPO / "prompts", tmp_path / "project" / "prompts")
    suite = tmp_path / "project" / "evals" / "suite.yaml"
    suite.parent.mkdir()
    suite.write_text(
        "name: s\ndoctype: ../schemas/school-ideology-summary.yaml\n"
        f"cases:\n  - id: a\n    facts: {COMPLETE}\n",
        encoding="utf-8",
    )
    for cwd in (suite.parent, tmp_path):
        result = cli("eval", suite, "-q", cwd=cwd)
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("kind", "key", "body"),
    [
        ("facts file", "cases[0].facts", "name: s\ncases:\n  - id: a\n    facts: loop.yaml\n"),
        (
            "text file",
            "cases[0].file",
            "name: c\nkind: checker\ncases:\n  - id: a\n    file: loop.yaml\n",
        ),
        (
            "prompt folder",
            "variants[0].prompts",
            f"name: s\nvariants:\n  - {{name: t, prompts: loop.yaml}}\ncases:\n  - id: a\n"
            f"    facts: {COMPLETE}\n",
        ),
    ],
)
def test_a_path_in_a_suite_that_is_a_link_to_itself_is_named(
    cli, tmp_path, draftsmith_home, kind, key, body
):
    """Path.resolve raised RuntimeError("Symlink loop"): a traceback, exit 1."""
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    expected = "folder" if kind == "prompt folder" else "file"
    _fails_cleanly(
        cli("eval", _suite(tmp_path, body), "-q"),
        draftsmith_home,
        f"field '{key}': {kind} 'loop.yaml' is a symbolic link that leads back to itself "
        f"({tmp_path / 'loop.yaml'}); expected a {expected}",
    )


def test_a_folder_given_as_the_suite_is_named_as_such(cli, tmp_path, draftsmith_home):
    _fails_cleanly(
        cli("eval", tmp_path, "-q"), draftsmith_home, "expected a suite file, found a directory"
    )


def test_unknown_builtin_suite_suggests_a_name(cli, draftsmith_home):
    result = cli("eval", "school-ideology-sumary")
    _fails_cleanly(
        result, draftsmith_home, "unknown suite", "did you mean 'school-ideology-summary'"
    )


def test_unknown_case_filter(cli, draftsmith_home):
    result = cli("eval", "annual-work-summary", "--case", "complet")
    _fails_cleanly(result, draftsmith_home, "--case 'complet'", "did you mean 'complete'")


def test_unknown_tag_filter(cli, draftsmith_home):
    result = cli("eval", "annual-work-summary", "--tag", "mising")
    _fails_cleanly(result, draftsmith_home, "--tag 'mising'", "did you mean 'missing'")
    result = cli("eval", "annual-work-summary", "--tag", "zzz")
    _fails_cleanly(result, draftsmith_home, "--tag 'zzz'", "its tags: complete, missing")


def test_bad_output_extension_is_refused_before_running(cli, tmp_path, draftsmith_home):
    result = cli("eval", "annual-work-summary", "-o", tmp_path / "report.pdf")
    _fails_cleanly(result, draftsmith_home, "report.pdf", ".json, .md, .xml")
    assert not (tmp_path / "report.pdf").exists()


def test_option_conflicts(cli, draftsmith_home):
    _fails_cleanly(
        cli("eval", "--retry-errors", "annual-work-summary"),
        draftsmith_home,
        "--retry-errors needs --resume",
    )
    _fails_cleanly(cli("eval", "--resume", "nope"), draftsmith_home, "no evaluation run 'nope'")
    _fails_cleanly(cli("eval", "annual-work-summary", "--resume", "x"), draftsmith_home, "not both")


def test_checker_suite_takes_no_model(cli, draftsmith_home):
    _fails_cleanly(
        cli("eval", "checker", "--model", "offline"), draftsmith_home, "checker suite runs no model"
    )


def test_compare_unknown_run(cli, draftsmith_home):
    result = cli("eval", "compare", "a", "b")
    assert result.returncode == 2 and "no evaluation run 'a'" in result.stderr


def _checker_run(cli, home: Path) -> Path:
    assert cli("eval", "checker").returncode == 0
    (run,) = _runs(home)
    return run


def test_a_damaged_journal_line_is_skipped_like_a_torn_one(cli, draftsmith_home):
    """A journal line that is not UTF-8 (a damaged disk block, an editor's re-encoding) is
    skipped like any other unreadable line, not a UnicodeDecodeError traceback."""
    run = _checker_run(cli, draftsmith_home)
    with open(run / "samples.jsonl", "ab") as fh:
        fh.write(b'{"case": "\xff\xfe"}\n')
    for args in (("compare", run.name, run.name), ("--resume", run.name)):
        result = cli("eval", *args)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("{bad", ":1: invalid JSON: Expecting property name"),
        ('{"run_id": 3}', "field 'run_id': expected text, got 3"),
        ("", ": evaluation run record is empty"),
    ],
    ids=["not JSON", "wrong fields", "empty"],
)
def test_a_damaged_run_record_is_named_in_one_line(cli, draftsmith_home, record, message):
    run = _checker_run(cli, draftsmith_home)
    (run / "run.json").write_text(record, encoding="utf-8")
    for args in (("compare", run.name, run.name), ("--resume", run.name)):
        result = cli("eval", *args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {run / 'run.json'}"), result.stderr
        assert message in result.stderr and "pydantic" not in result.stderr
        assert "Traceback" not in result.stderr


def test_a_bad_model_flag_is_blamed_on_the_flag_not_the_suite(cli, tmp_path, draftsmith_home):
    """With --model, the suite's own models are not used: an error pointing at the suite's
    line 1 sent the user to a file that has no such model."""
    suite = _suite(tmp_path, f"name: s\ncases:\n  - id: a\n    facts: {COMPLETE}\n")
    for args, message in (
        (("--model", "gpt-9"), "error: --model gpt-9: unknown model 'gpt-9'"),
        (("--model", "offline", "--model", "offline"), "error: --model 'offline' is given twice"),
        (("--model", ""), "error: --model '': expected offline, openai:<model>"),  # was a traceback
    ):
        result = cli("eval", suite, "-q", *args)
        _fails_cleanly(result, draftsmith_home, message)
        assert str(suite) not in result.stderr


def test_a_case_file_naming_its_spec_by_path_is_found_beside_it(cli, tmp_path, draftsmith_home):
    """A maintainer's suite and case files each name the spec by a path relative to
    themselves (as the README says). The case's path was looked for in the working
    directory, and, with the suite naming the spec too, the two paths were compared as
    strings and refused as two types."""
    shutil.copytree(REPO / "schemas", tmp_path / "project" / "schemas")
    shutil.copytree(REPO / "prompts", tmp_path / "project" / "prompts")
    cases = tmp_path / "project" / "evals" / "cases"
    cases.mkdir(parents=True)
    text = COMPLETE.read_text(encoding="utf-8")
    named = text.replace(
        "doctype: school-ideology-summary",
        "doctype: ../../schemas/school-ideology-summary.yaml",
    )
    assert named != text
    (cases / "complete.yaml").write_text(named, encoding="utf-8")
    suite = tmp_path / "project" / "evals" / "suite.yaml"
    for suite_doctype in ("", "doctype: ../schemas/school-ideology-summary.yaml\n"):
        suite.write_text(
            f"name: s\n{suite_doctype}cases:\n  - id: a\n    facts: cases/complete.yaml\n",
            encoding="utf-8",
        )
        result = cli("eval", suite, "-q", cwd=tmp_path)
        assert result.returncode == 0, result.stderr


def test_an_agreement_threshold_needs_repeats(cli, tmp_path, draftsmith_home):
    # Agreement compares a case's repeats: gated on a run that drafts each case once, it
    # could never pass, and the run would fail with "agreement = –" after all its calls.
    suite = _suite(
        tmp_path,
        f"name: s\nthresholds:\n  metrics:\n    agreement: 0.9\ncases:\n  - id: a\n    facts: {COMPLETE}\n",
    )
    once = cli("eval", suite, "-q")
    _fails_cleanly(
        once,
        draftsmith_home,
        "suite.yaml:4:",
        "field 'thresholds.metrics.agreement'",
        "repeat",
    )
    twice = cli("eval", suite, "-q", "--repeat", "2")  # the offline model always agrees
    assert twice.returncode == 0, twice.stdout + twice.stderr
    assert "agreement = 1 (needs ≥ 0.9)" in twice.stdout


def test_a_type_of_ones_own_named_by_id_is_told_how_to_name_it(cli, tmp_path, draftsmith_home):
    # `draft run` finds a type of one's own with --spec-dir; a suite that names it by id finds
    # nothing, and the message must say what a suite takes instead: its spec file's path.
    types = tmp_path / "mytypes"
    (types / "schemas").mkdir(parents=True)
    spec = (REPO / "schemas" / "annual-work-summary.yaml").read_text(encoding="utf-8")
    (types / "schemas" / "my-summary.yaml").write_text(
        spec.replace("id: annual-work-summary", "id: my-summary"), encoding="utf-8"
    )
    shutil.copytree(REPO / "prompts" / "annual-work-summary", types / "prompts" / "my-summary")
    facts = tmp_path / "complete.yaml"
    shipped = REPO / "evals" / "cases" / "annual-work-summary" / "complete.yaml"
    facts.write_text(
        shipped.read_text(encoding="utf-8").replace(
            "doctype: annual-work-summary", "doctype: my-summary"
        ),
        encoding="utf-8",
    )
    body = "name: own\ndoctype: {}\ncases:\n  - id: complete\n    facts: {}\n"
    suite = _suite(tmp_path, body.format("my-summary", facts))
    result = cli("eval", suite, "-q")
    _fails_cleanly(
        result,
        draftsmith_home,
        "suite.yaml:2: field 'doctype': unknown document type 'my-summary'",
        "'doctype: mytypes/schemas/my-summary.yaml'",
    )
    suite.write_text(body.format("mytypes/schemas/my-summary.yaml", facts), encoding="utf-8")
    named = cli("eval", suite, "-q")
    assert named.returncode == 0, named.stdout + named.stderr


@pytest.mark.parametrize(
    "code,where,suggestion",
    [
        ("facts.unsuported-number", "default_assert[0].code", "facts.unsupported-number"),
        ("fact", "default_assert[0].code", "facts"),
        ("gap.placeholders", "cases[0].assert[0].code", "gap.placeholder"),
    ],
)
def test_a_misspelt_finding_code_is_refused_before_any_model_call(
    cli, tmp_path, draftsmith_home, openai_server, code, where, suggestion
):
    """A `max-findings` code no finding has counted nothing, so the gate could never fail: a
    suite guarding against invented numbers passed every draft that invented them."""
    assertion = f"  - {{type: max-findings, code: {code}, max: 0}}\n"
    if where.startswith("default_assert"):
        body = f"name: s\nmodels: [openai:good]\ndefault_assert:\n{assertion}cases:\n  - id: a\n    facts: {COMPLETE}\n"
        line = 4
    else:
        body = f"name: s\nmodels: [openai:good]\ncases:\n  - id: a\n    facts: {COMPLETE}\n    assert:\n  {assertion}"
        line = 7
    suite = _suite(tmp_path, body)
    env = {"OPENAI_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": "sk-test"}
    result = cli("eval", suite, "-q", env=env)
    _fails_cleanly(
        result,
        draftsmith_home,
        f"suite.yaml:{line}: field '{where}': '{code}' is neither a rule code nor a family",
        f"did you mean '{suggestion}'?",
    )
    assert openai_server.count() == 0


def test_a_variant_folder_missing_a_template_is_blamed_on_its_variant(
    cli, tmp_path, draftsmith_home, openai_server
):
    """A variant folder holding only the changed template was refused naming the template it
    lacked, but not the suite nor which variant: the message now names both."""
    (tmp_path / "terse").mkdir()
    shutil.copy(REPO / "prompts" / "school-ideology-summary" / "opening.j2", tmp_path / "terse")
    suite = _suite(
        tmp_path,
        "name: s\ndoctype: school-ideology-summary\nmodels: [openai:good]\nvariants:\n"
        "  - {name: default}\n  - {name: terse, prompts: terse}\n"
        f"cases:\n  - id: a\n    facts: {COMPLETE}\n",
    )
    env = {"OPENAI_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": "sk-test"}
    result = cli("eval", suite, "-q", env=env)
    _fails_cleanly(
        result,
        draftsmith_home,
        f"{suite}:6: field 'variants[1].prompts': prompt folder 'terse' for "
        "school-ideology-summary: ",
        "organization.j2: template for section 'organization' not found",
    )
    assert openai_server.count() == 0
