"""Word: the draft laid out as a 党政机关公文 (GB/T 9704-2012), with every gap impossible to miss.

A4; margins 37/35/28/26 mm; a grid of 22 lines × 28 characters with fixed line spacing;
title 2号 方正小标宋简体 centred; body 3号 仿宋_GB2312 indented two characters; 一、 in 黑体,
（一） in 楷体_GB2312, 1. and （1） in 仿宋; digits and Latin text in Times New Roman; page
numbers "— 1 —" in 4号 宋体 from a PAGE field on the outer side (odd right, even left); the
落款 below the text. The house style (`pipeline.render.style`) can change fonts and sizes.

Every marker 【待补充：…】 and every error-level finding is highlighted yellow and carries a
Word comment saying what is wrong and what to supply. `clean=True` leaves the comments (and
the findings' highlights) out; the markers stay highlighted, since they are still text that
must be replaced.
"""

from __future__ import annotations

import datetime as dt
import io
from copy import deepcopy
from itertools import pairwise
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from pipeline.render.annotations import Annotation, draft_annotations
from pipeline.render.layout import Block, layout
from pipeline.render.ooxml import (
    add_font_fallbacks,
    set_char_indents,
    set_char_spacing,
    set_doc_grid,
    set_fonts,
    set_language,
    set_ppr_flag,
)
from pipeline.render.style import ROLES, HouseStyle

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from pipeline.document import Draft

COMMENT_AUTHOR = "Draftsmith"
COMMENT_INITIALS = "DS"
COMMENT_SIZE_PT = 10.5
"""五号: comments are read in the margin, not printed in the document's size."""

STYLE_NAMES = {
    "title": "公文标题",
    "body": "公文正文",
    "heading1": "公文一级标题",
    "heading2": "公文二级标题",
    "heading3": "公文三级标题",
    "heading4": "公文四级标题",
    "signature": "公文落款",
}
"""The paragraph style of each role, so that a user editing the file finds them by name."""

STYLE_IDS = {
    "title": "GongwenTitle",
    "body": "GongwenBody",
    "heading1": "GongwenHeading1",
    "heading2": "GongwenHeading2",
    "heading3": "GongwenHeading3",
    "heading4": "GongwenHeading4",
    "signature": "GongwenSignature",
}
"""ASCII style ids (Word's own ids are ASCII; the Chinese names are what users see)."""

_DIGIT_WIDTH = 0.5
"""Width of a half-width digit or Latin letter, in characters (for the 落款 rule)."""


def render_docx(draft: Draft, *, clean: bool = False, style: HouseStyle | None = None) -> bytes:
    """The draft as a .docx file (bytes) in the house style `style` (GB/T 9704 by default)."""
    style = style or HouseStyle()
    doc = Document()
    _open_in_current_word(doc)
    _set_up_page(doc, style)
    _set_up_styles(doc, style)
    _add_page_numbers(doc, style)
    notes = draft_annotations(draft, errors=not clean)
    anchored: dict[int, list[Run]] = {i: [] for i in range(len(notes))}
    run_props = _RunProperties(style)
    blocks = layout(draft)
    sig = draft.signature
    indents = (
        signature_right_indents(sig.names(), sig.date, line_chars=style.chars_per_line)
        if sig
        else []
    )
    paragraph: Paragraph | None = None
    for i, block in enumerate(blocks):
        if block.kind == "signature" and blocks[i - 1].kind != "signature":
            # the 落款 never stands on a page of its own: the text's last line goes with it
            if paragraph is not None:
                paragraph.paragraph_format.keep_with_next = True
            _add_paragraph(doc, "body").paragraph_format.keep_with_next = True  # 正文下空一行
        paragraph = _add_paragraph(doc, _paragraph_role(block))
        if block.kind == "signature":
            indent = indents[len([b for b in blocks[:i] if b.kind == "signature"])]
            _right_indent(paragraph, indent, style)
        _add_runs(paragraph, block, draft.text, notes, anchored, run_props, clean=clean)
        if block.kind == "title":
            _add_paragraph(doc, "body")  # 标题下空一行
        elif block.kind == "addressee":  # 主送机关: flush left (顶格), with the body after it
            _flush_left(paragraph)
            paragraph.paragraph_format.keep_with_next = True
        elif block.kind == "attachment":  # 2. … under 附件：1. …, its number under the 1.
            set_char_indents(
                paragraph._p, first_line_chars=5, char_twips=round(style.body.size * 20)
            )
    if not clean:
        for i, note in enumerate(notes):
            if anchored[i]:
                doc.add_comment(
                    anchored[i], text=note.comment, author=COMMENT_AUTHOR, initials=COMMENT_INITIALS
                )
    _set_properties(doc, draft)
    buffer = io.BytesIO()
    doc.save(buffer)
    fallbacks = {style.role(r).font: style.role(r).fallback for r in ROLES}
    fallbacks.setdefault(style.latin_font, None)
    return add_font_fallbacks(buffer.getvalue(), fallbacks)


