"""The built-in 工作通知 (work-notice) through the CLI: it loads, drafts a notice addressed to
its 主送机关 in the imperative, checks clean, leaves a marker for every missing fact and ends
with its attachment note and the unit and date."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH

from pipeline.spec import load_spec
from tests.conftest import EXAMPLES, edited_facts

FACTS = EXAMPLES / "work-notice.yaml"
HEADINGS = ["一、时间和范围", "二、检查内容", "三、工作步骤", "四、工作要求"]
SPEC = load_spec("work-notice", templates=False)


def _facts_with(tmp_path: Path, edit: dict[str, object], *left_out: str) -> Path:
    """The example's facts with `edit` applied and `left_out` removed."""
    return edited_facts(FACTS, tmp_path, edit, *left_out)


def test_the_type_is_listed_and_gives_a_facts_template(cli):
    listing = cli("doctypes")
    assert listing.returncode == 0, listing.stderr
    assert "work-notice  工作通知" in listing.stdout
    assert all(f": {h}" in listing.stdout for h in HEADINGS)
    template = cli("facts-template", "work-notice")
    assert template.returncode == 0, template.stderr
    parsed = yaml.safe_load(template.stdout)
    assert parsed["doctype"] == "work-notice" and parsed["addressee"] is None
    assert "# 主送机关（文字，选填，缺少时写作【待补充：主送机关】）" in template.stdout
    assert "    start:   # 阶段开始日期（日期，写作 2021-01-15，选填）" in template.stdout


def test_the_example_drafts_an_addressed_notice_and_every_output_checks_clean(cli, tmp_path):
    outs = [tmp_path / f"通知.{ext}" for ext in ("md", "txt", "docx", "json")]
    done = cli("run", FACTS, *(a for out in outs for a in ("-o", out)))
    assert done.returncode == 0, done.stderr
    assert "no markers" in done.stderr
    text = outs[1].read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[:3] == [
        "青山县应急管理局关于开展2025年安全生产大检查的通知",
        "",
        "各乡镇（街道）安全生产委员会办公室，县直各有关单位：",
    ]
    assert lines[3].startswith("为深刻汲取近期事故教训，")
    assert "根据《中华人民共和国安全生产法》《青山县安全生产委员会2025年工作要点》，" in lines[3]
    assert lines[3].endswith("经研究，决定开展2025年安全生产大检查。现将有关事项通知如下：")
    assert [ln for ln in lines if re.match("[一二三四五六]、", ln)] == HEADINGS
    assert "时间：2025年3月1日至4月30日。" in lines
    assert "（四）人员密集场所消防安全" in lines
    assert "（二）自查自纠阶段" in lines
    assert "时间为2025年3月11日至4月10日。各生产经营单位对照检查内容全面开展自查，" in text
    assert "四是请于2025年4月30日前将大检查工作总结和情况汇总表报送县安委会办公室。" in lines
    assert not re.search("完成了|取得了|总结如下", text)  # a notice deploys, it reports nothing
    # 联系人 ends the requirements, then the attachment note, then the 落款
    assert text.endswith(
        "联系人：王芳，联系电话：0739-8321234。\n"
        "附件：1. 2025年安全生产大检查情况汇总表\n2. 重大事故隐患整改台账\n"
        "\n青山县应急管理局\n2025年2月20日\n"
    )
    for out in outs:
        checked = cli("check", out, "--doctype", "work-notice", "--facts", FACTS, "--info")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.strip().endswith("0 error(s), 0 warning(s), 0 note(s)"), out
        alone = cli("check", out, "--doctype", "work-notice", "--format", "json")
        assert json.loads(alone.stdout)["findings"] == [], out


OPTIONAL = [
    name for name, fact in SPEC.facts.items() if not fact.required and fact.absent == "marker"
]


