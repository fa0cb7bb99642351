"""Structure rules: headings, 一是/二是 series, and (with a document type) the required parts."""

from __future__ import annotations

import pytest

from pipeline.checker import check_section, check_text
from pipeline.checker.text import parse_document
from pipeline.facts import load_facts
from pipeline.spec import load_spec
from tests.conftest import EXAMPLES, run_cli


def structure(text: str, **kw) -> list[tuple[str, str]]:
    return [(f.code, f.excerpt) for f in check_text(text, **kw).findings if f.family == "structure"]


@pytest.fixture(scope="module")
def school():
    return load_facts(EXAMPLES / "school-ideology-summary.yaml")


@pytest.fixture(scope="module")
def draft_text(tmp_path_factory) -> str:
    """The offline draft of the complete school example, as plain text."""
    out = tmp_path_factory.mktemp("draft") / "draft.txt"
    home = tmp_path_factory.mktemp("home")
    done = run_cli(
        "run",
        EXAMPLES / "school-ideology-summary.yaml",
        "-o",
        out,
        env={"DRAFTSMITH_HOME": str(home)},
    )
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- headings


def test_skipped_repeated_and_unordered_heading_numbers():
    assert structure("标题\n一、甲\n内容。\n三、乙\n内容。") == [
        ("structure.heading-number", "三、")
    ]
    assert structure("标题\n一、甲\n内容。\n一、乙\n内容。") == [
        ("structure.heading-number", "一、")
    ]
    assert structure("标题\n一、甲\n内容。\n三、乙\n内容。\n二、丙\n内容。")[-1] == (
        "structure.heading-number",
        "二、",
    )


def test_a_skipped_level():
    assert structure("标题\n一、甲\n（1）乙\n内容。") == [("structure.heading-level", "（1）")]
    assert structure("标题\n一、甲\n（一）乙\n1.丙\n（1）丁\n内容。") == []


def test_a_numbered_list_of_sentences_skips_no_level():
    """A 工作打算 listing its points “1. 推进…行动。” “2. 深化…质量。” right under “## 二、” got
    structure.heading-level “heading level skipped: 1. with no （一） level above it” on the
    first: a list of whole sentences is no heading (as for empty sections)."""
    md = (
        "# 市教育局2023年工作总结\n\n## 一、存在问题\n\n1. 城乡教育资源配置仍不均衡；\n"
        "2. 教师结构性缺编问题突出。\n\n## 二、2024年工作安排\n\n"
        "1. 推进教育强市建设，实施基础教育扩优提质行动。\n2. 深化“双减”改革，提升课后服务质量。\n"
    )
    assert structure(md) == []
    # a heading skipping a level, and a lone sentence so numbered, still do
    assert structure("标题\n一、甲\n1. 子标题\n内容。") == [("structure.heading-level", "1.")]
    assert structure("标题\n一、甲\n1. 推进教育强市建设。\n二、乙\n内容。")[0] == (
        "structure.heading-level",
        "1.",
    )


def test_non_standard_numbering_is_a_warning():
    report = check_text("标题\n一、甲\n(一)子\n内容。\n1、子\n内容。")
    forms = [(f.code, f.excerpt, f.severity) for f in report.findings if f.family == "structure"]
    assert forms == [
        ("structure.heading-form", "(一)", "warning"),
        ("structure.heading-form", "1、", "warning"),
    ]


def _with_numbering(tmp_path, numbering: str):
    """The annual summary type, copied with its `rules.numbering` replaced."""
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "prompts/annual-work-summary", tmp_path / "prompts/annual-work-summary")
    (tmp_path / "schemas").mkdir()
    text = (REPO / "schemas/annual-work-summary.yaml").read_text(encoding="utf-8")
    standard = 'numbering: ["一、", "（一）", "1.", "（1）"]'
    assert standard in text
    spec = tmp_path / "schemas/annual-work-summary.yaml"
    spec.write_text(text.replace(standard, f"numbering: {numbering}"), encoding="utf-8")
    return load_spec(str(spec), templates=False)


