"""The facts form: built from the spec, read back from posted fields, errors mapped to fields."""

from __future__ import annotations

import datetime as dt

import pytest
from webapp import example_facts, fields_for

from pipeline.facts import validate_facts
from pipeline.spec import load_spec
from pipeline.web.forms import (
    build_form,
    check_form,
    coerce,
    example_data,
    facts_yaml,
    form_fields,
    missing_labels,
    parse_form,
)


@pytest.fixture(scope="module")
def spec():
    return load_spec("school-ideology-summary")


def test_every_fact_in_spec_order_with_its_kind_of_input(spec):
    form = build_form(spec, {})
    assert [f.id for f in form.facts] == list(spec.facts)
    by_id = {f.id: f for f in form.facts}
    assert by_id["school_name"].field.kind == "text"
    assert by_id["report_year"].field.kind == "number"
    assert by_id["report_date"].field.kind == "date"
    assert by_id["central_group_sessions"].field.unit == "次"
    assert by_id["study_topics"].is_list and len(by_id["study_topics"].rows) == 1
    measures = by_id["next_year_measures"]
    assert [f.name for f in measures.rows[0].fields] == [
        "fact.next_year_measures.0.title",
        "fact.next_year_measures.0.detail",
    ]
    assert measures.template_row.fields[0].name == "fact.next_year_measures.__i__.title"


def test_the_example_fills_the_form_and_validates(spec):
    data = example_data(spec)
    form = build_form(spec, data)
    topics = next(f for f in form.facts if f.id == "study_topics")
    assert [r.fields[0].value for r in topics.rows] == spec.facts["study_topics"].example
    assert check_form(spec, form_fields(data, spec)).facts is not None


def test_posted_fields_give_the_facts_of_the_example_file(spec):
    facts = example_facts()
    parsed = parse_form(spec, fields_for(facts))
    expected = validate_facts({"doctype": spec.id, **facts}, spec)
    got = check_form(spec, parsed).facts
    assert got is not None and got.values == expected.values


def test_blank_rows_are_dropped_and_errors_land_on_the_row_they_came_from(spec):
    fields = {
        "fact.study_topics.0": "  ",
        "fact.study_topics.4": "党纪法规",
        "fact.next_year_measures.0.title": "",
        "fact.next_year_measures.0.detail": "",
        "fact.next_year_measures.7.title": "加强学习",
        "fact.next_year_measures.7.detail": "",
    }
    parsed = parse_form(spec, fields)
    assert parsed.data["study_topics"] == ["党纪法规"]
    assert parsed.data["next_year_measures"] == [{"title": "加强学习"}]
    errors = check_form(spec, parsed).errors
    assert errors["fact.next_year_measures.7.detail"] == "“具体做法”是必填项，请填写。"
    assert "fact.school_name" in errors and "fact.next_year_measures.0.title" not in errors


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("central_group_sessions", "12", 12),
        ("central_group_sessions", "１２", 12),
        ("central_group_sessions", " 12 次 ", 12),
        ("central_group_sessions", "十二", 12),
        ("central_group_sessions", "1,200", 1200),
        ("central_group_sessions", "十二次半", "十二次半"),
        ("central_group_sessions", "二十", 20),
        ("central_group_sessions", "三四", "三四"),  # 3 or 4: refused, not read as 34
        ("central_group_sessions", "十九大", "十九大"),  # a count, not an ordinal
        ("party_congress", "十九大", 19),
        ("party_congress", "第二十次", 20),
        ("party_congress", "第十九届", 19),
        ("central_group_sessions", "", None),
        ("report_year", "2020年", 2020),
        ("report_date", "2021年1月5日", "2021-01-05"),
        ("report_date", "2021/1/5", "2021-01-05"),
        ("report_date", "2021年2月30日", "2021年2月30日"),
        ("school_name", "  红星中学 ", "红星中学"),
    ],
)
def test_what_a_clerk_types_becomes_a_value(spec, kind, raw, value):
    assert coerce(spec.facts[kind], raw) == value


def test_every_error_message_is_plain_chinese_naming_the_label(spec):
    fields = fields_for(example_facts())
    fields.update(
        {
            "fact.school_name": "",
            "fact.report_year": "1800",
            "fact.party_congress": "40",
            "fact.theory_sessions": "很多",
            "fact.report_date": "明年",
            "fact.leading_group_head": "阿卜杜.热合曼",
            "fact.county": "青山县委",
            "fact.notice_title": "。",
            "fact.responsibility_doc": "长" * 2001,
        }
    )
    errors = check_form(spec, parse_form(spec, fields)).errors
    assert errors == {
        "fact.school_name": "“学校名称”是必填项，请填写。",
        "fact.report_year": "“总结年度”不能小于 1949，填写的是 1800。",
        "fact.party_congress": "“党的全国代表大会届次”不能大于 30次，填写的是 40。",
        "fact.theory_sessions": "“中心组理论学习次数”应填写整数，如 86 或 八十六；“很多”不是整数。",
        "fact.report_date": "“成文日期”应填写日期（年、月、日齐全），如 2021年1月15日；“明年”无法识别为日期。",
        "fact.leading_group_head": "“意识形态工作领导组组长”中的“.”夹在汉字之间："
        "人名中的间隔号请写作“·”（阿卜杜·热合曼），其他地方请删去。",
        "fact.county": "“所在县（区）”应填写县（区）的名称本身，以“县”“区”“市”或“旗”结尾，"
        "如“青山县”，不带“委”“人民政府”等字；填写的是“青山县委”。",
        "fact.notice_title": "“上级通知名称”只有标点符号，请填写内容。",
        "fact.responsibility_doc": "“意识形态工作责任书名称”太长：最多 2,000 字，请只填写事实本身。",
    }


