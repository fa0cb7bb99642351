"""The offline drafter through `draft run`: complete drafts, markers exactly at gaps, literal values."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

import pytest
import yaml

from pipeline.markers import find_markers
from tests.conftest import EXAMPLES, REPO, example_draft_text

SCHOOL_HEADINGS = [
    "一、加强组织领导，落实意识形态工作责任制",
    "二、强化理论学习，提高党员政治理论水平",
    "三、抓好舆论引导，传播凝聚正能量",
    "四、弘扬社会文明，践行核心价值观",
    "五、存在的不足",
    "六、2021年工作打算和工作措施",
]


def _numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)}


def _example(doctype: str) -> dict[str, Any]:
    """The facts of the shipped example of `doctype`, to be changed by a test."""
    return yaml.safe_load((EXAMPLES / f"{doctype}.yaml").read_text("utf-8"))


def _facts_file(tmp_path: Path, facts: dict[str, Any]) -> Path:
    """`facts` written as `tmp_path/facts.yaml`."""
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    return path


def test_complete_example_gives_a_full_draft_without_markers(cli, tmp_path):
    out = tmp_path / "draft.txt"
    result = cli("run", EXAMPLES / "school-ideology-summary.yaml", "-o", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "青山县红星中学2020年意识形态工作总结"
    assert lines[2].startswith("以深入学习贯彻习近平新时代中国特色社会主义思想")
    assert "现将2020年以来意识形态工作情况总结如下：" in lines[2]
    positions = [lines.index(h) for h in SCHOOL_HEADINGS]
    assert positions == sorted(positions)
    assert "青山县" in text and "红星中学" in text and "2020年" in text
    assert find_markers(text) == []
    facts_text = (EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8")
    # every number is a fact's (the plans year 2021 is report_year + 1, and the signature date's)
    assert _numbers(text) <= _numbers(facts_text) | {2021}
    assert "12次" in text and "8次" in text and "71周年" in text
    assert "no markers" in result.stderr


def test_incomplete_example_has_markers_exactly_at_the_missing_facts(cli, tmp_path):
    out = tmp_path / "draft.json"
    result = cli("run", EXAMPLES / "school-ideology-summary-incomplete.yaml", "-o", out)
    assert result.returncode == 0, result.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    markers = [(m["fact"], m["section"]) for m in draft["markers"]]
    assert markers == [
        ("central_group_sessions", "theory_study"),
        ("theory_sessions", "theory_study"),
        ("anniversary", "public_opinion"),
    ]
    text = draft["text"]
    assert "共开展中心组学习【待补充：中心组学习次数】次" in text
    assert "其中专题理论学习【待补充：中心组理论学习次数】次" in text
    assert "新中国成立【待补充：新中国成立周年数】周年" in text
    for m in draft["markers"]:
        assert text[m["start"] : m["end"]] == f"【待补充：{m['label']}】"
    assert "3 marker(s)" in result.stderr and "中心组学习次数" in result.stderr


def test_a_marker_in_the_title_is_listed_as_such(cli, tmp_path):
    # A unit's own type whose title uses a fact the facts file leaves out.
    spec = yaml.safe_load((REPO / "schemas" / "school-ideology-summary.yaml").read_text("utf-8"))
    spec["id"] = "titled"
    spec["title"] = "{{ supervising_body }}{{ school_name }}{{ report_year }}年意识形态工作总结"
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "titled.yaml").write_text(
        yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8"
    )
    shutil.copytree(REPO / "prompts" / "school-ideology-summary", tmp_path / "prompts" / "titled")
    facts = _example("school-ideology-summary")
    facts["doctype"] = "titled"
    del facts["supervising_body"]
    _facts_file(tmp_path, facts)
    result = cli("run", tmp_path / "facts.yaml", "--spec-dir", tmp_path, "-o", tmp_path / "x.md")
    assert result.returncode == 0, result.stderr
    listed = [line.strip() for line in result.stderr.splitlines() if line.startswith("    ")]
    assert listed == [
        "title: 【待补充：上级主管部门】 (supervising_body)",
        "opening: 【待补充：上级主管部门】 (supervising_body)",
    ]


def test_a_missing_date_is_a_marker_in_the_signature(cli, tmp_path):
    """The 落款 keeps its date line: a facts file without 成文日期 gets the marker there, listed."""
    facts = _example("annual-work-summary")
    del facts["report_date"]
    _facts_file(tmp_path, facts)
    out = tmp_path / "draft.json"
    result = cli("run", tmp_path / "facts.yaml", "-o", out)
    assert result.returncode == 0, result.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert draft["text"].endswith("\n\n青山县自然资源局\n【待补充：成文日期】\n")
    assert [(m["fact"], m["section"]) for m in draft["markers"]] == [("report_date", None)]
    assert "signature: 【待补充：成文日期】 (report_date)" in result.stderr
    assert not [f for f in draft["findings"] if f["code"] != "gap.marker"]


def test_a_work_item_title_ending_in_a_full_stop_is_still_mentioned(cli, tmp_path):
    """The heading drops the title's 。 (强化耕地保护。 → （一）强化耕地保护); the must-mention
    check must find it there, not report it missing and fail the run."""
    facts = _example("annual-work-summary")
    facts["work_items"][0]["title"] = "强化耕地保护。"
    _facts_file(tmp_path, facts)
    out = tmp_path / "draft.json"
    result = cli("run", tmp_path / "facts.yaml", "-o", out)
    assert result.returncode == 0, result.stderr
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert "\n（一）强化耕地保护\n" in draft["text"]
    assert draft["findings"] == []


def test_a_title_typed_ending_in_a_colon_is_written_without_it(cli, tmp_path):
    """Clerks end a point's title with ： before its detail (强化耕地保护：): the draft must
    not read （一）强化耕地保护： or 责任制：。"""
    facts = _example("annual-work-summary")
    facts["work_items"][0]["title"] += "："
    facts["work_items"][0]["summary"] += ":"
    facts["plans"][0] += "："
    _facts_file(tmp_path, facts)
    out = tmp_path / "draft.txt"
    typed = cli("run", tmp_path / "facts.yaml", "-o", out)
    clean = example_draft_text("annual-work-summary")
    assert typed.returncode == 0, typed.stderr
    assert out.read_text(encoding="utf-8") == clean


def test_list_items_typed_with_their_own_punctuation_are_joined_cleanly(cli, tmp_path):
    """Users end list items as they would in prose (教师阅览室；, “环境保护”): the draft joins
    them as the clean series the complete example gives, not 教师阅览室；、休闲书吧."""
    facts = _example("school-ideology-summary")
    facts["facilities"] = ["教师阅览室；", "休闲书吧、", " 文体俱乐部。"]
    facts["campaigns"] = ["砥砺奋进的五年，", "“环境保护”", "扫黑除恶、", "脱贫攻坚"]
    _facts_file(tmp_path, facts)
    punctuated = cli("run", tmp_path / "facts.yaml", "--format", "txt")
    clean = example_draft_text("school-ideology-summary")
    assert punctuated.returncode == 0, punctuated.stderr
    assert punctuated.stdout == clean
    assert "建设了教师阅览室、休闲书吧、文体俱乐部等" in punctuated.stdout


def test_list_items_typed_with_their_own_numbers_are_joined_cleanly(cli, tmp_path):
    """Clerks number list items (1. 2、 （3） 一是): the draft numbers points itself, so the
    typed numbers must not reach the prose (重点学习1.《…》、2.党纪政纪, 一是一是…), and
    the check of that draft against the same facts finds every item mentioned."""
    facts = _example("annual-work-summary")
    facts["problems"] = [f"{n}{p}" for n, p in zip(("1. ", "2、"), facts["problems"], strict=True)]
    facts["plans"] = [
        f"{n}{p}" for n, p in zip(("（1）", "二是", "3．"), facts["plans"], strict=True)
    ]
    facts["work_items"][0]["title"] = "1.强化耕地保护"
    _facts_file(tmp_path, facts)
    out = tmp_path / "draft.txt"
    numbered = cli("run", tmp_path / "facts.yaml", "-o", out)
    clean = example_draft_text("annual-work-summary")
    assert numbered.returncode == 0, numbered.stderr
    assert out.read_text(encoding="utf-8") == clean
    checked = cli(
        "check", out, "--doctype", "annual-work-summary", "--facts", tmp_path / "facts.yaml"
    )
    assert checked.returncode == 0, checked.stdout


def test_a_list_typed_ending_in_deng_is_not_written_deng_deng(cli, tmp_path):
    """Clerks end a list's last item with 等 or …… (文体俱乐部等): the sentence around the
    series says 等 itself, so the draft must not read 文体俱乐部等等文化设施, and the check
    against the same facts still finds every campaign named."""
    facts = _example("school-ideology-summary")
    facts["facilities"][-1] += "等"
    facts["campaigns"][-1] += "等等"
    facts["study_topics"][-1] += "……"
    _facts_file(tmp_path, facts)
    out = tmp_path / "draft.txt"
    typed = cli("run", tmp_path / "facts.yaml", "-o", out)
    clean = example_draft_text("school-ideology-summary")
    assert typed.returncode == 0, typed.stderr
    assert out.read_text(encoding="utf-8") == clean
    checked = cli(
        "check", out, "--doctype", "school-ideology-summary", "--facts", tmp_path / "facts.yaml"
    )
    assert checked.returncode == 0, checked.stdout


def test_a_title_typed_with_its_own_book_marks_is_not_marked_twice(cli, tmp_path):
    """A clerk types the notice's title as it is written, 《关于……的通知》 (or ends it with
    。): the draft must still read 《关于……的通知》, not 《《关于……的通知》》."""
    facts = _example("school-ideology-summary")
    facts["notice_title"] = f"《{facts['notice_title']}》"
    facts["responsibility_doc"] = f"“{facts['responsibility_doc']}”。"
    _facts_file(tmp_path, facts)
    marked = cli("run", tmp_path / "facts.yaml", "--format", "txt")
    clean = example_draft_text("school-ideology-summary")
    assert marked.returncode == 0, marked.stderr
    assert marked.stdout == clean
    assert "《关于做好意识形态工作的通知》《青山县2020年" in marked.stdout


def test_a_missing_unit_profile_is_a_sentence_of_its_own(cli, tmp_path):
    """The marker stands for a whole sentence: a full stop closes it before the next one."""
    facts = _example("annual-work-summary")
    del facts["unit_profile"]
    _facts_file(tmp_path, facts)
    result = cli("run", tmp_path / "facts.yaml", "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert "\n【待补充：单位基本情况】。单位内设机构9个，" in result.stdout


@pytest.mark.parametrize(
    ("guidance", "opening"),
    [
        (
            "在县委、县政府的坚强领导下，我局坚持稳中求进",
            "2023年，在县委、县政府的坚强领导下，我局坚持稳中求进，",
        ),
        ("我局坚持稳中求进工作总基调", "2023年，我局坚持稳中求进工作总基调，"),
        ("本单位坚持依法行政", "2023年，本单位坚持依法行政，"),
        ("坚持稳中求进工作总基调", "2023年，我们坚持稳中求进工作总基调，"),
    ],
)
def test_a_guidance_with_its_own_subject_gets_no_second_one(cli, tmp_path, guidance, opening):
    """A clerk's 指导思想 as units write it, “在县委、县政府的坚强领导下，我局坚持……”, was
    drafted “2023年，我们在县委、县政府的坚强领导下，我局坚持……”: two subjects in one
    sentence. 我们 is written only before a guidance that has none of its own."""
    facts = _example("annual-work-summary")
    facts["guidance"] = guidance
    _facts_file(tmp_path, facts)
    result = cli("run", tmp_path / "facts.yaml", "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert f"\n{opening}团结带领全体干部职工" in result.stdout


def test_a_single_problem_is_not_numbered(cli, tmp_path):
    """一是 with no 二是 after it is a numbering error in a 公文: one problem is stated plainly."""
    facts = _example("annual-work-summary")
    facts["problems"] = facts["problems"][:1]
    _facts_file(tmp_path, facts)
    result = cli("run", tmp_path / "facts.yaml", "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert "问题和不足：基层自然资源所人员力量薄弱，专业技术人才不足。对此" in result.stdout


@pytest.mark.parametrize(
    ("doctype", "fact", "plain"),
    [
        ("annual-work-summary", "plans", "重点抓好以下工作：持续抓好耕地保护和粮食安全工作。"),
        ("annual-duty-report", "plans", "重点做好以下工作：持续加强政治理论和业务知识学习。"),
        ("school-ideology-summary", "next_year_measures", "\n加强学习、提高素质。针对"),
    ],
)
def test_a_single_plan_is_stated_plainly_and_checks_clean(cli, tmp_path, doctype, fact, plain):
    """One plan given is one plan stated, not 一是 with no 二是, nor a draft the pipeline's
    own check calls short of the second point the facts do not have."""
    facts = _example(doctype)
    facts[fact] = facts[fact][:1]
    path = _facts_file(tmp_path, facts)
    out = tmp_path / "draft.txt"
    result = cli("run", path, "-o", out, "--no-log")
    assert result.returncode == 0, result.stderr
    text = out.read_text("utf-8")
    assert plain in text
    assert not re.search(r"[一二]是持续|一要加强", text)
    check = cli("check", out, "--facts", path, "--doctype", doctype)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "too-few-points" not in check.stdout
    # two plans given are still set out as points, and two are what the section needs
    facts[fact] = _example(doctype)[fact][:2]
    _facts_file(tmp_path, facts)
    result = cli("run", path, "--format", "txt", "--no-log")
    assert result.returncode == 0, result.stderr
    assert re.search(r"一[是要].+二[是要]", result.stdout, re.S)


def test_json_output_carries_sections_markers_and_provenance(cli, tmp_path):
    out = tmp_path / "draft.json"
    assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out).returncode == 0
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert [s["id"] for s in draft["sections"]] == [
        "opening",
        "basic",
        "achievements",
        "problems",
        "plans",
    ]
    prov = draft["provenance"]
    assert prov["doctype"] == "annual-work-summary" and prov["model"] == "offline"
    assert len(prov["spec_hash"]) == 16 and set(prov["prompt_hashes"]) == {
        s["id"] for s in draft["sections"]
    }
    assert draft["signature"] == {"unit": "青山县自然资源局", "date": "2024年1月10日"}
    body = next(s["body"] for s in draft["sections"] if s["id"] == "achievements")
    assert body.splitlines()[0] == "（一）强化耕地保护"
    assert "（三）加快国土空间规划编制" in body.splitlines()


def test_annual_summary_headings_and_plans_year(cli):
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "--format", "txt")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for heading in ("一、基本情况", "二、主要工作和成效", "三、存在的问题", "四、2024年工作打算"):
        assert heading in lines


def test_markdown_output_uses_heading_levels(cli):
    result = cli("run", EXAMPLES / "annual-work-summary.yaml")
    assert result.returncode == 0
    assert result.stdout.startswith("# 青山县自然资源局2023年工作总结\n")
    assert "\n## 二、主要工作和成效\n" in result.stdout
    assert "\n### （一）强化耕地保护\n" in result.stdout


def test_fact_values_are_inserted_literally_never_rendered(cli, tmp_path):
    data = yaml.safe_load((EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8"))
    data["school_name"] = "{{ 7*7 }}中学"
    data["facilities"] = ["{% for x in y %}阅览室{% endfor %}", "{{ school_name }}"]
    facts = tmp_path / "facts.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = cli("run", facts, "--format", "txt")
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.startswith("{{ 7*7 }}中学2020年")
    assert "{% for x in y %}阅览室{% endfor %}、{{ school_name }}等文化设施" in result.stdout
    assert "49中学" not in result.stdout


def test_draft_is_deterministic(cli):
    first = cli("run", EXAMPLES / "school-ideology-summary.yaml", "--format", "txt").stdout
    second = cli("run", EXAMPLES / "school-ideology-summary.yaml", "--format", "txt").stdout
    assert first == second and len(first) > 1500


def test_output_file_is_replaced_atomically(cli, tmp_path):
    out = tmp_path / "draft.md"
    assert cli("run", EXAMPLES / "school-ideology-summary.yaml", "-o", out).returncode == 0
    assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out).returncode == 0
    assert out.read_text(encoding="utf-8").startswith("# 青山县自然资源局")
    assert [p.name for p in tmp_path.iterdir()] == ["draft.md"]  # no temporary files left


def test_a_re_run_keeps_the_output_the_clerk_edited_since(cli, tmp_path):
    """She fills the markers in 总结.docx and 总结.md, corrects a fact a week later and runs
    the same command again: the new draft is written, her edited files are kept beside it
    as 总结（已编辑）.docx/.md, and the outputs nobody touched are replaced without a word."""
    facts = tmp_path / "facts.yaml"
    facts.write_bytes((EXAMPLES / "school-ideology-summary-incomplete.yaml").read_bytes())
    outs = [tmp_path / f"总结.{ext}" for ext in ("docx", "md", "json")]
    args = ["run", facts, *(x for out in outs for x in ("-o", out))]
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    word, md, saved = outs
    edited_word = word.read_bytes() + b"saved again by Word"
    word.write_bytes(edited_word)
    md.write_text(md.read_text(encoding="utf-8").replace("【待补充：", "12【"), encoding="utf-8")
    edited_md = md.read_bytes()

    facts.write_text(facts.read_text(encoding="utf-8") + "\n# 更正\n", encoding="utf-8")
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "总结（已编辑）.docx").read_bytes() == edited_word
    assert (tmp_path / "总结（已编辑）.md").read_bytes() == edited_md
    assert "【待补充：" in md.read_text(encoding="utf-8")  # the new draft, markers and all
    assert word.read_bytes()[:2] == b"PK" and not word.read_bytes().endswith(b"Word")
    assert f"{md} was not the file Draftsmith last wrote there" in again.stderr
    assert f"kept as {tmp_path / '总结（已编辑）.md'}" in again.stderr
    assert "总结.json was not" not in again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["facts.yaml", *(o.name for o in outs), "总结（已编辑）.docx", "总结（已编辑）.md"]
    )

    # edited again: the first kept copy is not replaced either; export keeps it the same way
    md.write_text("她的第二次修改", encoding="utf-8")
    exported = cli("export", saved, "-o", md)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "总结（已编辑）.md").read_bytes() == edited_md
    assert (tmp_path / "总结（已编辑2）.md").read_text(encoding="utf-8") == "她的第二次修改"
    quiet = cli(*args)  # nothing edited since: nothing kept, nothing said
    assert quiet.returncode == 0 and "kept as" not in quiet.stderr
    assert len(list(tmp_path.iterdir())) == 7
    # the record lost (another machine, a fresh home): a file that is byte for byte what is
    # written needs no copy (the Markdown, drafted offline); one that differs is kept (the
    # JSON, which records when it was drafted)
    fresh = cli(*args, env={"DRAFTSMITH_HOME": str(tmp_path / "fresh-home")})
    assert fresh.returncode == 0, fresh.stderr
    assert "总结.md was not" not in fresh.stderr and "总结.json was not" in fresh.stderr


def test_temporaries_a_killed_write_left_are_cleared_by_the_next_write(cli, tmp_path):
    """`kill -9` mid-write leaves `.draft.md.XXXXXXXX.tmp` beside the output; the next write
    of that output removes such leftovers, but not one a write under way may still hold."""
    out = tmp_path / "draft.md"
    stale, fresh = tmp_path / ".draft.md.k9x2_a7q.tmp", tmp_path / ".draft.md.b3c4d5e6.tmp"
    other = tmp_path / ".other.md.k9x2_a7q.tmp"  # another output's
    for leftover in (stale, fresh, other):
        leftover.write_text("partial", encoding="utf-8")
    hours_ago = stale.stat().st_mtime - 2 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    os.utime(other, (hours_ago, hours_ago))
    assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["draft.md", fresh.name, other.name]
    )


def test_output_files_get_the_permissions_a_plain_write_would(cli, tmp_path):
    """A new file follows the umask (a report in a shared folder is readable by colleagues);
    a replaced file keeps its own permissions."""
    kept = tmp_path / "kept.md"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    old_umask = os.umask(0o022)
    try:
        for out in (tmp_path / "new.md", tmp_path / "new.docx", kept):
            assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out).returncode == 0
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "new.docx").stat().st_mode) == 0o644
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert kept.read_text(encoding="utf-8").startswith("# 青山县自然资源局")


def test_an_output_through_a_link_or_into_a_pipe_keeps_the_link_and_the_pipe(cli, tmp_path):
    """-o through a symbolic link replaces the file it points to; -o onto a FIFO (or
    /dev/null) writes into it: neither is replaced by a regular file."""
    real = tmp_path / "real.md"
    assert cli("run", EXAMPLES / "school-ideology-summary.yaml", "-o", real).returncode == 0
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", link).returncode == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# 青山县自然资源局")

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", fifo)
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].decode("utf-8").startswith("# 青山县自然资源局")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "pipe.md", "real.md"]


def test_an_output_named_for_another_document_format_is_refused(cli, tmp_path):
    """Markdown written to 总结.doc would not open in Word: exit 2, nothing written."""
    for name, hint in (("总结.doc", "name it .docx"), ("report.pdf", ".md, .txt, .json, .docx")):
        result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", tmp_path / name)
        assert result.returncode == 2, result.stderr
        assert name in result.stderr and hint in result.stderr
        assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
    # an explicit --format is the user's choice
    out = tmp_path / "draft.pdf"
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out, "--format", "md")
    assert result.returncode == 0 and out.read_text(encoding="utf-8").startswith("# ")


def test_several_outputs_are_all_written(cli, tmp_path):
    """`-o 总结.docx -o 总结.json` had written only the JSON, without a word about the Word
    file: each -o is written, in the format its extension names."""
    word, saved = tmp_path / "总结.docx", tmp_path / "总结.json"
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", word, "-o", saved)
    assert result.returncode == 0, result.stderr
    assert word.read_bytes()[:2] == b"PK"
    assert json.loads(saved.read_text(encoding="utf-8"))["doctype"] == "annual-work-summary"
    assert f"→ {word}, {saved}" in result.stderr
    both = cli(
        "run", EXAMPLES / "annual-work-summary.yaml", "-o", word, "-o", saved, "--format", "md"
    )
    assert both.returncode == 2 and "--format names the format of one output" in both.stderr


def test_dash_output_is_standard_output(cli, tmp_path):
    """`-o -` wrote a file named "-" in the working folder and nothing to the terminal."""
    saved = tmp_path / "总结.json"
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", "-", "-o", saved, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# 青山县自然资源局")
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.name]
    exported = cli("export", saved, "-o", "-", "--format", "txt", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("青山县自然资源局")
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.name]
    word = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", "-", "--format", "docx")
    assert word.returncode == 2 and "--format docx needs an output file" in word.stderr


def test_docx_needs_an_output_file(cli):
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "--format", "docx")
    assert result.returncode == 2 and "-o" in result.stderr


def test_doctypes_and_facts_template(cli, tmp_path):
    listing = cli("doctypes")
    assert listing.returncode == 0
    assert "school-ideology-summary  学校意识形态工作总结" in listing.stdout
    assert "六、2021年工作打算和工作措施" in listing.stdout
    template = cli("facts-template", "school-ideology-summary")
    assert template.returncode == 0
    assert "# 中心组学习次数（整数，单位：次，选填" in template.stdout
    assert "（string" not in template.stdout and "（integer" not in template.stdout
    parsed = yaml.safe_load(template.stdout)
    assert parsed["doctype"] == "school-ideology-summary"
    assert "central_group_sessions" in parsed and parsed["central_group_sessions"] is None
    bad = cli("facts-template", "no-such-type")
    assert bad.returncode == 2 and "unknown document type" in bad.stderr


def test_a_facts_template_with_only_the_required_facts_filled_drafts_with_markers(cli, tmp_path):
    """The template says an optional fact left blank becomes its marker: that holds for its
    blank list rows (`- ` and `- title:`) as well, for every built-in type (but for a fact
    a section's `when` names: that section is left out)."""
    for doctype, required, item_fields in (
        ("school-ideology-summary", {"school_name": "青山县红星中学", "county": "青山县"}, ()),
        ("annual-work-summary", {"unit_name": "青山县自然资源局"}, ("  - title", "    summary")),
        (
            "annual-duty-report",
            {"person_name": "王建国", "post": "青山县第一中学副校长"},
            ("  - title", "    summary"),
        ),
        (
            "annual-work-plan",
            {"unit_name": "青山县自然资源局", "plan_year": "2021"},
            ("  - title", "    measures"),
        ),
    ):
        template = cli("facts-template", doctype).stdout
        for name, value in {**required, "report_year": "2020"}.items():
            template = re.sub(rf"(?m)^{name}:.*$", f"{name}: {value}", template)
        # a required list's first row: filled (at the line's start: the commented example
        # above the row has these keys too)
        for key, value in zip(item_fields, ("强化耕地保护", "开展专项整治"), strict=False):
            template = re.sub(rf"(?m)^{key}:", f"{key}: {value} #", template, count=1)
        facts = tmp_path / f"{doctype}.yaml"
        facts.write_text(template, encoding="utf-8")
        out = tmp_path / f"{doctype}.json"
        result = cli("run", facts, "-o", out)
        assert result.returncode in (0, 1), result.stderr
        draft = json.loads(out.read_text(encoding="utf-8"))
        spec = yaml.safe_load((REPO / "schemas" / f"{doctype}.yaml").read_text("utf-8"))
        # a list a section's `when` names leaves that section out, so no marker for it
        conditions = {s.get("when") for s in spec["sections"]}
        lists = {
            name
            for name, fact in spec["facts"].items()
            if fact["type"].endswith("-list") and not fact.get("required")
        }
        markers = {m["fact"] for m in draft["markers"]}
        assert lists - conditions and lists - conditions <= markers
        assert not conditions & markers


def test_python_dash_m_and_help(cli):
    result = cli("--help")
    assert result.returncode == 0 and "run" in result.stdout


def test_run_from_another_directory_with_relative_path(cli, tmp_path: Path):
    facts = tmp_path / "f.yaml"
    facts.write_bytes((EXAMPLES / "annual-work-summary.yaml").read_bytes())
    result = cli("run", "f.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_output_that_is_a_directory_or_unwritable_exits_2(cli, tmp_path):
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "is a directory" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", blocker / "draft.md")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "cannot write the output" in result.stderr
    assert blocker.read_text(encoding="utf-8") == "x"


def test_a_read_only_output_is_refused_before_any_model_is_asked(tmp_path, openai_server):
    """A report the user made read-only (or one another program holds, which Windows shows
    the same way) was replaced all the same, after the model had been paid: now exit 2 at
    once, the file named, nothing asked of the model, nothing beside it."""
    from modelrun import draft_run

    out = tmp_path / "总结 定稿.md"
    out.write_text("定稿，勿改", encoding="utf-8")
    out.chmod(0o444)
    run = draft_run(tmp_path, openai_server, out_name=out.name)
    assert run.code == 2, run.stderr
    assert run.stderr == (
        f"error: {out}: the file is read-only (protected, or open in another program); make it "
        "writable or close it, or give another file name\n"
    )
    assert out.read_text(encoding="utf-8") == "定稿，勿改"
    assert openai_server.count() == 0
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_full_disk_names_the_output_keeps_the_old_one_and_logs_the_run(cli, tmp_path):
    """The write fails after the work: the message names the file (the system's error does
    not), the previous output and no temporary file are left, and the run log says exit 2
    instead of showing the run as still running."""
    facts = EXAMPLES / "school-ideology-summary.yaml"
    out = tmp_path / "总结 2020.json"
    out.write_text("previous output", encoding="utf-8")
    if resource is not None:  # a file may not grow past 10 KB: the draft's JSON is twice that
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", "run", str(facts), "-o", str(out), "--no-log"],
            cwd=REPO, capture_output=True, text=True, timeout=120,
            preexec_fn=_file_size_limit(10_000),
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == f"error: {out}: cannot write the output: File too large\n"
        assert out.read_text(encoding="utf-8") == "previous output"
        assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    if Path("/dev/full").exists():  # a device that is always full
        result = cli("run", facts, "-o", "/dev/full")
        assert result.returncode == 2, result.stderr
        assert "error: /dev/full: cannot write the output: No space left on device" in (
            result.stderr
        )
        listing = cli("logs")
        assert "exit 2" in listing.stdout and "running" not in listing.stdout


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the process is killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply
