"""`draft check` as a user runs it: a real subprocess on real files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "school-ideology-summary-2020.txt"
LINE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<code>[a-z]+\.[a-z-]+) \[(?P<sev>error|warning|info)\] (?P<msg>.+)$"
)


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> dict[str, Path]:
    """The offline drafts of the three examples, as Markdown, plain text and JSON."""
    from tests.conftest import run_cli

    folder = tmp_path_factory.mktemp("drafts")
    home = tmp_path_factory.mktemp("home")
    out = {}
    for name in (
        "school-ideology-summary",
        "school-ideology-summary-incomplete",
        "annual-work-summary",
    ):
        for ext in ("md", "txt", "json"):
            path = folder / f"{name}.{ext}"
            done = run_cli(
                "run", EXAMPLES / f"{name}.yaml", "-o", path, env={"DRAFTSMITH_HOME": str(home)}
            )
            assert done.returncode == 0, done.stderr
            out[f"{name}.{ext}"] = path
    return out


def _json(done) -> dict:
    assert not done.stderr.strip() or "Traceback" not in done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", ["school-ideology-summary", "annual-work-summary"])
@pytest.mark.parametrize("ext", ["md", "txt"])
def test_complete_examples_have_no_error(cli, drafts, name, ext):
    done = cli(
        "check", drafts[f"{name}.{ext}"], "--doctype", name, "--facts", EXAMPLES / f"{name}.yaml",
        "--format", "json",
    )  # fmt: skip
    data = _json(done)
    assert done.returncode == 0, data["findings"]
    assert data["summary"]["errors"] == 0
    assert [f for f in data["findings"] if f["severity"] != "info"] == []


@pytest.mark.parametrize("ext", ["md", "txt"])
def test_incomplete_example_gives_marker_warnings_exactly_at_the_missing_facts(cli, drafts, ext):
    name = "school-ideology-summary-incomplete"
    path = drafts[f"{name}.{ext}"]
    done = cli(
        "check", path, "--doctype", "school-ideology-summary", "--facts", EXAMPLES / f"{name}.yaml",
        "--format", "json",
    )  # fmt: skip
    data = _json(done)
    assert done.returncode == 0
    text = path.read_text(encoding="utf-8")
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("gap.marker", "warning")] * 3
    got = [(text[f["start"] : f["end"]], f["section"]) for f in data["findings"]]
    assert got == [
        ("【待补充：中心组学习次数】", "theory_study"),
        ("【待补充：中心组理论学习次数】", "theory_study"),
        ("【待补充：新中国成立周年数】", "public_opinion"),
    ]
    # where the facts belong: before 次 and 周年
    assert [text[f["end"]] for f in data["findings"]] == ["次", "次", "周"]


@pytest.mark.parametrize("ext", ["md", "txt"])
def test_a_marker_checked_with_a_facts_file_says_to_give_the_fact_there(cli, drafts, tmp_path, ext):
    """The hint said "supply X in the facts, or write it here and remove the marker"; with
    --facts a value written here is not read as the fact, and its number was then reported
    as one the facts cannot back. It names the facts file and the fact's key instead."""
    name = "school-ideology-summary-incomplete"
    facts = EXAMPLES / f"{name}.yaml"
    done = cli("check", drafts[f"{name}.{ext}"], "--facts", facts, "--format", "json")
    hints = {f["excerpt"]: f["hint"] for f in _json(done)["findings"] if f["code"] == "gap.marker"}
    assert hints["【待补充：中心组学习次数】"] == (
        f"give 中心组学习次数 in {facts} (key 'central_group_sessions') and draft again (draft "
        "run), or write it over the marker in the draft JSON and export again (draft export): "
        "checked with --facts, a value written here is not read as the fact"
    )
    # following it: the key in the facts file, drafted again, closes that gap
    given = tmp_path / "facts.yaml"
    given.write_text(facts.read_text(encoding="utf-8") + "central_group_sessions: 12\n", "utf-8")
    draft = tmp_path / f"draft.{ext}"
    assert cli("run", given, "-o", draft).returncode == 0
    done = cli("check", draft, "--facts", given, "--format", "json")
    findings = _json(done)["findings"]
    assert done.returncode == 0, findings
    assert "【待补充：中心组学习次数】" not in {f["excerpt"] for f in findings}
    # where a value written over the marker is the fact, the hint says so
    for args in ((drafts[f"{name}.json"],), (drafts[f"{name}.{ext}"],)):
        done = cli("check", *args, "--format", "json")
        hints = {f["hint"] for f in _json(done)["findings"] if f["code"] == "gap.marker"}
        assert "supply 中心组学习次数 in the facts, or write it here and remove the marker" in hints


def test_a_draft_json_is_checked_with_its_own_doctype_and_facts(cli, drafts, tmp_path):
    done = cli("check", drafts["school-ideology-summary.json"], "--format", "json")
    assert done.returncode == 0 and _json(done)["summary"]["errors"] == 0
    # the facts the draft was made from back its numbers: change one and it is found
    data = json.loads(drafts["school-ideology-summary.json"].read_text(encoding="utf-8"))
    for s in data["sections"]:
        s["body"] = s["body"].replace("中心组学习12次", "中心组学习15次")
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = cli("check", changed, "--format", "json")
    found = {(f["code"], f["excerpt"]) for f in _json(done)["findings"]}
    assert done.returncode == 1
    assert ("facts.unsupported-number", "15次") in found


def test_the_sample_reads_like_a_linter(cli, tmp_path):
    sample = tmp_path / SAMPLE.name
    shutil.copyfile(SAMPLE, sample)
    done = cli("check", sample)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    heads = [LINE.match(line) for line in lines if not line.startswith(" ")][:-1]
    assert heads and all(heads), lines[:5]
    first = next(i for i, line in enumerate(lines) if "number missing before “次”" in line)
    m = LINE.match(lines[first])
    assert (m["path"], m["sev"], m["code"]) == (str(sample), "error", "gap.silent-number")
    source, caret, hint = lines[first + 1], lines[first + 2], lines[first + 3]
    assert "学习 次" in source and caret.strip() == "^^^^^^^" and hint.startswith("    hint: ")
    # the caret stands under the excerpt (wide characters take two columns)
    lead = source[4 : source.index("学习 次")]
    assert caret.index("^") - 4 == sum(2 if ord(ch) > 0x2E80 else 1 for ch in lead)
    assert lines[-1].startswith(f"{sample}: 17 error(s)")
    assert "add --info" in lines[-1]
    assert "noise.wrap-space" not in done.stdout
    assert "noise.wrap-space" in cli("check", sample, "--info").stdout