def test_a_heading_form_finding_names_the_document_types_own_form(tmp_path):
    """With a type numbering its second level (一), a （一） heading was “not in the standard
    form （一）”; with a type of one level, a 1. heading was “not in the standard form 1.”."""
    text = "标题\n一、甲\n（一）子\n内容。\n"

    def form_finding(numbering: str, folder: str):
        spec = _with_numbering(tmp_path / folder, numbering)
        found = check_text(text, spec=spec).findings
        [finding] = [f for f in found if f.code == "structure.heading-form"]
        return finding

    finding = form_finding('["一、", "(一)"]', "a")
    assert finding.message == "heading number “（一）” is not in the document type's form “(一)”"
    assert finding.hint == "number this level (一)"
    assert form_finding('["一、"]', "b").message == (
        "heading number “（一）”: the document type numbers 1 level(s) of headings (一、)"
    )


def test_empty_section():
    assert structure("标题\n一、甲\n二、乙\n内容。") == [("structure.empty-section", "一、甲")]
    # a heading followed by its subsections is not empty; a run-in heading has its text
    assert structure("标题\n一、甲\n（一）子\n内容。\n二、乙。内容。") == []
    # points numbered （一）（二）, each a whole sentence, are not empty subsections
    points = "标题\n一、存在的问题\n（一）监管力量不足，基层执法人员偏少。\n（二）手段不够充分！\n二、乙\n内容。"
    assert structure(points) == []
    # a subheading without its sentence's end still waits for text; a top-level one always does
    assert structure("标题\n一、甲\n（一）子\n（二）丑\n内容。") == [
        ("structure.empty-section", "（一）子")
    ]
    assert structure("标题\n一、甲。\n二、乙\n内容。") == [("structure.empty-section", "一、甲。")]


def test_a_numbered_list_of_sentences_is_not_a_run_of_empty_sections():
    notice = (
        "关于开展安全生产大检查的通知\n二、检查重点\n"
        "（一）危险化学品、非煤矿山等高危行业领域企业；\n"
        "（二）人员密集场所和高层建筑消防安全；\n"
        "（三）道路交通、城镇燃气、自建房等重点领域。\n"
        "三、工作要求\n内容。"
    )
    assert [c for c, _ in structure(notice) if c == "structure.empty-section"] == []
    md = "# 标题\n\n## 一、目标\n\n### （一）指标\n\n1. 门诊量增长5%。\n2. 药占比控制在28%以内。\n"
    assert structure(md) == []
    # a heading left without its text is still found, with or without a full stop
    assert structure("标题\n一、甲\n（一）加强组织领导。\n（二）乙\n内容。") == [
        ("structure.empty-section", "（一）加强组织领导。")
    ]


def test_the_attachment_note_of_a_notice_is_no_heading():
    """A notice ending “附件：1. …安排表” with “2. …报送表” aligned under it (GB/T 9704) got
    structure.heading-number “2. skips 1.” and structure.empty-section on the second name."""
    notice = (
        "关于开展“安全生产月”活动的通知\n\n一、活动时间\n\n6月1日至6月30日。\n\n"
        "二、工作要求\n\n（一）加强组织领导。各单位要高度重视。\n\n"
        "附件：1. 2024年“安全生产月”活动安排表\n      2. 活动总结报送表\n"
        "      3．联络员名单\n\n县安全生产委员会办公室\n2024年5月20日\n"
    )
    assert structure(notice) == []
    # a list under a heading that is no attachment note is still held to its numbers
    found = structure(notice.replace("附件：1. ", "1. ").replace("2. 活动", "4. 活动"))
    assert ("structure.heading-number", "4.") in found


def test_markdown_headings_count_like_plain_ones():
    md = "# 标题\n\n## 一、甲\n\n内容。\n\n## 三、乙\n\n内容。\n"
    assert structure(md) == [("structure.heading-number", "三、")]


# ----------------------------------------------------------------------------- series


def test_series_complete_and_in_one_form():
    assert structure("一是抓学习。二是抓制度。三是抓作风。") == []
    assert structure("一是抓学习。二是抓制度。四是抓作风。") == [("structure.series", "四是")]
    assert structure("一是抓学习。二是抓制度。二是抓作风。") == [("structure.series", "二是")]
    assert structure("二是加强学习。三是加强领导。") == [("structure.series", "二是")]
    assert structure("一要加强学习。二要加强领导。三是加强建设。四要克服不足。") == [
        ("structure.series-form", "三是")
    ]


