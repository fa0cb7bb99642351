"""Noise (site residue, wrap spaces), style, the --fix copy, and clean official prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.checker import apply_fixes, check_text, clean_text
from pipeline.spec import load_spec

DATA = Path(__file__).parent / "data"


def by_code(text: str, code: str) -> list[str]:
    return [f.excerpt for f in check_text(text).findings if f.code == code]


# ----------------------------------------------------------------------------- residue


@pytest.mark.parametrize(
    "line",
    [
        "- 2021-04-19 发布 |",
        "2021-04-19 10:22 上传",
        "- 37.5 KB |",
        "大小：1.2MB",
        "- 5页",
        "共12页",
        "申明敬告: 本站不保证该用户上传的文档完整性。",
        "温馨提示：下载前请仔细阅读。",
        "文档介绍",
        "相关推荐",
        "第 1 页 共 5 页",
        "第2页/共5页",
        "第3页",
        "- 1 -",
        "— 2 —",
        "文档来源：网络整理，仅供参考",
        "本文由用户上传，仅供学习交流",
        "更多精品文档请访问 www.example.com",
        "www.example.com",
        "2022-01-05 发布 | 22.3 KB | 4页",  # the site's details on one line, between bars
        "上传时间：2022-01-05 ｜ 大小：1.2MB ｜ 共5页",
        # the same with only spaces between: `draft learn` took it for the sample's title
        "发布时间：2022-03-15 文件大小：28KB 共5页",
        "2021-04-19 发布 37.5 KB 5页",
        "来源：网络　作者：佚名　发布时间：2024-01-12",
        "文档格式：docx",
        "浏览次数：1236",
        "扫码关注公众号",
        "VIP专享文档",
        "热门文章",
        "收藏",
        # a 范文 collection's own title and labels
        "工作总结范文（通用5篇）",
        "2023年学校工作总结范文(精选10篇)",
        "学校工作计划范文【汇总三篇】",
        "精选范文",
        "范文精选",
    ],
)
def test_residue_lines(line: str):
    text = f"{line}\n学校2020年工作总结\n正文。"
    assert by_code(text, "noise.boilerplate") == [line]


@pytest.mark.parametrize(
    ("text", "residue"),
    [
        ("推进意识形态工作上台阶上水平。查看更多", "查看更多"),
        ("推进意识形态工作上台阶上水平。\n查看更多>>", "查看更多>>"),  # --fix left “>>”
        ("正文。展开全文∨", "展开全文∨"),
        (
            "下面是小编为大家整理的工作总结范文，供大家参考。正文。",
            "下面是小编为大家整理的工作总结范文，供大家参考。",
        ),
        ("正文。阅读全部内容需要先登录", "阅读全部内容需要先登录"),
        ("如有疑问请联系客服QQ：12345678", "客服QQ：12345678"),
        ("客服电话：400-123-4567", "客服电话：400-123-4567"),
        ("下载遇到问题请联系QQ：12345678", "联系QQ：12345678"),
        ("（此文档为word格式，可任意编辑）\n正文。", "（此文档为word格式，可任意编辑）"),
        # a 范文 collection's label before each report's title: the title is the report's
        ("篇一：2023年学校工作总结\n正文。", "篇一："),
        ("正文。\n\n篇二：2023年学校工作总结\n正文。", "篇二："),
        ("第一篇：2023年学校工作总结\n正文。", "第一篇："),
        ("第3篇:社区2023年上半年工作汇报\n正文。", "第3篇:"),
        # the same label inside a Markdown heading: the marks stay with the title
        ("## 篇一：2023年学校工作总结\n\n正文。", "篇一："),
        ("正文。\n\n### 第二篇：红星中学2023年工作总结\n正文。", "第二篇："),
    ],
)
def test_inline_residue(text: str, residue: str):
    assert by_code(text, "noise.boilerplate") == [residue]


@pytest.mark.parametrize(
    "text",
    [
        "青山县红星中学\n2021年1月15日",  # a signature's date line is no residue
        "2023年，学校共召开会议12次。",
        "2021-04-19",  # a bare date is not known to be the site's
        "第一，加强理论学习。",
        "全年共开展活动5次，第2次由校长主讲。",
        "更多的教师参与到志愿服务中来。",
        "一是按照上级要求，及时转载、宣传各项政策。",
        # a 通知 names its own contact: --fix deleted the number, leaving "联系人：李　强，。"
        "联系人：李　强，联系电话：0735-8812345。",
        "联系电话：13907351234",
        "项目 | 完成数 | 增幅",  # a table row pasted with bars
        "2023年 | 86.5亿元 | 7.2%",
        "2023年 86.5亿元 7.2%",  # the same row with spaces
        "2021年12月30日 发布会 5场",
        "来源：县统计局",  # a table's source note is the report's own
        "资金来源：县级财政预算安排",
        "收藏品市场专项整治行动",
        "第一篇：开启全面建设社会主义现代化国家新征程",  # a 规划's part, not a site's label
        "## 第一篇：开启全面建设社会主义现代化国家新征程",
        "## 篇章结构与写作要求",
        "全年撰写调研报告5篇，其中第一篇获市级优秀调研成果奖。",
        "教师发表论文（共5篇）",
        "组织开展优秀范文赏析活动。",
        "学校2020年意识形态工作总结范文",  # the site's title, but the only title: --fix keeps it
    ],
)
def test_no_residue_in_report_text(text: str):
    assert by_code(text, "noise.boilerplate") == []


# ----------------------------------------------------------------------------- wraps and fix


def _wrapped(paragraph: str, width: int = 28) -> str:
    """A paragraph as PDF extraction leaves it: a blank at every line end."""
    return " ".join(paragraph[i : i + width] for i in range(0, len(paragraph), width))


PARAGRAPH = (
    "学校党支部高度重视精神文明建设工作，定期研究精神文明建设工作，建设了功能齐全的教师阅览室、"
    "休闲书吧和文体俱乐部，完善了领导机制、责任机制、督查检查机制。丰富活动内容，深入开展群众"
    "喜闻乐见的文化活动，举办象棋、乒乓球等比赛；开展文明单位、文明办公室、文明家庭评选活动，"
    "文明素养明显提高；在师生中开展美丽校园、文明校园创建行动，使校园环境的绿化、美化、亮化、"
    "净化水平逐步得到提高。学校共开展中心组学习 次，其中理论学习 次。"
)


def test_wrap_spaces_are_notes_and_gaps_still_gaps():
    text = _wrapped(PARAGRAPH)
    report = check_text(text)
    wraps = [f for f in report.findings if f.code == "noise.wrap-space"]
    gaps = [f for f in report.findings if f.code == "gap.silent-number"]
    assert len(wraps) >= 5 and all(f.severity == "info" for f in wraps)
    assert [f.excerpt for f in gaps] == ["学习 次", "学习 次"]
    blanks_in_gaps = {i for f in gaps for i in range(f.start, f.end) if text[i] == " "}
    assert not blanks_in_gaps & {f.start for f in wraps}


def test_a_gap_at_a_line_end_stays_a_gap_and_fix_keeps_it():
    """A number cut out right where the line wraps leaves two blanks, the gap's and the
    wrap's: the two are one gap, and --fix must not join them away."""
    body = PARAGRAPH.replace("学校共开展中心组学习 次，其中理论学习 次。", "")
    sentence = "学校党支部按照上级要求开展中心组学习 次，其中理论学习八次。"
    pad = "认真" * 28
    gap = len(body) + sentence.index(" ")
    body += pad[: (27 - gap) % 28]  # the gap's blank is the last character of a line
    text = _wrapped(body + sentence)
    assert "中心组学习  次" in text
    report = check_text(text)
    assert [f.excerpt for f in report.findings if f.code == "gap.silent-number"] == ["学习  次"]
    assert "中心组学习  次" in apply_fixes(text, report.findings)