def test_traditional_characters_are_a_warning_naming_their_simplified_forms(cli, tmp_path):
    draft = tmp_path / "总结.txt"
    draft.write_text("2023年工作總結\n\n全年組織學習十二次。\n", encoding="utf-8")
    done = cli("check", draft)
    assert done.returncode == 0, done.stdout + done.stderr  # a warning: no error
    found = [m for m in map(LINE.match, done.stdout.splitlines()) if m]
    assert [
        (m["line"], m["col"], m["sev"], m["msg"]) for m in found if m["code"] == "style.traditional"
    ] == [
        ("1", "8", "warning", "traditional characters in “總結”: 總→总、結→结"),
        ("3", "3", "warning", "traditional characters in “組織學習”: 組→组、織→织、學→学、習→习"),
    ]
    assert (
        "hint: write “组织学习” in simplified characters (规范汉字; draft check --fix does)"
        in done.stdout
    )
    fixed = tmp_path / "总结.fixed.txt"
    assert cli("check", draft, "--fix").returncode == 0
    assert fixed.read_text(encoding="utf-8") == "2023年工作总结\n\n全年组织学习十二次。\n"


def test_json_output_shape(cli, tmp_path):
    data = _json(cli("check", SAMPLE, "--format", "json"))
    assert set(data) == {"findings", "summary"}
    keys = {"code", "severity", "start", "end", "line", "column", "excerpt", "message", "hint"}
    assert all(keys <= set(f) for f in data["findings"])
    text = SAMPLE.read_text(encoding="utf-8")
    assert all(text[f["start"] : f["end"]] == f["excerpt"] for f in data["findings"])
    assert data["summary"]["by_code"]["gap.silent-number"] == 5


def test_fix_writes_a_cleaned_copy_and_leaves_the_input(cli, tmp_path):
    sample = tmp_path / "sample.txt"
    shutil.copyfile(SAMPLE, sample)
    before = sample.read_bytes()
    done = cli("check", sample, "--fix")
    assert done.returncode == 1
    assert sample.read_bytes() == before
    fixed = tmp_path / "sample.fixed.txt"
    assert f"wrote a cleaned copy to {fixed}" in done.stderr
    cleaned = fixed.read_text(encoding="utf-8")
    assert "文档介绍" not in cleaned and "查看更多" not in cleaned and "大精神" in cleaned
    assert "中心组学习 次" in cleaned  # the gap is left for the user
    again = _json(cli("check", fixed, "--format", "json"))
    assert again["summary"]["by_code"].get("noise.boilerplate") is None
    assert again["summary"]["by_code"].get("style.half-width-punct") is None  # 131 commas…
    assert again["summary"]["by_code"]["gap.silent-number"] == 5

    other = tmp_path / "out" / "clean.md"
    assert cli("check", sample, "--fix", "-o", other).returncode == 1
    assert other.read_text(encoding="utf-8") == cleaned
    # the input is overwritten only when the user names it
    assert cli("check", sample, "--fix", "-o", sample).returncode == 1
    assert sample.read_text(encoding="utf-8") == cleaned


def test_fix_again_keeps_the_cleaned_copy_the_user_filled_in(cli, tmp_path):
    """She fills the gaps in sample.fixed.txt, then runs `draft check sample.txt --fix` once
    more: her filled-in copy was replaced by a fresh one with the gaps, with no word."""
    sample = tmp_path / "sample.txt"
    shutil.copyfile(SAMPLE, sample)
    fixed = tmp_path / "sample.fixed.txt"
    assert cli("check", sample, "--fix").returncode == 1
    filled = fixed.read_text(encoding="utf-8").replace("中心组学习 次", "中心组学习12次")
    fixed.write_text(filled, encoding="utf-8")
    again = cli("check", sample, "--fix")
    assert again.returncode == 1
    kept = tmp_path / "sample.fixed（已编辑）.txt"
    assert kept.read_text(encoding="utf-8") == filled
    assert f"kept as {kept}" in again.stderr
    assert "中心组学习 次" in fixed.read_text(encoding="utf-8")
    quiet = cli("check", sample, "--fix")  # nothing edited since: replaced, nothing kept
    assert "kept as" not in quiet.stderr and len(list(tmp_path.iterdir())) == 3


def test_fix_that_deletes_a_residue_first_line_starts_the_copy_at_the_first_kept_line(
    cli, tmp_path
):
    """A copy whose first line was a site's collection title began with a blank line."""
    page = tmp_path / "page.md"
    page.write_text(
        "# 工作总结范文（通用2篇）\n\n## 篇一：2023年学校工作总结\n\n　　全年开展学习12次。\n"
        "\n查看更多\n\n## 篇二：红星中学2023年工作总结\n\n　　撰写调研报告5篇。\n",
        encoding="utf-8",
    )
    done = cli("check", page, "--fix")
    assert done.returncode == 0, done.stdout + done.stderr
    fixed = (tmp_path / "page.fixed.md").read_text(encoding="utf-8")
    assert fixed.startswith("## 2023年学校工作总结\n\n　　全年开展学习12次。\n"), fixed
    assert "\n\n## 红星中学2023年工作总结\n\n　　撰写调研报告5篇。\n" in fixed
    # a text that began with a blank line keeps it: only what the fix removed goes
    page.write_text("\n查看更多\n　　全年开展学习12次。\n", encoding="utf-8")
    assert cli("check", page, "--fix").returncode == 0
    fixed = (tmp_path / "page.fixed.md").read_text(encoding="utf-8")
    assert fixed == "\n　　全年开展学习12次。\n"


def test_fix_that_removes_a_residue_line_between_blank_lines_leaves_one_blank_line(cli, tmp_path):
    """The cleaned copy of a page whose 查看更多 stood between two paragraphs set apart by blank
    lines had two blank lines in a row where it was; the user's own spacing stays as it was."""
    page = tmp_path / "page.txt"
    page.write_text(
        "红星中学2023年工作总结\n\n　　全年开展学习12次。\n\n查看更多\n\n　　撰写调研报告5篇。\n"
        "\n文档介绍\n查看更多\n\n　　开展家访30次。\n\n\n　　组织活动6场。\n",
        encoding="utf-8",
    )
    done = cli("check", page, "--fix")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "page.fixed.txt").read_text(encoding="utf-8") == (
        "红星中学2023年工作总结\n\n　　全年开展学习12次。\n\n　　撰写调研报告5篇。\n"
        "\n　　开展家访30次。\n\n\n　　组织活动6场。\n"
    )
    # a text saved by Windows Notepad: the residue line goes with its \r\n, and so does one
    # of the blank lines around it
    page.write_bytes("全年开展学习12次。\r\n\r\n查看更多\r\n\r\n撰写调研报告5篇。\r\n".encode())
    assert cli("check", page, "--fix").returncode == 0
    fixed = (tmp_path / "page.fixed.txt").read_bytes().decode("utf-8")
    assert fixed == "全年开展学习12次。\r\n\r\n撰写调研报告5篇。\r\n"