def test_a_point_with_nothing_after_it_is_missing(tmp_path):
    """A 存在的问题 paragraph cut off after its number (“…；二是网络阵地建设有待加强；三是”,
    then the next section) passed `draft check` without a finding."""
    text = (
        "街道党工委2022年意识形态工作总结\n\n一、存在的问题\n\n"
        "一是理论学习还不够深入；二是网络阵地建设有待加强；三是\n\n"
        "二、下一步工作\n\n一要加强学习。二要。三要加强阵地建设，\n做好舆情监测。\n"
    )
    path = tmp_path / "summary.txt"
    path.write_text(text, encoding="utf-8")
    done = run_cli("check", path)
    assert done.returncode == 1
    found = [ln for ln in done.stdout.splitlines() if "structure." in ln]
    assert found == [
        f"{path}:5:26: structure.series [error] “三是” with nothing after it: the point is missing",
        f"{path}:9:8: structure.series [error] “二要” with nothing after it: the point is missing",
    ], done.stdout
    # the point goes on after a line break inside its paragraph: nothing is missing
    assert structure("一是抓学习；二是\n抓制度；三是抓作风。") == []


WRAPPED_POINTS = (
    "学校认真落实上级要求，一是加强组织领导，成立工作小组，明确责任分工；二是强化理论学习，"
    "全年开展专题学习，覆盖全体教职工；三是抓好阵地管理，规范校园网站和宣传栏。"
)


