"""The repair loop: a section whose answer the checker faults is re-asked, quoting each
finding, until it is clean or the repairs run out; the best attempt is kept."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES
from modelrun import SECTIONS, draft_run, offline_bodies

from pipeline.checker import check_text
from pipeline.facts import load_facts
from pipeline.testing.openai_server import INVENTED

SUMMARY = EXAMPLES / "annual-work-summary.yaml"


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    return offline_bodies()


def _repair_request(server, section: str) -> str:
    repair = [r for r in server.requests(section) if r.repair]
    assert repair, "no repair request was made"
    return repair[0].body["messages"][-1]["content"]


def test_an_invented_number_is_repaired(tmp_path, openai_server, expected):
    openai_server.script("theory_study", "invent", "ok")
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count("theory_study") == 2
    request = _repair_request(openai_server, "theory_study")
    assert "原文“137场”" in request and "原文“2468人次”" in request
    assert "facts.unsupported-number" in request
    assert "修改要求：只使用事实中给出的数字" in request  # in Chinese, like the prompt
    # the repair conversation carries the faulty answer, then the findings
    first, second = openai_server.requests("theory_study")
    assert second.body["messages"][:2] == first.body["messages"]
    assert "137" in second.body["messages"][2]["content"]
    section = run.section("theory_study")
    assert section["body"] == expected["theory_study"]
    assert section["attempts"] == 2
    assert "137" not in run.draft["text"]
    assert run.draft["findings"] == [] or all(
        f["severity"] != "error" for f in run.draft["findings"]
    )


def test_a_dropped_required_element_is_repaired(tmp_path, openai_server, expected):
    openai_server.script("theory_study", "drop", "ok")
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count("theory_study") == 2
    request = _repair_request(openai_server, "theory_study")
    assert "中心组学习次数" in request and "“12”" in request
    assert "facts.must-mention" in request
    assert run.section("theory_study")["body"] == expected["theory_study"]
    assert "中心组学习12次" in run.draft["text"]


def test_a_dropped_list_fact_is_repaired(tmp_path, openai_server, expected):
    openai_server.script("public_opinion", "drop", "ok")
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert "主题宣传活动" in _repair_request(openai_server, "public_opinion")
    assert run.section("public_opinion")["body"] == expected["public_opinion"]


def test_the_best_attempt_is_kept_and_what_is_still_wrong_gives_exit_1(tmp_path, openai_server):
    # 3 errors, then 2, then 3 again: the middle answer is the one kept
    openai_server.script("theory_study", "bad", "invent", "bad")
    run = draft_run(tmp_path, openai_server, "--repairs", "2")
    assert run.code == 1, run.stderr
    assert openai_server.count("theory_study") == 3
    section = run.section("theory_study")
    assert section["status"] == "ok" and section["attempts"] == 3
    assert INVENTED in section["body"] and "中心组学习12次" in section["body"]
    codes = [f["code"] for f in run.draft["findings"] if f["severity"] == "error"]
    assert codes.count("facts.unsupported-number") == 2
    assert "facts.must-mention" not in codes


def _errors(run) -> list[tuple[str, str, str]]:
    """(code, excerpt, section) of the draft's errors, each excerpt checked against the text."""
    text = run.draft["text"]
    out = []
    for f in run.draft["findings"]:
        assert text[f["start"] : f["end"]] == f["excerpt"]
        assert text.count("\n", 0, f["start"]) + 1 == f["line"]
        if f["severity"] == "error":
            out.append((f["code"], f["excerpt"], f["section"]))
    return out


def test_a_section_the_type_does_not_have_stays_reported_after_the_repairs(tmp_path, openai_server):
    """A model that ends the last section with 五、保障措施 and repeats it when asked: the
    draft kept it as a fifth section, exit 0, no finding. What is still wrong after the
    repairs is in the draft's findings, once, and the exit code is 1."""
    body = offline_bodies(SUMMARY)["plans"] + "\n五、保障措施\n加强组织领导，确保各项工作落到实处。"
    openai_server.script("plans", *[{"kind": "text", "text": body}] * 2)
    run = draft_run(tmp_path, openai_server, "--repairs", "1", example=SUMMARY)
    assert run.code == 1, run.stderr
    assert openai_server.count("plans") == 2
    request = _repair_request(openai_server, "plans")
    assert "原文“五、保障措施”" in request and "structure.extra-section" in request
    assert run.section("plans")["attempts"] == 2
    # the document check's finding (both checks make it): of no section the type has
    assert _errors(run) == [("structure.extra-section", "五、保障措施", None)]
    assert "structure.extra-section" in run.stderr and "五、保障措施" in run.stderr


