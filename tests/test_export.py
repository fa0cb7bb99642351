"""`draft export` and the text renderers: a saved draft rendered again without a model, as
JSON (round trip), Markdown (headings as # levels, markers kept), plain text and Word; bad
inputs exit 2 with a clear message and overwrite nothing."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from markdown_it import MarkdownIt

from pipeline.document import Draft
from pipeline.markers import find_markers
from pipeline.render.json import DRAFT_FORMAT, load_draft_json, load_saved_draft, render_json
from pipeline.render.layout import heading_level, layout, lead_heading
from pipeline.render.markdown import escape_markdown
from pipeline.render.overrides import StyleOverrides, parse_size
from pipeline.render.style import HouseStyle
from tests.conftest import EXAMPLES, addressed_school, run_cli


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The school draft with three markers, saved by `draft run` as JSON."""
    folder = tmp_path_factory.mktemp("export")
    out = folder / "school.json"
    result = run_cli(
        "run",
        EXAMPLES / "school-ideology-summary-incomplete.yaml",
        "-o",
        out,
        env={"DRAFTSMITH_HOME": str(tmp_path_factory.mktemp("home"))},
    )
    assert result.returncode == 0, result.stderr
    return out


def _with_body(draft: Draft, index: int, body: str) -> Draft:
    sections = list(draft.sections)
    sections[index] = sections[index].model_copy(update={"body": body})
    return draft.model_copy(update={"sections": sections})


# ----------------------------------------------------------------------------- JSON


