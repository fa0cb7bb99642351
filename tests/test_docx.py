"""Word output: drafts written by `draft run`/`draft export` and read back with python-docx and
the raw XML — page, margins, grid, fonts, sizes, spacing, headings, footers, highlights and
comments — and one LibreOffice conversion that counts the lines on a full page."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.shared import Mm, Pt
from lxml import etree

from pipeline.document import Draft
from pipeline.markers import find_markers
from pipeline.render.json import load_draft_json, render_json
from tests.conftest import EXAMPLES, REPO, addressed_school, run_cli

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TWIPS_PER_MM = 1440 / 25.4


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


def para_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iterfind(".//w:t", NS))


def body_paragraphs(path: Path) -> list[etree._Element]:
    return xml(path, "word/document.xml").findall(".//w:body/w:p", NS)


def find_paragraph(path: Path, start: str) -> etree._Element:
    for p in body_paragraphs(path):
        if para_text(p).startswith(start):
            return p
    raise AssertionError(f"no paragraph starts with {start!r}")


def ppr(path: Path, p: etree._Element, child: str, attr: str = "val") -> str | None:
    """A paragraph property as Word resolves it: the paragraph's own, else its style's (and
    the styles it is based on)."""
    el = p.find(f"w:pPr/w:{child}", NS)
    if el is not None and el.get(q(attr)) is not None:
        return el.get(q(attr))
    styles = xml(path, "word/styles.xml")
    style = p.find("w:pPr/w:pStyle", NS)
    style_id = style.get(q("val")) if style is not None else "Normal"
    while style_id:
        st = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        el = st.find(f"w:pPr/w:{child}", NS)
        if el is not None and el.get(q(attr)) is not None:
            return el.get(q(attr))
        based = st.find("w:basedOn", NS)
        style_id = based.get(q("val")) if based is not None else None
    return None


def text_runs(p: etree._Element) -> list[etree._Element]:
    return [r for r in p.findall("w:r", NS) if r.find("w:t", NS) is not None]


def fonts_of(run: etree._Element) -> dict[str, str]:
    rfonts = run.find("w:rPr/w:rFonts", NS)
    assert rfonts is not None, "a run without w:rFonts"
    return {k.split("}")[1]: v for k, v in rfonts.attrib.items()}


def size_pt(run: etree._Element) -> float:
    return int(run.find("w:rPr/w:sz", NS).get(q("val"))) / 2


def save_draft(draft: Draft, path: Path) -> Path:
    path.write_text(render_json(draft), encoding="utf-8")
    return path


def export(src: Path, out: Path, *extra: str, cwd: Path | None = None, env=None):
    result = run_cli("export", src, "-o", out, *extra, cwd=cwd, env=env)
    assert result.returncode in (0, 1), result.stderr
    return result


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("docx")


@pytest.fixture(scope="module")
def module_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"DRAFTSMITH_HOME": str(tmp_path_factory.mktemp("home"))}


@pytest.fixture(scope="module")
def school_json(workdir: Path, module_env) -> Path:
    """The school draft with three markers, saved by `draft run` as JSON."""
    out = workdir / "school.json"
    result = run_cli(
        "run", EXAMPLES / "school-ideology-summary-incomplete.yaml", "-o", out, env=module_env
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def annual_json(workdir: Path, module_env) -> Path:
    """The annual summary (（一） subsections, a signature), with 1. and （1） levels and two
    error findings added to it."""
    out = workdir / "annual-run.json"
    result = run_cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out, env=module_env)
    assert result.returncode == 0, result.stderr
    draft = load_draft_json(out)
    sections = list(draft.sections)
    plans = sections[-1]
    sections[-1] = plans.model_copy(
        update={
            "body": plans.body
            + "\n1.完善耕地保护制度。健全耕地保护考核机制，压实属地责任。"
            + "\n（1）开展耕地卫片执法检查"
            + "\n全年计划完成【待补充：卫片图斑核查数量】个图斑核查。"
        }
    )
    draft = draft.model_copy(update={"sections": sections})
    text = draft.text
    findings = []
    for code, excerpt, message, hint in [
        ("number.unbacked", "15600件", "数字“15600件”在事实中没有依据", "核对业务办理量"),
        ("phrase.broken", "一网通办", "规范表述不完整", "写作“一网通办”改革"),
    ]:
        start = text.index(excerpt)
        findings.append(
            {
                "code": code,
                "severity": "error",
                "start": start,
                "end": start + len(excerpt),
                "line": text.count("\n", 0, start) + 1,
                "column": start - text.rfind("\n", 0, start),
                "excerpt": excerpt,
                "message": message,
                "hint": hint,
            }
        )
    warning_at = text.index("耕地保有量")
    findings.append(
        {
            "code": "style.note",
            "severity": "warning",
            "start": warning_at,
            "end": warning_at + 5,
            "line": 1,
            "column": 1,
            "excerpt": "耕地保有量",
            "message": "a warning is not commented",
        }
    )
    draft = draft.model_validate({**draft.model_dump(), "findings": findings})
    return save_draft(draft, workdir / "annual.json")


@pytest.fixture(scope="module")
def school_docx(workdir: Path, module_env) -> Path:
    """The school draft straight from `draft run --format docx`."""
    out = workdir / "school.docx"
    result = run_cli(
        "run",
        EXAMPLES / "school-ideology-summary-incomplete.yaml",
        "--format",
        "docx",
        "-o",
        out,
        env=module_env,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def annual_docx(workdir: Path, annual_json: Path, module_env) -> Path:
    out = workdir / "annual.docx"
    export(annual_json, out, env=module_env)
    return out


# ----------------------------------------------------------------------------- page and grid


def test_page_is_a4_with_the_gbt_9704_margins(school_docx):
    section = docx.Document(str(school_docx)).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    sect = xml(school_docx, "word/document.xml").find(".//w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (int(size.get(q("w"))), int(size.get(q("h")))) == (11906, 16838)
    margins = sect.find("w:pgMar", NS)
    for side, mm in (("top", 37), ("bottom", 35), ("left", 28), ("right", 26)):
        assert abs(int(margins.get(q(side))) - mm * TWIPS_PER_MM) <= 1, side


def test_document_grid_holds_22_lines_of_28_characters(school_docx):
    sect = xml(school_docx, "word/document.xml").find(".//w:body/w:sectPr", NS)
    grid = sect.find("w:docGrid", NS)
    assert grid.get(q("type")) == "linesAndChars"
    pitch = int(grid.get(q("linePitch")))
    text_height = (297 - 37 - 35) * TWIPS_PER_MM
    assert pitch == 579  # 28.95 pt
    assert 22 * pitch <= text_height < 23 * pitch
    char_pitch_pt = 16 + int(grid.get(q("charSpace"))) / 4096
    text_width_pt = (210 - 28 - 26) / 25.4 * 72
    assert 28 * char_pitch_pt <= text_width_pt < 29 * char_pitch_pt
    # the default font size the character pitch is counted from is the body's 16 pt
    defaults = xml(school_docx, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:sz", NS).get(q("val")) == "32"


def test_the_theme_fonts_are_the_chinese_ones(school_docx):
    """Word's built-in styles (标题 1…) use the theme's fonts for the language named here: the
    theme's 宋体 for zh-CN, not ＭＳ 明朝 for the template's ja-JP."""
    settings = xml(school_docx, "word/settings.xml")
    assert settings.find("w:themeFontLang", NS).get(q("eastAsia")) == "zh-CN"


def test_word_opens_the_draft_as_a_current_document_not_in_compatibility_mode(
    school_docx, annual_docx
):
    """python-docx's template declares Word 2010 (compatibilityMode 14): Word 2013 and later
    opened every draft in "Compatibility Mode" (兼容模式 in the title bar)."""
    for path in (school_docx, annual_docx):
        settings = xml(path, "word/settings.xml")
        modes = [
            s.get(q("val"))
            for s in settings.iterfind("w:compat/w:compatSetting", NS)
            if s.get(q("name")) == "compatibilityMode"
        ]
        assert modes == ["15"], path


def test_every_paragraph_has_exact_line_spacing_of_the_grid(school_docx):
    document = docx.Document(str(school_docx))
    for p in document.paragraphs:
        pf = p.paragraph_format
        rule = pf.line_spacing_rule or p.style.paragraph_format.line_spacing_rule
        spacing = pf.line_spacing or p.style.paragraph_format.line_spacing
        assert rule == WD_LINE_SPACING.EXACTLY, p.text[:20]
        assert spacing == Pt(28.95), p.text[:20]
        assert (pf.space_before or 0) == 0 and (pf.space_after or 0) == 0


def test_characters_are_condensed_so_that_28_fit_a_line(school_docx):
    body = find_paragraph(school_docx, "以深入学习贯彻")
    for run in text_runs(body):
        spacing = int(run.find("w:rPr/w:spacing", NS).get(q("val"))) / 20
        assert spacing < 0
        assert 28 * (16 + spacing) <= (210 - 28 - 26) / 25.4 * 72 < 29 * (16 + spacing)


# ----------------------------------------------------------------------------- fonts and sizes


def test_title_is_22pt_xiaobiaosong_centred_with_a_fallback(school_docx):
    first = docx.Document(str(school_docx)).paragraphs[0]
    assert first.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert first.style.name == "公文标题"
    assert all(run.font.size == Pt(22) for run in first.runs)
    title = body_paragraphs(school_docx)[0]
    assert para_text(title) == "青山县红星中学2020年意识形态工作总结"
    assert ppr(school_docx, title, "jc") == "center"
    for run in text_runs(title):
        fonts = fonts_of(run)
        assert fonts["eastAsia"] == "方正小标宋简体"
        assert fonts["ascii"] == fonts["hAnsi"] == "Times New Roman"
        assert size_pt(run) == 22
    table = xml(school_docx, "word/fontTable.xml")
    entry = table.find("w:font[@w:name='方正小标宋简体']", NS)
    assert entry.find("w:altName", NS).get(q("val")) == "宋体"
    assert entry.find("w:charset", NS).get(q("val")) == "86"
    fangsong = table.find("w:font[@w:name='仿宋_GB2312']", NS)
    assert fangsong.find("w:altName", NS).get(q("val")) == "仿宋"


def test_body_is_16pt_fangsong_with_times_new_roman_and_a_two_character_indent(school_docx):
    body = find_paragraph(school_docx, "以深入学习贯彻")
    assert ppr(school_docx, body, "ind", "firstLineChars") == "200"
    assert ppr(school_docx, body, "ind", "firstLine") == "640"  # two 16 pt characters
    assert ppr(school_docx, body, "jc") == "both"
    runs = text_runs(body)
    assert "2020" in "".join(para_text(r) for r in runs)
    for run in runs:
        fonts = fonts_of(run)
        assert fonts["eastAsia"] == "仿宋_GB2312"
        assert fonts["ascii"] == fonts["hAnsi"] == "Times New Roman"
        assert size_pt(run) == 16


def test_every_run_in_the_body_sets_its_east_asian_font(school_docx, annual_docx):
    for path in (school_docx, annual_docx):
        for p in body_paragraphs(path):
            for run in text_runs(p):
                fonts = fonts_of(run)
                assert fonts.get("eastAsia"), para_text(p)[:20]
                assert fonts["ascii"] == "Times New Roman"


def test_a_lists_items_are_body_text_not_subheadings(workdir: Path, module_env):
    """（一）镇党政领导班子成员；… is a list, set in the body's font: in 楷体 each item would read
    as a subheading awaiting text. The section headings keep 黑体."""
    out = workdir / "meeting.docx"
    done = run_cli("run", EXAMPLES / "meeting-notice.yaml", "-o", out, env=module_env)
    assert done.returncode == 0, done.stderr
    for start in ("（一）镇党政领导班子成员；", "（三）镇党委书记张建国同志讲话。"):
        runs = text_runs(find_paragraph(out, start))
        assert {fonts_of(run)["eastAsia"] for run in runs} == {"仿宋_GB2312"}, start
    assert fonts_of(text_runs(find_paragraph(out, "三、参会人员"))[0])["eastAsia"] == "黑体"


def test_heading_levels_take_their_fonts(annual_docx):
    expected = {
        "一、基本情况": "黑体",
        "（一）强化耕地保护": "楷体_GB2312",
        "1.完善耕地保护制度。": "仿宋_GB2312",
        "（1）开展耕地卫片执法检查": "仿宋_GB2312",
    }
    for start, font in expected.items():
        p = find_paragraph(annual_docx, start)
        lead = text_runs(p)[0]
        assert para_text(lead).startswith(start[:3])
        assert fonts_of(lead)["eastAsia"] == font, start
        assert size_pt(lead) == 16
    # the lead sentence of "1.完善…。健全…" is the heading, the rest is body text
    p = find_paragraph(annual_docx, "1.完善耕地保护制度。")
    runs = text_runs(p)
    assert para_text(runs[0]) == "1.完善耕地保护制度。"
    assert para_text(runs[-1]).endswith("压实属地责任。")
    # headings show in Word's navigation pane
    heading = find_paragraph(annual_docx, "一、基本情况")
    assert ppr(annual_docx, heading, "outlineLvl") == "1"
    assert ppr(annual_docx, heading, "ind", "firstLineChars") == "200"
    sub = find_paragraph(annual_docx, "（一）强化耕地保护")
    assert ppr(annual_docx, sub, "outlineLvl") == "2"
    assert (
        ppr(annual_docx, find_paragraph(annual_docx, "我局是县政府工作部门"), "outlineLvl") is None
    )


def test_signature_is_right_aligned_below_the_text_with_an_arabic_date(annual_docx):
    paragraphs = body_paragraphs(annual_docx)
    texts = [para_text(p) for p in paragraphs]
    unit = texts.index("青山县自然资源局")
    assert texts[unit + 1] == "2024年1月10日"
    assert texts[unit - 1] == ""  # 正文下空一行
    for p in paragraphs[unit : unit + 2]:
        assert ppr(annual_docx, p, "jc") == "right"
        assert int(p.find("w:pPr/w:ind", NS).get(q("rightChars"))) >= 200
    # the date starts two characters right of the unit name (GB/T 9704 §7.3.5.2)
    unit_right = int(paragraphs[unit].find("w:pPr/w:ind", NS).get(q("rightChars"))) / 100
    date_right = int(paragraphs[unit + 1].find("w:pPr/w:ind", NS).get(q("rightChars"))) / 100
    unit_width, date_width = 8, 3 + 7 * 0.5  # 青山县自然资源局; 2024年1月10日
    assert (unit_right + unit_width) - (date_right + date_width) == pytest.approx(2)


def test_a_unit_name_longer_than_a_line_leaves_the_date_on_one_line(annual_json, tmp_path, cli):
    """A 29-character unit name fills its line from the left margin; the date starts two
    characters in, not 22.5 characters from the right margin where 6.5 would not fit."""
    draft = load_draft_json(annual_json)
    unit = "中共青山县委机构编制委员会办公室青山县机构编制电子政务中心"
    signature = draft.signature.model_copy(update={"unit": unit})
    source = save_draft(
        draft.model_copy(update={"signature": signature, "findings": []}), tmp_path / "long.json"
    )
    out = tmp_path / "long.docx"
    assert cli("export", source, "-o", out).returncode == 0
    paragraphs = body_paragraphs(out)
    texts = [para_text(p) for p in paragraphs]
    date = paragraphs[texts.index("2024年1月10日")]
    date_right = int(date.find("w:pPr/w:ind", NS).get(q("rightChars"))) / 100
    date_width = 3 + 7 * 0.5
    assert date_right + date_width == pytest.approx(28 - 2)


def test_a_signature_of_two_name_lines_writes_both_right_aligned_above_the_date(
    annual_json, tmp_path, cli
):
    """青山县自然资源局 / 办公室 / date: both names 右空二字, one under the other; the date
    starts two characters right of the wider name, as under a single unit name."""
    draft = load_draft_json(annual_json)
    signature = draft.signature.model_copy(update={"second": "办公室"})
    source = save_draft(
        draft.model_copy(update={"signature": signature, "findings": []}), tmp_path / "two.json"
    )
    out = tmp_path / "two.docx"
    assert cli("export", source, "-o", out).returncode == 0
    paragraphs = body_paragraphs(out)
    texts = [para_text(p) for p in paragraphs]
    unit = texts.index("青山县自然资源局")
    assert texts[unit : unit + 3] == ["青山县自然资源局", "办公室", "2024年1月10日"]
    rights = [
        int(p.find("w:pPr/w:ind", NS).get(q("rightChars"))) / 100
        for p in paragraphs[unit : unit + 3]
    ]
    for p in paragraphs[unit : unit + 3]:
        assert ppr(out, p, "jc") == "right"
    assert rights[0] == rights[1] >= 2  # one under the other, 右空二字 or more
    assert (rights[0] + 8) - (rights[2] + 3 + 7 * 0.5) == pytest.approx(2)


# ----------------------------------------------------------------------------- page numbers


def test_page_numbers_are_page_fields_on_the_outer_side(school_docx):
    settings = xml(school_docx, "word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    rels = xml(school_docx, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sect = xml(school_docx, "word/document.xml").find(".//w:body/w:sectPr", NS)
    refs = {
        ref.get(q("type")): targets[
            ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        ]
        for ref in sect.findall("w:footerReference", NS)
    }
    assert set(refs) >= {"default", "even"}
    for kind, align, indent_attr in (
        ("default", "right", "rightChars"),
        ("even", "left", "leftChars"),
    ):
        footer = xml(school_docx, f"word/{refs[kind]}")
        p = footer.find("w:p", NS)
        assert p.find("w:pPr/w:jc", NS).get(q("val")) == align
        assert p.find("w:pPr/w:ind", NS).get(q(indent_attr)) == "100"  # one character in
        instr = "".join(t.text for t in p.iterfind(".//w:instrText", NS))
        assert instr.strip() == "PAGE"
        kinds = [f.get(q("fldCharType")) for f in p.iterfind(".//w:fldChar", NS)]
        assert kinds == ["begin", "separate", "end"]
        assert para_text(p) == "— 1 —"
        for run in p.findall("w:r", NS):
            fonts = fonts_of(run)
            assert fonts["eastAsia"] == fonts["ascii"] == "宋体"
            assert size_pt(run) == 14


# ----------------------------------------------------------------------------- highlights and comments


def _highlighted_runs(path: Path) -> list[str]:
    out = []
    for p in body_paragraphs(path):
        for run in text_runs(p):
            h = run.find("w:rPr/w:highlight", NS)
            if h is not None:
                assert h.get(q("val")) == "yellow"
                out.append(para_text(run))
    return out


def test_every_marker_is_highlighted_and_commented(school_docx, school_json):
    draft = json.loads(school_json.read_text(encoding="utf-8"))
    labels = [m["label"] for m in draft["markers"]]
    assert len(labels) == 3
    document = docx.Document(str(school_docx))
    comments = list(document.comments)
    assert len(comments) == len(labels)
    for comment, label in zip(comments, labels, strict=True):
        assert comment.author == "Draftsmith"
        assert label in comment.text
        assert "请" in comment.text  # says what to supply
    assert _highlighted_runs(school_docx) == [f"【待补充：{label}】" for label in labels]
    yellow = [
        run.text
        for p in document.paragraphs
        for run in p.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert yellow == [f"【待补充：{label}】" for label in labels]
    doc = xml(school_docx, "word/document.xml")
    assert len(doc.findall(".//w:commentRangeStart", NS)) == 3
    assert len(doc.findall(".//w:commentReference", NS)) == 3


def test_error_findings_are_highlighted_and_commented_but_warnings_are_not(
    annual_docx, annual_json
):
    draft = load_draft_json(annual_json)
    errors = [f for f in draft.findings if f.severity == "error"]
    markers = find_markers(draft.text)
    assert len(errors) == 2 and len(markers) == 1
    comments = list(docx.Document(str(annual_docx)).comments)
    assert len(comments) == len(markers) + len(errors)
    texts = [c.text for c in comments]
    assert any("卫片图斑核查数量" in t for t in texts)
    assert any("number.unbacked" in t and "15600件" in t and "核对业务办理量" in t for t in texts)
    assert any("phrase.broken" in t for t in texts)
    assert not any("a warning" in t for t in texts)
    highlighted = _highlighted_runs(annual_docx)
    assert "15600件" in highlighted and "一网通办" in highlighted
    assert "【待补充：卫片图斑核查数量】" in highlighted
    assert "耕地保有量" not in "".join(highlighted)


def test_clean_leaves_comments_out_and_keeps_only_the_marker_highlights(
    annual_json, workdir, module_env
):
    out = workdir / "annual-clean.docx"
    export(annual_json, out, "--clean", env=module_env)
    assert list(docx.Document(str(out)).comments) == []
    doc = xml(out, "word/document.xml")
    assert doc.findall(".//w:commentRangeStart", NS) == []
    assert _highlighted_runs(out) == ["【待补充：卫片图斑核查数量】"]


def test_run_clean_writes_no_comments(cli, tmp_path):
    out = tmp_path / "clean.docx"
    result = cli("run", EXAMPLES / "school-ideology-summary-incomplete.yaml", "--clean", "-o", out)
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(out))
    assert list(document.comments) == []
    assert len(_highlighted_runs(out)) == 3


def test_document_properties_name_the_draft_and_nothing_of_the_template(
    school_json, tmp_path, module_env
):
    """File → Info and Explorer show the report's title, the drafting date, no 2013 dates and
    no "generated by python-docx" left over from the library's template."""
    out = tmp_path / "props.docx"
    export(school_json, out, env=module_env)
    props = docx.Document(str(out)).core_properties
    draft = load_draft_json(school_json)
    assert props.title == draft.title
    assert props.subject == draft.doctype_name
    assert props.language == "zh-CN"
    assert props.comments == ""
    assert props.author == draft.signature.unit == "青山县红星中学"  # the unit's, not the tool's
    core = zipfile.ZipFile(out).read("docProps/core.xml").decode("utf-8")
    assert "python-docx" not in core and "Draftsmith" not in core
    created = dt.datetime.fromisoformat(draft.provenance.created_at)
    assert props.created.replace(tzinfo=dt.UTC) == created.astimezone(dt.UTC)
    assert props.modified.replace(tzinfo=dt.UTC) >= created.astimezone(dt.UTC)