@pytest.mark.parametrize("name", OPTIONAL)
def test_each_missing_fact_is_its_marker_never_an_invented_value(cli, tmp_path, name):
    """Every optional fact left out in turn: the draft writes its marker where it belongs,
    none of its value, and checks with no finding but that marker."""
    facts = _facts_with(tmp_path, {}, name)
    out = tmp_path / "draft.json"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    label = SPEC.label(name)
    assert [(m["label"], m["fact"]) for m in draft["markers"]] == [(label, name)]
    assert "1 marker(s) to fill in:" in done.stderr
    example = yaml.safe_load(FACTS.read_text("utf-8"))[name]
    values = example if isinstance(example, list) else [example]
    for value in values:
        shown = value.get("name") or value.get("title") if isinstance(value, dict) else value
        assert str(shown) not in draft["text"].split("\n", 1)[1], (name, shown)
    checked = cli("check", out, "--format", "json")
    findings = json.loads(checked.stdout)["findings"]
    assert [f["code"] for f in findings] == ["gap.marker"], findings


@pytest.mark.parametrize(
    ("fact", "field", "written"),
    [
        # the end cannot lean on a missing start's year: it is written in full
        ("phases", "start", "（二）自查自纠阶段\n时间为【待补充：阶段开始日期】至2025年4月10日。"),
        (
            "phases",
            "end",
            "（二）自查自纠阶段\n时间为2025年3月11日至【待补充：阶段结束日期】。各生产",
        ),
        (
            "phases",
            "tasks",
            "（二）自查自纠阶段\n时间为2025年3月11日至4月10日。【待补充：阶段任务】\n",
        ),
        ("work_items", "content", "（二）建筑施工安全\n【待补充：事项内容】\n"),
    ],
)
def test_a_missing_field_of_an_item_is_its_marker(cli, tmp_path, fact, field, written):
    facts = yaml.safe_load(FACTS.read_text("utf-8"))
    del facts[fact][1][field]
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    done = cli("run", path, "--format", "txt")
    assert done.returncode == 0, done.stderr
    assert written in done.stdout
    label = SPEC.facts[fact].fields[field].label
    assert f": 【待补充：{label}】 ({fact}.{field})" in done.stderr
    assert "1 marker(s) to fill in:" in done.stderr