def test_fix_keeps_the_blanks_of_a_form_to_fill_in(cli, tmp_path):
    """`--fix` of a 通知 with its 回执 joined “单位名称：　　　　联系人：” into
    “单位名称：联系人：”, taking the blank the recipient writes in for a stray space."""
    notice = tmp_path / "notice.txt"
    form = "单位名称：　　　　　　联系人：　　　　\n联系电话：\u3000\u3000\u3000\n"
    notice.write_text(f"关于报送防汛回执的通知\n\n请于5月10日前报送。 附件：回执\n{form}", "utf-8")
    done = cli("check", notice, "--fix", "--format", "json")
    assert done.returncode == 0, done.stdout
    fixed = (tmp_path / "notice.fixed.txt").read_text(encoding="utf-8")
    assert fixed.endswith(form)  # the form as it was
    assert "报送。附件" in fixed  # a stray blank after a full stop is still joined


def test_fix_never_writes_its_plain_text_over_a_draft_json_or_word_file(cli, drafts, tmp_path):
    """`--fix -o draft.json` replaced the user's saved draft with plain text (and `-o x.docx`
    wrote text no Word could open): the cleaned copy is text, so such a name is refused."""
    draft = tmp_path / "draft.json"
    shutil.copyfile(drafts["school-ideology-summary-incomplete.json"], draft)
    before = draft.read_bytes()
    _refused(cli("check", draft, "--fix", "-o", draft), "draft.json", "plain text", ".txt or .md")
    assert draft.read_bytes() == before
    word = tmp_path / "clean.docx"
    _refused(cli("check", SAMPLE, "--fix", "-o", word), "clean.docx", "plain text")
    assert not word.exists()
    assert cli("check", draft, "--fix").returncode in (0, 1)  # the default name is .txt
    assert (tmp_path / "draft.fixed.txt").is_file()


def test_markdown_draft_fix_keeps_markdown(cli, drafts, tmp_path):
    md = tmp_path / "draft.md"
    shutil.copyfile(drafts["annual-work-summary.md"], md)
    assert cli("check", md, "--fix").returncode == 0
    assert (tmp_path / "draft.fixed.md").read_text(encoding="utf-8") == md.read_text(
        encoding="utf-8"
    )


_ESCAPED_MD = """\
# 红星中学2023年党建工作总结

2023年，学校党支部以习近平新时代中国特色社会主义思想为指导，现将有关情况总结如下：

## 一、主要工作

1\\. 加强理论学习

全年开展中心组学习\\_\\_\\_\\_次，专题研讨\\_\\_次。

2\\. 落实责任制

校长\\*\\*\\*同志带头讲党课，制定了\\_\\_\\_\\_\\_\\_方案。

\\# 不是标题的一行
"""


def test_escaped_markdown_is_checked_as_its_reader_sees_it(cli, tmp_path):
    """A .md from pandoc, Typora or a web editor writes a blank as `\\_\\_\\_\\_`, a starred-out
    name as `\\*\\*\\*` and a numbered heading as `1\\.`: `draft check` reported a one-character
    “_” for each blank, missed the asterisks and the skipped heading level, which the same
    text saved as .txt reports. Findings point at the escaped text as the file shows it."""
    md = tmp_path / "escaped.md"
    md.write_text(_ESCAPED_MD, encoding="utf-8")
    plain = tmp_path / "plain.txt"
    unescaped = re.sub(r"\\([_*.#])", r"\1", _ESCAPED_MD)
    plain.write_text(unescaped.replace("# 不是", "＃ 不是"), encoding="utf-8")
    got = _json(cli("check", md, "--format", "json"))["findings"]
    want = _json(cli("check", plain, "--format", "json"))["findings"]
    assert [(f["code"], f["message"]) for f in got] == [(f["code"], f["message"]) for f in want]
    codes = [f["code"] for f in got]
    assert codes.count("gap.placeholder") == 4 and "structure.heading-level" in codes
    lines = _ESCAPED_MD.splitlines()
    for f in got:
        assert _ESCAPED_MD[f["start"] : f["end"]] == f["excerpt"]
        assert lines[f["line"] - 1][f["column"] - 1 :].startswith(f["excerpt"])
    blanks = [f["excerpt"] for f in got if f["code"] == "gap.placeholder"]
    assert blanks == ["\\_\\_\\_\\_", "\\_\\_", "\\*\\*\\*", "\\_\\_\\_\\_\\_\\_"]


# ----------------------------------------------------------------------------- bad input


def _refused(done, *needles: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ")
    for needle in needles:
        assert needle in done.stderr, done.stderr


def test_bad_input_exits_2_with_a_clear_message(cli, tmp_path):
    _refused(cli("check", tmp_path / "nope.txt"), "nope.txt", "not found")
    picture = tmp_path / "picture.txt"  # neither UTF-8 nor GB18030
    picture.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    _refused(cli("check", picture), "picture.txt", "not UTF-8 text, nor GB18030")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    _refused(cli("check", empty), "empty.txt", "empty")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * (8 * 1024 * 1024 + 1))
    _refused(cli("check", huge), "huge.txt", "limit")
    _refused(cli("check", tmp_path), "directory")
    nul = tmp_path / "nul.txt"
    nul.write_text("学校工作总结\n\n正文\0。\n", encoding="utf-8")
    _refused(cli("check", nul), "nul.txt:3:", "NUL characters")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    _refused(cli("check", tmp_path / "loop1"), "a symbolic link to nothing")
    _refused(
        cli("check", SAMPLE, "--doctype", "school-ideology-sumary"),
        "unknown document type",
        "did you mean",
    )
    _refused(cli("check", SAMPLE, "--format", "xml"), "unknown format 'xml'")
    _refused(cli("check", SAMPLE, "-o", tmp_path / "x.txt"), "--fix")
    assert not (tmp_path / "x.txt").exists()