# ----------------------------------------------------------------------------- house style


def _spec_dir_with_style(root: Path, style_yaml: str) -> Path:
    """A --spec-dir holding a copy of the annual summary with a `style:` mapping."""
    shutil.copytree(
        REPO / "prompts" / "annual-work-summary", root / "prompts" / "annual-work-summary"
    )
    shutil.copytree(REPO / "prompts" / "_shared", root / "prompts" / "_shared")
    (root / "schemas").mkdir()
    spec = (REPO / "schemas" / "annual-work-summary.yaml").read_text(encoding="utf-8")
    (root / "schemas" / "annual-work-summary.yaml").write_text(
        spec + "\n" + style_yaml, encoding="utf-8"
    )
    return root


def test_spec_style_and_draft_toml_override_fonts_and_sizes(cli, tmp_path):
    spec_dir = _spec_dir_with_style(
        tmp_path / "types",
        "style:\n  title:\n    font: 方正小标宋_GBK\n  heading2:\n    bold: true\n  body:\n    size: 小三\n",
    )
    work = tmp_path / "work"
    work.mkdir()
    (work / "draft.toml").write_text(
        '[style.body]\nfont = "仿宋"\n[style.page_number]\nfont = "Times New Roman"\n',
        encoding="utf-8",
    )
    out = work / "styled.docx"
    result = cli(
        "run", EXAMPLES / "annual-work-summary.yaml", "--spec-dir", spec_dir, "-o", out, cwd=work
    )
    assert result.returncode == 0, result.stderr
    title = body_paragraphs(out)[0]
    assert fonts_of(text_runs(title)[0])["eastAsia"] == "方正小标宋_GBK"
    body = find_paragraph(out, "2023年，我们坚持")
    run = text_runs(body)[0]
    assert fonts_of(run)["eastAsia"] == "仿宋"  # draft.toml wins over the default
    assert size_pt(run) == 15  # 小三 from the spec
    sub = text_runs(find_paragraph(out, "（一）强化耕地保护"))[0]
    assert sub.find("w:rPr/w:b", NS).get(q("val"), "true") in ("true", "1")
    # the page number's font is its digits' font, not only the dashes'
    footers = [part for part in parts(out) if part.startswith("word/footer")]
    assert len(footers) == 2
    for footer in footers:
        for run in xml(out, footer).iterfind(".//w:r", NS):
            assert fonts_of(run)["ascii"] == fonts_of(run)["eastAsia"] == "Times New Roman"


def test_a_bad_style_in_draft_toml_is_a_clear_error_and_writes_nothing(cli, tmp_path):
    (tmp_path / "draft.toml").write_text('[style.body]\nfnt = "仿宋"\n', encoding="utf-8")
    out = tmp_path / "out.docx"
    out.write_bytes(b"keep me")
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out, cwd=tmp_path)
    assert result.returncode == 2
    assert "draft.toml" in result.stderr
    assert "style.body.fnt" in result.stderr and "did you mean 'font'" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"keep me"


def test_a_bad_size_in_a_spec_style_names_the_field(cli, tmp_path):
    spec_dir = _spec_dir_with_style(tmp_path / "types", "style:\n  body:\n    size: 大号\n")
    result = cli(
        "run",
        EXAMPLES / "annual-work-summary.yaml",
        "--spec-dir",
        spec_dir,
        "-o",
        tmp_path / "x.docx",
    )
    assert result.returncode == 2
    assert "style.body.size" in result.stderr and "三号" in result.stderr
    assert not (tmp_path / "x.docx").exists()


# ----------------------------------------------------------------------------- LibreOffice


def _many_lines_draft(source: Path, n: int) -> Draft:
    """A draft whose body is `n` one-line paragraphs 第001行… and one of exactly three lines."""
    draft = load_draft_json(source)
    lines = [f"第{i:03d}行" for i in range(1, n + 1)]
    three_lines = "汉" * (26 + 28 + 28)  # the first line is indented two characters
    opening = draft.sections[0].model_copy(update={"body": "\n".join([three_lines, *lines])})
    # none of the school draft's markers and findings is in this text
    return draft.model_copy(
        update={"sections": [opening], "signature": None, "markers": [], "findings": []}
    )


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils is not installed: "
    "apt-get install libreoffice-writer fonts-noto-cjk poppler-utils",
)
def test_libreoffice_lays_out_22_lines_of_28_characters_per_page(tmp_path, school_json, cli):
    n = 80
    source = save_draft(_many_lines_draft(school_json, n), tmp_path / "lines.json")
    out = tmp_path / "lines.docx"
    result = cli("export", source, "-o", out)
    assert result.returncode == 0, result.stderr
    profile = tmp_path / "lo-profile"
    convert = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "lines.pdf"
    assert pdf.exists(), convert.stderr
    # title, blank line, 3 lines of the long paragraph, then n one-line paragraphs
    total_lines = 2 + 3 + n
    expected_pages = -(-total_lines // 22)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) == expected_pages
    pages = []
    for page in range(1, expected_pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
        ).stdout
        # LibreOffice sets a little space between Chinese and digits (it ignores autoSpaceDN)
        pages.append([line.replace(" ", "") for line in text.splitlines() if line.strip()])
    # page 2 is full: 22 text lines, then its page number "— 2 —" on the left
    page2 = pages[1]
    assert page2[-1] == "—2—"
    body2 = page2[:-1]
    assert len(body2) == 22, body2
    first = int(body2[0][1:4])
    assert body2 == [f"第{i:03d}行" for i in range(first, first + 22)]
    # page 1: title, the three-line paragraph of 26 + 28 + 28 characters, then one-liners
    page1 = pages[0]
    assert page1[0] == "青山县红星中学2020年意识形态工作总结"
    assert [len(line) for line in page1[1:4]] == [26, 28, 28]
    assert page1[4] == "第001行"
    assert page1[-1] == "—1—"
    assert len(page1) - 1 == 21  # 22 lines less the blank one after the title
    assert pages[-1][-1] == f"—{expected_pages}—"
    # rendered pages: one PNG per page, A4 proportions
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == expected_pages
    from struct import unpack

    width, height = unpack(">II", pngs[0].read_bytes()[16:24])
    assert height / width == pytest.approx(297 / 210, rel=0.02)


def _libreoffice_pages(docx_path: Path, workdir: Path) -> list[list[str]]:
    """The text lines of each page as LibreOffice prints `docx_path` (spaces removed)."""
    convert = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{workdir / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(docx_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = workdir / f"{docx_path.stem}.pdf"
    assert pdf.exists(), convert.stderr
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    return [
        [line.replace(" ", "") for line in page.splitlines() if line.strip()]
        for page in text.split("\f")
        if page.strip()
    ]


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils is not installed",
)
@pytest.mark.parametrize("n", [15, 16])
def test_the_signature_never_stands_on_a_page_without_text(tmp_path, school_json, cli, n):
    """Page 1 holds 22 lines: with the text ending on line 20 the unit name would be the last
    line and the date would go over alone; ending on line 21, the whole 落款 would go over.
    Either way the last line of text goes over with it."""
    draft = _many_lines_draft(school_json, n)
    draft = draft.model_copy(update={"signature": load_draft_json(school_json).signature})
    source = save_draft(draft, tmp_path / f"sig{n}.json")
    out = tmp_path / f"sig{n}.docx"
    result = cli("export", source, "-o", out)
    assert result.returncode == 0, result.stderr
    pages = _libreoffice_pages(out, tmp_path)
    assert len(pages) == 2
    last = pages[-1]
    assert last[-3:] == ["青山县红星中学", "2021年1月15日", "—2—"]
    assert last[0] == f"第{n:03d}行"


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils is not installed",
)
def test_a_title_larger_than_a_grid_line_takes_two_and_its_lines_do_not_overlap(cli, tmp_path):
    """A house style's 小初 (36 pt) title, in the grid's 28.95 pt lines, printed its two lines
    over each other: each of its lines now takes two grid lines, and the text below stays on
    the grid (4 + the blank line + 17 lines of text = 22)."""
    (tmp_path / "draft.toml").write_text('[style.title]\nsize = "小初"\n', encoding="utf-8")
    out = tmp_path / "big-title.docx"
    result = cli("run", EXAMPLES / "annual-work-summary.yaml", "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pages = _libreoffice_pages(out, tmp_path)
    boxes = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(tmp_path / "big-title.pdf"), "-"],
        capture_output=True,
        text=True,
    ).stdout
    lines = [
        (float(top), float(bottom))
        for top, bottom in re.findall(
            r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes
        )
    ]
    (top1, bottom1), (top2, _) = lines[:2]
    assert bottom1 <= top2, "the title's second line prints over its first"
    assert top2 - top1 == pytest.approx(2 * 28.95, abs=0.5)
    assert pages[0][:2] == ["青山县自然资源局2023年", "工作总结"]
    assert len(pages[0]) == 2 + 17 + 1  # title, text, page number


