"""The list numbers Word shows from word/numbering.xml (`pipeline.list_numbers`)."""

from __future__ import annotations

import pytest
from lxml import etree

from pipeline.list_numbers import ListNumbers, format_number

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def lvl(ilvl: int, fmt: str, text: str, *, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'{extra}<w:lvlText w:val="{text}"/></w:lvl>'
    )


def numbering(*parts: str) -> etree._Element:
    return etree.fromstring(f"<w:numbering {NS}>{''.join(parts)}</w:numbering>")


def abstract(key: int, *levels: str, extra: str = "") -> str:
    return f'<w:abstractNum w:abstractNumId="{key}">{extra}{"".join(levels)}</w:abstractNum>'


def num(num_id: int, abstract_id: int, overrides: str = "") -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def para(num_id: int | None = None, ilvl: int | None = None, style: str | None = None):
    num_pr = ""
    if num_id is not None or ilvl is not None:
        num_pr = "<w:numPr>"
        num_pr += f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
        num_pr += f'<w:numId w:val="{num_id}"/>' if num_id is not None else ""
        num_pr += "</w:numPr>"
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    return etree.fromstring(f"<w:p {NS}><w:pPr>{style_xml}{num_pr}</w:pPr></w:p>")


def labels(numbers: ListNumbers, paragraphs) -> list[str | None]:
    return [numbers.label(p) for p in paragraphs]


GONGWEN = abstract(
    0,
    lvl(0, "chineseCounting", "%1、"),
    lvl(1, "chineseCounting", "（%2）"),
    lvl(2, "decimal", "%3."),
    lvl(3, "decimal", "（%4）"),
)


@pytest.mark.parametrize(
    ("fmt", "numbers"),
    [
        ("chineseCounting", ["一", "二", "十", "十一", "二十一"]),
        ("chineseCountingThousand", ["一", "二", "十", "十一", "二十一"]),
        ("taiwaneseCountingThousand", ["一", "二", "十", "十一", "二十一"]),
        ("chineseLegalSimplified", ["壹", "贰", "壹拾", "壹拾壹", "贰拾壹"]),
        ("ideographLegalTraditional", ["壹", "貳", "壹拾", "壹拾壹", "貳拾壹"]),
        ("ideographTraditional", ["甲", "乙", "癸", "11", "21"]),
        ("decimal", ["1", "2", "10", "11", "21"]),
        ("decimalFullWidth", ["１", "２", "１０", "１１", "２１"]),
        ("decimalEnclosedCircle", ["①", "②", "⑩", "⑪", "21"]),
        ("lowerLetter", ["a", "b", "j", "k", "u"]),
        ("upperLetter", ["A", "B", "J", "K", "U"]),
        ("lowerRoman", ["i", "ii", "x", "xi", "xxi"]),
        ("upperRoman", ["I", "II", "X", "XI", "XXI"]),
    ],
)
def test_formats(fmt, numbers):
    assert [format_number(n, fmt) for n in (1, 2, 10, 11, 21)] == numbers


def test_letters_repeat_after_z():
    assert [format_number(n, "lowerLetter") for n in (26, 27, 53)] == ["z", "aa", "aaa"]


def test_a_gongwen_outline_counts_and_restarts_by_level():
    numbers = ListNumbers(numbering(GONGWEN, num(1, 0)), None)
    seq = [(1, 0), (1, 1), (1, 2), (1, 2), (1, 3), (1, 1), (1, 2), (1, 0), (1, 1), (1, 0)]
    assert labels(numbers, [para(n, i) for n, i in seq]) == [
        "一、", "（一）", "1.", "2.", "（1）", "（二）", "1.", "二、", "（一）", "三、",
    ]  # fmt: skip


def test_start_values_restart_after_and_legal_numbers():
    """A start value; a level restarted only after level 1 (w:lvlRestart 1) keeps counting
    across its parent level; w:isLgl writes the parent's number in Arabic digits."""
    levels = abstract(
        0,
        lvl(0, "chineseCounting", "%1、", start=3),
        lvl(1, "chineseCounting", "（%2）"),
        lvl(2, "decimal", "%3.", extra='<w:lvlRestart w:val="1"/>'),
        lvl(3, "decimal", "%1.%4", extra="<w:isLgl/>"),
    )
    numbers = ListNumbers(numbering(levels, num(1, 0)), None)
    seq = [(1, 0), (1, 1), (1, 2), (1, 1), (1, 2), (1, 3), (1, 0), (1, 2)]
    assert labels(numbers, [para(n, i) for n, i in seq]) == [
        "三、", "（一）", "1.", "（二）", "2.", "3.1", "四、", "1.",
    ]  # fmt: skip