def test_bad_facts_exit_2_and_nothing_is_written(cli, tmp_path):
    sample = tmp_path / "sample.txt"
    shutil.copyfile(SAMPLE, sample)
    broken = tmp_path / "facts.yaml"
    broken.write_text("doctype: school-ideology-summary\nreport_year: [1\n", encoding="utf-8")
    _refused(cli("check", sample, "--facts", broken, "--fix"), "facts.yaml", "invalid YAML")
    wrong = tmp_path / "wrong.yaml"
    text = (EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8")
    wrong.write_text(
        text.replace("central_group_sessions: 12", "central_group_sessions: 十几"), encoding="utf-8"
    )
    _refused(
        cli("check", sample, "--facts", wrong, "--fix"), "central_group_sessions", "中心组学习次数"
    )
    other = tmp_path / "other.yaml"
    other.write_text(text, encoding="utf-8")
    _refused(
        cli("check", sample, "--facts", other, "--doctype", "annual-work-summary"), "--doctype"
    )
    assert not (tmp_path / "sample.fixed.txt").exists()


def test_a_json_file_that_is_no_draft(cli, tmp_path):
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}', encoding="utf-8")
    _refused(cli("check", bogus), "bogus.json", "not a Draftsmith draft")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("command", ["check", "run"])
def test_an_endless_device_is_refused_at_the_size_limit(tmp_path, command):
    """/dev/zero reports a size of 0 and never ends: reading it whole exhausted memory.
    (The child's address space is capped, so a regression fails instead of swapping.)"""
    import resource
    import subprocess
    import sys

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    result = subprocess.run(
        [sys.executable, "-m", "pipeline", command, "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=cap_memory,
    )
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.startswith("error: /dev/zero: ") and "over the limit" in result.stderr


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_text_saved_by_chinese_windows_word_or_wps_is_checked_and_fixed_in_its_encoding(
    cli, tmp_path, encoding
):
    text = "2020年，学校共开展中心组学习 次，坚持党的 大精神。\n下载文档\n"
    source = tmp_path / "总结.txt"
    source.write_bytes(text.encode(encoding))
    done = cli("check", source, "--format", "json", "--fix")
    assert done.returncode == 1, done.stderr
    codes = [f["code"] for f in json.loads(done.stdout)["findings"]]
    assert {"gap.silent-number", "gap.silent-ordinal", "noise.boilerplate"} <= set(codes)
    fixed = (tmp_path / "总结.fixed.txt").read_bytes()
    assert fixed.decode(encoding) == "2020年，学校共开展中心组学习 次，坚持党的 大精神。\n"
    assert fixed.startswith(text.encode(encoding)[:2])  # the BOM, where there was one


def test_a_word_document_is_checked_like_its_text(cli, tmp_path):
    """The reports office staff bring are often .docx: checked paragraph by paragraph (one a
    line), and --fix writes the cleaned text beside it; other binary formats are refused by
    name, not as "not UTF-8"."""
    import docx

    document = docx.Document()
    document.add_paragraph("发布时间：2021-01-18 09:32:15")
    document.add_paragraph("学校2020年意识形态工作总结")
    document.add_paragraph("全年学校共开展中心组学习 次，其中专题理论学习8次。")
    report = tmp_path / "范文.docx"
    document.save(str(report))

    done = cli("check", report, "--format", "json", "--fix")
    assert done.returncode == 1, done.stderr
    findings = _json(done)["findings"]
    by_code = {f["code"]: f for f in findings}
    assert by_code["gap.silent-number"]["line"] == 3
    assert by_code["noise.boilerplate"]["line"] == 1
    fixed = (tmp_path / "范文.fixed.txt").read_text(encoding="utf-8")
    assert "发布时间" not in fixed and "中心组学习 次" in fixed

    for name in ("report.pdf", "report.doc", "report.ofd"):
        (tmp_path / name).write_bytes(b"%PDF-1.4\n\xff\xfe binary")
        _refused(cli("check", tmp_path / name), name, "save it as .docx or .txt")


def test_a_word_table_is_read_where_it_stands(cli, tmp_path):
    """A table in section 一 of a .docx was read after the signature: the cells hid the
    signature (a 2023 summary dated 2023年1月16日 passed) and every line number after the
    table pointed at the wrong paragraph."""
    import docx

    document = docx.Document()
    document.add_paragraph("县统计局2023年工作总结")
    document.add_paragraph("一、主要指标完成情况")
    table = document.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "指标", (0, 1): "完成数", (1, 0): "地区生产总值"}.items():
        table.cell(r, c).text = value
    table.cell(1, 1).text = "186.5亿元"
    document.add_paragraph("全县共开展专项调查 次。")
    document.add_paragraph("县统计局")
    document.add_paragraph("2023年1月16日")
    report = tmp_path / "总结.docx"
    document.save(str(report))
    done = cli("check", report, "--format", "json")
    found = [(f["code"], f["line"]) for f in _json(done)["findings"]]
    assert found == [("gap.silent-number", 7), ("facts.signature-date", 9)], done.stdout


def test_a_document_saved_under_a_text_name_is_named_for_what_it_is(cli, tmp_path):
    """A .docx renamed 总结.txt (or a .doc or PDF so named) was refused as “not UTF-8 text …
    save the file as UTF-8”, which sends the user to re-save a file that is no text at all."""
    import docx

    document = docx.Document()
    document.add_paragraph("学校2020年意识形态工作总结")
    document.save(str(tmp_path / "总结.txt"))
    _refused(cli("check", tmp_path / "总结.txt"), "总结.txt", "a Word .docx file")
    assert "name it .docx" in cli("check", tmp_path / "总结.txt").stderr
    (tmp_path / "old.txt").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    _refused(cli("check", tmp_path / "old.txt"), "old.txt", "old Word .doc")
    (tmp_path / "scan.md").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    _refused(cli("check", tmp_path / "scan.md"), "scan.md", "a PDF file")
    # other undecodable bytes keep the encoding message
    (tmp_path / "gbk.txt").write_bytes(b"\xc5\xff\xfe")
    _refused(cli("check", tmp_path / "gbk.txt"), "gbk.txt", "not UTF-8 text")


def test_a_docx_that_unpacks_to_gigabytes_is_refused_before_it_is_read(cli, tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b" " * (80 * 1024 * 1024))  # 80 KB packed
    assert bomb.stat().st_size < 1024 * 1024
    _refused(
        cli("check", bomb),
        "bomb.docx",
        "bomb.docx: Word document unpacks to 83,886,088 bytes; the limit is",
    )