def test_export_is_a_facts_file_in_spec_order(spec, tmp_path):
    from pipeline.facts import load_facts

    data = {**example_data(spec), "report_date": dt.date(2021, 1, 15).isoformat()}
    text = facts_yaml(spec, {"county": "青山县", **data})
    assert text.splitlines()[1] == "doctype: school-ideology-summary"
    assert text.index("school_name:") < text.index("county:")
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    _, facts = load_facts(path)
    assert facts.values["report_date"] == dt.date(2021, 1, 15)


def test_a_number_fact_out_of_range_is_told_as_typed():
    """A 出勤率 (a number, at most 100%) typed as 1.2万 was told “不能大于 100%，填写的是
    12000.0”, a figure nobody typed; 1.6万 and 十二 were “not a number” at all."""
    from pathlib import Path

    from pipeline.spec import load_spec_file

    spec = load_spec_file(Path(__file__).parent / "data/mytypes/schemas/personal-duty-report.yaml")
    fields = {
        "fact.person_name": "李红",
        "fact.post": "青山县农业农村局副局长",
        "fact.report_year": "2023",
        "fact.attendance_rate": "1.2万",
        "fact.achievements.0.title": "高标准农田建设",
        "fact.achievements.0.detail": "牵头推进项目",
        "fact.achievements.0.amount": "0.8万",
    }
    checked = check_form(spec, parse_form(spec, fields))
    assert checked.errors == {"fact.attendance_rate": "“出勤率”不能大于 100%，填写的是 12000。"}
    fields["fact.attendance_rate"] = "九十九"
    checked = check_form(spec, parse_form(spec, fields))
    assert checked.errors == {}
    assert checked.facts is not None
    assert checked.facts.values["attendance_rate"] == 99
    assert checked.facts.values["achievements"][0]["amount"] == 8000


@pytest.mark.parametrize(("typed", "value"), [("十九大", 19), ("第二十次", 20), ("二十", 20)])
def test_a_congress_typed_as_its_name_is_its_number(spec, typed, value):
    """党的全国代表大会届次 typed in the form as 十九大 or 第二十次 was refused as not an integer."""
    fields = fields_for(example_facts())
    fields["fact.party_congress"] = typed
    checked = check_form(spec, parse_form(spec, fields))
    assert checked.errors == {}
    assert checked.facts is not None and checked.facts.values["party_congress"] == value


def test_two_numerals_side_by_side_are_refused_saying_why(spec):
    """三四 was read as 34: a clerk writing 三四次 means three or four times."""
    fields = fields_for(example_facts())
    fields["fact.party_congress"] = "二十三四"
    fields["fact.central_group_sessions"] = "三四次"
    fields["fact.theory_sessions"] = "十几次"
    checked = check_form(spec, parse_form(spec, fields))
    assert checked.errors == {
        "fact.party_congress": "“党的全国代表大会届次”填写的“二十三四”中，“三四”可理解为三或四，"
        "请填写一个确切的数。",
        "fact.central_group_sessions": "“中心组学习次数”填写的“三四次”中，“三四”可理解为三或四，"
        "请填写一个确切的数。",
        "fact.theory_sessions": "“中心组理论学习次数”应填写整数，如 86 或 八十六；“十几次”不是整数。",
    }


def test_the_notice_form_takes_its_addressee_and_dated_phases_back_as_the_example_facts():
    """The 工作通知's form: the 主送机关 a text area, each phase's dates date inputs, and the
    example's fields posted back give the example file's facts."""
    import yaml

    from tests.conftest import EXAMPLES

    notice = load_spec("work-notice")
    form = build_form(notice, example_data(notice))
    by_id = {f.id: f for f in form.facts}
    assert by_id["addressee"].field.kind == "textarea"  # a long line of units
    assert [f.kind for f in by_id["phases"].rows[0].fields] == ["text", "date", "date", "textarea"]
    facts = yaml.safe_load((EXAMPLES / "work-notice.yaml").read_text(encoding="utf-8"))
    facts.pop("doctype")
    got = check_form(notice, parse_form(notice, fields_for(facts))).facts
    assert got is not None
    assert got.values == validate_facts({"doctype": "work-notice", **facts}, notice).values