def _set_properties(doc: DocxDocument, draft: Draft) -> None:
    """Title, subject, author and language; created when the draft was, modified now.

    python-docx's template would otherwise leave its own dates (2013) and the description
    "generated by python-docx" in the file's properties, where Word and Explorer show them.
    The author is the unit that signs the report (or none), never the tool: the file goes to
    the unit's superiors as the unit's own.
    """
    props = doc.core_properties
    props.title = draft.title
    props.subject = draft.doctype_name
    props.author = draft.signature.unit if draft.signature else ""
    props.language = "zh-CN"
    props.comments = ""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        created = dt.datetime.fromisoformat(draft.provenance.created_at)
    except ValueError:
        created = now
    props.created = created.astimezone(dt.UTC).replace(tzinfo=None)
    props.modified = now.replace(tzinfo=None)


# ----------------------------------------------------------------------------- page and styles


WORD_2013_COMPATIBILITY_MODE = "15"
"""The `compatibilityMode` of a document made by Word 2013 and later (up to today's)."""


def _open_in_current_word(doc: DocxDocument) -> None:
    """Mark the document as made by current Word: python-docx's template says Word 2010
    (compatibility mode 14), so Word 2013 and later opened every draft in "Compatibility
    Mode" (兼容模式 in the title bar, some layout features turned off)."""
    for setting in doc.settings.element.iterfind(f"{qn('w:compat')}/{qn('w:compatSetting')}"):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), WORD_2013_COMPATIBILITY_MODE)


def _set_up_page(doc: DocxDocument, style: HouseStyle) -> None:
    """A4 portrait, the margins, the grid, the footer's distance from the page edge."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    m = style.margins
    section.top_margin, section.bottom_margin = Mm(m.top), Mm(m.bottom)
    section.left_margin, section.right_margin = Mm(m.left), Mm(m.right)
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    # the page number's top edge sits `page_number_gap_mm` below the text block
    number_height_mm = style.page_number.size / 72 * 25.4
    section.footer_distance = Mm(max(5.0, m.bottom - style.page_number_gap_mm - number_height_mm))
    body_size = style.body.size
    char_space = round((style.char_pitch_pt - body_size) * 4096)
    set_doc_grid(section._sectPr, line_pitch_twips=style.line_pitch_twips, char_space=char_space)
    doc.settings.odd_and_even_pages_header_footer = True
    # python-docx's template is Japanese: Word's own styles (标题 1, 标题…) would take the
    # theme's Japanese fonts (ＭＳ 明朝, ＭＳ ゴシック) instead of its Chinese ones (宋体)
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _set_up_styles(doc: DocxDocument, style: HouseStyle) -> None:
    """Document defaults in the body style, one named paragraph style per role carrying all
    of its layout, and the styles Word uses for comments."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, east_asian=style.body.font, latin=style.latin_font)
    set_language(rpr)
    size = rpr.get_or_add_sz()
    size.val = Pt(style.body.size)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(style.line_pitch_twips))
    spacing.set(qn("w:lineRule"), "exact")

    normal = doc.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), east_asian=style.body.font, latin=style.latin_font)
    normal.font.size = Pt(style.body.size)
    char_twips = round(style.body.size * 20)
    for role, name in STYLE_NAMES.items():
        rs = style.role(role)
        s = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        s.style_id = STYLE_IDS[role]
        s.base_style = normal
        s.quick_style = True
        set_fonts(s.element.get_or_add_rPr(), east_asian=rs.font, latin=style.latin_for(role))
        s.font.size = Pt(rs.size)
        s.font.bold = rs.bold
        set_char_spacing(s.element.get_or_add_rPr(), style.char_spacing_pt(role))
        pf = s.paragraph_format
        _exact_spacing(pf, style.line_spacing_twips(role))
        pf.widow_control = False  # a full page holds exactly the grid's lines
        # the grid's pitch is kept by the fixed line spacing and the condensed characters, the
        # same in Word, WPS and LibreOffice (which spreads 16 pt characters over two cells of
        # a 15.79 pt character grid instead of condensing them)
        set_ppr_flag(s.element, "snapToGrid", "0")
        # no automatic extra space between Chinese and digits: 2021年1月15日 as written
        set_ppr_flag(s.element, "autoSpaceDE", "0")
        set_ppr_flag(s.element, "autoSpaceDN", "0")
        if role == "title":
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.keep_with_next = True
            set_ppr_flag(s.element, "outlineLvl", "0")
        elif role == "signature":
            pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            pf.keep_with_next = True  # the unit name and the date on one page
        else:
            pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            set_char_indents(s.element, first_line_chars=2, char_twips=char_twips)
            if role.startswith("heading"):
                pf.keep_with_next = True
                set_ppr_flag(s.element, "outlineLvl", role.removeprefix("heading"))
    _set_up_comment_styles(doc)


