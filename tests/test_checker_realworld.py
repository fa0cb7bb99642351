"""The checker on clean reports as office staff write them, and on copies damaged as sites damage them.

`tests/data/realworld/` holds twelve complete, correct reports of different kinds (a 乡镇 annual
summary, a hospital 党支部 summary, a company 安全生产 summary with a table, a 个人述职报告, a
school 工作计划 with bold Markdown headings, a 街道 half-year summary whose headings are in Word
heading styles; and the six whose damaged copies test_checker_damaged.py scores: a 社区居委会,
a 派出所, a company 党支部, a 乡镇卫生院, a 县文旅局 and a college's summary) as .txt, .md and
.docx. Every error or warning on them is a false positive.
The damaged copies cut numbers, names and parts of set phrases to blanks, write placeholders
and glue a heading onto its text: each damage must be reported where it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

from pipeline.checker import check_text
from pipeline.docx_text import read_docx
from pipeline.textio import read_text
from tests.conftest import REPO, example_draft_text

DATA = Path(__file__).parent / "data" / "realworld"
REPORTS = sorted(p.name for p in DATA.iterdir())
SUMMARIES = {
    # report -> the required sections of annual-work-summary it leaves out (its own choice)
    "township-annual-2023.txt": ["basic"],
    "hospital-party-branch-2023.md": ["basic"],
    "safety-2023.docx": [],
    "street-halfyear-2024.docx": ["basic"],
    "community-committee-2023.txt": ["basic"],
    "police-station-halfyear-2024.txt": ["basic"],
    "company-party-branch-2023.txt": ["basic"],
    "health-center-2023.txt": ["basic"],
    "county-culture-tourism-2023.txt": ["basic"],
    "college-school-2023.txt": ["basic"],
}


def _text(name: str) -> str:
    path = DATA / name
    return read_docx(path) if path.suffix == ".docx" else read_text(path)


def _serious(findings: list[dict]) -> list[tuple[str, str]]:
    return [(f["code"], f["excerpt"]) for f in findings if f["severity"] != "info"]


def test_the_reports_are_all_there():
    assert len(REPORTS) == 12
    assert {Path(n).suffix for n in REPORTS} == {".txt", ".md", ".docx"}
    for name in REPORTS:
        assert 800 <= len(_text(name)) <= 3000, name


@pytest.mark.parametrize("name", REPORTS)
def test_a_clean_report_gives_no_finding(cli, name: str):
    done = cli("check", DATA / name, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["findings"] == []


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_a_clean_summary_checked_as_an_annual_summary(cli, name: str):
    """Points written as （一）（二）… subheadings count; the only findings are the sections of
    the document type the report chose not to have."""
    done = cli("check", DATA / name, "--doctype", "annual-work-summary", "--format", "json")
    findings = json.loads(done.stdout)["findings"]
    missing = [f["message"] for f in findings if f["code"] == "structure.missing-section"]
    assert len(missing) == len(SUMMARIES[name])
    assert all(f"({s})" in m for s, m in zip(SUMMARIES[name], missing, strict=True))
    other = [f for f in findings if f["code"] != "structure.missing-section"]
    assert _serious(other) == []


DAMAGES = [
    # (report, clean text, damaged text, code expected at the damage)
    ("township-annual-2023.txt", "集中学习18次", "集中学习 次", "gap.silent-number"),
    ("township-annual-2023.txt", "全镇12个行政村", "全镇 个行政村", "gap.silent-number"),
    ("township-annual-2023.txt", "中共青石镇委员会", "中共 镇委员会", "gap.silent-name"),
    ("township-annual-2023.txt", "党的二十大精神", "党的 大精神", "gap.silent-ordinal"),
    ("township-annual-2023.txt", "坚持以习近平新时代", "坚持以 新时代", "gap.broken-phrase"),
    ("township-annual-2023.txt", "“四个不摘”", "“四个 摘”", "gap.broken-phrase"),
    ("township-annual-2023.txt", "稳中求进工作总基调", "稳中 工作总基调", "gap.broken-phrase"),
    ("township-annual-2023.txt", "“三会一课”", "“三会 课”", "gap.broken-phrase"),
    ("township-annual-2023.txt", "生态立镇、", " 、", "gap.empty-item"),
    ("township-annual-2023.txt", "占年度计划的108%", "占年度计划的 ", "gap.silent-number"),
    ("township-annual-2023.txt", "参保率达到97.6%", "参保率达到", "gap.silent-number"),
    ("township-annual-2023.txt", "签约项目8个", "签约项目○○个", "gap.placeholder"),
    ("township-annual-2023.txt", "2023年12月26日", "2023年××月26日", "gap.placeholder"),
    ("township-annual-2023.txt", "同比增长9.8%", "同比增长＿＿%", "gap.placeholder"),
    (
        "township-annual-2023.txt",
        "（一）经济发展稳中有进\n\n　　全年",
        "（一）经济发展稳中有进全年",
        "structure.heading-run-on",
    ),
    (
        "township-annual-2023.txt",
        "二、存在的问题\n\n　　一年来",
        "二、存在的问题一年来",
        "structure.heading-run-on",
    ),
    ("hospital-party-branch-2023.md", "党员先锋模范作用", "党员先锋 作用", "gap.broken-phrase"),
    ("hospital-party-branch-2023.md", "中央八项规定精神", "中央 规定精神", "gap.broken-phrase"),
    ("hospital-party-branch-2023.md", "党委领导下的院长", "党委领导下的 ", "gap.broken-phrase"),
    ("hospital-party-branch-2023.md", "发展预备党员2名", "发展预备党员 名", "gap.silent-number"),
    ("hospital-party-branch-2023.md", "内科第一党支部在", "XX党支部在", "gap.placeholder"),
    ("individual-review-2023.txt", "“一岗双责”", "“一岗 责”", "gap.broken-phrase"),
    ("individual-review-2023.txt", "坚定“四个自信”", "坚定“四个 ”", "gap.broken-phrase"),
    ("individual-review-2023.txt", "《中华人民共和国预算法》", "《 预算法》", "gap.silent-name"),
    ("individual-review-2023.txt", "述职人：李建平", "述职人：", "gap.silent-name"),
    ("individual-review-2023.txt", "副局长　李建平", "副局长　***", "gap.placeholder"),
    ("individual-review-2023.txt", "2024年1月15日", "20__年1月15日", "gap.placeholder"),
    ("school-plan-2024.md", "党组织领导的校长负责制", "党组织领导的 负责制", "gap.broken-phrase"),
    ("school-plan-2024.md", "全国教育大会精神", "全国 大会精神", "gap.broken-phrase"),
    (
        "school-plan-2024.md",
        "落实立德树人根本任务，深入",
        "落实 根本任务，深入",
        "gap.broken-phrase",
    ),
    (
        "school-plan-2024.md",
        "落实立德树人根本任务，深入",
        "落实根本任务，深入",
        "gap.broken-phrase",
    ),
    ("school-plan-2024.md", "新增市级骨干教师3名", "新增市级骨干教师 名", "gap.silent-number"),
    ("school-plan-2024.md", "“双减”", "“ 减”", "gap.silent-name"),
    ("safety-2023.docx", "综合治理”的方针", "”的方针", "gap.empty-item"),
    ("safety-2023.docx", "预防为主、", " 、", "gap.broken-phrase"),
    ("safety-2023.docx", "员工486人", "员工 人", "gap.silent-number"),
    ("safety-2023.docx", "占年度营业收入的1.6%", "占年度营业收入的", "gap.silent-number"),
    ("safety-2023.docx", "《中华人民共和国安全生产法》", "《 安全生产法》", "gap.silent-name"),
    ("street-halfyear-2024.docx", "二十届二中全会", "二十届 中全会", "gap.silent-ordinal"),
    ("street-halfyear-2024.docx", "急难愁盼", "急难 盼", "gap.broken-phrase"),
    ("street-halfyear-2024.docx", "新引进企业43家", "新引进企业 家", "gap.silent-number"),
    ("street-halfyear-2024.docx", "和平街道2024年上半年", "XX街道2024年上半年", "gap.placeholder"),
]


@pytest.mark.parametrize(
    ("name", "clean", "damaged", "code"), DAMAGES, ids=[d[2].strip() for d in DAMAGES]
)
def test_each_damage_is_found_where_it_is(name: str, clean: str, damaged: str, code: str):
    text = _text(name)
    assert text.count(clean) >= 1, clean
    at = text.index(clean)
    findings = check_text(text.replace(clean, damaged, 1)).findings
    near = [
        f
        for f in findings
        if f.severity.value != "info" and f.start <= at + len(damaged) and f.end >= at
    ]
    assert code in [f.code for f in near], [(f.code, f.excerpt) for f in near]


def test_a_damaged_word_document_fails_the_check(cli, tmp_path: Path):
    """A cut set phrase and a cut number in a .docx, through the CLI."""
    doc = Document(str(DATA / "safety-2023.docx"))
    for p in doc.paragraphs:
        if "安全第一、预防为主、综合治理" in p.text:
            p.text = p.text.replace("预防为主、综合治理", "预防为主、 治理")
        if "全年安全生产投入资金627万元" in p.text:
            p.text = p.text.replace("投入资金627万元", "投入资金 万元")
    damaged = tmp_path / "damaged.docx"
    doc.save(str(damaged))
    done = cli("check", damaged, "--format", "json")
    assert done.returncode == 1
    found = _serious(json.loads(done.stdout)["findings"])
    assert [c for c, excerpt in found if excerpt.endswith("预防为主、 治理")] == [
        "gap.broken-phrase"
    ]
    assert ("gap.silent-number", "资金 万元") in found


@pytest.mark.parametrize(
    ("name", "width"), [("township-annual-2023.txt", 24), ("hospital-party-branch-2023.md", 28)]
)
def test_a_set_phrase_over_a_hard_line_end_is_whole(name: str, width: int):
    """Copied from a PDF viewer, every printed line ends in a line break, inside set phrases
    too (习近平新时代中国特色社会主义思\n想): nothing is missing."""
    phrase = "习近平新时代中国特色社会主义思想"
    clean = _text(name)
    paragraphs = [p for p in clean.split("\n") if p.strip()]
    text = "\n".join(
        "\n".join(p[i : i + width] for i in range(0, len(p), width)) for p in paragraphs
    )
    assert text.count(phrase) < clean.count(phrase)  # one is split over two lines
    serious = [(f.code, f.excerpt) for f in check_text(text).findings if f.severity.value != "info"]
    assert serious == []


MISUSED_WORD_TEXTS = sorted(
    p
    for root in (Path(__file__).parent / "data", REPO / "evals" / "cases" / "checker")
    for p in root.rglob("*")
    if p.suffix in (".txt", ".md", ".docx") and p.name != "password-123456.docx"  # encrypted
)


@pytest.mark.parametrize("path", MISUSED_WORD_TEXTS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_text_of_the_tests_or_evals_has_a_misused_word(path: Path):
    """Clean, damaged and sample texts alike: none misspells a word, so any finding is false."""
    text = read_docx(path) if path.suffix == ".docx" else read_text(path)
    assert [f.excerpt for f in check_text(text).findings if f.code == "style.misused-word"] == []


@pytest.mark.parametrize(
    "name",
    [
        "school-ideology-summary",
        "school-ideology-summary-incomplete",
        "annual-work-summary",
        "annual-duty-report",
        "annual-work-plan",
    ],
)
def test_offline_drafts_have_no_misused_word(name: str):
    findings = check_text(example_draft_text(name)).findings
    assert [f.excerpt for f in findings if f.code == "style.misused-word"] == []