def test_json_export_round_trips_byte_for_byte(cli, saved, tmp_path):
    out = tmp_path / "again.json"
    result = cli("export", saved, "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == saved.read_text(encoding="utf-8")
    assert load_draft_json(out) == load_draft_json(saved)


def test_json_carries_the_full_draft_with_findings_and_provenance(saved):
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert next(iter(data)) == "format" and data["format"] == DRAFT_FORMAT
    for key in ("title", "sections", "signature", "facts", "markers", "findings", "provenance"):
        assert key in data
    assert data["provenance"]["spec_hash"] and data["provenance"]["facts_hash"]
    assert data["text"] == load_draft_json(saved).text
    assert [f["excerpt"] for f in data["findings"]] == [
        data["text"][m["start"] : m["end"]] for m in data["markers"]
    ]
    assert "中心组学习次数" in saved.read_text(encoding="utf-8")  # Chinese kept, not \\u escapes


def test_a_hand_edited_draft_is_exported_with_its_markers_located_again(cli, saved, tmp_path):
    data = json.loads(saved.read_text(encoding="utf-8"))
    theory = next(s for s in data["sections"] if s["id"] == "theory_study")
    theory["body"] = theory["body"].replace("【待补充：中心组学习次数】", "12")
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    saved_again = load_saved_draft(edited)
    assert saved_again.edited
    assert [m.label for m in saved_again.draft.markers] == [
        "中心组理论学习次数",
        "新中国成立周年数",
    ]
    text = saved_again.draft.text
    assert all(text[m.start : m.end].endswith(f"{m.label}】") for m in saved_again.draft.markers)
    assert all(text[f.start : f.end] == f.excerpt for f in saved_again.draft.findings)

    out = tmp_path / "edited.docx"
    result = cli("export", edited, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "was edited" in result.stderr and "checked again" in result.stderr
    with zipfile.ZipFile(out) as z:
        comments = z.read("word/comments.xml").decode()
    assert comments.count("<w:comment ") == 2
    assert "中心组学习次数】" not in comments.replace("中心组理论学习次数", "")


def test_an_indent_or_a_blank_line_typed_into_a_section_is_no_paragraph_of_its_own(
    cli, saved, tmp_path
):
    """A body edited by hand with the office habit of a 　　 indent, a line of spaces and a
    space at a line's end: Word showed the paragraph indented four characters and an empty
    paragraph (the layout indents by itself), and the text held the blanks."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    theory = next(s for s in data["sections"] if s["id"] == "theory_study")
    original = theory["body"]
    first, rest = original.split("\n", 1)
    theory["body"] = f"\u3000\u3000{first} \n   \n{rest}"
    edited = tmp_path / "spaced.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "spaced.docx"
    result = cli("export", edited, "-o", out, "-o", tmp_path / "spaced.json.txt")
    assert result.returncode == 0, result.stderr
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    assert first in paragraphs and original.split("\n")[1] in paragraphs
    assert [i for i, p in enumerate(paragraphs) if not p.strip()] == [1, len(paragraphs) - 3]
    assert (tmp_path / "spaced.json.txt").read_text(encoding="utf-8") == load_draft_json(saved).text


def test_an_edit_of_the_text_field_alone_is_refused_not_lost(cli, saved, tmp_path):
    """Filling a marker in the JSON's `text` (the whole document in one field) and not in its
    sections: the export took the sections, wrote the marker back into the Word file and said
    "edited … checked again"; the edit was lost without a word."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["text"] = data["text"].replace("【待补充：中心组学习次数】", "12")
    edited = tmp_path / "text-edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "text-edited.docx"
    out.write_bytes(b"earlier")
    result = cli("export", edited, "-o", out)
    assert result.returncode == 2, result.stderr
    assert "text-edited.json" in result.stderr and "field 'text' was edited" in result.stderr
    assert "'sections'" in result.stderr and "Traceback" not in result.stderr
    assert out.read_bytes() == b"earlier"


def test_sections_edited_and_text_deleted_give_findings_that_point_into_the_text(
    cli, saved, tmp_path
):
    """'text' is made from the sections, so a user may delete it after editing them: the
    markers and findings of the text as drafted were then written back unchanged."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    theory = next(s for s in data["sections"] if s["id"] == "theory_study")
    theory["body"] = theory["body"].replace("【待补充：中心组学习次数】", "12")
    del data["text"]
    edited = tmp_path / "no-text.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.json"
    result = cli("export", edited, "-o", out)
    assert "was edited" in result.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    text = exported["text"]
    assert [m["label"] for m in exported["markers"]] == ["中心组理论学习次数", "新中国成立周年数"]
    assert all(text[m["start"] : m["end"]].endswith(f"{m['label']}】") for m in exported["markers"])
    assert all(text[f["start"] : f["end"]] == f["excerpt"] for f in exported["findings"])


def test_a_marker_replaced_all_over_the_file_is_a_filled_fact(cli, saved, tmp_path):
    """Filling a marker with the editor's replace-all changes the sections, `text` and the
    marker's finding at once: the sections still give `text`, yet the saved markers and
    findings no longer stand where they point. The export wrote them back unchanged (offsets
    into the wrong words) and took 12 for no fact; it is now an edit like any other."""
    edited = tmp_path / "replaced.json"
    edited.write_text(
        saved.read_text(encoding="utf-8").replace("【待补充：中心组学习次数】", "12"),
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    result = cli("export", edited, "-o", out, "-o", tmp_path / "out.docx")
    assert result.returncode == 0, result.stderr
    assert "was edited" in result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    text = data["text"]
    assert [m["label"] for m in data["markers"]] == ["中心组理论学习次数", "新中国成立周年数"]
    assert all(text[m["start"] : m["end"]] == f"【待补充：{m['label']}】" for m in data["markers"])
    assert all(text[f["start"] : f["end"]] == f["excerpt"] for f in data["findings"])
    assert data["facts"]["central_group_sessions"] == 12  # the value typed is the fact
    check = cli("check", edited)
    assert check.returncode == 0, check.stdout  # `draft check` agrees: nothing unsupported


def test_a_date_typed_over_the_signatures_marker_is_the_date_fact(cli, tmp_path):
    """The 落款's date marker is a line of its own, with no words around it on that line: a
    clerk who typed 2024年1月10日 over it in the draft JSON got “the date … is not in the
    facts” from `draft export` and `draft check` (exit 1), where any other marker filled is
    that fact. The line above it (the unit) now locates the value."""
    example = (EXAMPLES / "annual-work-summary.yaml").read_text(encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    facts.write_text(example.replace("report_date: 2024-01-10\n", ""), encoding="utf-8")
    saved = tmp_path / "draft.json"
    assert cli("run", facts, "-o", saved).returncode == 0
    assert load_draft_json(saved).signature.date == "【待补充：成文日期】"
    edited = tmp_path / "edited.json"
    edited.write_text(
        saved.read_text(encoding="utf-8").replace("【待补充：成文日期】", "2024年1月10日"),
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    result = cli("export", edited, "-o", out, "-o", tmp_path / "out.docx")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["facts"]["report_date"] == "2024-01-10"
    assert not [f for f in data["findings"] if f["code"] == "facts.unsupported-number"]
    check = cli("check", edited)
    assert check.returncode == 0, check.stdout
    # the date typed in the signature alone (not replaced all over the file) is the fact too;
    # a number changed in a section is still not in the facts
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["signature"]["date"] = "2024年1月10日"
    body = data["sections"][2]["body"]
    data["sections"][2]["body"] = body.replace("补充耕地1200亩", "补充耕地1300亩")
    assert data["sections"][2]["body"] != body
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    check = cli("check", wrong, "--format", "json")
    found = json.loads(check.stdout)["findings"]
    assert [f["excerpt"] for f in found if f["code"] == "facts.unsupported-number"] == ["1300亩"]


# ----------------------------------------------------------------------------- Markdown


def _annual_with_levels(tmp_path: Path, cli) -> Path:
    """The annual summary with 1. and （1） paragraphs, a marker and a Markdown-like placeholder."""
    base = tmp_path / "annual.json"
    assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", base).returncode == 0
    draft = load_draft_json(base)
    body = draft.sections[-1].body + (
        "\n1.完善耕地保护制度。健全耕地保护考核机制。"
        "\n（1）开展耕地卫片执法检查"
        "\n以******关于自然资源工作的部署为指导，20__年完成【待补充：图斑核查数量】个。"
        "\n1.5万亩耕地完成整改。"
    )
    draft = _with_body(draft, len(draft.sections) - 1, body)
    out = tmp_path / "levels.json"
    out.write_text(render_json(draft), encoding="utf-8")
    return out


def test_markdown_has_heading_levels_markers_and_the_signature(cli, tmp_path):
    source = _annual_with_levels(tmp_path, cli)
    result = cli("export", source, "--format", "md")
    assert result.returncode == 0, result.stderr
    md = result.stdout
    lines = md.splitlines()
    assert lines[0] == "# 青山县自然资源局2023年工作总结"
    assert "## 一、基本情况" in lines
    assert "### （一）强化耕地保护" in lines
    assert "1.**完善耕地保护制度**。健全耕地保护考核机制。" in lines
    assert "##### （1）开展耕地卫片执法检查" in lines
    assert "【待补充：图斑核查数量】" in md
    assert lines[-2:] == ["青山县自然资源局  ", "2024年1月10日"]

    html = MarkdownIt().render(md)
    assert "<h1>青山县自然资源局2023年工作总结</h1>" in html
    assert "<h3>（一）强化耕地保护</h3>" in html
    assert "<h5>（1）开展耕地卫片执法检查</h5>" in html
    # a lead heading is bold, its asterisks not shown (CommonMark closes ** after a letter)
    assert "<p>1.<strong>完善耕地保护制度</strong>。健全耕地保护考核机制。</p>" in html
    # placeholders are shown as written, not read as emphasis or a list
    assert "以******关于自然资源工作的部署为指导，20__年" in html
    assert "<p>1.5万亩耕地完成整改。</p>" in html
    assert "<ol" not in html and "<em>" not in html
    assert "青山县自然资源局<br />\n2024年1月10日" in html


def test_draft_check_of_the_markdown_finds_what_it_finds_in_the_plain_text(cli, tmp_path):
    """The Markdown a draft is exported as reads, to `draft check`, as its plain text does:
    a lead heading in bold and a 1. heading are still headings, so （三） after two lead
    headings （一）（二） is in order, and （1） under 1. skips no level."""
    base = tmp_path / "annual.json"
    assert cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", base).returncode == 0
    draft = load_draft_json(base)
    body = (
        draft.sections[2]
        .body.replace("耕地保护\n", "耕地保护。")
        .replace("便民服务\n", "便民服务。")
    )
    draft = _with_body(
        draft, 2, body + "\n1.完善登记制度\n（1）压缩办理时限。全年压缩办理时限一半。"
    )
    saved = tmp_path / "leads.json"
    saved.write_text(render_json(draft), encoding="utf-8")
    found = {}
    for fmt in ("md", "txt"):
        out = tmp_path / f"leads.{fmt}"
        assert cli("export", saved, "-o", out).returncode in (0, 1)
        result = cli("check", out, "--doctype", "annual-work-summary", "--format", "json")
        found[fmt] = sorted(
            (f["code"], f["excerpt"]) for f in json.loads(result.stdout)["findings"]
        )
    assert found["md"] == found["txt"] == []
    assert "（一）**强化耕地保护**。严格" in (tmp_path / "leads.md").read_text(encoding="utf-8")


def test_markdown_escaping_keeps_the_visible_text():
    for text in ("以******关于", "20__年", "1. 开头", "# 井号", "a_b*c`d[e]", "- 横线"):
        html = MarkdownIt().render(escape_markdown(text))
        assert html.strip() == f"<p>{text.replace('<', '&lt;')}</p>", text


# ----------------------------------------------------------------------------- plain text


def test_text_is_the_canonical_plain_text_without_markdown(cli, saved):
    result = cli("export", saved, "--format", "txt")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text == load_draft_json(saved).text
    assert not any(line.startswith(("#", "*", "-")) for line in text.splitlines())
    assert "**" not in text
    assert "\n一、加强组织领导，落实意识形态工作责任制\n" in text
    assert text.rstrip().endswith("青山县红星中学\n2021年1月15日")
    assert len(find_markers(text)) == 3


# ----------------------------------------------------------------------------- Word


def test_export_docx_matches_the_docx_of_draft_run(cli, saved, tmp_path):
    exported = tmp_path / "exported.docx"
    direct = tmp_path / "direct.docx"
    assert cli("export", saved, "-o", exported).returncode == 0
    assert (
        cli("run", EXAMPLES / "school-ideology-summary-incomplete.yaml", "-o", direct).returncode
        == 0
    )
    with zipfile.ZipFile(exported) as a, zipfile.ZipFile(direct) as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")
        assert a.read("word/styles.xml") == b.read("word/styles.xml")


def test_export_exits_1_when_error_findings_remain_and_still_writes(cli, saved, tmp_path):
    draft = load_draft_json(saved)
    start = draft.text.index("两学一做")
    finding = {
        "code": "phrase.quote",
        "severity": "error",
        "start": start,
        "end": start + 4,
        "line": 1,
        "column": 1,
        "excerpt": "两学一做",
        "message": "引号缺失",
    }
    flagged = draft.model_validate({**draft.model_dump(), "findings": [finding]})
    source = tmp_path / "flagged.json"
    source.write_text(render_json(flagged), encoding="utf-8")
    out = tmp_path / "flagged.docx"
    result = cli("export", source, "-o", out)
    assert result.returncode == 1
    assert out.exists()
    assert "1 error finding(s), 4 comment(s)" in result.stderr


# ----------------------------------------------------------------------------- bad inputs


BAD_INPUTS = {
    "not JSON": ("notes.json", "这不是JSON", (), "invalid JSON"),
    "YAML facts": ("facts.yaml", "doctype: x\n", (), "expected a draft saved by"),
    "not a draft": ("other.json", '{"name": "x"}', (), "not a Draftsmith draft: field 'doctype'"),
    "a list": ("list.json", "[1, 2]", (), "expected a JSON object, got list"),
    "wrong format tag": ("tag.json", '{"format": "other/2"}', (), "field 'format'"),
    "empty": ("empty.json", "", (), "empty"),
    "nested too deeply": ("deep.json", "[" * 50_000 + "]" * 50_000, (), "nested more than 100"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_draft_files_exit_2_and_overwrite_nothing(cli, tmp_path, case):
    name, content, extra, message = BAD_INPUTS[case]
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.docx"
    out.write_bytes(b"previous output")
    result = cli("export", source, "-o", out, *extra)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert str(source) in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"previous output"


def test_a_hand_edited_field_of_the_wrong_type_says_what_was_expected(cli, saved, tmp_path):
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["title"] = ["x"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = cli("export", edited, "-o", tmp_path / "out.md")
    assert result.returncode == 2, result.stderr
    assert "field 'title': expected text, got ['x']" in result.stderr  # not "Input should be"


def _drop(data: dict, *keys: str | int) -> None:
    for key in keys[:-1]:
        data = data[key]
    del data[keys[-1]]


def _rename(data: dict, old: str, new: str) -> None:
    data[new] = data.pop(old)


STRUCTURE_EDITS = {
    # audit: each of these was exported (and checked) as if nothing were wrong
    "format missing": (
        lambda d: _drop(d, "format"),
        "field 'format' is required but missing, expected 'draftsmith.draft/1'",
    ),
    "format of a later version": (
        lambda d: d.update(format="draftsmith.draft/2"),
        "field 'format' is 'draftsmith.draft/2' (a later version of the draft format",
    ),
    "text a number": (lambda d: d.update(text=5), "field 'text': expected text"),
    "text null": (lambda d: d.update(text=None), "field 'text': expected text"),
    "a number given as text": (
        lambda d: d["sections"][0].update(attempts="3"),
        "field 'sections[0].attempts': expected an integer, got '3'",
    ),
    "an offset with a fraction": (
        lambda d: d["markers"][0].update(start=1.5),
        "field 'markers[0].start': expected an integer, got 1.5",
    ),
    "a misspelt key": (
        lambda d: _rename(d, "title", "titel"),
        "unknown field 'titel'; did you mean 'title'?",
    ),
    "a misspelt nested key": (
        lambda d: _rename(d["sections"][1], "body", "bdy"),
        "unknown field 'sections[1].bdy'; did you mean 'body'?",
    ),
    "an unknown key": (
        lambda d: d["signature"].update(seal="公章"),
        "unknown field 'signature.seal'; expected one of: unit, date, role, second",
    ),
    "a nested field missing": (
        lambda d: _drop(d, "markers", 0, "start"),
        "field 'markers[0].start' is required but missing, expected an integer",
    ),
    "an unknown severity": (
        lambda d: d["findings"][0].update(severity="fatal"),
        "field 'findings[0].severity': expected one of 'error', 'warning', 'info', got 'fatal'",
    ),
}


@pytest.mark.parametrize("case", STRUCTURE_EDITS, ids=list(STRUCTURE_EDITS))
def test_a_draft_not_as_draft_run_writes_it_is_refused_by_export_and_check(
    cli, saved, tmp_path, case
):
    edit, message = STRUCTURE_EDITS[case]
    data = json.loads(saved.read_text(encoding="utf-8"))
    edit(data)
    source = tmp_path / "edited.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.docx"
    out.write_bytes(b"previous output")
    for result in (cli("export", source, "-o", out), cli("check", source)):
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"error: {source}: not a Draftsmith draft: {message}"), (
            result.stderr
        )
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert out.read_bytes() == b"previous output"


def test_a_draft_as_draft_run_writes_it_is_read_with_text_deleted_and_fields_reordered(
    cli, saved, tmp_path
):
    """What stays accepted: `text` deleted (it is made from the sections), keys in any order,
    the optional fields left out."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    del data["text"], data["usage"], data["sections"][0]["usage"]
    reordered = dict(reversed(list(data.items())))
    source = tmp_path / "reordered.json"
    source.write_text(json.dumps(reordered, ensure_ascii=False), encoding="utf-8")
    result = cli("export", source, "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout == load_draft_json(saved).text


def test_a_key_given_twice_is_refused_at_its_line_not_the_last_kept(cli, saved, tmp_path):
    """json kept the last of two "body" keys in silence: a hand edit typed as a second key
    (the first left in place) was exported, or lost, without a word."""
    lines = saved.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith('"body": '))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f'{indent}"body": "改过的正文",\n')
    edited = tmp_path / "edited.json"
    edited.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out.md"
    out.write_bytes(b"previous output")
    result = cli("export", edited, "-o", out)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {edited}:{at + 2}: invalid JSON: duplicate key 'body': "
        "each key may be given once in an object\n"
    )
    assert out.read_bytes() == b"previous output"