def test_a_notice_without_attachments_has_no_attachment_note_and_no_gap(cli, tmp_path):
    """附件 is left out, not marked: the notice ends with 联系人 and the 落款, the run and
    its JSON list no marker, and the checker with the facts asks for nothing."""
    assert SPEC.facts["attachments"].absent == "omit"
    facts = _facts_with(tmp_path, {}, "attachments")
    txt, out = tmp_path / "通知.txt", tmp_path / "通知.json"
    done = cli("run", facts, "-o", txt, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "no markers" in done.stderr and "附件" not in done.stderr
    text = txt.read_text(encoding="utf-8")
    assert "附件" not in text and "【待补充" not in text
    assert text.endswith(
        "四是请于2025年4月30日前将大检查工作总结和情况汇总表报送县安委会办公室。\n"
        "联系人：王芳，联系电话：0739-8321234。\n\n青山县应急管理局\n2025年2月20日\n"
    )
    assert json.loads(out.read_text(encoding="utf-8"))["markers"] == []
    for checked_file in (txt, out):
        checked = cli(
            "check", checked_file, "--doctype", "work-notice", "--facts", facts, "--format", "json"
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert json.loads(checked.stdout)["findings"] == [], checked_file
    # the facts template says it is left out, not marked
    template = cli("facts-template", "work-notice")
    assert "# 附件（文字列表，每行“- ”后写一项，选填，没有时不写）" in template.stdout


def test_without_attachments_another_missing_fact_is_still_its_marker(cli, tmp_path):
    facts = _facts_with(tmp_path, {}, "attachments", "contact_phone")
    out = tmp_path / "draft.json"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert [(m["label"], m["fact"]) for m in draft["markers"]] == [("联系电话", "contact_phone")]
    assert draft["text"].endswith(
        "联系人：王芳，联系电话：【待补充：联系电话】。\n\n青山县应急管理局\n2025年2月20日\n"
    )
    checked = cli("check", out, "--format", "json")
    assert [f["code"] for f in json.loads(checked.stdout)["findings"]] == ["gap.marker"]


def test_a_model_is_told_to_write_no_attachment_note_when_there_is_none(tmp_path, openai_server):
    """The facts a real model is given say 附件 is not given and gets no marker, so that it
    does not write one the offline draft leaves out."""
    from modelrun import draft_run

    facts = _facts_with(tmp_path, {}, "attachments")
    run = draft_run(tmp_path, openai_server, example=facts)
    assert run.proc.returncode == 0, run.proc.stderr
    [request] = openai_server.requests("requirements")
    prompt = request.body["messages"][-1]["content"]
    assert "- 附件：（未提供，不写这一项，也不写标记）" in prompt
    assert "【待补充：附件】" not in prompt
    assert run.draft is not None and run.draft["markers"] == []


def test_a_single_attachment_is_not_numbered(cli, tmp_path):
    facts = _facts_with(tmp_path, {"attachments": ["重大事故隐患整改台账"]})
    done = cli("run", facts, "--format", "txt")
    assert done.returncode == 0, done.stderr
    assert "\n附件：重大事故隐患整改台账\n\n青山县应急管理局\n" in done.stdout


def test_the_word_output_sets_addressee_attachments_and_signature_as_gbt_9704(cli, tmp_path):
    out = tmp_path / "通知.docx"
    done = cli("run", FACTS, "-o", out)
    assert done.returncode == 0, done.stderr
    document = docx.Document(str(out))
    filled = [p for p in document.paragraphs if p.text]
    assert filled[0].text == "青山县应急管理局关于开展2025年安全生产大检查的通知"
    addressee = filled[1]
    assert addressee.text == "各乡镇（街道）安全生产委员会办公室，县直各有关单位："
    assert addressee.style.name == "公文正文"
    assert addressee.paragraph_format.first_line_indent == 0  # 顶格
    note, second = filled[-4:-2]
    assert note.text == "附件：1. 2025年安全生产大检查情况汇总表"
    assert second.text == "2. 重大事故隐患整改台账"
    assert second.style.name == "公文正文"  # an attachment's name, no heading
    ind = second._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}ind")
    assert (
        ind.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}firstLineChars")
        == "500"
    )
    assert [p.text for p in filled[-2:]] == ["青山县应急管理局", "2025年2月20日"]
    for p in filled[-2:]:
        assert p.style.name == "公文落款"
        assert (p.alignment or p.style.paragraph_format.alignment) == WD_ALIGN_PARAGRAPH.RIGHT
    headings = [p.text for p in filled if p.style.name == "公文一级标题"]
    assert headings == HEADINGS


def test_a_model_that_repeats_the_addressee_atop_the_opening_is_cleaned(tmp_path, openai_server):
    """A model given the title and the 主送机关 often starts its opening with them: the
    drafter writes the 主送机关 once, on its own line, and the opening starts at 为."""
    from modelrun import draft_run

    opening = (
        "各乡镇（街道）安全生产委员会办公室，县直各有关单位：\n\n"
        "为深刻汲取近期事故教训，有效防范化解重大安全风险，坚决遏制重特大生产安全事故发生，"
        "根据《中华人民共和国安全生产法》《青山县安全生产委员会2025年工作要点》，经研究，"
        "决定开展2025年安全生产大检查。现将有关事项通知如下："
    )
    openai_server.script("opening", f"text:{opening}")
    run = draft_run(tmp_path, openai_server, example=FACTS)
    assert run.proc.returncode == 0, run.proc.stderr
    assert run.draft is not None
    assert run.draft["sections"][0]["body"] == opening.split("\n\n", 1)[1]
    assert run.draft["text"].count("各乡镇（街道）安全生产委员会办公室") == 1
