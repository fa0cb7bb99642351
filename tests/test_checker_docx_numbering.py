"""`draft check` of Word documents whose heading numbers come from Word's automatic
numbering (word/numbering.xml), as office staff write them: a real subprocess on real .docx
files, compared with the same document with its numbers typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.numerals import to_chinese

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

REPORT = [
    ("青山县自然资源局2023年工作总结", None),
    ("2023年，我们坚持以习近平新时代中国特色社会主义思想为指导，较好完成了全年各项目标任务。"
     "现将2023年工作情况总结如下：", None),
    ("基本情况", 1),
    ("我局是县政府工作部门，主要负责全县自然资源调查监测、确权登记和耕地保护等工作。"
     "单位内设机构9个，现有在职干部职工86人。", None),
    ("主要工作和成效", 1),
    ("强化耕地保护", 2),
    ("严格落实耕地保护党政同责，重点做了三件事：", None),
    ("开展耕地“非农化”专项整治；", "list"),
    ("开展耕地“非粮化”专项整治；", "list"),
    ("全年新增补充耕地1200亩。", "list"),
    ("推进不动产登记便民服务", 2),
    ("推行“一窗受理、集成服务”", 3),
    ("全年办理不动产登记业务15600件。", None),
    ("压缩办理时限", 3),
    ("一般登记业务办理时限压缩至3个工作日，具体做法：", None),
    ("实行容缺受理；", "restarted"),
    ("推行延时服务。", "restarted"),
    ("存在的问题", 1),
    ("在肯定成绩的同时，我们也清醒地看到：一是基层自然资源所人员力量薄弱，专业技术人才不足；"
     "二是历史遗留问题化解难度较大，部分项目推进较慢。", None),
    ("2024年工作打算", 1),
    ("2024年，我们将重点抓好以下工作：一是持续抓好耕地保护和粮食安全工作；"
     "二是加快国土空间总体规划报批实施；三是深化不动产登记“一网通办”改革。", None),
    ("青山县自然资源局", None),
    ("2024年1月10日", None),
]  # fmt: skip


def _lvl(ilvl: int, fmt: str, text: str, style: str = "") -> str:
    link = f'<w:pStyle w:val="{style}"/>' if style else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{link}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
    )


def _numbering(first: str) -> str:
    """A 公文 multilevel list (一、（一）1.（1）, level 1 in `first`), a body list 1. 2. 3.,
    and the same body list restarted (Word's "restart at 1": a w:startOverride)."""
    outline = (
        _lvl(0, first, "%1、", "Heading1")
        + _lvl(1, "chineseCounting", "（%2）")
        + _lvl(2, "decimal", "%3.")
        + _lvl(3, "decimal", "（%4）")
    )
    restart = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    return (
        f"<w:numbering {NS}>"
        f'<w:abstractNum w:abstractNumId="0">{outline}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="1">{_lvl(0, "decimal", "%1.")}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        f'<w:num w:numId="3"><w:abstractNumId w:val="1"/>{restart}</w:num>'
        "</w:numbering>"
    )


def _number(paragraph, num_id: int, ilvl: int) -> None:
    from docx.oxml import parse_xml

    num_pr = f'<w:numPr {NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    paragraph._p.get_or_add_pPr().append(parse_xml(num_pr))


def word_numbered(path: Path, first: str = "chineseCounting", *, styled: bool = True) -> Path:
    """REPORT with no number typed: Word numbers it. With `styled`, level-1 headings are in
    标题 1, numbered through the style (its numPr in styles.xml); the other headings and
    the body lists are Normal paragraphs numbered directly."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.part.numbering_part._element = parse_xml(_numbering(first))
    if styled:
        heading = document.styles["Heading 1"].element.get_or_add_pPr()
        heading.insert(0, parse_xml(f'<w:numPr {NS}><w:numId w:val="1"/></w:numPr>'))
    for text, kind in REPORT:
        if kind == 1 and styled:
            document.add_heading(text, 1)
            continue
        paragraph = document.add_paragraph(text)
        if isinstance(kind, int):
            _number(paragraph, 1, kind - 1)
        elif kind:
            _number(paragraph, 2 if kind == "list" else 3, 0)
    document.save(str(path))
    return path


def typed(path: Path) -> Path:
    """REPORT with the numbers typed in its text, as Word shows them."""
    import docx

    document = docx.Document()
    counts = [0, 0, 0]
    lists: dict[str, int] = {}
    for text, kind in REPORT:
        if isinstance(kind, int):
            counts[kind - 1] += 1
            counts[kind:] = [0] * (3 - kind)
            n = counts[kind - 1]
            text = (f"{to_chinese(n)}、", f"（{to_chinese(n)}）", f"{n}.")[kind - 1] + text
        elif kind:
            lists[kind] = lists.get(kind, 0) + 1
            text = f"{lists[kind]}.{text}"
        document.add_paragraph(text)
    document.save(str(path))
    return path


def _findings(cli, path: Path, *args: str) -> list[tuple]:
    done = cli("check", path, "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    return [(f["code"], f["line"], f["column"], f["excerpt"]) for f in data["findings"]]


@pytest.mark.parametrize(
    ("first", "styled"),
    [("chineseCounting", True), ("chineseCountingThousand", False)],
)
def test_headings_numbered_by_word_are_checked_as_word_shows_them(cli, tmp_path, first, styled):
    """A summary whose 一、/（一）/1. come from Word's multilevel list (not typed) was
    reported with every required section missing under --doctype, and its numbered lists
    were read without their numbers. It is now read with the numbers Word shows: the same
    findings, at the same line and column, as the same document with the numbers typed."""
    numbered = word_numbered(tmp_path / "自动编号.docx", first, styled=styled)
    plain = typed(tmp_path / "手打编号.docx")
    doctype = ("--doctype", "annual-work-summary")
    found = _findings(cli, numbered, *doctype)
    assert not [f for f in found if f[0] == "structure.missing-section"], found
    assert found == _findings(cli, plain, *doctype)
    assert _findings(cli, numbered) == _findings(cli, plain)

    cli("check", numbered, "--fix", "-o", tmp_path / "a.txt")
    cli("check", plain, "--fix", "-o", tmp_path / "b.txt")
    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert text == (tmp_path / "b.txt").read_text(encoding="utf-8")
    for line in (
        "一、基本情况",
        "（二）推进不动产登记便民服务",
        "2.压缩办理时限",
        "1.实行容缺受理；",
    ):
        assert line in text.splitlines()


def test_a_word_numbered_heading_out_of_order_is_found_where_word_shows_it(cli, tmp_path):
    """A section numbered 一、 by Word, then a typed 三、 (the writer typed over the list):
    the order finding points at the typed heading, with Word's numbers around it."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.part.numbering_part._element = parse_xml(_numbering("chineseCounting"))
    document.add_paragraph("县统计局2023年工作总结")
    _number(document.add_paragraph("主要指标完成情况"), 1, 0)
    document.add_paragraph("全县地区生产总值186.5亿元。")
    _number(document.add_paragraph("统计执法"), 1, 0)
    document.add_paragraph("四、存在的问题")
    report = tmp_path / "总结.docx"
    document.save(str(report))
    done = cli("check", report, "--doctype", "annual-work-summary", "--format", "json")
    order = [
        f for f in json.loads(done.stdout)["findings"] if f["code"] == "structure.heading-number"
    ]
    assert [(f["line"], f["column"], f["message"]) for f in order] == [
        (5, 1, "heading number “四、” skips 三、")
    ], done.stdout
    assert "this one is 3" in order[0]["hint"]


def test_tracked_changes_content_controls_and_fields_are_read_as_word_shows_them(cli, tmp_path):
    """A colleague's report reviewed with track changes on: the 12 typed in as a tracked
    insertion was lost (“专项调查次”), and so was text in a content control, a smart tag or a
    field; the 落款 in a template's content control was not read at all, so a 2023 report
    signed 2022年12月28日 passed. The text is now read as Word shows it, changes accepted."""
    import docx
    from docx.oxml import parse_xml

    def part(xml: str):
        """An element of word/document.xml, written without its namespace declaration."""
        return parse_xml(f"<w:body {NS}>{xml}</w:body>")[0]

    stamp = 'w:author="办公室" w:date="2024-01-02T09:00:00Z"'
    document = docx.Document()
    document.add_paragraph("县统计局2023年工作总结")
    p = document.add_paragraph("全年共开展专项调查")
    p._p.append(part(f'<w:ins w:id="1" {stamp}><w:r><w:t>12</w:t></w:r></w:ins>'))
    p._p.append(part(f'<w:del w:id="2" {stamp}><w:r><w:delText>8</w:delText></w:r></w:del>'))
    p.add_run("次，")
    p._p.append(
        part("<w:sdt><w:sdtContent><w:r><w:t>培训300人次</w:t></w:r></w:sdtContent></w:sdt>")
    )
    p._p.append(
        part(
            '<w:fldSimple w:instr=" MERGEFIELD 乡镇 "><w:r><w:t>，覆盖56个乡镇</w:t></w:r></w:fldSimple>'
        )
    )
    p.add_run("。")
    body = document.element.body
    body.insert(
        len(body) - 1,  # before the section properties
        part(
            "<w:sdt><w:sdtContent><w:p><w:r><w:t>县统计局</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>2022年12月28日</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        ),
    )
    report = tmp_path / "总结（修订）.docx"
    document.save(str(report))

    done = cli("check", report, "--fix", "-o", tmp_path / "text.txt")
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "text.txt").read_text(encoding="utf-8").splitlines() == [
        "县统计局2023年工作总结",
        "全年共开展专项调查12次，培训300人次，覆盖56个乡镇。",
        "县统计局",
        "2022年12月28日",
    ]
    found = _findings(cli, report)
    assert [(f[0], f[1]) for f in found] == [("facts.signature-date", 4)], found


def test_a_ruby_and_a_copy_kept_for_older_readers_are_read_once(tmp_path):
    """Runs are read wherever they stand in a paragraph, but the pinyin over a ruby (拼音指南)
    and the mc:Fallback copy of a newer-Word run are not text Word shows: read, they put
    “diào” into the sentence and every such word twice."""
    import docx
    from docx.oxml import parse_xml

    from pipeline.docx_text import read_docx

    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    document = docx.Document()
    paragraph = document.add_paragraph("全年")
    paragraph._p.append(
        parse_xml(
            f'<mc:AlternateContent {NS} {mc}><mc:Choice Requires="w14"><w:r><w:t>共</w:t></w:r>'
            "</mc:Choice><mc:Fallback><w:r><w:t>共</w:t></w:r></mc:Fallback></mc:AlternateContent>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f"<w:r {NS}><w:ruby><w:rubyPr/><w:rt><w:r><w:t>diào</w:t></w:r></w:rt>"
            "<w:rubyBase><w:r><w:t>调</w:t></w:r></w:rubyBase></w:ruby></w:r>"
        )
    )
    paragraph.add_run("查12次。")
    report = tmp_path / "注音.docx"
    document.save(str(report))
    assert read_docx(report) == "全年共调查12次。"


def test_a_heading_deleted_with_track_changes_is_gone_and_not_counted(cli, tmp_path):
    """A numbered heading deleted whole with track changes on left its number behind: the
    report read “二、” on a line of its own and “三、存在的问题” after it, where Word, with the
    change accepted, shows 二、存在的问题."""
    import docx
    from docx.oxml import parse_xml

    stamp = 'w:id="9" w:author="办公室" w:date="2024-01-02T09:00:00Z"'
    document = docx.Document()
    document.part.numbering_part._element = parse_xml(_numbering("chineseCounting"))
    document.add_paragraph("县统计局2023年工作总结")
    _number(document.add_paragraph("主要指标完成情况"), 1, 0)
    document.add_paragraph("全县地区生产总值186.5亿元，同比增长5.2%。")
    deleted = document.add_paragraph()
    _number(deleted, 1, 0)
    deleted._p.get_or_add_pPr().append(parse_xml(f"<w:rPr {NS}><w:del {stamp}/></w:rPr>"))
    deleted._p.append(
        parse_xml(f"<w:del {NS} {stamp}><w:r><w:delText>统计执法</w:delText></w:r></w:del>")
    )
    _number(document.add_paragraph("存在的问题"), 1, 0)
    document.add_paragraph("基层统计力量薄弱。")
    report = tmp_path / "总结.docx"
    document.save(str(report))

    done = cli("check", report, "--fix", "-o", tmp_path / "text.txt")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "text.txt").read_text(encoding="utf-8").splitlines() == [
        "县统计局2023年工作总结",
        "一、主要指标完成情况",
        "全县地区生产总值186.5亿元，同比增长5.2%。",
        "二、存在的问题",
        "基层统计力量薄弱。",
    ]


