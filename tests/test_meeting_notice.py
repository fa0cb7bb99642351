"""The built-in 会议通知 (meeting-notice) through the CLI: it loads, drafts a notice calling a
meeting (time, place, attendees, agenda, requirements) that checks clean, writes the time of
day as the facts give it, leaves a marker for every missing fact (none for the other
requirements and the attachments, which it leaves out), and reads a real township's
会议通知 as its kind."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from pipeline.spec import load_spec
from tests.conftest import EXAMPLES, edited_facts

FACTS = EXAMPLES / "meeting-notice.yaml"
HEADINGS = ["一、会议时间", "二、会议地点", "三、参会人员", "四、会议议程", "五、有关要求"]
SPEC = load_spec("meeting-notice", templates=False)
REAL = Path(__file__).parent / "data" / "realworld" / "notice-township-meeting-2025.txt"


def _facts_with(tmp_path: Path, edit: dict[str, object], *left_out: str) -> Path:
    """The example's facts with `edit` applied and `left_out` removed."""
    return edited_facts(FACTS, tmp_path, edit, *left_out)


def _findings(cli, path: Path, *args: object) -> list[dict[str, object]]:
    done = cli("check", path, "--doctype", "meeting-notice", *args, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"]


def test_the_type_is_listed_and_gives_a_facts_template(cli):
    listing = cli("doctypes")
    assert listing.returncode == 0, listing.stderr
    assert "meeting-notice  会议通知" in listing.stdout
    assert all(f": {h}" in listing.stdout for h in HEADINGS)
    template = cli("facts-template", "meeting-notice")
    assert template.returncode == 0, template.stderr
    parsed = yaml.safe_load(template.stdout)
    assert parsed["doctype"] == "meeting-notice" and parsed["start_time"] is None
    assert "# 会议开始时间（文字，选填，缺少时写作【待补充：会议开始时间】）" in template.stdout
    assert "# 附件（文字列表，每行“- ”后写一项，选填，没有时不写）" in template.stdout
    assert "# 其他要求（文字列表，每行“- ”后写一项，选填，没有时不写）" in template.stdout


def test_the_example_drafts_a_meeting_notice_and_every_output_checks_clean(cli, tmp_path):
    outs = [tmp_path / f"通知.{ext}" for ext in ("md", "txt", "docx", "json")]
    done = cli("run", FACTS, *(a for out in outs for a in ("-o", out)))
    assert done.returncode == 0, done.stderr
    assert "no markers" in done.stderr
    text = outs[1].read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[:4] == [
        "青石镇人民政府关于召开2025年春耕生产工作会议的通知",
        "",
        "各村（社区）、镇直各单位：",
        "为总结2024年农业农村工作，安排部署2025年春耕生产和防汛备汛工作，经研究，"
        "决定召开2025年春耕生产工作会议。现将有关事项通知如下：",
    ]
    assert [ln for ln in lines if re.match("[一二三四五六]、", ln)] == HEADINGS
    assert "2025年3月6日（星期四）下午2:30，会期半天。" in lines
    assert "镇政府三楼会议室。" in lines
    assert "（一）镇党政领导班子成员；" in lines
    assert "（三）镇农业综合服务中心、镇财政所、镇应急办、镇派出所主要负责人。" in lines
    # one agenda item a line, in order, the last ending the list
    assert lines[lines.index("四、会议议程") + 1 : lines.index("五、有关要求")] == [
        "（一）镇农业综合服务中心通报2024年农业生产情况；",
        "（二）镇长李明同志部署2025年春耕生产工作；",
        "（三）镇党委书记张建国同志讲话。",
    ]
    assert "一是请于2025年3月5日前将参会人员名单报送镇党政办。" in lines
    assert lines[lines.index("五、有关要求") + 2].startswith("二是参会人员原则上不得请假，")
    assert not re.search("召开了|取得了|总结如下", text)  # a notice calls a meeting to come
    assert text.endswith(
        "联系人：刘丽，联系电话：0739-8765432。\n附件：参会人员回执\n"
        "\n青石镇人民政府\n2025年3月3日\n"
    )
    markdown = outs[0].read_text(encoding="utf-8").splitlines()
    assert "## 三、参会人员" in markdown
    assert "（一）镇党政领导班子成员；" in markdown  # a list's item, no subheading (###)
    assert "（三）镇党委书记张建国同志讲话。" in markdown
    for out in outs:
        checked = cli("check", out, "--doctype", "meeting-notice", "--facts", FACTS, "--info")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.strip().endswith("0 error(s), 0 warning(s), 0 note(s)"), out
        assert _findings(cli, out) == [], out


MARKED = [
    name for name, fact in SPEC.facts.items() if not fact.required and fact.absent == "marker"
]
OMITTED = [name for name, fact in SPEC.facts.items() if fact.absent == "omit"]


def test_the_optional_facts_are_marked_but_the_other_requirements_and_attachments():
    assert OMITTED == ["other_requirements", "attachments"]
    assert {"addressee", "start_time", "duration", "reply_deadline", "leave_rule"} <= set(MARKED)


@pytest.mark.parametrize("name", MARKED)
def test_each_missing_fact_is_its_marker_never_an_invented_value(cli, tmp_path, name):
    """Every optional fact left out in turn: the draft writes its marker where it belongs,
    none of its value, and checks with no finding but that marker."""
    facts = _facts_with(tmp_path, {}, name)
    out = tmp_path / "draft.json"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert [(m["label"], m["fact"]) for m in draft["markers"]] == [(SPEC.label(name), name)]
    assert "1 marker(s) to fill in:" in done.stderr
    example = yaml.safe_load(FACTS.read_text("utf-8"))[name]
    for value in example if isinstance(example, list) else [example]:
        shown = value.strftime("%Y年%-m月%-d日") if hasattr(value, "strftime") else value
        assert str(shown) not in draft["text"].split("\n", 1)[1], (name, shown)
    checked = cli("check", out, "--format", "json")
    assert [f["code"] for f in json.loads(checked.stdout)["findings"]] == ["gap.marker"]


@pytest.mark.parametrize(
    ("name", "gone"), [("other_requirements", "三是"), ("attachments", "附件")]
)
def test_a_fact_the_notice_leaves_out_is_no_line_and_no_gap(cli, tmp_path, name, gone):
    facts = _facts_with(tmp_path, {}, name)
    out = tmp_path / "draft.json"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "no markers" in done.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert draft["markers"] == [] and gone not in draft["text"]
    assert "联系人：刘丽，联系电话：0739-8765432。" in draft["text"]
    assert _findings(cli, out, "--facts", facts) == []


@pytest.mark.parametrize("time", ["上午9:00", "下午2:30", "14:30", "上午8时30分", "下午3点"])
def test_the_time_of_day_is_written_as_given_and_backed_by_the_facts(cli, tmp_path, time):
    facts = _facts_with(tmp_path, {"start_time": time})
    out = tmp_path / "通知.txt"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    assert f"\n2025年3月6日（星期四）{time}，会期半天。\n" in out.read_text(encoding="utf-8")
    assert _findings(cli, out, "--facts", facts) == []


@pytest.mark.parametrize(
    ("date", "written"),
    [("2025-03-07", "2025年3月7日（星期五）"), ("2024-02-29", "2024年2月29日（星期四）")],
)
def test_the_weekday_is_computed_from_the_meeting_date(cli, tmp_path, date, written):
    """Another date gives its own weekday, never the example's 星期四, and the draft checks
    clean (`numbers.weekday` agrees with the template)."""
    facts = _facts_with(tmp_path, {"meeting_date": date})
    out = tmp_path / "通知.txt"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    assert f"\n{written}下午2:30，会期半天。\n" in out.read_text(encoding="utf-8")
    assert _findings(cli, out, "--facts", facts) == []


def test_a_missing_meeting_date_is_its_marker_alone_without_a_weekday(cli, tmp_path):
    facts = _facts_with(tmp_path, {}, "meeting_date")
    out = tmp_path / "通知.txt"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "\n【待补充：会议日期】下午2:30，会期半天。\n" in text
    assert "（）" not in text and "星期" not in text


@pytest.mark.parametrize(
    ("written", "wrong"),
    [
        ("下午2:30", False),
        ("14:30", False),  # the same time, on the 24-hour clock
        ("下午2：30", False),  # a full-width colon
        ("下午 2:30", False),  # a blank after the part of the day, as PDF copies give it
        ("下午\u30002:30", False),  # a full-width one
        ("下午 3:30", True),  # an hour late, the blank no excuse
        ("上午 2:30", True),
        ("下午3:30", True),  # an hour late
        ("上午2:30", True),  # the morning
        ("15:00", True),
    ],
)
def test_a_time_of_day_is_held_to_the_facts_time(cli, tmp_path, written, wrong):
    """下午3:30 where the facts say 下午2:30 sends everyone an hour late: one error naming the
    whole time; the same time on the 24-hour clock is no finding."""
    out = tmp_path / "通知.txt"
    assert cli("run", FACTS, "-o", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace("下午2:30", written, 1), encoding="utf-8")
    found = [
        f
        for f in _findings(cli, out, "--facts", FACTS)
        if f["code"] != "style.punctuation" and f["severity"] != "info"  # the blank's own note
    ]
    if wrong:
        assert [(f["code"], f["excerpt"]) for f in found] == [("facts.unsupported-number", written)]
        assert f"the time “{written}” is not in the facts" in found[0]["message"]
    else:
        assert found == []


def test_a_time_the_facts_do_not_give_is_an_error(cli, tmp_path):
    out = tmp_path / "通知.txt"
    assert cli("run", FACTS, "-o", out).returncode == 0
    text = out.read_text(encoding="utf-8").replace(
        "会期半天。", "会期半天，请于下午2:15前到会签到。", 1
    )
    out.write_text(text, encoding="utf-8")
    found = _findings(cli, out, "--facts", FACTS)
    assert [(f["code"], f["excerpt"]) for f in found] == [("facts.unsupported-number", "下午2:15")]
    assert _findings(cli, out) == []  # without facts, no time is a finding


@pytest.mark.parametrize("time", ["下午", "两点半", "9"])
def test_a_start_time_that_names_no_hour_is_refused(cli, tmp_path, time):
    facts = _facts_with(tmp_path, {"start_time": time})
    before = facts.read_bytes()
    done = cli("run", facts, "-o", tmp_path / "通知.txt")
    assert done.returncode == 2, done.stderr
    assert str(facts) in done.stderr and "start_time" in done.stderr
    assert "会议开始时间" in done.stderr and "如“上午9:00”“下午2:30”“14:30”" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "通知.txt").exists() and facts.read_bytes() == before


def test_a_short_meeting_states_its_one_agenda_item_and_attendee_unnumbered(cli, tmp_path):
    facts = _facts_with(
        tmp_path,
        {"agenda": ["镇长李明同志部署春耕生产工作"], "attendees": ["各村（社区）党组织书记"]},
    )
    done = cli("run", facts, "--format", "txt")
    assert done.returncode == 0, done.stderr
    assert (
        "三、参会人员\n各村（社区）党组织书记。\n四、会议议程\n镇长李明同志部署春耕生产工作。\n"
    ) in done.stdout
    assert "（一）" not in done.stdout


def test_a_real_township_meeting_notice_reads_as_a_meeting_notice(cli):
    """The 镇 会议通知 a work-notice finds sections missing in has every section of this type,
    under its own headings."""
    as_work_notice = cli("check", REAL, "--doctype", "work-notice", "--format", "json")
    codes = [f["code"] for f in json.loads(as_work_notice.stdout)["findings"]]
    assert "structure.missing-section" in codes
    findings = _findings(cli, REAL)
    assert [f for f in findings if str(f["code"]).startswith("structure.")] == []
    assert findings == []