@pytest.mark.parametrize("width", [12, 35])
def test_a_point_number_split_by_a_hard_line_break_is_read_whole(tmp_path, width: int):
    """Hard-wrapped at 12 characters a line ends “，一” and the next begins “是加强”; at 35, “；二”
    and “是强化”: a PDF viewer's copy or a hard-wrapped .txt. The series is complete."""
    lines = [WRAPPED_POINTS[i : i + width] for i in range(0, len(WRAPPED_POINTS), width)]
    path = tmp_path / "wrapped.txt"
    path.write_text("一、主要工作\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert any(ln.endswith(("一", "二")) for ln in lines)  # the wrap does split a number
    done = run_cli("check", path)
    assert "structure." not in done.stdout, done.stdout


def test_a_split_point_number_still_counts_in_its_series():
    found = check_text("一、工作\n要求，一\n是抓学习；三是抓作风。").findings
    assert [f.message for f in found] == ["“三是” follows “一是”: a point is missing"]
    assert structure("一是抓学习；二\n是。三是抓作风。") == [("structure.series", "二\n是")]
    assert structure("一是抓学习；二\n要抓制度；三是抓作风。") == [
        ("structure.series-form", "二\n要")
    ]
    # a paragraph break is no wrap, and 第一 is no point number
    assert structure("一是抓学习；二\n\n是抓制度；三是抓作风。") == [("structure.series", "三是")]
    assert structure("这是第一\n是因为工作扎实。") == []


def test_series_words_inside_other_words_are_not_points():
    assert structure("统一是前提。一是一，二是二。看一要看全局。") == []


def test_a_new_series_may_start_under_a_new_heading():
    text = "标题\n一、甲\n一是学习。二是制度。\n二、乙\n一要加强。二要改进。"
    assert structure(text) == []


# ----------------------------------------------------------------------------- with a spec


def test_complete_draft_has_no_structure_finding(school, draft_text):
    spec, facts = school
    assert structure(draft_text, spec=spec, facts=facts) == []


def test_missing_section_and_order(school, draft_text):
    spec, facts = school
    lines = draft_text.split("\n")
    i = lines.index("五、存在的不足")
    dropped = "\n".join(lines[:i] + lines[i + 2 :]).replace("六、2021", "五、2021")
    found = [
        f for f in check_text(dropped, spec=spec, facts=facts).findings if f.family == "structure"
    ]
    assert [(f.code, f.start == f.end) for f in found] == [("structure.missing-section", True)]
    assert "shortcomings" in found[0].message
    assert dropped[found[0].start :].startswith("五、2021")

    a, b, c = (draft_text.index(h) for h in ("三、抓好", "四、弘扬", "五、存在"))
    third = draft_text[a:b].replace("三、", "四、", 1)
    fourth = draft_text[b:c].replace("四、", "三、", 1)
    swapped = draft_text[:a] + fourth + third + draft_text[c:]
    assert [code for code, _ in structure(swapped, spec=spec, facts=facts)] == [
        "structure.section-order"
    ]


@pytest.mark.parametrize(
    ("written", "heading"),
    [
        ("六、下一步工作打算", "六、2021年工作打算和工作措施"),
        ("六、2021年工作计划", "六、2021年工作打算和工作措施"),
        ("五、存在问题", "五、存在的不足"),
    ],
)
def test_a_section_under_another_common_heading_is_found(school, draft_text, written, heading):
    """The spec's `aliases`: headings people bring to draft check under other words."""
    spec, _ = school
    assert heading in draft_text
    assert structure(draft_text.replace(heading, written), spec=spec) == []


def test_a_title_set_on_two_lines_is_one_title(tmp_path):
    """A report whose title is set on two lines, as 公文 titles often are (青山县自然资源局 /
    2023年工作总结), got structure.title “does not name the year, the type 工作总结” from
    `check --doctype annual-work-summary`, and its second line was read as the opening."""
    text = (
        "青山县自然资源局\n2023年工作总结\n\n2023年，我局坚持稳中求进，各项工作取得新成效。\n\n"
        "一、基本情况\n\n内设股室9个。\n\n青山县自然资源局\n2024年1月10日\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    done = run_cli("check", path, "--doctype", "annual-work-summary")
    assert "structure.title" not in done.stdout, done.stdout
    # a line under a title that names its type is the text, not more title
    assert structure("青山县自然资源局2023年工作总结\n2023年工作总结\n内容。") == []
    one = check_text(
        "青山县自然资源局\n2023年工作总结\n\n2022年，我局坚持稳中求进。\n\n一、甲\n内容。"
    )
    assert [(f.code, f.line) for f in one.findings] == [("facts.report-year", 4)]


def test_a_long_formal_title_is_the_title_and_a_long_first_sentence_is_not():
    """A 转发通知 whose title forwards a 60-character title is 75 characters long: read as a
    plain line (at most 60) it was no title (structure.title, and its 主送机关 unseen). A line
    that reads as a 公文 title — 关于… ending in its type, no sentence punctuation — is read
    whole up to 130 characters; a long first line that is a sentence, or names no type, is not."""
    forwarded = (
        "青山县人民医院关于转发《青山省卫生健康委员会关于进一步加强全省二级以上公立医院医疗质量"
        "安全管理和患者安全专项行动组织实施工作的实施意见》的通知"
    )
    school = (
        "青山县第一中学关于印发《青山县第一中学2025年春季学期学生心理健康教育月暨心理健康周"
        "系列主题教育实践活动和家校协同育人工作实施方案》的通知"
    )
    body = (
        "\n\n院内各科室：\n\n现将文件转发给你们，请认真贯彻执行。\n\n一、工作要求\n\n按期完成。\n"
    )
    for title in (forwarded, school):
        assert 60 < len(title) <= 130
        parsed = parse_document(title + body)
        assert parsed.title is not None, title
        assert parsed.title.content(title + body) == title
        assert "structure.title" not in [c for c, _ in structure(title + body)]
    sentence = forwarded.replace("关于转发", "，关于转发")  # a comma: a sentence, not a title
    no_type = forwarded.removesuffix("的通知") + "的有关事项"  # ends in no type of document
    too_long = forwarded.replace("全省", "全省各市州县市区", 1) * 2  # past 130
    for line in (sentence, no_type, too_long):
        assert parse_document(line + body).title is None, line


def test_markdown_front_matter_is_not_the_title(tmp_path):
    """A Markdown report saved with YAML front matter (---, title: …, ---; Typora, Obsidian,
    Hugo) got structure.title on “---” from `check --doctype annual-work-summary`: the front
    matter's first line was taken for the title."""
    md = (
        "---\ntitle: 2023年工作总结\nauthor: 张三\n---\n\n# 青山县自然资源局2023年工作总结\n\n"
        "2023年，我局坚持稳中求进，各项工作取得新成效。\n\n## 一、基本情况\n\n内设股室9个。\n"
    )
    path = tmp_path / "report.md"
    path.write_text(md, encoding="utf-8")
    done = run_cli("check", path, "--doctype", "annual-work-summary")
    assert "structure.title" not in done.stdout, done.stdout
    # the title under the front matter is the report's: its year holds the opening to it
    stale = check_text(md.replace("2023年，我局", "2022年，我局")).findings
    assert [(f.code, f.line) for f in stale if f.family == "facts"] == [("facts.report-year", 8)]


def test_title_names_unit_year_and_type(school, draft_text):
    spec, facts = school
    bad = draft_text.replace("青山县红星中学2020年意识形态工作总结", "2020年意识形态工作", 1)
    found = [
        f for f in check_text(bad, spec=spec, facts=facts).findings if f.code == "structure.title"
    ]
    assert len(found) == 1
    assert "青山县红星中学" in found[0].message and "工作总结" in found[0].message
    # without facts: the year and the type are still checked
    assert structure("意识形态工作总结\n\n正文。", spec=spec)[0][0] == "structure.title"
    assert not [
        c
        for c, _ in structure("红星中学2020年意识形态工作总结\n\n正文。", spec=spec)
        if c == "structure.title"
    ]


def test_a_type_whose_title_has_no_year_is_not_held_to_one(tmp_path):
    """A type titled “{{ position }}{{ person_name }}述职报告”: its correct draft, checked
    without facts, was told “the title does not name the year”."""
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "prompts/annual-work-summary", tmp_path / "prompts/annual-work-summary")
    (tmp_path / "schemas").mkdir()
    spec_file = tmp_path / "schemas/annual-work-summary.yaml"
    text = (REPO / "schemas/annual-work-summary.yaml").read_text(encoding="utf-8")
    title = 'title: "{{ unit_name }}{{ report_year }}年工作总结"'
    assert title in text
    spec_file.write_text(text.replace(title, 'title: "{{ unit_name }}工作总结"'), encoding="utf-8")
    spec = load_spec(str(spec_file), templates=False)

    def title_findings(text: str) -> list[str]:
        return [c for c, _ in structure(text, spec=spec) if c == "structure.title"]

    assert title_findings("南湖街道办事处工作总结\n\n正文。") == []
    assert title_findings("南湖街道办事处\n\n正文。") == ["structure.title"]  # no type named


def test_section_points_and_length_in_the_repair_loop(school):
    spec, facts = school
    section = spec.section("theory_study")
    body = "一是坚持学习，全年开展中心组学习12次，其中专题理论学习8次。"
    found = {f.code: f for f in check_section(body, section=section, spec=spec, facts=facts)}
    assert set(found) == {"structure.too-few-points", "style.length"}
    assert found["structure.too-few-points"].severity == "error"
    assert found["style.length"].severity == "warning"
    assert all(f.section == "theory_study" for f in found.values())


def test_points_that_are_a_missing_fact_are_its_marker_not_too_few(school, tmp_path):
    """Plans whose measures were not given carry the list's marker: a known gap, not an error
    that asks (in the repair loop, a model) for points the facts do not have."""
    spec, facts = school
    section = spec.section("plans")
    for body in (
        "2021年，学校将重点抓好以下工作：\n一要【待补充：下一年度工作措施】。",
        "2021年，学校将重点抓好以下工作：【待补充：下一年度工作措施】。",
    ):
        found = check_section(body, section=section, spec=spec, facts=facts)
        assert "structure.too-few-points" not in {f.code for f in found}
    # a list's marker elsewhere in a section does not stand for its points
    body = "重点学习【待补充：重点学习内容】等内容。一是坚持学习。"
    found = check_section(body, section=spec.section("theory_study"), spec=spec, facts=facts)
    assert "structure.too-few-points" in {f.code for f in found}
    # one measure given: the section still needs a second point
    body = "2021年，学校将重点抓好以下工作：\n一要加强学习。"
    found = check_section(body, section=section, spec=spec, facts=facts)
    assert "structure.too-few-points" in {f.code for f in found}
    # the whole offline draft of a school that gave only the required facts
    (tmp_path / "facts.yaml").write_text(
        "doctype: school-ideology-summary\nschool_name: 青山县红星中学\ncounty: 青山县\n"
        "report_year: 2020\n",
        encoding="utf-8",
    )
    done = run_cli("run", tmp_path / "facts.yaml", "-o", tmp_path / "draft.md")
    assert done.returncode == 0, done.stderr


def test_no_spec_no_required_sections():
    assert structure("标题\n\n正文一段。") == []


def test_spec_without_lexicon_works(tmp_path, school):
    spec, _facts = school
    bare = spec.model_copy(update={"rules": spec.rules.model_copy(update={"lexicon": None})})
    report = check_text("以习新时代中国特色社会主义思想为指导。", spec=bare)
    assert "gap.broken-phrase" not in {f.code for f in report.findings}
    assert load_spec("school-ideology-summary").rules.lexicon == "set-phrases"


@pytest.mark.parametrize("written", ["工作开展情况", "工作完成情况", "重点工作完成情况"])
def test_a_summarys_main_section_under_its_common_headings_is_found(written):
    """`draft check 总结.txt --doctype annual-work-summary` of a summary whose main part is
    headed 二、工作开展情况 (or 工作完成情况, the frame DOMAIN.md names) reported
    “required section missing: 主要工作和成效”: the section was there, under another name."""
    from tests.conftest import example_draft_text

    spec = load_spec("annual-work-summary", templates=False)
    text = example_draft_text("annual-work-summary")
    assert "二、主要工作和成效" in text
    assert structure(text.replace("二、主要工作和成效", f"二、{written}"), spec=spec) == []


@pytest.mark.parametrize(
    "heading",
    ["2024年工作思路和举措", "2024年工作计划及措施", "2024年工作安排", "下一步工作安排"],
)
def test_a_plans_heading_as_units_write_it_is_the_plans_section(tmp_path, heading):
    """A clerk who renamed 四、2024年工作打算 in the Markdown to a heading units use
    (2024年工作思路和举措, 2024年工作安排) was told “required section missing: …年工作打算”
    of a section that is there. A heading that begins with a section's heading or alias, and
    the 工作安排 headings, are that section; a wrong year in it is still found."""
    draft = tmp_path / "总结.md"
    assert run_cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", draft).returncode == 0
    text = draft.read_text(encoding="utf-8")
    assert "## 四、2024年工作打算\n" in text
    renamed = tmp_path / "renamed.md"
    renamed.write_text(text.replace("## 四、2024年工作打算", f"## 四、{heading}"), "utf-8")
    done = run_cli("check", renamed, "--facts", EXAMPLES / "annual-work-summary.yaml")
    assert done.returncode == 0, done.stdout
    assert "missing" not in done.stdout
    if heading.startswith("2024"):
        renamed.write_text(
            text.replace("## 四、2024年工作打算", f"## 四、2023{heading[4:]}"), "utf-8"
        )
        done = run_cli("check", renamed, "--facts", EXAMPLES / "annual-work-summary.yaml")
        assert "facts.plans-year" in done.stdout and "missing" not in done.stdout


def test_a_missing_plans_section_is_named_with_its_year_from_the_facts(tmp_path):
    """Deleting 四、2024年工作打算 from the draft was reported as missing “…年工作打算”: with the
    facts given, the heading is named as the draft writes it."""
    draft = tmp_path / "总结.md"
    assert run_cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", draft).returncode == 0
    text = draft.read_text(encoding="utf-8")
    start = text.index("## 四、2024年工作打算")
    end = text.index("\n\n", text.index("\n\n", start) + 2)
    draft.write_text(text[:start] + text[end + 2 :], encoding="utf-8")
    done = run_cli("check", draft, "--facts", EXAMPLES / "annual-work-summary.yaml")
    assert "required section missing: “2024年工作打算” (plans)" in done.stdout, done.stdout
    done = run_cli("check", draft, "--doctype", "annual-work-summary")  # no facts: no year
    assert "required section missing: “…年工作打算” (plans)" in done.stdout, done.stdout


def test_a_section_the_type_does_not_have_after_its_last_is_reported(tmp_path):
    """A model's 五、保障措施 after the last section of an annual summary passed `draft check
    --doctype`: the numbering was in order and every required section was there. A top-level
    heading after the type's last section that is neither a section's heading nor an alias is
    an extra section; elsewhere one is left to the numbering and the order."""
    from tests.conftest import example_draft_text

    spec = load_spec("annual-work-summary", templates=False)
    text = example_draft_text("annual-work-summary")
    extra = "五、保障措施\n加强组织领导，确保各项工作落到实处。\n"
    ending = text.index("\n\n", text.index("四、2024年工作打算"))
    with_extra = text[: ending + 1] + extra + text[ending + 1 :]
    assert structure(with_extra, spec=spec) == [("structure.extra-section", "五、保障措施")]
    assert structure(with_extra) == []  # without a document type, no section is extra
    # the last section under an alias of its heading, and nothing after it: no finding
    assert structure(text.replace("四、2024年工作打算", "四、下一步工作计划"), spec=spec) == []
    # an unknown heading between sections is no extra section (the numbering tells of it)
    between = text.replace("三、存在的问题", "三、其他工作\n做好其他工作。\n四、存在的问题")
    between = between.replace("四、2024年工作打算", "五、2024年工作打算")
    assert "structure.extra-section" not in {c for c, _ in structure(between, spec=spec)}
    # through the CLI: an error, exit 1, naming the heading
    path = tmp_path / "总结.txt"
    path.write_text(with_extra, encoding="utf-8")
    done = run_cli("check", path, "--doctype", "annual-work-summary")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "structure.extra-section [error] heading “五、保障措施” after the last section (plans)"
        in done.stdout
    )


