"""Report files of `draft eval` read by other tools: JUnit XML parsed by CI, Markdown rendered
by GitLab/GitHub. Checker suites (no model) over texts holding what breaks those formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path


def _checker_suite(tmp_path: Path, text: str) -> Path:
    (tmp_path / "case.txt").write_bytes(text.encode("utf-8"))
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: formats\nkind: checker\ncases:\n  - id: damaged\n    file: case.txt\n",
        encoding="utf-8",
    )
    return suite


def test_junit_stays_well_formed_when_a_finding_quotes_a_control_character(cli, tmp_path):
    # A text pasted from a PDF can hold control characters; the finding's excerpt quotes one.
    suite = _checker_suite(tmp_path, "全年共开展学习\x07 次，参加教师共\x0b 人。\n")
    junit = tmp_path / "junit.xml"
    result = cli("eval", suite, "-q", "-o", junit)
    assert result.returncode == 1, result.stderr
    root = ET.fromstring(junit.read_bytes())  # expat, as CI parsers: refuses &#7; and raw \x07
    messages = [f.get("message") for f in root.iter("failure")]
    assert any("习\\x07 次" in m for m in messages), messages
    assert root.get("tests") == "2" and root.get("failures") == "2"


def _rendered(markdown: str) -> str:
    """The Markdown as GitLab and GitHub render it (CommonMark with tables)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_markdown_report_shows_patterns_and_quoted_text_as_written(cli, tmp_path):
    facts = Path(__file__).resolve().parent.parent / "examples" / "school-ideology-summary.yaml"
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: md\ndoctype: school-ideology-summary\n"
        'models: [offline, {id: offline, label: "off|line"}]\n'
        f"cases:\n  - id: complete\n    facts: {facts}\n    assert:\n"
        '      - {type: regex, pattern: "\\\\(1\\\\)_x_|<think>"}\n'
        '      - {type: contains, value: "**要点**"}\n',
        encoding="utf-8",
    )
    report = tmp_path / "report.md"
    result = cli("eval", suite, "-q", "-o", report)
    assert result.returncode == 1, result.stderr
    html = _rendered(report.read_text(encoding="utf-8"))
    assert "regex /\\(1\\)_x_|&lt;think&gt;/: no match in the draft" in html
    assert "contains “**要点**”" in html
    assert "<em>" not in html and "<strong>" not in html and "<think>" not in html
    assert "<td>off|line</td>" in html  # one cell, not two


def test_markdown_comparison_escapes_the_draft_text_it_quotes(cli, tmp_path):
    def checker_run(text: str) -> str:
        suite = _checker_suite(tmp_path, text)
        result = cli("eval", suite, "-q")
        return next(x.split()[1] for x in result.stderr.splitlines() if x.startswith("run "))

    before = checker_run("全年共开展学习十二次。\n")
    after = checker_run("全年共开展学习**次。\n参加教师共**人。\n")  # stars where numbers were cut
    result = cli("eval", "compare", before, after, "--format", "md")
    assert result.returncode == 0, result.stderr
    html = _rendered(result.stdout)
    assert html.count("“**”") == 2 and "<em>" not in html and "<strong>" not in html


def test_html_report_links_a_finding_about_the_end_of_the_text_to_its_place(cli, tmp_path):
    import re

    clean = (
        Path(__file__).resolve().parent.parent / "evals" / "cases" / "checker" / "clean-school.txt"
    )
    text = clean.read_text(encoding="utf-8")
    (tmp_path / "case.txt").write_text(text[: text.index("六、")].rstrip(), encoding="utf-8")
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: dropped\nkind: checker\ncases:\n  - id: no-plans\n    file: case.txt\n"
        "    doctype: school-ideology-summary\n    expect:\n"
        "      - {code: structure.missing-section}\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.html"
    result = cli("eval", suite, "-q", "-o", report)
    assert result.returncode == 0, result.stdout + result.stderr
    html = report.read_text(encoding="utf-8")
    # The missing section is reported at the end of the text, after its last character.
    links = re.findall(r'<a href="#(s0-f\d+)">', html)
    assert links and all(f'<a id="{link}"></a>' in html for link in links)
    assert re.search(
        r'<a id="s0-f0"></a><mark class="sev-error point" data-code="structure.missing-section"',
        html,
    )


def test_a_failed_threshold_never_shows_the_bound_it_missed(cli, tmp_path):
    # 2000 clean texts and one with a placeholder: a pass rate of 0.9995 against a bound of 1.
    cases = "".join(f"  - id: c{i}\n    text: 全年共开展学习十二次。\n" for i in range(2000))
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: many\nkind: checker\nthresholds: {pass_rate: 1}\ncases:\n"
        f"{cases}  - id: bad\n    text: 全年共开展学习XX次。\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.md"
    result = cli("eval", suite, "-q", "-o", report)
    assert result.returncode == 1, result.stderr
    assert "FAIL checker: pass_rate = 0.9995 (needs ≥ 1)" in result.stdout
    assert "100.0%" not in result.stdout and "99.95%" in result.stdout
    assert "- ❌ checker: pass_rate = 0.9995 (needs ≥ 1)" in report.read_text(encoding="utf-8")


def test_junit_class_names_keep_a_dotted_model_name_whole(cli, tmp_path):
    # Jenkins splits a classname into packages at its dots: qwen2.5 must stay one name.
    facts = Path(__file__).resolve().parent.parent / "examples" / "school-ideology-summary.yaml"
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: v1.2\ndoctype: school-ideology-summary\n"
        "models: [{id: offline, label: qwen2.5}]\n"
        f"cases:\n  - id: complete\n    facts: {facts}\n",
        encoding="utf-8",
    )
    junit = tmp_path / "junit.xml"
    result = cli("eval", suite, "-q", "-o", junit)
    assert result.returncode == 0, result.stderr
    classes = {c.get("classname") for c in ET.fromstring(junit.read_bytes()).iter("testcase")}
    assert classes == {"v1_2.qwen2_5.default", "v1_2.thresholds"}, classes
