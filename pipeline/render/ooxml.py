"""The WordprocessingML details python-docx has no API for.

East Asian fonts on a run (`w:rFonts w:eastAsia`), condensed characters, character-unit
indents, paragraph flags, the document grid (`w:docGrid`), and font fallbacks in the font
table (`w:altName`).
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import quoteattr

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.paragraph import CT_P

_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr: CT_RPr, *, east_asian: str, latin: str) -> None:
    """Set the East Asian and Latin fonts in a run's, a style's or the defaults' `w:rPr`.

    Theme font attributes are removed: Word would prefer them over the names.
    `w:hint="eastAsia"` makes ambiguous characters such as “” use the East Asian font.
    """
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


_RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u")


def set_char_spacing(rpr: CT_RPr, points: float) -> None:
    """Condense (negative) or expand the characters of a run or style by `points`."""
    el = rpr.find(qn("w:spacing"))
    if el is None:
        el = OxmlElement("w:spacing")
        successor = next((c for c in rpr if c.tag in {qn(t) for t in _RPR_AFTER_SPACING}), None)
        if successor is None:
            rpr.append(el)
        else:
            successor.addprevious(el)
    el.set(qn("w:val"), str(round(points * 20)))


def set_language(rpr: CT_RPr, *, east_asian: str = "zh-CN", latin: str = "en-US") -> None:
    """Mark text as Chinese (East Asian) so that renderers pick CJK fonts and line breaking."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), latin)
    lang.set(qn("w:eastAsia"), east_asian)


def set_char_indents(
    p: CT_P,
    *,
    first_line_chars: int = 0,
    right_chars: int = 0,
    left_chars: int = 0,
    char_twips: int,
) -> None:
    """Indents in characters (`w:firstLineChars` and the like, in 1/100 character) with the
    twip equivalents beside them for readers that ignore the character units."""
    ppr = p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
        _reorder_ppr(ppr)
    for chars, name in (
        (first_line_chars, "firstLine"),
        (right_chars, "right"),
        (left_chars, "left"),
    ):
        if chars:
            ind.set(qn(f"w:{name}Chars"), str(chars * 100))
            ind.set(qn(f"w:{name}"), str(chars * char_twips))


_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def _reorder_ppr(ppr: object) -> None:
    """Put the children of `w:pPr` in schema order (Word refuses some files otherwise)."""
    rank = {qn(f"w:{n}"): i for i, n in enumerate(_PPR_ORDER)}
    children = list(ppr)  # type: ignore[call-overload]
    children.sort(key=lambda el: rank.get(el.tag, len(rank)))
    for el in children:
        ppr.append(el)  # type: ignore[attr-defined]


def set_ppr_flag(p_or_ppr: object, name: str, value: str | None = None) -> None:
    """Add `w:<name>` (with `w:val` when given) to a paragraph's or style's `w:pPr`."""
    ppr = p_or_ppr.get_or_add_pPr()  # type: ignore[attr-defined]
    el = ppr.find(qn(f"w:{name}"))
    if el is None:
        el = OxmlElement(f"w:{name}")
        ppr.append(el)
    if value is not None:
        el.set(qn("w:val"), value)
    _reorder_ppr(ppr)


def set_doc_grid(sect_pr: object, *, line_pitch_twips: int, char_space: int) -> None:
    """A grid of fixed lines and characters (`w:docGrid w:type="linesAndChars"`).

    `char_space` is the character pitch minus the default font size, in 1/4096 point.
    """
    grid = sect_pr.find(qn("w:docGrid"))  # type: ignore[attr-defined]
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)  # type: ignore[attr-defined]
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch_twips))
    grid.set(qn("w:charSpace"), str(char_space))


_FONT_CHARSET_GB2312 = "86"


def add_font_fallbacks(docx_bytes: bytes, fallbacks: dict[str, str | None]) -> bytes:
    """Declare every font in `word/fontTable.xml`, each with its fallback as `w:altName`.

    Word and LibreOffice use the alternative name (and the GB2312 charset) to substitute a
    font that is not installed, e.g. 仿宋 for 仿宋_GB2312.
    """
    src = zipfile.ZipFile(io.BytesIO(docx_bytes))
    table = src.read("word/fontTable.xml").decode("utf-8")
    present = set(re.findall(r'<w:font w:name="([^"]+)"', table))
    entries = []
    for name, fallback in fallbacks.items():
        if name in present:
            continue
        ascii_only = all(ord(c) < 128 for c in name)
        charset = "00" if ascii_only and not fallback else _FONT_CHARSET_GB2312
        alt = f"<w:altName w:val={quoteattr(fallback)}/>" if fallback else ""
        entries.append(
            f'<w:font w:name={quoteattr(name)}>{alt}<w:charset w:val="{charset}"/>'
            '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        )
    if not entries:
        return docx_bytes
    table = table.replace("</w:fonts>", "".join(entries) + "</w:fonts>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = table.encode("utf-8") if item.filename == "word/fontTable.xml" else None
            dst.writestr(item, data if data is not None else src.read(item.filename))
    return out.getvalue()