def test_a_top_level_heading_inside_a_drafted_section_is_an_extra_section():
    """In the repair loop a section's 五、保障措施 was reported as “heading number 五、 skips
    一、、二、…”, which asked the model to renumber it: the heading is what is wrong."""
    spec, facts = load_facts(EXAMPLES / "annual-work-summary.yaml")
    section = spec.section("plans")
    body = "2024年，重点抓好以下工作：一是抓好耕地保护；二是加快规划报批。\n五、保障措施\n加强组织领导。"
    found = check_section(body, section=section, spec=spec, facts=facts)
    structural = [(f.code, f.excerpt) for f in found if f.family == "structure"]
    assert structural == [("structure.extra-section", "五、保障措施")]
    # a list of whole sentences numbered 一、二、 is no heading
    listed = "2024年，重点抓好以下工作：\n一、抓好耕地保护；\n二、加快规划报批。"
    found = check_section(listed, section=section, spec=spec, facts=facts)
    assert "structure.extra-section" not in {f.code for f in found}


NOTICE = (
    "青山县应急管理局关于开展安全生产大检查的通知\n\n"
    "各乡镇（街道）安全生产委员会办公室，县直各有关单位：\n"
    "为切实做好安全生产工作，经研究，决定开展安全生产大检查。现将有关事项通知如下：\n"
    "一、检查内容\n（一）危险化学品。重点检查储存场所。\n（二）建筑施工。重点检查高处作业。\n"
    "二、工作要求\n各单位要高度重视，认真组织实施。\n\n青山县应急管理局\n2025年2月20日\n"
)


