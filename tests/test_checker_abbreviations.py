"""`style.latin-abbreviation`: English abbreviations (KPI, OA系统) in the Chinese of a 公文."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.checker import check_text
from pipeline.checker.wording import fix_zh, problem_zh
from pipeline.docx_text import read_docx
from tests.conftest import EXAMPLES, REPO, example_draft_text, run_cli

CODE = "style.latin-abbreviation"


def _checked(tmp_path: Path, text: str, *args: str) -> tuple[int, list[dict]]:
    """The exit code and the abbreviation findings of `draft check` on `text`."""
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    done = run_cli("check", path, "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, [f for f in json.loads(done.stdout)["findings"] if f["code"] == CODE]


def test_an_english_abbreviation_is_a_warning_naming_the_chinese(tmp_path):
    code, found = _checked(
        tmp_path,
        "一年来，局机关全面推行KPI考核，上线OA系统，干部会议一律不用PPT，开发手机APP，"
        "使用WPS和AI技术提高效率。\n",
    )
    assert code == 0  # a warning: the draft is still complete
    assert [(f["excerpt"], f["severity"]) for f in found] == [
        ("KPI", "warning"),
        ("OA", "warning"),
        ("PPT", "warning"),
        ("APP", "warning"),
        ("AI", "warning"),
    ]
    assert found[0]["message"] == "Latin abbreviation “KPI” in Chinese text"
    assert "关键绩效指标（KPI）" in found[0]["hint"]
    assert "办公自动化" in found[1]["hint"] and "人工智能" in found[4]["hint"]


def test_standards_codes_addresses_and_listed_abbreviations_are_not_reported(tmp_path):
    text = (
        "按照GB/T 9704-2012排版，通过ISO 9001质量管理体系认证，执行GB 50016规定。"
        "全市GDP增长5%，CPI涨幅2%，PM2.5平均浓度下降，建设5G基站，创建国家AAAA级旅游景区。"
        "材料以WPS或PDF格式发送至qsxyjj@163.com，或登录www.QSX.gov.cn、http://WWW.QSX.GOV.CN"
        "查询，附件大小不超过20 MB。设备编号HB2023001，型号ABC-123，家长QQ群实时监控。\n"
    )
    assert _checked(tmp_path, text) == (0, [])


def test_an_abbreviation_explained_on_first_use_is_not_reported(tmp_path):
    text = "推行关键绩效指标（KPI）考核，全员KPI达标。\n建成OA（办公自动化）系统，OA运行平稳。\n"
    assert _checked(tmp_path, text) == (0, [])


def test_an_abbreviation_the_facts_write_is_the_users_own(tmp_path):
    """With `--facts`, an abbreviation a fact writes (the user typed it) is not reported; the
    same text against facts without it is."""
    source = (EXAMPLES / "annual-work-summary.yaml").read_text(encoding="utf-8")
    assert "耕地保有量稳定在上级下达目标以上" in source
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        source.replace(
            "耕地保有量稳定在上级下达目标以上", "耕地保有量稳定在上级下达目标以上，建成OA系统"
        ),
        encoding="utf-8",
    )
    draft = tmp_path / "draft.txt"
    assert run_cli("run", facts, "-o", draft).returncode == 0
    text = draft.read_text(encoding="utf-8")
    assert "建成OA系统" in text
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    for given, expected in ((facts, []), (EXAMPLES / "annual-work-summary.yaml", ["OA"])):
        done = run_cli("check", path, "--facts", given, "--format", "json")
        found = [f["excerpt"] for f in json.loads(done.stdout)["findings"] if f["code"] == CODE]
        assert found == expected, given


def test_the_chinese_wording_of_the_rule():
    finding = check_text("全面推行KPI考核。").findings[0]
    assert finding.code == CODE
    assert problem_zh(finding).startswith("正文中使用了英文缩写")
    assert "中文全称" in fix_zh(finding)


REAL_TEXTS = sorted(
    p
    for folder in ("tests/data/realworld", "tests/data/samples", "evals/cases/checker")
    for p in (REPO / folder).iterdir()
    if p.suffix in (".txt", ".md", ".docx")
)


@pytest.mark.parametrize("path", REAL_TEXTS, ids=lambda p: p.name)
def test_no_real_text_has_one(path: Path):
    text = read_docx(path) if path.suffix == ".docx" else path.read_text(encoding="utf-8")
    assert [f.excerpt for f in check_text(text).findings if f.code == CODE] == []


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_no_offline_draft_has_one(name: str):
    text = example_draft_text(name)
    assert [f.excerpt for f in check_text(text).findings if f.code == CODE] == []