def test_a_sections_leftover_error_the_document_check_cannot_see_is_reported(
    tmp_path, openai_server
):
    """三、保障措施 at the end of the second section reads, in the whole draft, as a third
    section before a 三、存在的问题 that repeats its number: the document check reports the
    repeat, not the heading that causes it. The section's own finding is added, where its
    heading stands in the draft."""
    body = (
        offline_bodies(SUMMARY)["achievements"]
        + "\n三、保障措施\n加强组织领导，确保各项工作落到实处。"
    )
    openai_server.script("achievements", *[{"kind": "text", "text": body}] * 2)
    run = draft_run(tmp_path, openai_server, "--repairs", "1", example=SUMMARY)
    assert run.code == 1, run.stderr
    spec, facts = load_facts(SUMMARY)
    alone = check_text(run.draft["text"], spec=spec, facts=facts).findings
    assert "structure.extra-section" not in {f.code for f in alone}
    errors = _errors(run)
    assert ("structure.extra-section", "三、保障措施", "achievements") in errors
    assert errors.count(("structure.extra-section", "三、保障措施", "achievements")) == 1
    assert len(errors) == len([f for f in alone if f.severity == "error"]) + 1


@pytest.mark.parametrize(
    ("section", "added", "expected"),
    [
        ("plans", "\n五、保障措施\n加强组织领导，确保各项工作落到实处。", "五、保障措施"),
        ("achievements", "\n三、保障措施\n加强组织领导，确保各项工作落到实处。", "三、保障措施"),
        ("achievements", "全年共完成XX项重点任务。", "XX"),
    ],
)
def test_with_no_repairs_what_the_section_check_finds_is_in_the_findings(
    tmp_path, openai_server, section, added, expected
):
    """`--repairs 0` keeps the first answer without asking again; what its section's check
    finds in it (a heading of no section, a placeholder) is still in the draft's findings,
    once, where it stands, and the exit code is 1, as after repairs."""
    body = offline_bodies(SUMMARY)[section] + added
    openai_server.script(section, {"kind": "text", "text": body})
    run = draft_run(tmp_path, openai_server, "--repairs", "0", example=SUMMARY)
    assert run.code == 1, run.stderr
    assert openai_server.count(section) == 1
    found = [(code, sid) for code, excerpt, sid in _errors(run) if excerpt == expected]
    assert len(found) == 1, _errors(run)
    assert expected in run.stderr


def test_a_finding_on_a_whole_section_both_checks_make_is_reported_once(tmp_path, openai_server):
    """A required fact still left out after the repairs: the section check places it at the
    section's first words, the document check at its heading; the draft reports it once."""
    openai_server.script("theory_study", "drop", "drop")
    run = draft_run(tmp_path, openai_server, "--repairs", "1")
    assert run.code == 1, run.stderr
    missing = [e for e in _errors(run) if e[0] == "facts.must-mention"]
    assert [section for *_, section in missing] == ["theory_study", "theory_study"]
    assert all(excerpt.startswith("二、强化理论学习") for _, excerpt, _ in missing)
    messages = [f["message"] for f in run.draft["findings"] if f["code"] == "facts.must-mention"]
    assert len(set(messages)) == 2 and "“12” is missing" in messages[0]


def test_a_repeated_wrong_answer_is_asked_again_not_answered_from_the_cache(
    tmp_path, openai_server, expected
):
    """The second repair follows the first in one conversation: the same wrong answer twice
    must not make the second repair request the first one again (answered from the cache)."""
    openai_server.script("theory_study", "invent", "invent", "ok")
    run = draft_run(tmp_path, openai_server, "--repairs", "2")
    assert run.code == 0, run.stderr
    assert openai_server.count("theory_study") == 3
    assert run.section("theory_study")["usage"]["cached"] == 0
    _, second, third = openai_server.requests("theory_study")
    assert third.body["messages"][: len(second.body["messages"])] == second.body["messages"]
    assert third.body["messages"][-1]["content"].startswith("修改后的这一节仍有以下问题")
    assert run.section("theory_study")["body"] == expected["theory_study"]
    again = draft_run(tmp_path, openai_server, "--repairs", "2")
    assert again.code == 0 and openai_server.count("theory_study") == 3  # a re-run: all cached