def test_the_addressee_under_a_title_is_neither_opening_text_nor_a_heading():
    """The 主送机关 line (units, ending in ：) is read as the addressee: the opening starts
    after it; an opening's own lead-in ending in ： (…总结如下：) is no addressee."""
    doc = parse_document(NOTICE)
    assert doc.addressee is not None
    assert doc.addressee.content(NOTICE) == "各乡镇（街道）安全生产委员会办公室，县直各有关单位："
    assert doc.sections[0].body(NOTICE).lstrip().startswith("为切实做好")
    assert structure(NOTICE) == []
    report = "青山县林业局2023年工作总结\n\n现将2023年工作情况总结如下：\n一、基本情况\n全年造林1万亩。\n"
    assert parse_document(report).addressee is None
    # a missing 主送机关's marker is an addressee too
    marked = NOTICE.replace(
        "各乡镇（街道）安全生产委员会办公室，县直各有关单位", "【待补充：主送机关】"
    )
    assert parse_document(marked).addressee is not None


@pytest.mark.parametrize(
    ("line", "addressee"),
    [
        ("各团小组，全体团员：", True),  # a unit's own people, as 各党小组，全体党员：
        ("全体教职工：", True),
        ("各中队，全体少先队员：", True),
        ("各处室、各二级学院，全体师生：", True),
        ("各乡镇领导干部：", True),
        ("现将有关事项通知如下：", False),  # an opening's lead-in
        ("经研究，决定表彰以下团员：", False),  # a sentence, not a list of names
    ],
)
def test_an_addressee_naming_people_is_read(line: str, addressee: bool):
    """A 通知 inside a unit may address its people (全体团员：, 全体师生：) as its 主送机关."""
    text = f"共青团青山中学委员会关于开展主题团日活动的通知\n\n{line}\n为加强团员教育，决定开展活动。\n"
    assert (parse_document(text).addressee is not None) is addressee
