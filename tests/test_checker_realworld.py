"""The checker on clean reports as office staff write them, and on copies damaged as sites damage them.

`tests/data/realworld/` holds twelve complete, correct reports of different kinds (a 乡镇 annual
summary, a hospital 党支部 summary, a company 安全生产 summary with a table, a 个人述职报告, a
school 工作计划 with bold Markdown headings, a 街道 half-year summary whose headings are in Word
heading styles; and the six whose damaged copies test_checker_damaged.py scores: a 社区居委会,
a 派出所, a company 党支部, a 乡镇卫生院, a 县文旅局 and a college's summary) as .txt, .md and
.docx. Every error or warning on them is a false positive. Five real 通知 (notice-*: a 县应急管理局
notice with its 发文字号, 签发人 and 版记, a 镇 会议通知, a school's 读书月 notice, a hospital's notice
forwarding the 卫健局's, a company 党支部's 主题党日 notice) check clean too, and as a
`work-notice` lack only the sections their kind of notice has no use for.
The damaged copies cut numbers, names and parts of set phrases to blanks, write placeholders
and glue a heading onto its text: each damage must be reported where it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
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


NOTICES = {
    # notice -> the required sections of work-notice it has no use for
    "notice-county-safety-2025.txt": [],
    "notice-school-reading-2025.md": [],  # 活动时间, 活动内容, 工作安排
    "notice-hospital-forward-2025.txt": ["time_scope"],  # 工作目标 instead
    "notice-company-party-2025.txt": ["work_content"],  # 活动时间, 地点, 人员, 活动安排
    # a 会议通知: 会议时间, 地点, 参会人员, 议程, 有关要求
    "notice-township-meeting-2025.txt": ["time_scope", "work_content", "steps"],
}
COUNTY = DATA / "notice-county-safety-2025.txt"
COUNTY_FACTS = {
    "doctype": "work-notice",
    "unit_name": "青山县应急管理局",
    "addressee": "各乡镇（街道）安全生产委员会办公室，县直各有关单位",
    "subject": "开展2025年春季安全生产大检查",
    "basis_documents": ["青山县安全生产委员会关于印发〈2025年全县安全生产工作要点〉的通知"],
    "start_date": "2025-03-01",
    "end_date": "2025-03-31",
    "scope": "全县各乡镇（街道）、县直各有关部门和辖区内各类生产经营单位",
    "work_items": [{"title": "危险化学品安全"}, {"title": "建筑施工安全"}],
    "phases": [
        {"name": "自查自纠阶段", "start": "2025-03-01", "end": "2025-03-15"},
        {"name": "督导检查阶段", "start": "2025-03-16", "end": "2025-03-31",
         "tasks": "县安委会组成4个督导组"},
    ],
    "requirements": ["请各单位于3月25日前将大检查工作总结和情况汇总表报送县安委会办公室"],
    "contact_person": "王芳",
    "contact_phone": "0739-8321234",
    "attachments": ["2025年春季安全生产大检查情况汇总表", "重大事故隐患整改台账"],
    "report_date": "2025-02-20",
}  # fmt: skip


def _text(name: str) -> str:
    path = DATA / name
    return read_docx(path) if path.suffix == ".docx" else read_text(path)


def _serious(findings: list[dict]) -> list[tuple[str, str]]:
    return [(f["code"], f["excerpt"]) for f in findings if f["severity"] != "info"]


def test_the_reports_are_all_there():
    assert len(REPORTS) == 17
    assert {Path(n).suffix for n in REPORTS} == {".txt", ".md", ".docx"}
    assert sorted(n for n in REPORTS if n.startswith("notice-")) == sorted(NOTICES)
    for name in REPORTS:
        shortest = 600 if name in NOTICES else 800  # a notice is shorter than a summary
        assert shortest <= len(_text(name)) <= 3000, name


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


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_a_clean_notice_checked_as_a_work_notice(cli, name: str):
    """The 发文字号 and 签发人 above the title, the 主送机关 of a unit's parts (院内各科室：),
    the 版记 after the 落款, 活动时间/活动内容/活动安排 headings: the only findings are the
    sections of the type the notice has no use for."""
    done = cli("check", DATA / name, "--doctype", "work-notice", "--format", "json")
    findings = json.loads(done.stdout)["findings"]
    missing = [f["message"] for f in findings if f["code"] == "structure.missing-section"]
    assert len(missing) == len(NOTICES[name]), missing
    assert all(f"({s})" in m for s, m in zip(NOTICES[name], missing, strict=True))
    other = [f for f in findings if f["code"] != "structure.missing-section"]
    assert _serious(other) == []


def _check_county(cli, tmp_path: Path, text: str, **edit: object) -> list[tuple[str, str]]:
    """The county notice `text` checked as a work-notice against its facts with `edit`."""
    path, facts = tmp_path / COUNTY.name, tmp_path / "facts.yaml"
    path.write_text(text, "utf-8")
    facts.write_text(yaml.safe_dump(COUNTY_FACTS | edit, allow_unicode=True), "utf-8")
    done = cli("check", path, "--doctype", "work-notice", "--facts", facts, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return [(f["code"], f["excerpt"]) for f in json.loads(done.stdout)["findings"]]


def test_a_real_notice_checks_clean_against_its_facts(cli, tmp_path: Path):
    """Every number is backed or a reference: the 发文字号 line is no title, the e-mail
    qsxyjj@163.com and the year of 附件：1.2025年…汇总表 are no facts, 3月1日至15日 ends on
    the phase's 15 March, and the 落款 above the 版记 is the 落款, dated as the facts say."""
    assert _check_county(cli, tmp_path, COUNTY.read_text("utf-8")) == []


def test_the_document_number_under_the_title_is_no_addressee(cli, tmp_path: Path):
    lines = COUNTY.read_text("utf-8").split("\n")
    assert lines[0].startswith("青应急〔2025〕12号") and lines[2].endswith("的通知")
    moved = "\n".join([lines[2], "青应急〔2025〕12号", *lines[3:]])
    assert _check_county(cli, tmp_path, moved) == []


def test_the_signature_above_the_imprint_is_checked(cli, tmp_path: Path):
    """The 落款 is read above the 抄送/印发 lines: another unit there, or a date other than the
    facts', is reported; the 印发 date of the 版记 is not the 落款's."""
    text = COUNTY.read_text("utf-8")
    assert "\n青山县应急管理局\n2025年2月20日\n" in text
    found = _check_county(cli, tmp_path, text, unit_name="青山县交通运输局")
    assert ("facts.unit-name", "青山县应急管理局") in found
    found = _check_county(cli, tmp_path, text.replace("\n2025年2月20日\n", "\n2025年2月21日\n"))
    assert [c for c, e in found] == ["facts.unsupported-number"]
    assert found[0][1] == "2025年2月21日"


COUNTY_IMPRINT = (
    "抄送：县委办公室，县人大常委会办公室，县政府办公室，县政协办公室。\n"
    "青山县应急管理局办公室　　　　　　　　2025年2月20日印发"
)


@pytest.mark.parametrize(
    "imprint",
    [
        # a 抄送 list wrapping onto a second line; the 印发 line undated, its date under it
        "抄送：县委办公室，县人大常委会办公室，\n　　　县政府办公室，县政协办公室。\n"
        "青山县应急管理局办公室印发\n2025年2月20日",
        # … or with no date at all
        "抄送：县委办公室，县人大常委会办公室，县政府办公室，\n　　　县政协办公室。\n"
        "青山县应急管理局办公室印发",
    ],
)
def test_a_wrapped_or_undated_imprint_is_layout(cli, tmp_path: Path, imprint: str):
    """A 抄送 list over two lines, and an 印发 line without its date (on the next line, or
    none), are 版记 as the one-line forms are: not body text, and the 落款 above them is read
    (it was not: the last line was no 落款 date, or a date under an 印发 line was taken for it)."""
    text = COUNTY.read_text("utf-8")
    assert COUNTY_IMPRINT in text
    text = text.replace(COUNTY_IMPRINT, imprint)
    assert _check_county(cli, tmp_path, text) == []
    found = _check_county(cli, tmp_path, text, unit_name="青山县交通运输局")
    assert ("facts.unit-name", "青山县应急管理局") in found
    path = tmp_path / "plain.txt"
    path.write_text(text, "utf-8")
    done = cli("check", path, "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["findings"] == [], done.stdout


def test_a_range_end_day_not_in_the_facts_is_reported(cli, tmp_path: Path):
    """3月1日至14日 where the phase ends on the 15th: the day is read as 14 March."""
    text = COUNTY.read_text("utf-8")
    assert "3月1日至15日" in text
    found = _check_county(cli, tmp_path, text.replace("3月1日至15日", "3月1日至14日"))
    assert found == [("facts.unsupported-number", "14日")]


@pytest.mark.parametrize(
    ("name", "addressee"),
    [
        ("notice-hospital-forward-2025.txt", "院内各科室"),
        ("notice-school-reading-2025.md", "各年级组、教研组，各班级"),
        ("notice-company-party-2025.txt", "各党小组，全体党员"),
    ],
)
def test_an_addressee_inside_a_unit_is_read(cli, tmp_path: Path, name: str, addressee: str):
    """A 主送机关 naming a unit's own parts or people is the 主送机关 line; without it the
    text has none, which the check reports."""
    text = _text(name)
    facts = tmp_path / "facts.yaml"
    facts.write_text(yaml.safe_dump(COUNTY_FACTS | {"addressee": addressee}, allow_unicode=True))

    def addressee_findings(text: str) -> list[str]:
        path = tmp_path / name
        path.write_text(text, "utf-8")
        done = cli("check", path, "--doctype", "work-notice", "--facts", facts, "--format", "json")
        return [
            f["code"] for f in json.loads(done.stdout)["findings"] if f["code"] == "facts.addressee"
        ]

    assert f"\n{addressee}：\n" in text
    assert addressee_findings(text) == []
    assert addressee_findings(text.replace(f"\n{addressee}：\n", "\n")) == ["facts.addressee"]


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