@pytest.mark.parametrize("command", ["check", "learn"])
def test_a_password_protected_or_old_word_file_named_docx_says_what_it_is(cli, tmp_path, command):
    """A .docx saved with a password (an OLE container, tests/data/password-123456.docx,
    made with msoffcrypto-tool from a two-paragraph report) was refused as “not a Word .docx
    file (expected a zip package)”, which it is, to its writer; a .doc or WPS file renamed
    .docx got the same words. Each is now named for what it is, with what to do."""
    protected = tmp_path / "总结（加密）.docx"
    shutil.copy(Path(__file__).parent / "data" / "password-123456.docx", protected)
    old = tmp_path / "总结.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    out = ["--out", tmp_path / "learned"] if command == "learn" else []
    _refused(
        cli(command, protected, *out), "总结（加密）.docx: cannot read it", "password-protected"
    )
    _refused(cli(command, old, *out), "总结.docx: cannot read it", "old Word .doc (or WPS) file")
    assert not (tmp_path / "learned").exists()


@pytest.mark.parametrize("command", ["check", "learn"])
def test_a_cut_short_docx_or_an_odt_or_zip_named_docx_says_what_it_is(cli, tmp_path, command):
    """A .docx cut short by a download was told “this is a Word .docx file (or another zip
    package): name it .docx”, which it was named; an .odt or any zip named .docx got
    python-docx's “There is no item named '[Content_Types].xml' in the archive”."""
    import zipfile

    import docx

    whole = tmp_path / "whole.docx"
    document = docx.Document()
    document.add_paragraph("青山县自然资源局2023年工作总结")
    document.save(str(whole))
    cut = tmp_path / "总结.docx"
    cut.write_bytes(whole.read_bytes()[:-200])
    odt = tmp_path / "总结（odt）.docx"
    with zipfile.ZipFile(odt, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    archive = tmp_path / "附件.docx"
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("总结.txt", "青山县自然资源局2023年工作总结")
    out = ["--out", tmp_path / "learned"] if command == "learn" else []
    _refused(
        cli(command, cut, *out),
        "总结.docx: cannot read this .docx: it is cut short or damaged",
        "copy or download it again",
    )
    _refused(
        cli(command, odt, *out),
        "总结（odt）.docx: cannot read it: this is an OpenDocument text (.odt",
        "save it as Word 文档 (.docx)",
    )
    _refused(
        cli(command, archive, *out),
        "附件.docx: cannot read it: this is a zip archive that holds no Word document",
    )
    assert not (tmp_path / "learned").exists()


def test_a_docx_with_photos_is_read_and_a_picture_bomb_refused(cli, tmp_path):
    """A 工作总结 with a few photos of its activities (9 MB) was refused as “Word document
    is 9,xxx,xxx bytes; the limit is 8,388,608 bytes”: the limit for a facts file. Its
    text is checked now; a picture that unpacks to hundreds of MB is still refused."""
    import os
    import struct
    import zipfile
    import zlib

    import docx

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    side = 1800  # a photo's worth of pixels that do not compress
    rows = b"".join(b"\0" + os.urandom(side * 3) for _ in range(side))
    photo = tmp_path / "活动照片.png"
    photo.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )
    document = docx.Document()
    document.add_paragraph("县统计局2023年工作总结")
    document.add_picture(str(photo))
    document.add_paragraph("全年共开展统计培训 次。")
    report = tmp_path / "总结.docx"
    document.save(str(report))
    assert report.stat().st_size > 9 * 1024 * 1024
    done = cli("check", report, "--format", "json")
    assert done.returncode == 1, done.stderr
    assert [(f["code"], f["line"]) for f in _json(done)["findings"]] == [("gap.silent-number", 3)]

    bomb = tmp_path / "照片.docx"  # a picture that unpacks to 300 MB is never unpacked
    with (
        zipfile.ZipFile(report) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if not item.filename.startswith("word/media/"):
                target.writestr(item.filename, source.read(item))
        with target.open("word/media/image1.png", "w") as picture:
            for _ in range(300):
                picture.write(bytes(1024 * 1024))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    assert cli("check", bomb).returncode == 1


def test_a_docx_part_that_unpacks_past_its_declared_size_is_refused_in_little_memory(tmp_path):
    """A 250 KB .docx whose document.xml declares 5,000 bytes but inflates to 256 MB: the
    declared sizes passed the limit, then zipfile inflated the whole part at once (twice),
    and `draft check` took 2 GB of memory and 12 s for a 1 GB part before it said “Bad
    CRC-32”. Parts are now unpacked a chunk at a time, no further than their declared size."""
    import struct
    import subprocess
    import sys
    import zipfile

    import docx

    document = docx.Document()
    document.add_paragraph("学校2020年意识形态工作总结")
    plain = tmp_path / "plain.docx"
    document.save(str(plain))
    bomb = tmp_path / "总结.docx"
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item.filename, source.read(item))
        with target.open("word/document.xml", "w") as part:
            part.write(source.read("word/document.xml")[:-20])
            for _ in range(256):
                part.write(b" " * (1024 * 1024))
    data = bytearray(bomb.read_bytes())  # declare 5,000 bytes in the central directory
    at = data.find(b"PK\x01\x02")
    while at != -1:
        size = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + size] == b"word/document.xml":
            data[at + 24 : at + 28] = struct.pack("<I", 5000)
        at = data.find(b"PK\x01\x02", at + 4)
    bomb.write_bytes(bytes(data))
    assert bomb.stat().st_size < 1024 * 1024

    measure = (  # the CLI's peak memory, in a process of its own
        "import resource, subprocess, sys; "
        "done = subprocess.run([sys.executable, '-m', 'pipeline', 'check', sys.argv[1]], "
        "capture_output=True, text=True); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print(done.stderr, end='')"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, str(bomb)], capture_output=True, text=True, timeout=120
    )
    head, stderr = done.stdout.split("\n", 1)
    code, peak_kb = map(int, head.split())
    assert code == 2 and "Traceback" not in stderr, stderr
    assert "总结.docx: cannot read this .docx (damaged" in stderr, stderr
    assert peak_kb < 200 * 1024, f"{peak_kb:,} KB"