def test_a_word_file_given_for_the_draft_is_named_as_such(cli, saved, tmp_path):
    """It was "not UTF-8 text, nor GB18030 …; save the file as UTF-8": advice that cannot help."""
    word = tmp_path / "draft.docx"
    assert cli("export", saved, "-o", word).returncode == 0
    result = cli("export", word, "-o", tmp_path / "again.md")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {word}: expected a draft saved as JSON")
    assert "not a .docx file" in result.stderr and "UTF-8" not in result.stderr
    # the clerk who filled the Word draft in and brought it back is told what she can do
    assert "a Word file is not read back into a draft; check it as edited with `draft check`" in (
        result.stderr
    )
    assert "make the edits in the draft's JSON and export that" in result.stderr
    assert not (tmp_path / "again.md").exists()


def test_a_control_character_in_a_saved_draft_is_bad_input(cli, saved, tmp_path):
    """Word files cannot hold one: exit 2 naming the character, not lxml's traceback."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["sections"][1]["body"] = data["sections"][1]["body"].replace("学校", "学\x0b校", 1)
    source = tmp_path / "edited.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = cli("export", source, "-o", out)
    assert result.returncode == 2, result.stderr
    assert str(source) in result.stderr and "U+000B" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "unknown format 'pdf': expected one of md, txt, json, docx"),
        (("--format", "docx"), "--format docx needs an output file"),
        (("-o", "{tmp}/out.pdf"), "cannot tell the output format from 'out.pdf'"),
        (("-o", "{tmp}"), "the output is a directory"),
        (("-o", "{tmp}/a.docx", "-o", "{tmp}/a.md", "--format", "md"), "--format names the"),
        (("-o", "{tmp}/a.md", "-o", "{tmp}/a.pdf"), "cannot tell the output format from 'a.pdf'"),
        (("-o", "{tmp}/a.md", "-o", "{tmp}/a.md"), "is given twice"),
    ],
    ids=[
        "unknown format",
        "docx to stdout",
        "unknown extension",
        "directory",
        "one --format for two outputs",
        "a bad second output",
        "the same output twice",
    ],
)
def test_bad_options_exit_2_with_a_clear_message(cli, saved, tmp_path, args, message):
    args = tuple(a.format(tmp=tmp_path) for a in args)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("export", saved, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_several_outputs_write_one_file_per_format(cli, saved, tmp_path):
    word, text = tmp_path / "总结.docx", tmp_path / "总结.txt"
    result = cli("export", saved, "-o", word, "-o", text)
    assert result.returncode in (0, 1), result.stderr
    assert word.read_bytes()[:2] == b"PK"
    assert "【待补充" in text.read_text(encoding="utf-8") or text.stat().st_size > 0
    assert "as docx" in result.stderr and "as txt" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a full device")
def test_an_output_the_disk_refuses_does_not_stop_the_later_ones(cli, saved, tmp_path):
    """The middle of three outputs is on a full device: the first and the last are still
    written and named, the failure is named with its reason and what to do, and the export
    exits 2 as `draft run` does when one of its outputs fails."""
    word, full, data = tmp_path / "总结.docx", tmp_path / "总结.md", tmp_path / "总结.json"
    full.symlink_to("/dev/full")
    result = cli("export", saved, "-o", word, "-o", full, "-o", data)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert word.read_bytes()[:2] == b"PK"
    assert load_draft_json(data) == load_draft_json(saved)
    assert f"as docx → {word}" in result.stderr and f"as json → {data}" in result.stderr
    assert "as md" not in result.stderr
    # named as given, not as the device the link points to
    assert f"error: {full}: cannot write the output: No space left on device" in result.stderr
    assert f"not written: {full}; run the same command again once it can be written" in (
        result.stderr
    )
    assert "/dev/full" not in result.stderr
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a full device")
def test_when_no_output_can_be_written_each_reason_is_given(cli, saved, tmp_path):
    """Every output failed: the export names each failure, not just the first."""
    md, txt = tmp_path / "总结.md", tmp_path / "总结.txt"
    md.symlink_to("/dev/full")
    txt.symlink_to("/dev/full")
    result = cli("export", saved, "-o", md, "-o", txt)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "error: none of the 2 outputs could be written:\n" in result.stderr
    for output in (md, txt):
        reason = f"  {output}: cannot write the output: No space left on device\n"
        assert reason in result.stderr, result.stderr


def test_a_missing_draft_file_is_named(cli, tmp_path):
    result = cli("export", tmp_path / "nowhere.json", "--format", "md")
    assert result.returncode == 2
    assert "nowhere.json: draft JSON file not found" in result.stderr


def test_a_draft_of_an_unknown_doctype_still_exports_with_the_default_style(cli, saved, tmp_path):
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["doctype"] = "gone-doctype"
    source = tmp_path / "gone.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "gone.docx"
    result = cli("export", source, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "'gone-doctype' could not be loaded" in result.stderr
    assert out.stat().st_size > 0


# ----------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("paragraph", "level", "lead"),
    [
        ("一、基本情况", 1, ""),
        ("（一）强化耕地保护", 2, ""),
        ("（二）推进登记。全年办理业务15600件。", 2, "（二）推进登记。"),
        ("1.完善制度。健全考核机制。", 3, "1.完善制度。"),
        ("1.5万亩耕地完成整改。", 0, ""),
        ("（1）开展执法检查", 4, ""),
        ("一是坚持理论武装。二是抓好学习。", 0, ""),
        ("2020年，我们坚持……", 0, ""),
    ],
)
def test_heading_levels_are_read_from_the_numbering(paragraph, level, lead):
    assert heading_level(paragraph) == level
    assert lead_heading(paragraph) == lead


def test_layout_offsets_point_into_the_draft_text(saved):
    draft = load_draft_json(saved)
    text = draft.text
    blocks = layout(draft)
    assert blocks[0].kind == "title" and blocks[-1].kind == "signature"
    for block in blocks:
        assert text[block.start : block.end] == block.text
        assert block.segments[0].start == block.start and block.segments[-1].end == block.end


def test_house_style_defaults_and_overrides():
    style = HouseStyle()
    assert style.line_pitch_twips == 579
    assert round(style.char_pitch_pt, 2) == 15.79
    assert (style.title.size, style.body.size, style.page_number.size) == (22, 16, 14)
    custom = style.with_overrides(StyleOverrides.model_validate({"body": {"size": "小四"}}))
    assert custom.body.size == 12 and custom.body.font == "仿宋_GB2312"
    assert [parse_size(s) for s in ("二号", "3号", "小四", "10.5", 14)] == [22, 16, 12, 10.5, 14]
    with pytest.raises(ValueError, match="Chinese size name"):
        parse_size("特大")


def test_draft_check_reads_an_exported_json_and_its_text(cli, saved, tmp_path):
    again = tmp_path / "again.json"
    text = tmp_path / "again.txt"
    assert cli("export", saved, "-o", again).returncode == 0
    assert cli("export", saved, "-o", text).returncode == 0
    from_json = cli("check", again, "--format", "json")
    from_text = cli("check", text, "--format", "json")
    assert from_json.returncode == 0, from_json.stderr
    assert from_text.returncode == 0, from_text.stderr
    spans = [(f["start"], f["end"]) for f in json.loads(from_json.stdout)["findings"]]
    assert spans == [(f["start"], f["end"]) for f in json.loads(from_text.stdout)["findings"]]
    assert spans == [(m.start, m.end) for m in load_draft_json(saved).markers]


def test_an_output_that_is_the_input_is_refused(cli, saved, tmp_path):
    """`-o` naming the very file being read would replace the saved draft (or the facts)
    with a rendering of it: refused before anything is written."""
    draft = tmp_path / "draft.json"
    shutil.copy(saved, draft)
    facts = tmp_path / "facts.yaml"
    shutil.copy(EXAMPLES / "school-ideology-summary.yaml", facts)
    for args, source in (
        (("export", draft, "--format", "md", "-o", tmp_path / "." / "draft.json"), draft),
        (("run", facts, "--format", "md", "-o", facts), facts),
    ):
        before = source.read_bytes()
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert "the output would replace the input file" in result.stderr, result.stderr
        assert source.read_bytes() == before


@pytest.mark.parametrize("doctype", ["../../schemas/annual-work-summary.yaml", "x.yaml"])
def test_a_draft_whose_doctype_is_a_path_is_refused(cli, saved, tmp_path, doctype):
    """A draft names its type by id; a path there would make check and export read (and
    render the templates of) whatever file it points to, and blame that file."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["doctype"] = doctype
    source = tmp_path / "draft.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for args in (("check", source), ("export", source, "-o", tmp_path / "out.md")):
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(
            f"error: {source}: not a Draftsmith draft: field 'doctype': expected a document-type id"
        ), result.stderr
    assert not (tmp_path / "out.md").exists()