def test_repairs_are_bounded(tmp_path, openai_server):
    run = draft_run(tmp_path, openai_server, "--repairs", "1", model="openai:bad")
    assert run.code == 1, run.stderr
    for sid in SECTIONS:
        assert openai_server.count(sid) == 2, sid  # one answer + one repair, never more
    assert any(f["code"] == "facts.unsupported-number" for f in run.draft["findings"])


def test_no_repairs_asks_once(tmp_path, openai_server):
    openai_server.script("organization", "invent", "ok")
    run = draft_run(tmp_path, openai_server, "--repairs", "0")
    assert run.code == 1
    assert openai_server.count("organization") == 1


def test_numbers_that_name_a_meeting_or_a_hotline_are_not_repaired(
    tmp_path, openai_server, expected
):
    """A model's draft citing 市第十三次党代会 and the 12345热线 was sent back for repair, the
    facts rule asking it to remove the meeting's ordinal: a correct draft was damaged. Both
    are names; the answer is accepted as it is, with no repair request."""
    body = expected["theory_study"].replace(
        "。", "。认真学习市第十三次党代会精神，畅通12345热线诉求办理渠道。", 1
    )
    assert body != expected["theory_study"]
    openai_server.script("theory_study", {"kind": "text", "text": body})
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count("theory_study") == 1
    assert not [r for r in openai_server.requests() if r.repair]
    assert run.section("theory_study")["body"] == body
    assert "市第十三次党代会" in run.draft["text"]


# ----------------------------------------------------------------------------- model faults


def test_round_and_vague_figures_no_fact_gives_are_repaired(tmp_path, openai_server, expected):
    """Models round and compare where the facts give no number (近百人次, 数十场, 约3成,
    翻一番): each is asked about, quoted whole; 3成 is not backed by a fact's 3, nor 数十场
    by the facts' 10."""
    body = expected["theory_study"].replace(
        "。", "。全年培训党员近百人次，开展主题活动数十场，参与率提升约3成，学习覆盖面翻一番。", 1
    )
    openai_server.script("theory_study", {"kind": "text", "text": body}, "ok")
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    request = _repair_request(openai_server, "theory_study")
    for figure in ("近百人次", "数十场", "3成", "翻一番"):
        assert f"原文“{figure}”：此数字在事实中找不到依据" in request, figure
    assert run.section("theory_study")["body"] == expected["theory_study"]
    assert "近百" not in run.draft["text"] and "翻一番" not in run.draft["text"]


def test_the_facts_numbers_written_otherwise_and_vague_words_are_not_repaired(
    tmp_path, openai_server, expected
):
    """十二次 for 12, a full-width 10, and 多次, 大量 without a number: a right answer."""
    body = (
        expected["theory_study"]
        .replace("中心组学习12次", "中心组学习十二次")
        .replace("“微党课”10次", "“微党课”１０次")
        .replace("。", "。多次召开专题会议，做了大量工作，近百年来的党史学习常抓不懈。", 1)
    )
    openai_server.script("theory_study", {"kind": "text", "text": body})
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count("theory_study") == 1
    assert run.section("theory_study")["body"] == body


def test_a_models_own_fill_in_fields_are_repaired_and_never_pass_silently(
    tmp_path, openai_server, expected
):
    """[学校名称], {待填写}, （此处填写数字）: placeholders in the model's own style."""
    body = (
        expected["organization"]
        .replace("学校成立", "[学校名称]成立", 1)
        .replace("制定实施细则", "制定实施细则{待填写}条，召开专题会议（此处填写数字）次", 1)
    )
    openai_server.script("organization", *[{"kind": "text", "text": body}] * 2)
    run = draft_run(tmp_path, openai_server, "--repairs", "1")
    request = _repair_request(openai_server, "organization")
    for field in ("[学校名称]", "{待填写}", "（此处填写数字）"):
        assert f"原文“{field}”：占位符" in request, field
    # the model gave the same answer again: kept as the best there is, and reported
    assert run.code == 1, run.stderr
    placeholders = [f for f in run.draft["findings"] if f["code"] == "gap.placeholder"]
    assert [f["excerpt"] for f in placeholders] == ["[学校名称]", "{待填写}", "（此处填写数字）"]
    assert "gap.placeholder" in run.stderr