def test_a_merged_table_cell_is_read_once(cli, tmp_path):
    """A table whose title row is one cell merged across three columns (and a row label
    merged down two rows) was read with the merged cell's text once per column and row:
    “this sentence repeats the one on line 3” twice, and every line after the table
    pointed past the paragraph it named."""
    import docx

    document = docx.Document()
    document.add_paragraph("县统计局2023年工作总结")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "全县主要经济指标完成情况，较上年均有增长。"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "地区生产总值"
    for row, cells in ((1, ("186.5亿元", "5.2%")), (2, ("177.3亿元", "4.8%"))):
        for col, value in enumerate(cells, start=1):
            table.cell(row, col).text = value
    document.add_paragraph("全县共开展专项调查 次。")
    report = tmp_path / "总结.docx"
    document.save(str(report))

    found = _findings(cli, report)
    assert [(f[0], f[1]) for f in found] == [("gap.silent-number", 8)], found


def test_hidden_text_is_not_read(cli, tmp_path):
    """A writer's note hidden in the report (Font → Hidden, w:vanish) is neither shown nor
    printed by Word, yet `draft check` read “（此处XX待核实）” into the sentence and
    reported two placeholder errors no reader of the document could find."""
    import docx
    from docx.oxml import parse_xml

    def run(text: str, props: str = ""):
        return parse_xml(f"<w:r {NS}><w:rPr>{props}</w:rPr><w:t>{text}</w:t></w:r>")

    document = docx.Document()
    document.add_paragraph("县统计局2023年工作总结")
    paragraph = document.add_paragraph("全年共开展专项调查12次")
    paragraph._p.append(run("（此处XX待核实）", "<w:vanish/>"))
    paragraph._p.append(run("，覆盖56个乡镇", '<w:vanish w:val="0"/>'))  # hidden turned off
    paragraph.add_run("。")
    report = tmp_path / "总结.docx"
    document.save(str(report))

    done = cli("check", report, "--fix", "-o", tmp_path / "text.txt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "text.txt").read_text(encoding="utf-8").splitlines() == [
        "县统计局2023年工作总结",
        "全年共开展专项调查12次，覆盖56个乡镇。",
    ]