@pytest.mark.parametrize("command", ["check", "learn"])
def test_a_docx_declaring_entities_is_refused_not_read_with_text_missing(cli, tmp_path, command):
    """A .docx whose document.xml declares a DTD: its entity references were left unexpanded,
    so `draft check` read 学校共开展 and said 0 errors for 学校共开展中心组学习 次 (and an
    external entity naming /etc/passwd must never be read). Word refuses such files."""
    import zipfile

    import docx

    plain = tmp_path / "plain.docx"
    document = docx.Document()
    document.add_paragraph("学校共开展中心组学习 次。")
    document.save(str(plain))
    assert cli("check", plain).returncode == 1  # the gap is found in the real document
    crafted = tmp_path / "下载.docx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(crafted, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                head, body = data.decode("utf-8").split("?>", 1)
                body = body.replace("中心组学习", "&e;中心组学习")
                dtd = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                data = f"{head}?>\n{dtd}{body}".encode()
            target.writestr(item, data)
    out = tmp_path / "learned"
    args = ["--out", out] if command == "learn" else []
    done = cli(command, crafted, *args)
    _refused(done, "下载.docx", "word/document.xml declares a DTD (<!DOCTYPE>)")
    assert "root:" not in done.stdout + done.stderr
    assert not out.exists()


def test_a_long_word_document_looks_each_style_up_once(tmp_path, monkeypatch):
    """A 12,500-paragraph .docx took 45 s to read (50,000 paragraphs, minutes): python-docx
    finds a paragraph's style by going through every style of the document, and each
    paragraph's style was asked for twice. Each style is now looked up once."""
    import docx
    from docx.styles.styles import Styles

    from pipeline.docx_text import read_docx

    document = docx.Document()
    document.add_paragraph("学校2020年意识形态工作总结", style="Title")
    for i in range(1, 401):
        if i % 100 == 1:
            document.add_paragraph(f"第{i}部分", style="Heading 1")
        document.add_paragraph(f"全年学校共开展中心组学习{i}次。")
    report = tmp_path / "长文.docx"
    document.save(str(report))

    lookups = 0
    get_by_id = Styles.get_by_id

    def counted(self, *args, **kwargs):  # python-docx's own lookup, only counted
        nonlocal lookups
        lookups += 1
        return get_by_id(self, *args, **kwargs)

    monkeypatch.setattr(Styles, "get_by_id", counted)
    lines = read_docx(report).splitlines()
    assert lines[0] == "学校2020年意识形态工作总结"
    assert lines[1] == "一、第1部分" and lines[102] == "二、第101部分"
    assert len(lines) == 405
    assert lookups <= 3  # Title, Heading 1 and the default style; was twice per paragraph


