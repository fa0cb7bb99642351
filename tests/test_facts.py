"""Facts files: every bad input is one clear message naming file, field and expectation; exit 2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from pipeline.errors import InputError
from pipeline.facts import load_facts
from tests.conftest import EXAMPLES, edited_facts, example_draft_text

COMPLETE = EXAMPLES / "school-ideology-summary.yaml"


def _facts(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_complete_example_validates():
    spec, facts = load_facts(COMPLETE)
    assert spec.id == "school-ideology-summary"
    assert facts.values["central_group_sessions"] == 12
    assert facts.missing(spec) == []


def test_incomplete_example_misses_exactly_the_counts_and_the_anniversary():
    spec, facts = load_facts(EXAMPLES / "school-ideology-summary-incomplete.yaml")
    assert facts.missing(spec) == ["central_group_sessions", "theory_sessions", "anniversary"]


def test_wrong_type_names_field_label_given_and_expected(tmp_path):
    path = _facts(tmp_path, central_group_sessions="十几次")
    with pytest.raises(InputError) as err:
        load_facts(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "central_group_sessions" in msg and "中心组学习次数" in msg
    assert "expected an integer" in msg and "'十几次'" in msg
    line = path.read_text(encoding="utf-8").splitlines().index("central_group_sessions: 十几次") + 1
    assert f":{line}:" in msg


@pytest.mark.parametrize(
    ("fact", "typed", "value"),
    [
        ("central_group_sessions", "12次", 12),
        ("central_group_sessions", "十二", 12),
        ("central_group_sessions", "十二次", 12),
        ("central_group_sessions", "１２", 12),
        ("central_group_sessions", "12", 12),  # quoted in the file: "12"
        ("central_group_sessions", "1,200", 1200),
        ("central_group_sessions", "1.2万", 12000),
        ("central_group_sessions", "0.57万", 5700),  # 5699.999… in floating point
        ("anniversary", "71周年", 71),
        ("report_year", "2020年", 2020),
        ("report_year", "2020年度", 2020),
        ("report_year", "二〇二〇", 2020),
        ("report_year", "二〇二〇年", 2020),
        ("report_date", "2021年1月15日", dt.date(2021, 1, 15)),
        ("report_date", "2021.1.15", dt.date(2021, 1, 15)),
        ("report_date", "2021/01/15", dt.date(2021, 1, 15)),
        ("report_date", "2021-1-15", dt.date(2021, 1, 15)),
        ("report_date", "二〇二一年一月十五日", dt.date(2021, 1, 15)),
        ("report_date", "2021年元月15日", dt.date(2021, 1, 15)),  # was refused
        ("report_date", "二〇二一年元月十五日", dt.date(2021, 1, 15)),
        ("report_date", "2021年1月15号", dt.date(2021, 1, 15)),  # the everyday 号
        ("report_date", "二〇二一年一月十五号", dt.date(2021, 1, 15)),
        ("central_group_sessions", "二十", 20),
        ("party_congress", "十九", 19),
        # a 届次 fact is an ordinal: its customary forms were refused
        ("party_congress", "十九大", 19),
        ("party_congress", "第二十次", 20),
        ("party_congress", "第十九届", 19),
        ("party_congress", "第19次", 19),
        ("party_congress", "十九次全国代表大会", 19),  # the name in full was refused
        ("party_congress", "党的第二十次全国代表大会", 20),
    ],
)
def test_numbers_years_and_dates_as_clerks_type_them(tmp_path, fact, typed, value):
    """A facts file reads what the web form reads: 12次, 十二, 2020年, 2021年1月15日."""
    _, facts = load_facts(_facts(tmp_path, **{fact: typed}))
    assert facts.values[fact] == value


def test_cli_a_facts_file_typed_as_a_clerk_types_drafts_and_checks_clean(cli, tmp_path):
    """十二次, 2020年, 2021年1月15日 in the file: the same draft as 12, 2020, 2021-01-15, and
    `draft check --facts` on it finds nothing."""
    path = _facts(
        tmp_path,
        central_group_sessions="十二次",
        theory_sessions="8次",
        report_year="二〇二〇年",
        report_date="2021年1月15日",
    )
    out = tmp_path / "draft.txt"
    typed = cli("run", path, "-o", out)
    clean = example_draft_text("school-ideology-summary")
    assert typed.returncode == 0, typed.stderr
    assert out.read_text(encoding="utf-8") == clean
    checked = cli("check", out, "--doctype", "school-ideology-summary", "--facts", path)
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize("typed", ["十九大", "第十九次", "十九"])
def test_cli_a_congress_typed_as_its_name_drafts_as_its_number(cli, tmp_path, typed):
    """党的全国代表大会届次 typed as 十九大 or 第十九次 was refused ("write the number alone in
    digits: 19"): the draft is the one 19 gives."""
    path = _facts(tmp_path, party_congress=typed)
    done = cli("run", path, "--format", "txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout == example_draft_text("school-ideology-summary")
    assert "党的十九大精神" in done.stdout


@pytest.mark.parametrize(("typed", "two"), [("三四", "三四 reads as 3 or 4"), ("十几", "exact")])
def test_cli_an_ambiguous_congress_is_refused_naming_file_and_label(cli, tmp_path, typed, two):
    path = _facts(tmp_path, party_congress=typed)
    before = path.read_text(encoding="utf-8")
    out = tmp_path / "draft.md"
    done = cli("run", path, "-o", out)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    line = before.splitlines().index(f"party_congress: {typed}") + 1
    assert done.stderr.startswith(
        f"error: {path}:{line}: field 'party_congress' (党的全国代表大会届次, an integer): "
        f"expected an integer, got '{typed}'; "
    ), done.stderr
    assert two in done.stderr
    assert not out.exists() and path.read_text(encoding="utf-8") == before


def test_a_full_stop_typed_at_the_end_of_a_name_is_not_drafted(cli, tmp_path):
    """青山县红星中学。 in the facts gave the title 青山县红星中学。2020年…总结 and the same
    落款, and `run` exited 1 on its own draft; the templates set a text inside their own
    sentences, so a final stop, comma or colon typed after it is dropped."""
    path = _facts(
        tmp_path,
        school_name="青山县红星中学。",
        county="青山县，",
        leading_group_head="党支部书记；",
    )
    typed = cli("run", path, "--format", "txt")
    clean = example_draft_text("school-ideology-summary")
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout == clean
    only_a_stop = cli("run", _facts(tmp_path, school_name="。"), "--format", "txt")
    assert only_a_stop.returncode == 2
    assert "has nothing but punctuation" in only_a_stop.stderr
    assert "school_name" in only_a_stop.stderr or "学校名称" in only_a_stop.stderr


def test_a_text_pasted_with_line_breaks_stays_inside_its_sentence(cli, tmp_path):
    """A title pasted from a PDF with a blank line in it split the opening's sentence into
    two paragraphs (《关于做好↵意识形态工作的通知》); a text's lines are joined, as the
    templates' own wrapped lines are."""
    path = _facts(
        tmp_path,
        school_name="青山县\n红星中学",
        notice_title="关于做好\n\n意识形态工作的通知",
    )
    typed = cli("run", path, "--format", "txt")
    clean = example_draft_text("school-ideology-summary")
    assert typed.returncode == 0, typed.stderr
    assert "《关于做好意识形态工作的通知》" in typed.stdout
    assert typed.stdout == clean


def test_a_text_fact_longer_than_a_fact_is_refused(cli, tmp_path):
    """30,000 characters pasted into a title were drafted into one section, longer than the
    web editor keeps; a text fact is refused past MAX_TEXT_CHARS, naming it and the limit."""
    out = tmp_path / "draft.md"
    out.write_text("kept", encoding="utf-8")
    done = cli("run", _facts(tmp_path, notice_title="长" * 2001), "-o", out)
    assert done.returncode == 2
    assert "notice_title" in done.stderr and "at most 2000 characters" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_text(encoding="utf-8") == "kept"
    assert cli("run", _facts(tmp_path, notice_title="长" * 2000), "-o", out).returncode == 0


@pytest.mark.parametrize(
    ("example", "key"),
    [("school-ideology-summary.yaml", "school_name"), ("annual-work-summary.yaml", "unit_name")],
)
def test_a_name_the_title_and_the_signature_write_is_refused_past_a_names_length(
    cli, tmp_path, example, key
):
    """A unit name of 400 characters made a title the checker could not find (error
    "the document has no title", exit 1); a text the title, a heading or the 落款 writes is
    refused at load past MAX_NAME_CHARS, naming the file, the fact, its label and the limit."""
    data = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    out = tmp_path / "draft.md"
    out.write_text("kept", encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    for name in ("青山县自然资源局" * 50, "青山县" + "长" * 37 + "局"):
        data[key] = name
        facts.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        done = cli("run", facts, "-o", out)
        assert done.returncode == 2, done.stderr
        assert "facts.yaml" in done.stderr and f"field '{key}'" in done.stderr
        assert "名称" in done.stderr and "at most 40 characters" in done.stderr
        assert f"(this one has {len(name)})" in done.stderr
        assert "Traceback" not in done.stderr
        assert out.read_text(encoding="utf-8") == "kept"
    data[key] = "青山县" + "长" * 36 + "局"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith(f"# {data[key]}")


SUBHEADINGS = [
    # (example, list, item, field, label, a title of exactly MAX_SUBHEADING_CHARS characters)
    ("annual-work-plan", "work_items", 1, "title", "重点工作·工作名称",
     "持续优化不动产登记服务，深化一窗受理集成服务改革推进带押过户"),
    ("work-notice", "phases", 1, "name", "工作步骤·阶段名称",
     "自查自纠阶段，各生产经营单位对照检查内容全面开展隐患自查自纠"),
    ("annual-work-summary", "work_items", 1, "title", "主要工作·工作名称",
     "推进不动产登记便民服务，实现一般登记业务办理时限大幅压缩到位"),
]  # fmt: skip


@pytest.mark.parametrize(("example", "fact", "index", "field", "label", "title"), SUBHEADINGS)
def test_an_item_title_written_as_a_subheading_is_refused_past_the_checkers_heading_length(
    cli, tmp_path, example, fact, index, field, label, title
):
    """An 80-character 重点工作 title drafted into （二）… and the checker then reported
    structure.heading-run-on (exit 1): a value a template writes as a subheading is refused
    past the checker's own run-on length (30), naming the item, its label, limit and count."""
    assert len(title) == 30
    data = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
    out = tmp_path / "draft.md"
    out.write_text("kept", encoding="utf-8")
    for given in ((title * 3)[:80], title + "务"):
        data[fact][index][field] = given
        facts = edited_facts(EXAMPLES / f"{example}.yaml", tmp_path, {fact: data[fact]})
        done = cli("run", facts, "-o", out)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(
            f"error: {facts}:{_line_of(facts, given)}: field '{fact}[{index}].{field}' "
            f"({label}, text): is written as a subheading of its own (（一）…), so it may "
            f"have at most 30 characters (this one has {len(given)})"
        ), done.stderr
        assert "Traceback" not in done.stderr
        assert out.read_text(encoding="utf-8") == "kept"
    data[fact][index][field] = title
    facts = edited_facts(EXAMPLES / f"{example}.yaml", tmp_path, {fact: data[fact]})
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    assert f"（二）{title}\n" in out.read_text(encoding="utf-8")
    checked = cli("check", out, "--doctype", example, "--facts", facts)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().endswith("0 error(s), 0 warning(s), 0 note(s)")


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def test_full_width_digits_typed_in_a_text_are_drafted_in_half_width(cli, tmp_path):
    """全年新增补充耕地１２００亩 (an input method's full-width digits) went into the draft as
    typed, where official documents write Arabic numerals in half width; the draft is now
    the one the half-width value gives."""
    original = (EXAMPLES / "annual-work-summary.yaml").read_text(encoding="utf-8")
    assert "耕地1200亩" in original
    typed = tmp_path / "facts.yaml"
    typed.write_text(original.replace("耕地1200亩", "耕地１２００亩"), encoding="utf-8")
    done = cli("run", typed, "--format", "txt")
    clean = example_draft_text("annual-work-summary")
    assert done.returncode == 0, done.stderr
    assert "耕地1200亩" in done.stdout and done.stdout == clean


@pytest.mark.parametrize(
    ("fact", "typed", "says"),
    [
        ("central_group_sessions", "约12次", "write the exact number alone, such as 12"),
        ("central_group_sessions", "12余次", "write the exact number alone, such as 12"),
        ("central_group_sessions", "3-5次", "write one exact number, not a range"),
        ("central_group_sessions", "十几次", "write the exact number alone, such as 12"),
        ("central_group_sessions", "全年", "write the number alone in digits, such as 12"),
        ("central_group_sessions", "十九大", "write the number alone in digits: 19"),
        ("central_group_sessions", "第十二次", "write the number alone in digits: 12"),
        ("central_group_sessions", "三四次", "三四 reads as 3 or 4, not one number"),
        ("party_congress", "二十三四", "三四 reads as 3 or 4, not one number"),
        ("party_congress", "十几大", "write the exact number alone, such as 19"),
        ("report_year", "去年", "write the year in four digits, such as 2020"),
        ("report_date", "1月15日", "the year is missing: write the whole date"),
        ("report_date", "2021年1月", "the day is missing: write the whole date"),
        ("report_date", "2021年2月30日", "there is no such day"),
        ("report_date", "2021-01-15 10:00", "expected a date such as 2021-01-15, without a time"),
    ],
)
def test_a_value_that_cannot_be_read_says_which_form_to_use(tmp_path, fact, typed, says):
    """约12次, 3-5次, 1月15日: refused, and the message says what to write instead."""
    with pytest.raises(InputError) as err:
        load_facts(_facts(tmp_path, **{fact: typed}))
    assert says in str(err.value) and f"'{typed}'" in str(err.value)


@pytest.mark.parametrize("char", ["\x0b", "\x01", "\ufffe"])
def test_a_control_character_in_a_text_fact_is_refused(tmp_path, char):
    """No document can hold one (Word refuses the file): named with the field and label."""
    path = _facts(tmp_path, school_name=f"青山县红星{char}中学")
    with pytest.raises(InputError) as err:
        load_facts(path)
    msg = str(err.value)
    assert "school_name" in msg and "学校名称" in msg and f"U+{ord(char):04X}" in msg


def test_a_count_written_with_a_leading_zero_is_read_in_decimal(tmp_path):
    """central_group_sessions: 012 is twelve, not YAML 1.1's octal 10 (a silent wrong count)."""
    text = COMPLETE.read_text(encoding="utf-8")
    path = tmp_path / "facts.yaml"
    path.write_text(
        text.replace("central_group_sessions: 12", "central_group_sessions: 012"), "utf-8"
    )
    _, facts = load_facts(path)
    assert facts.values["central_group_sessions"] == 12


@pytest.mark.parametrize("typed", ["青山县委", "青山县人民政府", "青山"])
def test_a_value_the_specs_pattern_refuses_says_what_to_write(tmp_path, typed, cli):
    """The templates write 青山县委 from the county: 青山县委 typed there gave 青山县委委."""
    path = _facts(tmp_path, county=typed)
    out = tmp_path / "draft.md"
    result = cli("run", path, "-o", out)
    assert result.returncode == 2, result.stderr
    line = path.read_text(encoding="utf-8").splitlines().index(f"county: {typed}") + 1
    assert f"{path}:{line}: field 'county' (所在县（区）" in result.stderr
    assert "is not in the expected form: 应填写县（区）的名称本身" in result.stderr
    assert f"got '{typed}'" in result.stderr and not out.exists()
    for good in ("碧水区", "青山市", "青山旗"):
        assert load_facts(_facts(tmp_path, county=good))[1].values["county"] == good


@pytest.mark.parametrize("dot", [".", "．"])
def test_a_dot_typed_for_the_middle_dot_of_a_name_is_refused(tmp_path, dot, cli):
    """阿卜杜.热合曼: the draft would carry the dot and its own check call it removed words
    (exit 1 on the clerk's own fact); refused, naming the form to write."""
    path = _facts(tmp_path, leading_group_head=f"阿卜杜{dot}热合曼")
    out = tmp_path / "draft.md"
    result = cli("run", path, "-o", out)
    assert result.returncode == 2, result.stderr
    assert "leading_group_head" in result.stderr and "意识形态工作领导组组长" in result.stderr
    assert "write the middle dot · (阿卜杜·热合曼)" in result.stderr
    assert not out.exists()
    _, facts = load_facts(_facts(tmp_path, leading_group_head="阿卜杜·热合曼"))
    assert facts.values["leading_group_head"] == "阿卜杜·热合曼"


def test_an_out_of_range_value_says_the_bound_like_the_other_messages(tmp_path):
    with pytest.raises(InputError) as err:
        load_facts(_facts(tmp_path, central_group_sessions=-3))
    assert "(中心组学习次数, an integer): expected a value ≥ 0, got -3" in str(err.value)


def test_missing_required_field(tmp_path):
    with pytest.raises(InputError, match=r"'school_name' \(学校名称.*required but missing"):
        load_facts(_facts(tmp_path, school_name=...))


def test_unknown_key_suggests_the_right_one(tmp_path):
    data = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))
    data["shcool_name"] = data.pop("school_name")
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="unknown field 'shcool_name'; did you mean 'school_name'"):
        load_facts(path)