def test_a_measure_word_after_a_wrap_is_no_gap():
    """When a line wraps right before 次 or 人, the blank is a wrap, not a missing number."""
    body = PARAGRAPH.replace("学校共开展中心组学习 次，其中理论学习 次。", "")
    body = body + "学校各党小组按照学校党支部中心组学习安排相应开展学习先进人物事迹报告会"
    cut = body.index("组按照")
    text = _wrapped(body[:cut]) + " " + body[cut:]  # the page's line ends right before 组
    report = check_text(text)
    assert not [f for f in report.findings if f.family == "gap"]


def test_fix_removes_residue_joins_wraps_and_never_touches_a_gap():
    raw = "- 2021-04-19 发布 |\n- 37.5 KB |\n文档介绍\n" + _wrapped(PARAGRAPH) + "查看更多\n"
    report = check_text(raw)
    fixed = apply_fixes(raw, report.findings)
    assert fixed == PARAGRAPH + "\n"
    again = check_text(fixed)
    assert [f.excerpt for f in again.findings if f.family == "gap"] == ["学习 次", "学习 次"]
    assert clean_text(raw) == fixed


def test_fix_of_a_collection_page_keeps_each_reports_title(cli, tmp_path: Path):
    """A page copied from a 范文 site: its own title, then 篇一：/篇二： before each report."""
    page = tmp_path / "page.txt"
    page.write_text(
        "2023年学校工作总结范文（通用2篇）\n\n篇一：2023年学校工作总结\n\n　　今年以来，学校"
        "全年开展学习12次。\n\n篇二：红星中学2023年工作总结\n\n　　今年以来，学校撰写"
        "调研报告5篇。\n",
        encoding="utf-8",
    )
    done = cli("check", page, "--fix")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("noise.boilerplate [warning]") == 3, done.stdout
    assert (tmp_path / "page.fixed.txt").read_text(encoding="utf-8").strip("\n") == (
        "2023年学校工作总结\n\n　　今年以来，学校全年开展学习12次。\n\n红星中学2023年工作总结"
        "\n\n　　今年以来，学校撰写调研报告5篇。"
    )