def test_the_documents_ending_and_markup_in_a_section_are_dropped(
    tmp_path, openai_server, expected
):
    """A reworded heading at the top, italics, and 特此报告。 with the 落款 at the end: the
    drafter writes the heading and the 落款 itself, once."""
    body = expected["plans"].replace("加强学习、提高素质", "*加强学习、提高素质*", 1)
    answer = f"2021年工作打算及措施\n\n{body}\n\n特此报告。\n\n青山县红星中学\n2021年1月15日"
    openai_server.script("plans", {"kind": "text", "text": answer})
    markdown = tmp_path / "总结.md"
    run = draft_run(tmp_path, openai_server, "-o", str(markdown))
    assert run.code == 0, run.stderr
    assert openai_server.count("plans") == 1
    assert run.section("plans")["body"] == expected["plans"]
    text = markdown.read_text(encoding="utf-8")
    assert "特此报告" not in text and "*" not in text and "工作打算及措施" not in text
    assert text.count("青山县红星中学\n") + text.count("青山县红星中学  \n") == 1


def test_half_width_punctuation_and_traditional_characters_are_written_as_a_document_writes_them(
    tmp_path, openai_server, expected
):
    """A model that writes , ; ( ) or drifts into 總結 is not re-asked: the drafter writes its
    answer as `draft check --fix` would, and the draft has no style warning left."""
    body = expected["shortcomings"]
    answer = (
        body.replace("，", ",").replace("；", ";").replace("主要是：", "主要是:")
        + "\n今後將認真總結經驗(見附件)。"
    )
    openai_server.script("shortcomings", {"kind": "text", "text": answer})
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count("shortcomings") == 1
    assert run.section("shortcomings")["body"] == body + "\n今后将认真总结经验（见附件）。"
    assert run.draft is not None
    assert not [f for f in run.draft["findings"] if f["code"].startswith("style.")]


@pytest.mark.parametrize(
    ("invented", "name"),
    [
        ("学校荣获“省级文明单位”称号。", "省级文明单位"),  # an honour
        (
            "认真学习《关于加强新时代意识形态工作的实施意见》。",
            "关于加强新时代意识形态工作的实施意见",
        ),
        ("在张建国局长的带领下，学校扎实推进理论学习。", "张建国"),  # a person by post
    ],
)
def test_an_invented_name_is_repaired(tmp_path, openai_server, expected, invented, name):
    """A real model's answer naming an honour, a document or a person the facts do not give
    is sent back, asking to delete the claim rather than put another name in its place."""
    body = expected["theory_study"].replace("。", "。" + invented, 1)
    openai_server.script("theory_study", {"kind": "text", "text": body}, "ok")
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count("theory_study") == 2
    request = _repair_request(openai_server, "theory_study")
    assert "facts.unsupported-name" in request and name in request
    assert "不要换成别的荣誉、文件或人名" in request
    assert run.section("theory_study")["body"] == expected["theory_study"]
    assert name not in run.draft["text"]


def test_an_invented_honour_left_unrepaired_is_in_the_drafts_findings(tmp_path, openai_server):
    body = offline_bodies()["theory_study"].replace("。", "。学校荣获“省级文明单位”称号。", 1)
    openai_server.script("theory_study", {"kind": "text", "text": body})
    run = draft_run(tmp_path, openai_server, "--repairs", "0")
    assert run.code == 1, run.stderr
    assert openai_server.count("theory_study") == 1
    names = [f for f in run.draft["findings"] if f["code"] == "facts.unsupported-name"]
    assert [(f["excerpt"], f["severity"], f["section"]) for f in names] == [
        ("荣获“省级文明单位”称号", "error", "theory_study")
    ]
    assert "“省级文明单位” is not in the facts" in names[0]["message"]


def test_a_misused_word_in_an_answer_is_repaired(tmp_path, openai_server, expected):
    misspelt = expected["theory_study"] + "\n下一步，全体党员将再接再励，持续深化理论学习。"
    openai_server.script("theory_study", {"kind": "text", "text": misspelt}, "ok")
    run = draft_run(tmp_path, openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count("theory_study") == 2
    request = _repair_request(openai_server, "theory_study")
    assert "原文“再接再励”：错别字（“再接再厉”）（style.misused-word）" in request
    assert "修改要求：改为括号中的正确写法" in request
    assert run.section("theory_study")["body"] == expected["theory_study"]
    assert "再接再励" not in run.draft["text"]