def test_a_style_table_sits_beside_model_profiles_in_draft_toml(tmp_path):
    from pipeline.config import load_config
    from pipeline.render.style import house_style

    (tmp_path / "draft.toml").write_text(
        '[profiles.local]\nmodel = "qwen"\nkey_required = false\n\n[style.title]\nsize = "小二"\n',
        encoding="utf-8",
    )
    assert load_config(tmp_path).profiles["local"].model == "qwen"
    assert house_style(cwd=tmp_path).title.size == 18


def test_a_checker_findings_comment_is_in_chinese():
    """The comment is part of the document: the rule's Chinese words, not the CLI's English."""
    import re

    from pipeline.checker.findings import Finding
    from pipeline.render.annotations import finding_comment

    finding = Finding(
        code="facts.must-mention",
        severity="error",
        start=0,
        end=4,
        line=1,
        column=1,
        excerpt="二、强化理论学习",
        message="the section must name 中心组理论学习次数: “8” is missing",
        hint="write 中心组理论学习次数 (“8”) into this section",
    )
    comment = finding_comment(finding)
    assert "本节缺少必须写明的事实（中心组理论学习次数，“8”）" in comment
    assert "原文：“二、强化理论学习”" in comment and "处理：把事实中的数值写入本节。" in comment
    assert not re.search(r"[A-Za-z]{3,}", comment.replace(finding.code, ""))