def _set_up_comment_styles(doc: DocxDocument) -> None:
    """Word's "annotation text" and "annotation reference" styles, which python-docx's
    comments use: 五号 宋体, single spacing, off the grid — not the body's 16 pt."""
    text = doc.styles.add_style("annotation text", WD_STYLE_TYPE.PARAGRAPH)
    text.style_id = "CommentText"
    text.base_style = doc.styles["Normal"]
    set_fonts(text.element.get_or_add_rPr(), east_asian="宋体", latin="Times New Roman")
    text.font.size = Pt(COMMENT_SIZE_PT)
    text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    set_ppr_flag(text.element, "snapToGrid", "0")
    reference = doc.styles.add_style("annotation reference", WD_STYLE_TYPE.CHARACTER)
    reference.style_id = "CommentReference"
    reference.font.size = Pt(COMMENT_SIZE_PT)
    for built_in in (text, reference):  # Word's own styles, not custom ones
        built_in.element.attrib.pop(qn("w:customStyle"), None)


def _exact_spacing(pf: object, twips: int) -> None:
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY  # type: ignore[attr-defined]
    pf.line_spacing = Pt(twips / 20)  # type: ignore[attr-defined]
    pf.space_before = Pt(0)  # type: ignore[attr-defined]
    pf.space_after = Pt(0)  # type: ignore[attr-defined]


def _add_page_numbers(doc: DocxDocument, style: HouseStyle) -> None:
    """ "— 1 —" from a PAGE field, 4号 宋体: odd pages right, even pages left, one character in."""
    section = doc.sections[0]
    ns = style.page_number
    one_char_twips = round(ns.size * 20)
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(ns.size)
        pf.space_before = pf.space_after = Pt(0)
        set_ppr_flag(p._p, "snapToGrid", "0")
        side = {"right_chars": 1} if align == WD_ALIGN_PARAGRAPH.RIGHT else {"left_chars": 1}
        set_char_indents(p._p, char_twips=one_char_twips, **side)
        _page_number_run(p, "— ", style)
        for part in ("begin", "instr", "separate", "shown", "end"):
            run = _page_number_run(p, "1" if part == "shown" else "", style)
            if part in ("begin", "separate", "end"):
                fld = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): part})
                run._r.append(fld)
            elif part == "instr":
                instr = run._r.makeelement(qn("w:instrText"), {})
                instr.set(qn("xml:space"), "preserve")
                instr.text = " PAGE "
                run._r.append(instr)
        _page_number_run(p, " —", style)


def _page_number_run(p: Paragraph, text: str, style: HouseStyle) -> Run:
    run = p.add_run(text)
    ns = style.page_number
    set_fonts(run._r.get_or_add_rPr(), east_asian=ns.font, latin=style.latin_for("page_number"))
    run.font.size = Pt(ns.size)
    run.font.bold = ns.bold
    return run


# ----------------------------------------------------------------------------- paragraphs