def test_fix_of_a_markdown_collection_keeps_each_title_a_heading():
    """`## 篇一：2023年学校工作总结` was not read as a 范文 site's label at all."""
    text = "## 篇一：2023年学校工作总结\n\n正文。\n\n## 篇二：红星中学2023年工作总结\n\n正文。\n"
    assert clean_text(text) == (
        "## 2023年学校工作总结\n\n正文。\n\n## 红星中学2023年工作总结\n\n正文。\n"
    )


def test_fix_restores_flattened_paragraph_breaks():
    raw = (DATA / "school-ideology-summary-2020.txt").read_text(encoding="utf-8")
    fixed = clean_text(raw)
    lines = fixed.split("\n")
    assert "一、加强组织领导，落实意识形态工作责任制" in lines  # its comma written full-width
    assert "六、2020年工作打算和工作措施" in lines
    assert "查看更多" not in fixed and "文档介绍" not in fixed
    # the gaps are all still there
    for hole in ("中心组学习 次", "党的 大精神", "《 县 年", "凝聚起 、牢记使命", "建国 周年"):
        assert hole in fixed


def test_fix_keeps_a_run_in_heading_paragraph_whole():
    """A PDF copy whose points are run-in headings (（一）经济运行稳中向好。全年完成…): `--fix`
    broke every such paragraph after its first line (“…同比\n增长6.5%”), taking the wrap at
    the end of a line that starts with a heading number for the end of a heading."""
    paragraphs = [
        "镇人民政府2023年工作总结",
        "2023年，镇党委、政府坚持稳中求进工作总基调，全镇经济社会保持平稳健康发展。现将有关情况报告如下：",
        "一、2023年工作回顾",
        "（一）经济运行稳中向好。全年完成地区生产总值28亿元，同比增长6.5%；规模以上工业增加值增长8.2%；固定资产投资完成12.6亿元。",
        "（二）乡村振兴扎实推进。巩固拓展脱贫攻坚成果，守住不发生规模性返贫底线。发展特色产业基地5个，新增家庭农场12家。",
        "（三）基层治理不断加强。深化“四议两公开”工作法，调处矛盾纠纷156件，调解成功率98.7%。",
        "二、存在的问题",
        "一是经济总量小，产业结构不优；二是财政收支矛盾突出；三是干部队伍老化，年轻干部储备不足。",
    ]
    raw = paragraphs[0] + "\n" + " ".join(_wrapped(p, 29) for p in paragraphs[1:]) + "\n"
    assert clean_text(raw) == "\n".join(paragraphs) + "\n"


