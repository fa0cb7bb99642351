"""The built-in 单位年度工作要点 (annual-work-plan) through the CLI: it loads, drafts a plan
for its year in the future tense, checks clean, leaves markers at missing target figures and
signs with the unit and the date."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH

from tests.conftest import EXAMPLES, edited_facts

FACTS = EXAMPLES / "annual-work-plan.yaml"
HEADINGS = ["一、目标任务", "二、重点工作", "三、保障措施"]


def _facts_with(tmp_path: Path, edit: dict[str, object], *left_out: str) -> Path:
    """The example's facts with `edit` applied and `left_out` removed."""
    return edited_facts(FACTS, tmp_path, edit, *left_out)


def test_the_type_is_listed_and_gives_a_facts_template(cli):
    listing = cli("doctypes")
    assert listing.returncode == 0, listing.stderr
    assert "annual-work-plan  单位年度工作要点" in listing.stdout
    assert all(f": {h}" in listing.stdout for h in HEADINGS)
    template = cli("facts-template", "annual-work-plan")
    assert template.returncode == 0, template.stderr
    parsed = yaml.safe_load(template.stdout)
    assert parsed["doctype"] == "annual-work-plan" and parsed["plan_year"] is None
    assert "# 计划年度（四位数年份，必填）" in template.stdout
    assert "value:   # 目标值（文字，选填）" in template.stdout
    # the optional section's fact: left out, it leaves the section out, not a marker
    assert "# 月度工作安排（条目列表，每条以“- ”开头，选填，缺少时不写“月度工作安排”一节）" in (
        template.stdout
    )


def test_the_example_drafts_a_plan_in_the_future_tense_and_every_output_checks_clean(cli, tmp_path):
    outs = [tmp_path / f"工作要点.{ext}" for ext in ("md", "txt", "docx", "json")]
    done = cli("run", FACTS, *(a for out in outs for a in ("-o", out)))
    assert done.returncode == 0, done.stderr
    assert "no markers" in done.stderr
    text = outs[1].read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "青山县自然资源局2024年工作要点"
    assert [ln for ln in lines if ln[:2] in {"一、", "二、", "三、", "四、"}] == HEADINGS
    assert lines[2].startswith(
        "2024年是全面贯彻落实党的二十大精神的关键之年。全年工作的总体要求是："
    )
    assert lines[2].endswith("为扎实做好2024年各项工作，特制定本工作要点。")
    assert "一是新增补充耕地不少于1000亩；二是一般登记业务办理时限压缩至2个工作日；" in text
    assert "加快实施土地综合整治项目，确保新增补充耕地不少于1000亩" in text
    assert "（四）加强地质灾害防治" in lines and "（三）严格督查考核" in lines
    assert not re.search("完成了|取得了|总结如下", text)  # a plan, not a report on a year
    assert text.endswith("\n\n青山县自然资源局\n2024年1月20日\n")
    for out in outs:
        checked = cli("check", out, "--doctype", "annual-work-plan", "--facts", FACTS, "--info")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.strip().endswith("0 error(s), 0 warning(s), 0 note(s)"), out


def test_a_plan_for_the_next_year_signed_in_december_checks_clean(cli, tmp_path):
    """A plan is for the year in its title, and is signed before it begins: neither its year
    (the signing year + 1) nor its date is held to a summary's rules."""
    facts = _facts_with(tmp_path, {"plan_year": 2025, "report_date": "2024-12-26"})
    out = tmp_path / "draft.txt"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("青山县自然资源局2025年工作要点\n\n2025年是")
    assert "2025年，我们将努力实现以下主要目标" in text
    assert text.endswith("\n青山县自然资源局\n2024年12月26日\n")
    for given in (("--facts", facts), ()):
        checked = cli("check", out, "--doctype", "annual-work-plan", *given, "--format", "json")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert json.loads(checked.stdout)["findings"] == []