def _paragraph_role(block: Block) -> str:
    if block.kind == "title":
        return "title"
    if block.kind == "signature":
        return "signature"
    if block.kind == "heading":
        return f"heading{block.level}"
    return "body"


def _add_paragraph(doc: DocxDocument, role: str) -> Paragraph:
    """A new paragraph in the role's style (set by id: python-docx's lookup by name is slow)."""
    paragraph = doc.add_paragraph()
    paragraph._p.style = STYLE_IDS[role]
    return paragraph


def _flush_left(paragraph: Paragraph) -> None:
    """No first-line indent: the body style's two characters taken back (GB/T 9704 sets the
    主送机关 顶格)."""
    paragraph.paragraph_format.first_line_indent = Pt(0)  # w:ind, in its place in w:pPr
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), "0")  # else the style's firstLineChars wins


def _right_indent(paragraph: Paragraph, chars: float, style: HouseStyle) -> None:
    """A right indent of `chars` characters (`w:rightChars`, with its twips)."""
    paragraph.paragraph_format.right_indent = Pt(chars * style.body.size)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:rightChars"), str(round(chars * 100)))


def _char_width(text: str) -> float:
    """Width in characters: full-width characters count 1, half-width ones ½."""
    return sum(_DIGIT_WIDTH if ord(c) < 0x2E80 else 1 for c in text)


def signature_right_indents(
    names: list[str], date: str | None = None, *, line_chars: int = 28
) -> list[float]:
    """Right indents (in characters) of the name lines and the date (GB/T 9704 §7.3.5.2).

    The unit name is 右空二字 (a second name line, 办公室, right-aligned with it); the date
    goes on the next line with its first character two characters right of the widest
    name's first; if that would leave the date less than two characters from the margin,
    the date is 右空二字 and the names move left instead. A name too long for one line of
    `line_chars` characters starts at the left margin, so the date starts two characters in
    (and stays on one line).
    """
    if date is None:
        return [2.0] * len(names)
    name_w, date_w = max(_char_width(n) for n in names), _char_width(date)
    date_right = min(2 + name_w, line_chars) - date_w - 2
    if date_right >= 2:
        return [*[2.0] * len(names), date_right]
    return [*[2 + date_w + 2 - name_w] * len(names), 2.0]


class _RunProperties:
    """The `w:rPr` of each role's runs, built once and copied onto every run: the East Asian
    and Latin fonts, size, weight, condensing, and the yellow highlight where asked."""

    def __init__(self, style: HouseStyle):
        self._style = style
        self._cache: dict[tuple[str, bool], CT_RPr] = {}

    def get(self, role: str, highlighted: bool) -> CT_RPr:
        key = (role, highlighted)
        if key not in self._cache:
            rs = self._style.role(role)
            rpr: CT_RPr = OxmlElement("w:rPr")
            set_fonts(rpr, east_asian=rs.font, latin=self._style.latin_for(role))
            rpr.get_or_add_b().val = rs.bold
            rpr.get_or_add_sz().val = Pt(rs.size)
            spacing = self._style.char_spacing_pt(role)
            if spacing:
                set_char_spacing(rpr, spacing)
            if highlighted:
                rpr.get_or_add_highlight().val = WD_COLOR_INDEX.YELLOW
            self._cache[key] = rpr
        return deepcopy(self._cache[key])


def _add_runs(
    paragraph: Paragraph,
    block: Block,
    text: str,
    notes: list[Annotation],
    anchored: dict[int, list[Run]],
    run_props: _RunProperties,
    *,
    clean: bool,
) -> None:
    """The block's text as runs, cut wherever a segment or an annotation starts or ends."""
    touching = [i for i, n in enumerate(notes) if n.start < block.end and n.end > block.start]
    for seg in block.segments:
        cuts = {seg.start, seg.end}
        for i in touching:
            cuts.update(c for c in (notes[i].start, notes[i].end) if seg.start < c < seg.end)
        points = sorted(cuts)
        for a, b in pairwise(points):
            covering = [i for i in touching if notes[i].start <= a and b <= notes[i].end]
            highlighted = any(not clean or notes[i].kind == "marker" for i in covering)
            run = paragraph.add_run()
            run._r.insert(0, run_props.get(seg.role, highlighted))
            run.text = text[a:b]
            for i in covering:
                anchored[i].append(run)
