"""Evaluation runs in the web app: runs made by `draft eval` (a real subprocess) are listed,
opened with their report, and compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLES
from fastapi.testclient import TestClient
from webapp import BASE_URL

from pipeline.web import WebSettings, create_app

COMPLETE = EXAMPLES / "school-ideology-summary.yaml"
INCOMPLETE = EXAMPLES / "school-ideology-summary-incomplete.yaml"


def _suite(expect_in_complete: str) -> str:
    return f"""
name: web-two
doctype: school-ideology-summary
cases:
  - id: complete
    facts: {COMPLETE}
    assert:
      - {{type: contains, value: "{expect_in_complete}"}}
  - id: incomplete
    facts: {INCOMPLETE}
    assert:
      - {{type: contains, value: 【待补充：中心组学习次数】}}
"""


def _eval(cli, tmp_path: Path, name: str, body: str) -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    result = cli("eval", path)
    run_line = next(x for x in result.stderr.splitlines() if x.startswith("run "))
    return result.returncode, run_line.split()[1]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory):
    """A passing run, then the same suite with an assertion the complete case now fails."""
    import os

    from conftest import run_cli

    home = tmp_path_factory.mktemp("runs-home")
    work = tmp_path_factory.mktemp("suites")
    env = {"DRAFTSMITH_HOME": str(home)}

    def cli(*args):
        return run_cli(*args, env=env)

    code_a, run_a = _eval(cli, work, "a.yaml", _suite("中心组学习12次"))
    code_b, run_b = _eval(cli, work, "b.yaml", _suite("中心组学习99次"))
    assert (code_a, code_b) == (0, 1)
    assert os.environ.get("DRAFTSMITH_HOME") != str(home)
    return home, run_a, run_b


@pytest.fixture
def client(two_runs, monkeypatch: pytest.MonkeyPatch):
    home, _, _ = two_runs
    monkeypatch.setenv("DRAFTSMITH_HOME", str(home))
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as c:
        yield c


def test_runs_are_listed_newest_first(client, two_runs):
    _, run_a, run_b = two_runs
    html = client.get("/runs").text
    assert html.index(run_b) < html.index(run_a)
    assert "web-two" in html and "2 / 2" in html and "已完成" in html
    assert 'action="/runs/compare"' in html


def test_a_run_shows_its_models_and_failing_cases(client, two_runs):
    _, run_a, run_b = two_runs
    passing = client.get(f"/runs/{run_a}").text
    assert ">通过<" in passing and "所有样本都通过了" in passing
    assert "<td>offline</td>" in passing
    failing = client.get(f"/runs/{run_b}").text
    assert ">未通过<" in failing
    assert "<strong>complete</strong>" in failing
    assert "中心组学习99次" in failing


def test_a_runs_full_report_is_served_with_its_own_styles_and_no_script(client, two_runs):
    _, run_a, _ = two_runs
    r = client.get(f"/runs/{run_a}/report.html")
    assert r.status_code == 200
    assert 'id="verdict"' in r.text and 'id="cases"' in r.text
    csp = r.headers["content-security-policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp


def test_comparing_two_runs_names_the_regressed_case(client, two_runs):
    _, run_a, run_b = two_runs
    html = client.get(f"/runs/compare?a={run_a}&b={run_b}").text
    assert '<strong id="regressed">1</strong>' in html
    assert "<strong>complete</strong> · offline：now fails" in html
    assert "pass_rate" in html and "变差" in html


def test_comparing_with_a_run_of_fewer_cases_names_the_missing_sample(client, two_runs, tmp_path):
    home, run_a, _ = two_runs
    from conftest import run_cli

    suite = tmp_path / "fewer.yaml"
    suite.write_text(_suite("中心组学习12次"), encoding="utf-8")
    result = run_cli("eval", suite, "--case", "complete", env={"DRAFTSMITH_HOME": str(home)})
    fewer = next(x for x in result.stderr.splitlines() if x.startswith("run ")).split()[1]
    html = client.get(f"/runs/compare?a={run_a}&b={fewer}").text
    assert "只在基准中的样本：1；只在对比中的样本：0" in html
    assert (
        '<h2>只在基准中的样本</h2>\n  <ul class="one-run"><li>incomplete · offline #0</li></ul>'
        in html
    )


def test_run_ids_are_plain_names_only(client):
    for bad in ("nope", "..%2F..%2Fetc", "a%2F..%2F..%2Fetc", ".hidden"):
        assert client.get(f"/runs/{bad}").status_code == 404
    r = client.get("/runs/compare?a=../x&b=y")
    assert r.status_code == 404
    assert client.get("/runs/compare").status_code == 400


def test_no_runs_yet(draftsmith_home: Path):
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as c:
        assert "还没有评测记录" in c.get("/runs").text


def test_a_run_killed_mid_write_is_listed_with_its_finished_samples(
    draftsmith_home: Path, tmp_path: Path, cli
):
    """A run killed on a full disk leaves a last line cut inside a character: the list of
    runs served a 500 page instead of the run with the samples it finished."""
    code, run_id = _eval(cli, tmp_path, "a.yaml", _suite("中心组学习12次"))
    assert code == 0
    samples = draftsmith_home / "data" / "runs" / run_id / "samples.jsonl"
    samples.write_bytes(samples.read_bytes() + '{"key": "torn", "text": "中'.encode()[:-1])
    with TestClient(create_app(WebSettings()), base_url=BASE_URL) as c:
        page = c.get("/runs")
    assert page.status_code == 200, page.text
    row = re.search(rf"{run_id}.*?</tr>", page.text, re.S)
    assert row and "2/2" in re.sub(r"\s+", "", row.group(0)), row