def test_missing_target_figures_become_markers_and_the_exact_fill_in_list(cli, tmp_path):
    facts = yaml.safe_load(FACTS.read_text("utf-8"))
    for target in facts["targets"]:
        del target["value"]
    del facts["work_items"][1]["target"]
    del facts["year_theme"], facts["safeguards"]
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    out = tmp_path / "draft.json"
    done = cli("run", path, "-o", out)
    assert done.returncode == 0, done.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert [(m["section"], m["label"], m["fact"]) for m in draft["markers"]] == [
        ("opening", "年度定位", "year_theme"),
        ("targets", "目标值", "targets.value"),
        ("targets", "目标值", "targets.value"),
        ("targets", "目标值", "targets.value"),
        ("key_work", "工作目标", "work_items.target"),
        ("safeguards", "保障措施", "safeguards"),
    ]
    assert "6 marker(s) to fill in:" in done.stderr
    assert "key_work: 【待补充：工作目标】 (work_items.target)\n" in done.stderr  # one of its kind
    # the same label for each item's value: the list says which item each one is
    assert "targets: 【待补充：目标值】 (targets.value) after “一是新增补充耕地”" in done.stderr
    assert "(targets.value) after “二是一般登记业务办理时限”" in done.stderr
    text = draft["text"]
    assert "2024年是【待补充：年度定位】。" in text
    assert (
        "一是新增补充耕地【待补充：目标值】；二是一般登记业务办理时限【待补充：目标值】；" in text
    )
    assert "扩大“带押过户”覆盖面，确保【待补充：工作目标】。" in text
    assert "不少于1000亩" in text  # the first work item keeps its own target
    assert "2个工作日" not in text  # the only place it was given is left out
    checked = cli("check", out, "--format", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    findings = json.loads(checked.stdout)["findings"]
    assert sorted(f["code"] for f in findings) == ["gap.marker"] * 6


def test_the_word_output_has_the_unit_and_date_as_its_signature(cli, tmp_path):
    out = tmp_path / "工作要点.docx"
    done = cli("run", FACTS, "-o", out)
    assert done.returncode == 0, done.stderr
    document = docx.Document(str(out))
    filled = [p for p in document.paragraphs if p.text]
    assert filled[0].text == "青山县自然资源局2024年工作要点"
    assert [p.text for p in filled[-2:]] == ["青山县自然资源局", "2024年1月20日"]
    for p in filled[-2:]:  # set as the 落款, right-aligned by its style
        assert p.style.name == "公文落款"
        assert (p.alignment or p.style.paragraph_format.alignment) == WD_ALIGN_PARAGRAPH.RIGHT
    headings = [p.text for p in filled if p.style.name == "公文一级标题"]
    assert headings == HEADINGS


SCHEDULE = [
    {"month": 2, "tasks": "制定年度重点工作任务分解方案，召开全局工作会议"},
    {"month": "3月", "tasks": "启动耕地“非农化”“非粮化”专项整治。"},
]


def test_a_monthly_schedule_is_drafted_as_the_last_section_and_checks_clean(cli, tmp_path):
    """The optional 月度工作安排 is written only when its facts are given: one paragraph a
    month, numbered after the sections before it."""
    facts = _facts_with(tmp_path, {"monthly_schedule": SCHEDULE})
    out, text_out = tmp_path / "draft.json", tmp_path / "draft.txt"
    done = cli("run", facts, "-o", out, "-o", text_out)
    assert done.returncode == 0, done.stderr
    assert "5 sections" in done.stderr and "no markers" in done.stderr
    lines = text_out.read_text(encoding="utf-8").splitlines()
    assert [ln for ln in lines if ln[:2] in {"一、", "二、", "三、", "四、", "五、"}] == [
        *HEADINGS,
        "四、月度工作安排",
    ]
    at = lines.index("四、月度工作安排")
    assert lines[at + 1 : at + 4] == [
        "2月：制定年度重点工作任务分解方案，召开全局工作会议。",
        "3月：启动耕地“非农化”“非粮化”专项整治。",
        "",
    ]
    assert [s["id"] for s in json.loads(out.read_text("utf-8"))["sections"]][-1] == "monthly"
    for checked_file in (out, text_out):
        checked = cli(
            "check", checked_file, "--doctype", "annual-work-plan", "--facts", facts, "--info"
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.strip().endswith("0 error(s), 0 warning(s), 0 note(s)")


def test_without_a_monthly_schedule_the_section_is_left_out_without_a_marker(cli, tmp_path):
    """The example gives no schedule: four sections, and no 【待补充：月度工作安排】 to fill in."""
    out = tmp_path / "draft.json"
    done = cli("run", FACTS, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "4 sections" in done.stderr and "no markers" in done.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert [s["id"] for s in draft["sections"]] == ["opening", "targets", "key_work", "safeguards"]
    assert draft["markers"] == [] and "月度工作安排" not in draft["text"]


def test_a_hand_written_schedule_the_facts_lack_is_no_structure_or_mention_error(cli, tmp_path):
    """A clerk may add 四、月度工作安排 by hand: checked with facts that give no schedule it is
    neither an extra section nor a section missing its fact's marker; its months are still
    numbers the facts must back."""
    drafted = tmp_path / "draft.txt"
    facts = _facts_with(tmp_path, {"monthly_schedule": SCHEDULE})
    assert cli("run", facts, "-o", drafted).returncode == 0
    checked = cli(
        "check", drafted, "--doctype", "annual-work-plan", "--facts", FACTS, "--format", "json"
    )
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["excerpt"]) for f in findings] == [
        ("facts.unsupported-number", "3月")  # 2 is backed by 2个工作日 in the facts
    ]
    without_facts = cli("check", drafted, "--doctype", "annual-work-plan", "--format", "json")
    assert json.loads(without_facts.stdout)["findings"] == []


SCHOOL = Path(__file__).parent / "data/realworld/school-plan-2024.md"


def test_the_real_school_plan_with_a_monthly_schedule_checks_clean(cli):
    """五、月度工作安排 after 四、 in a real school plan is the optional section, and its title
    城南实验小学2024年工作计划 names one of the type's `title_types` (工作要点, 工作计划)."""
    assert SCHOOL.read_text("utf-8").startswith("城南实验小学2024年工作计划\n")
    checked = cli("check", SCHOOL, "--doctype", "annual-work-plan", "--format", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["findings"] == []


@pytest.mark.parametrize("word", ["实施方案", "工作总结"])
def test_a_plan_titled_with_a_type_the_plan_does_not_list_is_a_title_finding(
    cli, tmp_path: Path, word: str
):
    path = tmp_path / SCHOOL.name
    text = SCHOOL.read_text("utf-8")
    path.write_text(text.replace("2024年工作计划\n", f"2024年{word}\n", 1), "utf-8")
    checked = cli("check", path, "--doctype", "annual-work-plan", "--format", "json")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    found = [(f["code"], f["message"]) for f in json.loads(checked.stdout)["findings"]]
    assert found == [
        ("structure.title", "the title does not name the type “工作要点” or “工作计划”")
    ]


def test_an_optional_section_in_the_middle_leaves_no_gap_in_the_numbers(cli, tmp_path):
    """Moved before 保障措施, the schedule numbers 三、 when given, and 保障措施 takes 三、 when
    it is left out: the headings are numbered over the sections written."""
    repo = Path(__file__).resolve().parent.parent
    (tmp_path / "schemas").mkdir()
    shutil.copytree(repo / "prompts/annual-work-plan", tmp_path / "prompts/annual-work-plan")
    spec = yaml.safe_load((repo / "schemas/annual-work-plan.yaml").read_text("utf-8"))
    spec["sections"].insert(3, spec["sections"].pop())
    (tmp_path / "schemas/annual-work-plan.yaml").write_text(
        yaml.safe_dump(spec, allow_unicode=True), "utf-8"
    )
    with_schedule = _facts_with(tmp_path, {"monthly_schedule": SCHEDULE})
    for facts, headings in (
        (with_schedule, ["三、月度工作安排", "四、保障措施"]),
        (FACTS, ["三、保障措施"]),
    ):
        out = tmp_path / "draft.txt"
        done = cli("run", facts, "--spec-dir", tmp_path, "-o", out)
        assert done.returncode == 0, done.stderr
        lines = out.read_text(encoding="utf-8").splitlines()
        assert [ln for ln in lines if ln[:2] in {"一、", "二、", "三、", "四、"}] == [
            *HEADINGS[:2],
            *headings,
        ]
        checked = cli(
            "check", out, "--doctype", "annual-work-plan", "--spec-dir", tmp_path,
            "--facts", facts, "--format", "json",
        )  # fmt: skip
        assert json.loads(checked.stdout)["findings"] == [], checked.stdout