def test_lists_sharing_an_abstract_continue_and_a_start_override_restarts():
    """Two w:num of one abstract list continue each other, as in Word; Word's "restart
    numbering" is a w:num with a w:startOverride, whose counting starts anew."""
    body = abstract(1, lvl(0, "decimal", "%1."))
    restart = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    numbers = ListNumbers(numbering(body, num(2, 1), num(3, 1), num(4, 1, restart)), None)
    seq = [para(2, 0), para(2, 0), para(3, 0), para(4, 0), para(4, 0), para(2, 0)]
    assert labels(numbers, seq) == ["1.", "2.", "3.", "1.", "2.", "3."]


def test_a_restarted_list_continued_under_its_first_list_id_goes_on_counting():
    """LibreOffice (and so a file that went through it) writes a restarted list's first item
    with the restarting w:num and the next items with the list's first one: 1. 2., not
    1. 4. (the restart set the count of the abstract list they share)."""
    body = abstract(1, lvl(0, "decimal", "%1."))
    restart = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    numbers = ListNumbers(numbering(body, num(4, 1), num(6, 1, restart)), None)
    seq = [para(4, 0), para(4, 0), para(4, 0), para(6, 0), para(4, 0)]
    assert labels(numbers, seq) == ["1.", "2.", "3.", "1.", "2."]


def test_a_level_override_replaces_the_level():
    override = (
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="2"/>'
        f"{lvl(0, 'decimalEnclosedCircle', '%1')}</w:lvlOverride>"
    )
    numbers = ListNumbers(numbering(GONGWEN, num(1, 0, override)), None)
    assert labels(numbers, [para(1, 0), para(1, 0)]) == ["②", "③"]


def test_numbering_through_the_paragraph_style():
    """标题 1 and 标题 2 numbered by their styles: the level comes from the style's numPr,
    or from the list level linked to the style (w:pStyle); a style based on a numbered one
    is numbered; a paragraph's own numId 0 turns numbering off."""
    levels = abstract(
        0,
        lvl(0, "chineseCounting", "%1、", extra='<w:pStyle w:val="Heading1"/>'),
        lvl(1, "chineseCounting", "（%2）", extra='<w:pStyle w:val="Heading2"/>'),
    )
    styles = etree.fromstring(
        f"<w:styles {NS}>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:pPr><w:numPr>'
        '<w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading2"><w:pPr><w:numPr>'
        '<w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="MyHeading"><w:basedOn w:val="Heading1"/>'
        "</w:style></w:styles>"
    )
    numbers = ListNumbers(numbering(levels, num(1, 0)), styles)
    seq = [
        para(style="Heading1"),
        para(style="Heading2"),
        para(),
        para(style="Heading2"),
        para(0, style="Heading1"),
        para(style="MyHeading"),
    ]
    assert labels(numbers, seq) == ["一、", "（一）", None, "（二）", "", "二、"]


def test_bullets_unknown_lists_and_no_numbering_part():
    bullets = abstract(5, lvl(0, "bullet", "\uf0b7"))
    numbers = ListNumbers(numbering(bullets, num(7, 5)), None)
    assert labels(numbers, [para(7, 0), para(99, 0), para()]) == ["", "", None]
    assert ListNumbers(None, None).label(para(1, 0)) == ""


def test_a_list_style_link_is_followed():
    """A multilevel list defined as a list style: its w:abstractNum only names the style
    (w:numStyleLink), whose numbering holds the levels."""
    styles = etree.fromstring(
        f"<w:styles {NS}>"
        '<w:style w:type="numbering" w:styleId="GongWen"><w:pPr><w:numPr>'
        '<w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>'
    )
    linked = abstract(9, extra='<w:numStyleLink w:val="GongWen"/>')
    numbers = ListNumbers(numbering(GONGWEN, linked, num(1, 0), num(8, 9)), styles)
    assert labels(numbers, [para(8, 0), para(8, 1)]) == ["一、", "（一）"]