def test_the_addressee_is_flush_left_in_the_body_font_under_the_title(tmp_path):
    """GB/T 9704: the 主送机关 stands under the title (after its blank line), 顶格 — no
    first-line indent — in the body's 3号 仿宋, and stays with the text that follows."""
    spec_dir, facts = addressed_school(tmp_path / "type")
    out = tmp_path / "school.docx"
    result = run_cli("run", facts, "--spec-dir", spec_dir, "-o", out)
    assert result.returncode == 0, result.stderr
    texts = [para_text(p) for p in body_paragraphs(out)]
    assert texts[:4] == ["青山县红星中学2020年意识形态工作总结", "", "青山县教育局：", texts[3]]
    assert texts[3].startswith("以深入学习贯彻")
    addressee = find_paragraph(out, "青山县教育局：")
    assert ppr(out, addressee, "ind", "firstLineChars") == "0"
    assert ppr(out, addressee, "ind", "firstLine") == "0"
    assert addressee.find("w:pPr/w:keepNext", NS) is not None
    for run in text_runs(addressee):
        assert fonts_of(run)["eastAsia"] == "仿宋_GB2312" and size_pt(run) == 16
    # the body under it keeps its two-character indent
    body = find_paragraph(out, "以深入学习贯彻")
    assert ppr(out, body, "ind", "firstLineChars") == "200"