def test_a_fact_that_only_its_own_section_uses_is_not_listed_as_missing():
    """Left blank, 月度工作安排 leaves its section out (`when`): no marker is written, so the
    form does not list it under the facts that will leave one; a fact left blank that does
    leave a marker still is."""
    plan = load_spec("annual-work-plan")
    label = plan.facts["monthly_schedule"].label
    data = {k: v for k, v in example_data(plan).items() if k != "monthly_schedule"}
    assert missing_labels(plan, data) == []
    optional = next(k for k, f in plan.facts.items() if not f.required and k != "monthly_schedule")
    del data[optional]
    assert missing_labels(plan, data) == [plan.facts[optional].label]
    assert label not in missing_labels(plan, {})


def test_a_plans_monthly_schedule_is_an_optional_list_of_month_and_tasks():
    """annual-work-plan's 月度工作安排 is a list like any other: a month typed as 3月 or 3,
    tasks as text; left blank it is simply not given (its section is then not drafted)."""
    plan = load_spec("annual-work-plan")
    schedule = next(f for f in build_form(plan, {}).facts if f.id == "monthly_schedule")
    assert schedule.is_list and [f.name for f in schedule.rows[0].fields] == [
        "fact.monthly_schedule.0.month",
        "fact.monthly_schedule.0.tasks",
    ]
    data = {k: v for k, v in example_data(plan).items() if k != "monthly_schedule"}
    fields = fields_for(data)
    assert check_form(plan, parse_form(plan, fields)).facts.values["monthly_schedule"] is None
    fields |= {
        "fact.monthly_schedule.0.month": "3月",
        "fact.monthly_schedule.0.tasks": "开展汛前排查",
        "fact.monthly_schedule.1.month": "13",
        "fact.monthly_schedule.1.tasks": "年终总结",
    }
    outcome = check_form(plan, parse_form(plan, fields))
    assert outcome.facts is None
    assert list(outcome.errors) == ["fact.monthly_schedule.1.month"]
    assert "月份" in outcome.errors["fact.monthly_schedule.1.month"]
    del fields["fact.monthly_schedule.1.month"], fields["fact.monthly_schedule.1.tasks"]
    given = check_form(plan, parse_form(plan, fields)).facts
    assert given is not None
    assert given.values["monthly_schedule"] == [{"month": 3, "tasks": "开展汛前排查"}]


def test_a_name_too_long_for_the_title_is_told_in_chinese_on_its_row():
    """The unit's name is written in the title and the 落款: past 40 characters it is refused
    on its own row in Chinese, saying the limit and the count, not in pydantic's English."""
    plan = load_spec("annual-work-plan")
    fields = fields_for(example_data(plan)) | {"fact.unit_name": "青山县" * 14}
    outcome = check_form(plan, parse_form(plan, fields))
    assert outcome.facts is None
    assert outcome.errors == {
        "fact.unit_name": "“单位名称”写在标题、小标题或落款中，最多 40 字，现有 42 字："
        "请按落款署名的写法填写名称。"
    }


def test_a_forwarded_title_too_long_is_told_in_chinese_on_its_row(cli, tmp_path):
    """A 转发通知's forwarded title is written in 《》 in the title: it is held to a document
    title's 80 characters, not a name's 40, and past them refused on its own row in Chinese."""
    from pipeline.spec import load_spec_file
    from tests.conftest import REPO

    sample = REPO / "tests" / "data" / "realworld" / "notice-hospital-forward-2025.txt"
    done = cli("learn", sample, "--out", tmp_path, "--id", "forward")
    assert done.returncode == 0, done.stderr
    notice = load_spec_file(tmp_path / "schemas" / "forward.yaml", templates=False)
    for title, error in [
        ("关" * 41, None),
        ("关" * 80, None),
        (
            "关" * 81,
            "“转发文件标题”是标题中书名号内的文件标题，最多 80 字，现有 81 字："
            "请只填写文件标题本身，不含文号和正文。",
        ),
    ]:
        fields = fields_for(example_data(notice)) | {"fact.forwarded_title": title}
        outcome = check_form(notice, parse_form(notice, fields))
        assert outcome.errors == ({"fact.forwarded_title": error} if error else {}), title
    fields = fields_for(example_data(notice)) | {"fact.unit_name": "关" * 41}
    assert "最多 40 字" in check_form(notice, parse_form(notice, fields)).errors["fact.unit_name"]


def test_a_title_too_long_for_a_subheading_is_told_in_chinese_on_its_row():
    """A 重点工作 title becomes the subheading （二）…: past 30 characters it is refused on
    its own row, saying the limit and the count."""
    plan = load_spec("annual-work-plan")
    fields = fields_for(example_data(plan)) | {"fact.work_items.1.title": "优" * 31}
    outcome = check_form(plan, parse_form(plan, fields))
    assert outcome.facts is None
    assert outcome.errors == {
        "fact.work_items.1.title": "“工作名称”写作小标题（（一）……），最多 30 字，现有 31 字："
        "请写简短的标题，其余内容写在正文中。"
    }
    fields["fact.work_items.1.title"] = "优" * 30
    assert check_form(plan, parse_form(plan, fields)).facts is not None