def _types_with_path_facts(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the built-in types under `types/`, and the school example naming its spec by
    path (`doctype: ../types/schemas/….yaml`, relative to the facts file)."""
    from tests.conftest import REPO

    types = tmp_path / "types"
    shutil.copytree(REPO / "schemas", types / "schemas")
    shutil.copytree(REPO / "prompts", types / "prompts")
    text = (EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8")
    (tmp_path / "facts").mkdir()
    facts = tmp_path / "facts" / "school.yaml"
    facts.write_text(
        text.replace(
            "doctype: school-ideology-summary",
            "doctype: ../types/schemas/school-ideology-summary.yaml",
        ),
        encoding="utf-8",
    )
    return types, facts


def test_a_type_named_by_id_and_by_its_spec_path_is_one_type(cli, tmp_path):
    """A maintainer's facts file names its spec by path; `--doctype ID --spec-dir DIR` names
    the same type by id. They were compared as strings and refused as two types."""
    types, facts = _types_with_path_facts(tmp_path)
    draft = tmp_path / "draft.md"
    assert cli("run", facts, "-o", draft).returncode == 0
    for doctype in ("school-ideology-summary", types / "schemas/school-ideology-summary.yaml"):
        done = cli(
            "check", draft, "--doctype", doctype, "--spec-dir", types, "--facts", facts,
            "--format", "json",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert _json(done)["summary"]["errors"] == 0
    _refused(cli("check", draft, "--doctype", "annual-work-summary", "--facts", facts), "--doctype")


def test_a_draft_json_checked_with_its_spec_path_is_checked_against_its_facts(cli, tmp_path):
    """`draft check draft.json --doctype schemas/x.yaml` silently dropped the draft's facts
    (the path was not the draft's id), so an invented number passed."""
    types, facts = _types_with_path_facts(tmp_path)
    draft = tmp_path / "draft.json"
    assert cli("run", facts, "-o", draft).returncode == 0
    saved = draft.read_text(encoding="utf-8")
    assert "中心组学习12次" in saved
    draft.write_text(saved.replace("中心组学习12次", "中心组学习987次"), encoding="utf-8")
    spec = types / "schemas/school-ideology-summary.yaml"
    done = cli("check", draft, "--doctype", spec, "--format", "json")
    assert done.returncode == 1, done.stderr
    codes = [f["code"] for f in _json(done)["findings"]]
    assert "facts.unsupported-number" in codes


def test_a_draft_of_a_type_not_found_here_names_the_draft_and_what_to_pass(cli, tmp_path):
    """A maintainer's draft of a type kept outside the built-ins, checked without its folder,
    got only “unknown document type 'x' (known: …)”: neither the file the name came from nor
    how to point at the type."""
    from tests.conftest import REPO

    types = tmp_path / "types"
    (types / "schemas").mkdir(parents=True)
    text = (REPO / "schemas/annual-work-summary.yaml").read_text(encoding="utf-8")
    (types / "schemas/unit-summary.yaml").write_text(
        text.replace("id: annual-work-summary", "id: unit-summary"), encoding="utf-8"
    )
    shutil.copytree(REPO / "prompts/annual-work-summary", types / "prompts/unit-summary")
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        (EXAMPLES / "annual-work-summary.yaml")
        .read_text(encoding="utf-8")
        .replace("doctype: annual-work-summary", "doctype: unit-summary"),
        encoding="utf-8",
    )
    draft = tmp_path / "draft.json"
    assert cli("run", facts, "--spec-dir", types, "-o", draft).returncode == 0
    _refused(
        cli("check", draft),
        f"error: {draft}: field 'doctype': unknown document type 'unit-summary'",
        "pass --spec-dir DIR",
    )
    assert cli("check", draft, "--spec-dir", types).returncode == 0


def _own_type(tmp_path: Path, named_in_facts: str) -> tuple[Path, str, Path, Path]:
    """A type of one's own, `my-summary` (the annual summary renamed), in `<tmp>/types`; its
    spec's text; a report to check; and facts naming the type `named_in_facts`."""
    from tests.conftest import REPO

    types = tmp_path / "types"
    (types / "schemas").mkdir(parents=True)
    spec = (REPO / "schemas/annual-work-summary.yaml").read_text(encoding="utf-8")
    (types / "schemas/my-summary.yaml").write_text(
        spec.replace("id: annual-work-summary", "id: my-summary"), encoding="utf-8"
    )
    shutil.copytree(REPO / "prompts/annual-work-summary", types / "prompts/my-summary")
    text = tmp_path / "report.txt"
    text.write_text("青山县自然资源局2023年工作总结\n\n现将工作总结如下：\n", encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        (EXAMPLES / "annual-work-summary.yaml")
        .read_text(encoding="utf-8")
        .replace("doctype: annual-work-summary", f"doctype: {named_in_facts}"),
        encoding="utf-8",
    )
    return types, spec, text, facts


def test_a_type_of_ones_own_not_found_says_where_it_was_looked_for(cli, tmp_path):
    """`draft check x.txt --doctype my-summary`, `draft run` of facts naming it and
    `draft facts-template` said only “unknown document type 'my-summary' (known: …)” when the
    type was in a folder the user forgot to pass: now the message names the folders searched
    and how to point at the type's folder, and the close match in the user data folder."""
    from tests.conftest import REPO

    types, spec, text, facts = _own_type(tmp_path, "my-summary")
    home = tmp_path / "home"
    learned = home / "data/doctypes"
    shutil.copytree(types, learned)
    (learned / "schemas/my-summary.yaml").rename(learned / "schemas/my-summary-2023.yaml")
    spec_file = learned / "schemas/my-summary-2023.yaml"
    spec_file.write_text(
        spec.replace("id: annual-work-summary", "id: my-summary-2023"), encoding="utf-8"
    )
    (learned / "prompts/my-summary").rename(learned / "prompts/my-summary-2023")
    env = {"DRAFTSMITH_HOME": str(home)}
    looked = f"looked for my-summary.yaml in {REPO / 'schemas'}, {learned / 'schemas'}"
    where = "pass --spec-dir DIR (the folder holding schemas/my-summary.yaml"
    for args in (
        ("check", text, "--doctype", "my-summary"),
        ("facts-template", "my-summary"),
        ("run", facts),
        ("check", text, "--facts", facts),
    ):
        done = run_cli(*args, env=env)
        _refused(done, "unknown document type 'my-summary'", looked, where)
        assert "did you mean 'my-summary-2023'?" in done.stderr
    _refused(run_cli("run", facts, env=env), f"{facts}:2: field 'doctype'", "relative to this")
    assert not (tmp_path / "report.fixed.txt").exists()
    assert run_cli("check", text, "--doctype", "my-summary", "--spec-dir", types).returncode != 2


def test_a_type_not_in_the_spec_dir_given_says_what_that_folder_lacks(cli, tmp_path):
    """With --spec-dir given, a misspelt type's message told the user to "pass --spec-dir DIR"
    as if she had not: now it names the file the folder given was expected to hold, with the
    folders searched and the close match, and gives that advice only without --spec-dir."""
    from tests.conftest import REPO

    types, _, text, facts = _own_type(tmp_path, "my-sumary")
    looked = f"looked for my-sumary.yaml in {types / 'schemas'}, {REPO / 'schemas'}"
    expected = (
        "the --spec-dir given must hold schemas/my-sumary.yaml and prompts/my-sumary/ "
        f"(there is no {types / 'schemas' / 'my-sumary.yaml'})"
    )
    for args in (
        ("check", text, "--doctype", "my-sumary"),
        ("facts-template", "my-sumary"),
        ("run", facts),
    ):
        done = cli(*args, "--spec-dir", types)
        _refused(done, "unknown document type 'my-sumary'", "did you mean 'my-summary'?")
        _refused(done, looked, expected)
        assert "pass --spec-dir" not in done.stderr
    other = tmp_path / "other"
    shutil.copytree(types, other)
    (other / "schemas/my-summary.yaml").unlink()
    done = cli("facts-template", "my-sumary", "--spec-dir", other, "--spec-dir", types)
    _refused(done, "one of the --spec-dirs given must hold schemas/my-sumary.yaml")
    _refused(done, f"{other / 'schemas/my-sumary.yaml'} or {types / 'schemas/my-sumary.yaml'}")
    _refused(cli("facts-template", "my-sumary"), "pass --spec-dir DIR (the folder holding")
    assert not (tmp_path / "report.fixed.txt").exists()


# ------------------------------------------------------------- the Word round trip


@pytest.fixture(scope="module")
def word_draft(tmp_path_factory) -> tuple[Path, Path]:
    """The annual example drafted to Word without 内设机构数, 在职干部职工人数 and 成文日期
    (markers in their places), and its facts file."""
    folder = tmp_path_factory.mktemp("word")
    facts = folder / "facts.yaml"
    facts.write_text(
        "".join(
            line
            for line in (EXAMPLES / "annual-work-summary.yaml").open(encoding="utf-8")
            if not line.startswith(("departments:", "staff_count:", "report_date:"))
        ),
        encoding="utf-8",
    )
    docx_path = folder / "总结.docx"
    env = {"DRAFTSMITH_HOME": str(tmp_path_factory.mktemp("home"))}
    done = run_cli("run", facts, "-o", docx_path, env=env)
    assert done.returncode == 0, done.stderr
    return docx_path, facts


def _typed_in_word(source: Path, target: Path, edits: dict[str, str]) -> Path:
    """`source` as a clerk saves it after typing over text in Word: each run's text with
    `edits` replaced (old → new), its highlight and comments left as they were."""
    import docx

    document = docx.Document(str(source))
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            for old, new in edits.items():
                if old in run.text:
                    run.text = run.text.replace(old, new)
    document.save(str(target))
    return target


def test_a_value_typed_inside_a_markers_brackets_is_not_taken_for_a_missing_fact(
    cli, word_draft, tmp_path
):
    """A clerk who typed 86 over the label alone (【待补充：86】, the brackets kept) was told
    "missing fact: 86", and to give 86 in the facts file under a key."""
    source, facts = word_draft
    edited = _typed_in_word(source, tmp_path / "总结.docx", {"在职干部职工人数】": "86】"})
    done = cli("check", edited, "--facts", facts, "--format", "json")
    markers = {f["excerpt"]: f for f in _json(done)["findings"] if f["code"] == "gap.marker"}
    assert set(markers) == {"【待补充：86】", "【待补充：内设机构数】", "【待补充：成文日期】"}
    typed = markers["【待补充：86】"]
    assert typed["message"] == "a value typed inside the marker: “86” is still marked 待补充"
    assert typed["hint"] == "delete 【待补充： and 】 around 86, keeping the value alone"
    assert markers["【待补充：内设机构数】"]["message"] == "missing fact: 内设机构数"
    # without a document type too
    done = cli("check", edited, "--format", "json")
    messages = {f["excerpt"]: f["message"] for f in _json(done)["findings"]}
    assert messages["【待补充：86】"].startswith("a value typed inside the marker")


def test_a_number_typed_over_in_word_names_the_fact_and_the_value_it_replaced(cli, tmp_path):
    """A clerk who changed 内设机构9个 to 10个 (or the 落款's date) in Word was told only
    that 10个 "is not in the facts", with no word of the fact it contradicts."""
    facts = EXAMPLES / "annual-work-summary.yaml"
    source = tmp_path / "总结.docx"
    assert cli("run", facts, "-o", source).returncode == 0
    edited = _typed_in_word(
        source,
        tmp_path / "改.docx",
        {"内设机构9个": "内设机构10个", "2024年1月10日": "2024年1月12日"},
    )
    done = cli("check", edited, "--facts", facts, "--format", "json")
    assert done.returncode == 1
    found = {f["excerpt"]: f for f in _json(done)["findings"]}
    assert found["10个"]["message"] == (
        "the number “10个” is not in the facts, which give 内设机构数 as 9个 "
        "(no longer written in the text)"
    )
    assert found["10个"]["hint"] == (
        "if 内设机构数 is now 10个, correct it in the facts and check again; "
        "otherwise write 9个, as the facts give it"
    )
    assert found["2024年1月12日"]["message"].endswith(
        "which give 成文日期 as 2024年1月10日 (no longer written in the text)"
    )
    # a number the facts' value still stands beside is named as before: no fact was typed over
    edited = _typed_in_word(
        source, tmp_path / "加.docx", {"现有在职干部职工86人": "现有在职干部职工86人，党员40人"}
    )
    done = cli("check", edited, "--facts", facts, "--format", "json")
    found = {f["excerpt"]: f for f in _json(done)["findings"]}
    assert found["40人"]["message"] == "the number “40人” is not in the facts"


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer",
)
def test_a_marker_filled_in_word_and_saved_by_libreoffice_is_checked_as_filled(cli, tmp_path):
    """The clerk's round trip: a marker typed over in the Word draft (its highlight and the
    checker's comment kept), the file saved again by an office suite, checked with the facts
    file. The section was said to lack the marker, with the hint to write it back."""
    import subprocess

    facts = EXAMPLES / "school-ideology-summary-incomplete.yaml"
    source = tmp_path / "总结.docx"
    assert cli("run", facts, "-o", source).returncode == 0
    typed = _typed_in_word(source, tmp_path / "typed.docx", {"【待补充：中心组学习次数】": "12"})
    saved = tmp_path / "saved"
    subprocess.run(
        # a profile of its own: the user's default one may be in use by another soffice
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
         "--headless", "--convert-to", "docx", "--outdir", saved, typed],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    done = cli("check", saved / "typed.docx", "--facts", facts, "--format", "json")
    findings = _json(done)["findings"]
    by_excerpt = {f["excerpt"]: f for f in findings}
    mention = next(f for f in findings if f["code"] == "facts.must-mention")
    assert mention["message"] == (
        "the section must name 中心组学习次数, which the facts leave empty, and its marker "
        "“【待补充：中心组学习次数】” is gone"
    )
    assert mention["hint"].startswith(
        f"if 中心组学习次数 is written here, give it in {facts} (key 'central_group_sessions')"
    )
    assert by_excerpt["12次"]["message"].endswith(
        "where 中心组学习次数、中心组理论学习次数 are left empty"
    )
    markers = [f["excerpt"] for f in findings if f["code"] == "gap.marker"]
    assert markers == ["【待补充：中心组理论学习次数】", "【待补充：新中国成立周年数】"]
    # the checker's own comments, kept by the office suite, are no text of the draft
    assert not [f for f in findings if "此处缺少" in f["excerpt"] + f["message"]]