def test_an_output_under_a_file_is_refused_before_the_work(cli, saved, tmp_path, draftsmith_home):
    """`-o notes.txt/report.md`: the folder is a file. Said so ("File exists" was the
    message), and before a draft is made, a suite run or a check report printed."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep", encoding="utf-8")
    text = tmp_path / "report.txt"
    text.write_text("学校共开展中心组学习 次。\n", encoding="utf-8")
    for args in (
        ("run", EXAMPLES / "school-ideology-summary.yaml", "-o", blocker / "draft.md"),
        ("export", saved, "-o", blocker / "sub" / "draft.docx"),
        ("eval", "checker", "-o", blocker / "report.html"),
        ("check", text, "--fix", "-o", blocker / "fixed.txt"),
    ):
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"error: {args[-1]}: cannot write the output: {blocker} is a file, not a folder\n"
        ), result.stderr
        assert result.stdout == ""
    assert blocker.read_text(encoding="utf-8") == "keep"
    assert not (draftsmith_home / "data" / "runs").exists()


# ----------------------------------------------------------------------------- 主送机关


def test_the_addressee_stands_under_the_title_in_every_format_and_round_trips(cli, tmp_path):
    """A type with `addressee` writes its 主送机关 on the line under the title, with its
    full-width colon, in the text, the Markdown and the JSON; the JSON exports again as it
    was, and `draft check` of each output, with the facts, finds nothing."""
    spec_dir, facts = addressed_school(tmp_path / "type")
    outs = [tmp_path / f"school.{ext}" for ext in ("txt", "md", "json")]
    result = cli("run", facts, "--spec-dir", spec_dir, *(a for o in outs for a in ("-o", o)))
    assert result.returncode == 0, result.stderr
    txt, md, saved = outs
    assert txt.read_text(encoding="utf-8").split("\n")[:4] == [
        "青山县红星中学2020年意识形态工作总结",
        "",
        "青山县教育局：",
        "以深入学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神为首要政治任务，"
        "坚持以党的政治建设为统领，以落实全面从严治党要求为主线，按照青山县教委党建办公室"
        "《关于做好意识形态工作的通知》《青山县2020年教育系统意识形态工作责任书》的要求，"
        "认真贯彻落实中央和省、市及青山县委关于意识形态工作责任制的部署，坚持党管意识形态"
        "不动摇，牢牢把握意识形态工作的领导权、管理权、话语权，积极培育和践行社会主义核心"
        "价值观，积极研究和探索新形势下意识形态工作的特点和规律，以广大党员为骨干，以宣传"
        "思想工作为载体，加强和改进意识形态领域工作，为学校健康发展提供强有力的思想保证。"
        "现将2020年以来意识形态工作情况总结如下：",
    ]
    assert md.read_text(encoding="utf-8").split("\n")[:4] == [
        "# 青山县红星中学2020年意识形态工作总结",
        "",
        "青山县教育局：",
        "",
    ]
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["addressee"] == "青山县教育局"
    assert data["sections"][0]["body"].startswith("以深入学习")  # not in the opening
    again = tmp_path / "again.json"
    assert cli("export", saved, "-o", again).returncode == 0
    assert again.read_bytes() == saved.read_bytes()
    assert cli("export", saved, "--format", "txt").stdout == txt.read_text(encoding="utf-8")
    spec = spec_dir / "schemas/school-ideology-summary.yaml"
    for out in (txt, md, saved):
        checked = cli("check", out, "--doctype", spec, "--facts", facts, "--format", "json")
        assert json.loads(checked.stdout)["findings"] == [], (out, checked.stdout)


def test_a_missing_addressee_is_its_marker_on_its_own_line(cli, tmp_path):
    spec_dir, facts = addressed_school(tmp_path / "type", addressee=None)
    saved = tmp_path / "school.json"
    result = cli("run", facts, "--spec-dir", spec_dir, "-o", saved)
    assert result.returncode == 0, result.stderr
    assert "addressee: 【待补充：主送机关】 (addressee)" in result.stderr
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["text"].split("\n")[2] == "【待补充：主送机关】："
    [marker] = data["markers"]
    assert (marker["label"], marker["fact"], marker["section"], marker["line"]) == (
        "主送机关", "addressee", None, 3,
    )  # fmt: skip
    assert data["text"][marker["start"] : marker["end"]] == "【待补充：主送机关】"
    # the sections' offsets stay right: each section's span starts at its text
    draft = load_draft_json(saved)
    for (_, start, _), section in zip(draft.section_spans(), draft.sections, strict=True):
        first = section.heading or section.body.split("\n")[0]
        assert draft.text[start : start + len(first)] == first


def test_a_draft_of_a_type_without_addressee_has_no_addressee_key(saved):
    """Drafts of the other types, and the golden files made from them, stay as they were."""
    assert "addressee" not in json.loads(saved.read_text(encoding="utf-8"))


def test_a_plan_drafted_before_its_optional_section_existed_still_exports(cli, tmp_path):
    """annual-work-plan gained the optional 月度工作安排 (`when: monthly_schedule`); a JSON
    draft written before (by commit 19d2f77, four sections) exports and checks as it did."""
    old = Path(__file__).parent / "data/drafts/annual-work-plan-before-monthly.json"
    outs = [tmp_path / f"plan.{ext}" for ext in ("docx", "txt")]
    done = cli("export", old, *(a for out in outs for a in ("-o", out)))
    assert done.returncode == 0, done.stderr
    text = outs[1].read_text(encoding="utf-8")
    headings = [ln for ln in text.splitlines() if ln[:2] in {"一、", "二、", "三、", "四、"}]
    assert headings == ["一、目标任务", "二、重点工作", "三、保障措施"]
    checked = cli("check", old, "--format", "json")
    assert checked.returncode == 0 and json.loads(checked.stdout)["findings"] == []