def test_unknown_key_inside_a_list_item(tmp_path):
    measures = [{"title": "加强学习", "detial": "组织集中学习"}]
    with pytest.raises(
        InputError, match=r"next_year_measures\[0\]\.detial'; did you mean 'detail'"
    ):
        load_facts(_facts(tmp_path, next_year_measures=measures))


def test_several_problems_are_listed_together(tmp_path):
    path = _facts(tmp_path, report_year="去年", micro_lectures=-1)
    with pytest.raises(InputError) as err:
        load_facts(path)
    assert "2 problems" in str(err.value)
    assert "report_year" in str(err.value) and "micro_lectures" in str(err.value)


def test_boolean_is_not_an_integer(tmp_path):
    with pytest.raises(InputError, match="theory_sessions"):
        load_facts(_facts(tmp_path, theory_sessions=True))


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("doctype: school-ideology-summary\nschool_name: [红星中学\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"facts\.yaml:\d+: invalid YAML"):
        load_facts(path)


@pytest.mark.parametrize(
    "text, line",
    [
        ("doctype: school-ideology-summary\n\tschool_name: 红星中学\n", 2),
        ("doctype: school-ideology-summary\ncampaigns:\n\t- 脱贫攻坚\n", 3),
    ],
)
def test_a_tab_in_yaml_is_named_as_a_tab(cli, tmp_path, text, line):
    """A clerk indenting with Tab in Notepad read PyYAML's "found character that cannot start
    any token", which does not say the character is the tab she typed."""
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("run", path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {path}:{line}: invalid YAML: "), result.stderr
    assert "a tab, where YAML indents with spaces only; replace it with spaces" in result.stderr


def test_duplicate_key_is_an_error(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(
        "doctype: school-ideology-summary\nschool_name: 甲\nschool_name: 乙\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="duplicate key 'school_name'"):
        load_facts(path)


def test_empty_file(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="facts file is empty"):
        load_facts(path)


def test_a_facts_file_saved_as_gbk_reads_like_utf8(tmp_path):
    text = (EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8")
    path = tmp_path / "facts.yaml"
    path.write_bytes(text.encode("gbk"))  # Chinese Windows' Notepad "ANSI", WPS
    assert load_facts(path)[1].values["school_name"] == "青山县红星中学"


def test_undecodable_file(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_bytes(b"doctype: school-ideology-summary\nschool_name: \xff\xfe\xfd\n")
    with pytest.raises(InputError, match="not UTF-8 text, nor GB18030"):
        load_facts(path)


def test_huge_file(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_bytes(b"# " + b"x" * (9 * 1024 * 1024))
    with pytest.raises(InputError, match="limit"):
        load_facts(path)


def test_not_a_mapping(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text("- 红星中学\n", encoding="utf-8")
    with pytest.raises(InputError, match="mapping"):
        load_facts(path)


def test_missing_doctype_and_mismatched_doctype(tmp_path):
    path = _facts(tmp_path, doctype=...)
    with pytest.raises(InputError, match="doctype"):
        load_facts(path)
    with pytest.raises(InputError, match="--doctype says 'annual-work-summary'"):
        load_facts(COMPLETE, doctype="annual-work-summary")


def test_json_facts_are_accepted(tmp_path):
    data = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))
    data["report_date"] = "2021-01-15"
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _, facts = load_facts(path)
    assert str(facts.values["report_date"]) == "2021-01-15"


BAD_INPUTS = {
    "wrong-type": "doctype: school-ideology-summary\nschool_name: 红星中学\ncounty: 青山县\nreport_year: 去年\n",
    "unknown-key": "doctype: school-ideology-summary\nschool_name: 红星中学\ncounty: 青山县\nreport_year: 2020\nschol: x\n",
    "missing-required": "doctype: school-ideology-summary\nschool_name: 红星中学\n",
    "yaml-syntax": "doctype: school-ideology-summary\nschool_name: 'open\n",
    "empty": "",
    "impossible-date": "doctype: school-ideology-summary\nreport_date: 2021-02-30\n",
    "unknown-doctype": "school_name: 红星中学\ndoctype: school-ideology-sumary\n",
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_cli_bad_facts_exit_2_without_traceback_and_keep_the_output(case, cli, tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(BAD_INPUTS[case], encoding="utf-8")
    out = tmp_path / "draft.md"
    out.write_text("previous draft", encoding="utf-8")
    result = cli("run", facts, "-o", out)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert str(facts) in result.stderr
    assert result.stderr.startswith("error: ")
    assert out.read_text(encoding="utf-8") == "previous draft"


def test_cli_an_unknown_doctype_is_located_in_the_facts_file(cli, tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(BAD_INPUTS["unknown-doctype"], encoding="utf-8")
    result = cli("run", facts)
    assert result.stderr.startswith(f"error: {facts}:2: field 'doctype': unknown document type")
    assert "did you mean 'school-ideology-summary'" in result.stderr


def test_cli_a_saved_draft_given_as_the_facts_is_named_as_such(cli, tmp_path):
    """It was "14 problems in this facts file", with "unknown field 'sections'; did you mean
    'selections'?" among them."""
    draft = tmp_path / "draft.json"
    assert cli("run", COMPLETE, "-o", draft).returncode == 0
    for args in (("run", draft), ("check", draft, "--facts", draft)):
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {draft}: this is a draft saved by `draft run`")
        assert "problems" not in result.stderr


def test_cli_non_utf8_and_missing_file(cli, tmp_path):
    facts = tmp_path / "damaged.yaml"
    facts.write_bytes("school_name: 红星中学\n".encode()[:-4] + b"\xff\n")
    result = cli("run", facts)
    assert result.returncode == 2 and "not UTF-8" in result.stderr
    result = cli("run", tmp_path / "nope.yaml")
    assert result.returncode == 2 and "not found" in result.stderr


def _alias_bomb() -> str:
    lines = ["doctype: school-ideology-summary", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):  # 9**9 values once expanded, from 1 KB of text
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join([*lines, "campaigns: *a8", ""])


SHAPE_ABUSE = {
    "list as a key": ("facts.yaml", "doctype: x\n? [a, b]\n: 1\n", "facts.yaml:2:", "a key must"),
    "alias in its own anchor": ("facts.yaml", "a: &x [*x]\n", "facts.yaml:1:", "own anchor"),
    "alias bomb": ("facts.yaml", _alias_bomb(), "facts.yaml:2:", "aliases expand to more than"),
    "deep YAML": ("facts.yaml", "a: " + "[" * 999 + "]" * 999 + "\n", "facts.yaml:1:", "levels"),
    "deep JSON": ("facts.json", "[" * 50_000 + "]" * 50_000, "facts.json:", "levels deep"),
    "5,000-digit YAML number": (
        "facts.yaml",
        "doctype: school-ideology-summary\ncentral_group_sessions: " + "1" * 5000 + "\n",
        "facts.yaml:2:",
        "a number of 5,000 digits is too long",
    ),
    "5,000-digit JSON number": (
        "facts.json",
        '{"doctype": "school-ideology-summary",\n"central_group_sessions": ' + "1" * 5000 + "}",
        "facts.json:2:",
        "a number is too long",
    ),
}


@pytest.mark.parametrize("case", SHAPE_ABUSE, ids=list(SHAPE_ABUSE))
def test_cli_facts_of_a_hostile_shape_exit_2_quickly(case, cli, tmp_path):
    """Keys that are lists, self-referencing or exploding aliases and nesting that exhausts
    Python's stack are refused with the file and line, not a traceback or a hang."""
    name, body, where, message = SHAPE_ABUSE[case]
    facts = tmp_path / name
    facts.write_text(body, encoding="utf-8")
    out = tmp_path / "draft.md"
    out.write_text("previous draft", encoding="utf-8")
    result = cli("run", facts, "-o", out, timeout=30)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {tmp_path / where}") and message in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "previous draft"


def test_facts_model_is_one_class_per_declaration():
    """Validating many facts files against one spec builds its model once; a spec that declares
    its facts differently gets a model of its own, and validates by its own rules."""
    from pipeline.facts import facts_model, validate_facts
    from pipeline.spec import load_spec

    spec = load_spec("school-ideology-summary", templates=False)
    again = load_spec("school-ideology-summary", templates=False)
    assert again is not spec
    assert facts_model(again) is facts_model(spec)

    sessions = spec.facts["central_group_sessions"]
    capped = spec.model_copy(
        update={
            "facts": {
                **spec.facts,
                "central_group_sessions": sessions.model_copy(update={"max": 5}),
            }
        }
    )
    assert facts_model(capped) is not facts_model(spec)
    data = yaml.safe_load(COMPLETE.read_text(encoding="utf-8"))
    assert validate_facts(data, spec).values["central_group_sessions"] == 12
    with pytest.raises(InputError, match="central_group_sessions"):
        validate_facts(data, capped)
    assert facts_model(load_spec("annual-work-summary", templates=False)) is not facts_model(spec)

    # the same facts written into the title: a value of its own line is held to the title's
    # length, so the model is another one
    titled = spec.model_copy(update={"title": spec.title + "（{{ notice_title }}）"})
    assert facts_model(titled) is not facts_model(spec)
    long_title = {**data, "notice_title": "关于" + "加强学校意识形态阵地建设" * 4 + "的通知"}
    assert validate_facts(long_title, spec).values["notice_title"] == long_title["notice_title"]
    with pytest.raises(InputError, match="notice_title"):
        validate_facts(long_title, titled)


def test_an_optional_fact_left_empty_is_a_known_gap(tmp_path):
    path = _facts(
        tmp_path,
        notice_title="  ",
        central_group_sessions="",
        campaigns=[],
        shortcomings=[None],
        next_year_measures=[{"title": None, "detail": ""}],
    )
    _, facts = load_facts(path)
    for key in (
        "notice_title",
        "central_group_sessions",
        "campaigns",
        "shortcomings",
        "next_year_measures",
    ):
        assert facts.values[key] is None, key
    # A required fact left empty is still an error, and so is one blank item among real ones.
    with pytest.raises(InputError, match="school_name"):
        load_facts(_facts(tmp_path, school_name=""))
    with pytest.raises(InputError, match=r"campaigns\[1\]"):
        load_facts(_facts(tmp_path, campaigns=["脱贫攻坚", None]))


def test_cli_a_required_fact_left_empty_in_the_template_says_so(cli, tmp_path):
    """The facts template leaves every value empty; a required one not filled in was
    "expected text, got None", Python's word for nothing."""
    template = cli("facts-template", "school-ideology-summary").stdout
    facts = tmp_path / "my-school.yaml"
    facts.write_text(template.replace("county:   #", "county: 青山县  #"), encoding="utf-8")
    result = cli("run", facts)
    assert result.returncode == 2, result.stderr
    lines = template.splitlines()
    school = lines.index(next(x for x in lines if x.startswith("school_name:"))) + 1
    assert (
        f"line {school}: field 'school_name' (学校名称, text) is required but left empty"
        in result.stderr
    )
    assert "None" not in result.stderr
    blank_item = _facts(tmp_path, campaigns=["脱贫攻坚", None])
    result = cli("run", blank_item)
    assert "field 'campaigns[1]' (主题宣传活动, a list of texts): an empty item" in result.stderr


def test_cli_the_facts_template_with_only_the_required_facts_drafts_with_markers(cli, tmp_path):
    """The README's workflow: `draft facts-template`, fill it in, `draft run`. Optional facts
    left as the skeleton writes them (empty values, a list with one empty item) are gaps."""
    template = cli("facts-template", "school-ideology-summary")
    assert template.returncode == 0, template.stderr
    filled = (
        template.stdout.replace("school_name:   #", "school_name: 青山县红星中学  #")
        .replace("county:   #", "county: 青山县  #")
        .replace("report_year:   #", "report_year: 2020  #")
    )
    facts = tmp_path / "my-school.yaml"
    facts.write_text(filled, encoding="utf-8")
    result = cli("run", facts, "-o", tmp_path / "draft.md")
    assert result.returncode in (0, 1), result.stderr  # thin facts may leave a section short
    draft = (tmp_path / "draft.md").read_text(encoding="utf-8")
    assert "【待补充：主题宣传活动】" in draft
    assert "【待补充：下一年度工作措施】" in draft
    assert "【待补充：中心组学习次数】" in draft


def test_cli_the_facts_template_shows_a_list_of_items_example_as_block_yaml(cli, tmp_path):
    """An object-list's example was one line of JSON ([{"title": "强化耕地保护", "summary":
    …}, …]), hard to read and to edit. It is block YAML, a field a line, that can be
    uncommented into the facts as it stands."""
    template = cli("facts-template", "annual-work-summary")
    assert template.returncode == 0, template.stderr
    lines = template.stdout.splitlines()
    start = lines.index("# 例：") + 1
    end = lines.index("work_items:")
    assert lines[start:end] == [
        "#   - title: 强化耕地保护",
        "#     summary: 严格落实耕地保护责任制，开展耕地“非农化”“非粮化”专项整治",
        "#     result: 全年新增补充耕地1200亩，耕地保有量稳定在上级下达目标以上",
        "#   - title: 推进不动产登记便民服务",
        "#     summary: 推行“一窗受理、集成服务”，实现不动产登记与水电气联动过户",
        "#     result: 全年办理不动产登记业务15600件，一般登记业务办理时限压缩至3个工作日",
    ]
    # fill in: the required facts, and the example uncommented as the list's value
    skeleton_end = lines.index("", end)
    items = [line.removeprefix("#   ") for line in lines[start:end]]
    filled = [*lines[:end], "work_items:", *items, *lines[skeleton_end:]]
    text = (
        "\n".join(filled)
        .replace("unit_name:   #", "unit_name: 青山县自然资源局  #")
        .replace("report_year:   #", "report_year: 2023  #")
    )
    facts = tmp_path / "my-unit.yaml"
    facts.write_text(text, encoding="utf-8")
    out = tmp_path / "draft.md"
    result = cli("run", facts, "-o", out)
    assert result.returncode in (0, 1), result.stderr  # optional facts left out are markers
    draft = out.read_text(encoding="utf-8")
    assert "强化耕地保护" in draft and "推进不动产登记便民服务" in draft
    assert "15600件" in draft


def test_cli_a_spec_path_in_a_facts_file_is_found_beside_the_facts_file(cli, tmp_path):
    """`doctype: ../types/schemas/x.yaml` resolves against the facts file's folder (as paths
    in an eval suite do), whatever folder `draft run` is started from."""
    import shutil

    from tests.conftest import EXAMPLES, REPO

    types = tmp_path / "types"
    shutil.copytree(REPO / "schemas", types / "schemas")
    shutil.copytree(REPO / "prompts", types / "prompts")
    example = (EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8")
    named = example.replace(
        "doctype: school-ideology-summary",
        "doctype: ../types/schemas/school-ideology-summary.yaml",
    )
    assert named != example
    (tmp_path / "facts").mkdir()
    facts = tmp_path / "facts" / "school.yaml"
    facts.write_text(named, encoding="utf-8")
    elsewhere = tmp_path / "work" / "today"  # ../types from here is not the folder
    elsewhere.mkdir(parents=True)
    result = cli("run", facts, "-o", tmp_path / "draft.md", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "青山县红星中学" in (tmp_path / "draft.md").read_text(encoding="utf-8")


def test_cli_an_integer_fact_too_long_to_be_a_count_is_refused(cli, tmp_path):
    """A count pasted a hundred times over (400 digits) passed validation, then stopped
    `draft run` with a traceback (OverflowError) when the draft was checked against it."""
    text = COMPLETE.read_text(encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        text.replace("central_group_sessions: 12", "central_group_sessions: " + "12" * 200),
        encoding="utf-8",
    )
    line = text.splitlines().index("central_group_sessions: 12") + 1
    result = cli("run", facts)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"error: {facts}:{line}: field 'central_group_sessions' (中心组学习次数, an integer): "
        "expected a value ≤ 9999999999999999"
    ), result.stderr


def test_cli_a_facts_template_of_a_spec_file_names_that_file(cli, tmp_path):
    """`draft facts-template path/schemas/x.yaml > f.yaml` wrote `doctype: x`, which
    `draft run f.yaml` then did not find ("unknown document type")."""
    import shutil

    from tests.conftest import REPO

    types = tmp_path / "types"
    shutil.copytree(REPO / "schemas", types / "schemas")
    shutil.copytree(REPO / "prompts", types / "prompts")
    template = cli("facts-template", "types/schemas/annual-work-summary.yaml", cwd=tmp_path)
    assert template.returncode == 0, template.stderr
    spec = types / "schemas" / "annual-work-summary.yaml"
    assert f"\ndoctype: {spec}\n" in template.stdout
    filled = (
        template.stdout.replace("unit_name:   #", "unit_name: 南湖街道办事处  #")
        .replace("report_year:   #", "report_year: 2022  #")
        .replace("  - title:   #", "  - title: 抓好基层治理  #")
        .replace("    summary:   #", "    summary: 推进网格化管理  #")
    )
    (tmp_path / "facts").mkdir()
    facts = tmp_path / "facts" / "unit.yaml"
    facts.write_text(filled, encoding="utf-8")
    result = cli("run", facts, "-o", tmp_path / "draft.md")
    assert result.returncode in (0, 1), result.stderr  # thin facts may leave a section short
    assert "南湖街道办事处2022年工作总结" in (tmp_path / "draft.md").read_text(encoding="utf-8")


def test_cli_the_facts_template_says_each_item_fields_type_and_unit(cli, tmp_path):
    """A fact's line said 整数，单位：人; an item field's said only 必填 or 选填, so a count
    typed as “36件” in a list item was refused after the user had filled it in."""
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "prompts/annual-work-summary", tmp_path / "prompts/annual-work-summary")
    (tmp_path / "schemas").mkdir()
    text = (REPO / "schemas/annual-work-summary.yaml").read_text(encoding="utf-8")
    field = "        description: 取得的成效，含具体数字。\n        required: false\n"
    assert field in text
    added = (
        "      cases:\n        type: integer\n        label: 办理件数\n        unit: 件\n"
        "        required: false\n      level:\n        type: enum\n        label: 工作级别\n"
        "        choices: [县级, 市级]\n        required: false\n"
    )
    (tmp_path / "schemas/annual-work-summary.yaml").write_text(
        text.replace(field, field + added), encoding="utf-8"
    )
    result = cli("facts-template", "annual-work-summary", "--spec-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "    title:   # 工作名称（文字，必填）" in result.stdout.replace(
        "  - title", "    title"
    )
    assert "    cases:   # 办理件数（整数，单位：件，选填）" in result.stdout
    assert "    level:   # 工作级别（从可选值中选一项，可选值：县级 / 市级，选填）" in result.stdout


MYTYPES = Path(__file__).parent / "data" / "mytypes"
"""Two document types written from the README alone, as data: a 述职报告 and a 工作计划."""


def test_cli_a_whole_number_fact_is_drafted_as_typed(cli, tmp_path):
    """A `number` fact of 1500 was drafted 新增补充耕地1500.0亩 and 工作经费320.0万元."""
    result = cli("run", MYTYPES / "facts" / "unit-work-plan.yaml", "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert "新增补充耕地1500亩" in result.stdout
    assert "工作经费320万元" in result.stdout
    assert ".0" not in result.stdout
    duty = cli("run", MYTYPES / "facts" / "personal-duty-report.yaml", "--format", "txt")
    assert "全年完成8000亩" in duty.stdout and "出勤率99.2%" in duty.stdout, duty.stderr


@pytest.mark.parametrize(
    ("fact", "typed", "value"),
    [
        ("budget", "320", 320),
        ("budget", "1.2万", 1.2),  # the unit is 万元: its 万 alone, not ten thousand times
        ("budget", "1.2万元", 1.2),
        ("budget", "十二", 12),
        ("budget", "１２.５", 12.5),
        ("targets", "1.6万", 16000),  # 目标值 has no unit
        ("targets", "三万五千", 35000),
    ],
)
def test_a_number_fact_is_read_as_clerks_type_it(tmp_path, fact, typed, value):
    """1.6万 and 十二 were refused for a `number` fact ("write the number alone in digits:
    1.6", which would have drafted 1.6件 for 16000件), though they are read for an integer."""
    data = yaml.safe_load((MYTYPES / "facts" / "unit-work-plan.yaml").read_text("utf-8"))
    data["doctype"] = str(MYTYPES / "schemas" / "unit-work-plan.yaml")
    if fact == "targets":
        data["targets"][0]["value"] = typed
    else:
        data[fact] = typed
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _, facts = load_facts(path)
    got = facts.values["targets"][0]["value"] if fact == "targets" else facts.values[fact]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("typed", "required", "says"),
    [
        ("约1500", True, "write the exact number alone, such as 1500\n"),
        ("1000-2000", True, "write one exact number, not a range\n"),
        ("约320", False, "such as 320, or leave the field empty for a 【待补充】 marker\n"),
    ],
)
def test_cli_a_required_number_is_not_told_to_be_left_empty(cli, tmp_path, typed, required, says):
    """A 目标值 (a required field of each 目标任务) typed 约1500 was told “… or leave the
    field empty for a 【待补充】 marker”; left empty, it was refused as required."""
    data = yaml.safe_load((MYTYPES / "facts" / "unit-work-plan.yaml").read_text("utf-8"))
    data["doctype"] = str(MYTYPES / "schemas" / "unit-work-plan.yaml")
    if required:
        data["targets"][0]["value"] = typed
    else:
        data["budget"] = typed
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = cli("run", path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.endswith(says), result.stderr