# ----------------------------------------------------------------------------- style


def test_half_width_punctuation():
    found = by_code(
        "坚持正面宣传为主,尊重舆论宣传规律;讲究舆论宣传艺术:提高效果(见附件)。",
        "style.half-width-punct",
    )
    assert found == [",", ";", ":", "(", ")"]
    assert by_code("Word 2019, Excel; 时间 10:30", "style.half-width-punct") == []


def test_fix_writes_half_width_punctuation_full_width_and_a_bracket_only_with_its_partner():
    text = "一年来,学校(校长室)认真落实:一是加强学习;二是抓好宣传(Word 2019, Excel)!按要求(Word学校)执行?\n"
    fixed = apply_fixes(text, check_text(text).findings)
    # (Word学校): only its ) is in Chinese text, and a （…) of two kinds is worse than neither
    assert (
        fixed
        == "一年来，学校（校长室）认真落实：一是加强学习；二是抓好宣传(Word 2019, Excel)！按要求(Word学校)执行？\n"
    )
    assert by_code(fixed, "style.half-width-punct") == [")"]
    hints = {f.excerpt: f.hint for f in check_text(text).findings}
    assert hints[","].endswith("(draft check --fix does)")
    assert hints[")"] == "use the full-width “）”"  # the one --fix leaves


def test_repeated_sentence():
    sentence = "学校党支部高度重视意识形态工作并定期研究部署。"
    text = f"{sentence}其他内容。\n{sentence}"
    found = [f for f in check_text(text).findings if f.code == "style.repeated-sentence"]
    assert [(f.line, f.excerpt) for f in found] == [(2, sentence)]
    assert "line 1" in found[0].message
    assert by_code("时间紧、任务重。时间紧、任务重。", "style.repeated-sentence") == []


def test_banned_phrases_ignore_blanks():
    spec = load_spec("school-ideology-summary")
    text = "学校2020年意识形态工作总结\n传播正能量，正确舆引导 论与对外宣传工作。"
    found = [f for f in check_text(text, spec=spec).findings if f.code == "style.banned-phrase"]
    assert [(f.excerpt, f.severity) for f in found] == [("正确舆引导 论", "error")]


def test_a_signature_dated_in_chinese_numerals_is_the_old_form():
    """GB/T 9704-2012 writes the 成文日期 in Arabic numerals; a 落款 of 二〇二三年十二月二十八日
    (the pre-2012 form, kept in templates copied year after year) passed `draft check`. A
    date in Chinese numerals in the body, quoting an older document, is left alone."""
    text = (
        "县财政局2023年工作总结\n\n一、主要工作\n\n全年完成收入12亿元，落实二〇二一年十二月"
        "印发的文件。\n\n县财政局\n二〇二三年十二月二十八日\n"
    )
    found = [f for f in check_text(text).findings if f.code == "style.signature-date-form"]
    assert [(f.excerpt, f.severity, f.line) for f in found] == [
        ("二〇二三年十二月二十八日", "warning", 8)
    ]
    assert "“2023年12月28日”" in found[0].hint
    arabic = text.replace("二〇二三年十二月二十八日", "2023年12月28日")
    assert by_code(arabic, "style.signature-date-form") == []


# ----------------------------------------------------------------------------- clean prose


@pytest.mark.parametrize("name", ["clean-prose.md", "clean-prose.txt"])
def test_clean_official_prose_gives_no_finding(name: str):
    """Several paragraphs of complete official prose (headings, series, set phrases, numbers,
    dates, quotes, a signature): no error, and here no finding at all."""
    text = (DATA / name).read_text(encoding="utf-8")
    report = check_text(text)
    assert report.findings == []
    with_spec = check_text(text, spec=load_spec("annual-work-summary"))
    assert not [f for f in with_spec.findings if f.family != "structure" and f.severity == "error"]


def test_residue_lines_one_after_another_all_go():
    """The last line's removal takes the newline before it, which the line above already
    took: both deletions still happen (found by the property test)."""
    assert clean_text("查看更多\n查看更多") == ""
    assert clean_text("正文。\n查看更多\n查看更多").strip() == "正文。"