def test_a_table_nested_in_a_cell_and_rows_in_content_controls_are_read(cli, tmp_path):
    """A 表彰名单 laid out as a table inside a cell of the report's form (as WPS and Word
    templates build them), and a row a template repeats in a content control: their cells
    were never read, so “张XX” and a missing count passed with 0 errors."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("县统计局2023年工作总结")
    form = document.add_table(rows=2, cols=2)
    form.cell(0, 0).text = "先进个人"
    form.cell(0, 1).text = "3名"
    names = form.cell(1, 0).add_table(rows=1, cols=2)
    names.cell(0, 0).text = "张XX"
    names.cell(0, 1).text = "科员"
    form.cell(1, 1).text = "备注"
    repeated = parse_xml(
        f"<w:sdt {NS}><w:sdtContent><w:tr><w:tc><w:p><w:r><w:t>开展培训 次</w:t></w:r></w:p>"
        "</w:tc><w:tc><w:p><w:r><w:t>已完成</w:t></w:r></w:p></w:tc></w:tr></w:sdtContent></w:sdt>"
    )
    form._tbl.append(repeated)
    document.add_paragraph("县统计局")
    report = tmp_path / "总结.docx"
    document.save(str(report))

    done = cli("check", report, "--fix", "-o", tmp_path / "text.txt")
    assert done.returncode == 1, done.stderr
    lines = (tmp_path / "text.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "县统计局2023年工作总结",
        "先进个人",
        "3名",
        "",  # the cell's own (empty) paragraph, before the table in it
        "张XX",
        "科员",
        "",  # the paragraph Word keeps after a table in a cell
        "备注",
        "开展培训 次",
        "已完成",
        "县统计局",
    ]
    found = [(f[0], f[1]) for f in _findings(cli, report)]
    assert found == [("gap.placeholder", 5), ("gap.silent-number", 9)], found


def test_headings_numbered_in_capital_numerals_are_read_as_word_shows_them(cli, tmp_path):
    """Word's 壹, 贰, 叁 list (chineseLegalSimplified) was read as 1、2、: `draft check`
    reported “heading number “1、” is not in the standard form” about a number no reader
    of the document sees, instead of the 壹、 Word shows."""
    numbered = word_numbered(tmp_path / "大写编号.docx", "chineseLegalSimplified", styled=False)
    done = cli("check", numbered, "--fix", "-o", tmp_path / "text.txt")
    assert done.returncode in (0, 1), done.stderr
    lines = (tmp_path / "text.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.endswith(("基本情况", "存在的问题"))] == [
        "壹、基本情况",
        "叁、存在的问题",
    ]
    assert "“1、”" not in cli("check", numbered, "--doctype", "annual-work-summary").stdout


def _text_box(paragraphs: list[str]):
    """A run holding a floating text box as Word 2010+ and WPS write it: the shape in
    `mc:Choice`, and a VML copy of it, text and all, in `mc:Fallback` for older readers."""
    from docx.oxml import parse_xml

    namespaces = (
        f'{NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    content = "<w:txbxContent>{}</w:txbxContent>".format(
        "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    )
    return parse_xml(
        f'<w:r {namespaces}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>3000000</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="2000000" cy="800000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:wrapNone/><wp:docPr id="1" name="文本框 1"/><wp:cNvGraphicFramePr/><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="2000000" cy="800000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        f"</a:prstGeom></wps:spPr><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback>"
        f'<w:pict><v:shape style="position:absolute"><v:textbox>{content}</v:textbox>'
        "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def test_a_signature_in_a_text_box_is_read_once_after_its_paragraph(cli, tmp_path):
    """WPS and Word users place the 落款 in a text box beside the stamp: its text was not
    read at all, so a 2023 report signed 2022年12月28日 passed with 0 errors. A text box is
    now read after the paragraph it is anchored in, once (not its copy for older Word)."""
    import docx

    document = docx.Document()
    document.add_paragraph("县统计局2023年工作总结")
    document.add_paragraph("全年共开展统计培训12次。")
    closing = document.add_paragraph("特此报告。")
    closing._p.append(_text_box(["县统计局", "2022年12月28日"]))
    report = tmp_path / "总结.docx"
    document.save(str(report))

    done = cli("check", report, "--fix", "-o", tmp_path / "text.txt")
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "text.txt").read_text(encoding="utf-8").splitlines() == [
        "县统计局2023年工作总结",
        "全年共开展统计培训12次。",
        "特此报告。",
        "县统计局",
        "2022年12月28日",
    ]
    assert [(f[0], f[1]) for f in _findings(cli, report)] == [("facts.signature-date", 5)]


def test_a_table_of_contents_is_not_read_as_headings(cli, tmp_path):
    """A long 总结 with Word's automatic 目录 (a TOC field in a content control, its
    entries in the toc 1 style, here with the numeric style ids Chinese Word gives them)
    was checked as if every heading came twice: each entry “一、基本情况<tab>1” an empty
    section, and each real heading out of order — a dozen errors in a sound report. The
    entries are now blank lines, so findings match the report without a 目录, each on the
    line of the paragraph it names."""
    import docx
    from docx.oxml import parse_xml

    plain = typed(tmp_path / "无目录.docx")
    headings = [text for text, kind in REPORT if kind == 1]
    numbered = [f"{to_chinese(i)}、{text}" for i, text in enumerate(headings, start=1)]
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        ' TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
        "</w:r>"
    )
    entries = "".join(
        '<w:p><w:pPr><w:pStyle w:val="11"/></w:pPr>'
        + (field if i == 0 else "")
        + f'<w:hyperlink w:anchor="_Toc{i}"><w:r><w:t>{text}</w:t></w:r><w:r><w:tab/></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        f' PAGEREF _Toc{i} \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
        f'</w:r><w:r><w:t>{i + 2}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "</w:hyperlink>"
        + ('<w:r><w:fldChar w:fldCharType="end"/></w:r>' if i == len(numbered) - 1 else "")
        + "</w:p>"
        for i, text in enumerate(numbered)
    )
    document = docx.Document(str(plain))
    document.styles.element.append(
        parse_xml(
            f'<w:style {NS} w:type="paragraph" w:styleId="11"><w:name w:val="toc 1"/></w:style>'
        )
    )
    document.styles.element.append(
        parse_xml(
            f'<w:style {NS} w:type="paragraph" w:styleId="TOC"><w:name w:val="TOC Heading"/></w:style>'
        )
    )
    document.element.body.insert(
        1,  # after the title
        parse_xml(
            f'<w:sdt {NS}><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
            '</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:pPr><w:pStyle w:val="TOC"/></w:pPr>'
            f"<w:r><w:t>目  录</w:t></w:r></w:p>{entries}</w:sdtContent></w:sdt>"
        ),
    )
    with_contents = tmp_path / "有目录.docx"
    document.save(str(with_contents))

    shift = 1 + len(numbered)
    doctype = ("--doctype", "annual-work-summary")
    found = _findings(cli, with_contents, *doctype)
    expected = [
        (code, line + shift if line > 1 else line, column, excerpt)
        for code, line, column, excerpt in _findings(cli, plain, *doctype)
    ]
    assert found == expected
    done = cli("check", with_contents, "--fix", "-o", tmp_path / "text.txt")
    lines = (tmp_path / "text.txt").read_text(encoding="utf-8").splitlines()
    assert lines[1 : 1 + shift] == [""] * shift, done.stderr
    assert lines[1 + shift] == REPORT[1][0]