def test_a_marker_whose_closing_bracket_was_deleted_does_not_swallow_the_next(
    cli, word_draft, tmp_path
):
    """【待补充：内设机构数】 typed over as 【待补充：9 (its 】 deleted with the label) was read
    on to the next marker's 】: one "marker" over half a sentence, and 在职干部职工人数's
    own marker no longer listed."""
    source, facts = word_draft
    edited = _typed_in_word(
        source, tmp_path / "总结.docx", {"【待补充：内设机构数】": "【待补充：9"}
    )
    done = cli("check", edited, "--facts", facts, "--format", "json")
    findings = _json(done)["findings"]
    markers = [f["excerpt"] for f in findings if f["code"] == "gap.marker"]
    assert markers == ["【待补充：在职干部职工人数】", "【待补充：成文日期】"]
    left = [f for f in findings if f["code"] == "gap.placeholder"]
    assert [f["excerpt"] for f in left] == ["待补充"]
    assert done.returncode == 1


def test_what_a_clerk_leaves_filling_a_marker_in_word_is_named_with_the_empty_fact(
    cli, word_draft, tmp_path
):
    """Typing over part of a marker in Word left 【9】个, 86】人 or 9个个: the checker said
    only that 9 "is not in the facts", naming neither the debris nor the fact left empty."""
    source, facts = word_draft
    edited = _typed_in_word(
        source,
        tmp_path / "总结.docx",
        {"待补充：内设机构数": "9", "【待补充：在职干部职工人数": "86"},
    )
    done = cli("check", edited, "--facts", facts, "--format", "json")
    assert done.returncode == 1
    found = [(f["code"], f["excerpt"], f["message"]) for f in _json(done)["findings"]]
    assert ("gap.marker-debris", "【9】", "a value typed inside a marker's brackets: “9”") in found
    assert (
        "gap.marker-debris",
        "】",
        "a stray “】” with no “【” before it: the rest of a marker",
    ) in found
    numbers = {e: m for code, e, m in found if code == "facts.unsupported-number"}
    assert numbers == {
        "9": "the number “9” is not in the facts, where 内设机构数 is left empty",
        "86": "the number “86” is not in the facts, where 在职干部职工人数 is left empty",
    }
    # the unit typed again before the one the draft wrote after the marker
    edited = _typed_in_word(source, tmp_path / "再.docx", {"【待补充：内设机构数】": "9个"})
    done = cli("check", edited, "--facts", facts, "--format", "json")
    hits = [f for f in _json(done)["findings"] if f["code"] == "gap.marker-debris"]
    assert [(f["excerpt"], f["hint"]) for f in hits] == [("个", "delete one 个")]
    assert "“9个个”" in hits[0]["message"]
