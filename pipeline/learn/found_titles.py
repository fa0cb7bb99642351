"""The facts a sample's title gives: its report year and its unit (also where the body names
them), the year the body writes when the title has none, and in a 关于转发《…》的通知 the
document forwarded."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.errors import InputError
from pipeline.learn.found_dates import TITLE_YEAR, year_value
from pipeline.learn.outline import Outline, Span
from pipeline.learn.registry import Origin, Registry
from pipeline.spec import MAX_CITED_TITLE_CHARS

_GENERIC_UNITS = {
    "学校": "学校名称",
    "我校": "学校名称",
    "本校": "学校名称",
    "公司": "公司名称",
    "医院": "医院名称",
    "单位": "单位名称",
    "本单位": "单位名称",
    "我单位": "单位名称",
}


PLACEHOLDER = re.compile(r"[Xx×＊*○〇_＿]{2,}|某某|[Xx×]|^某(?=[\u4e00-\u9fff])")


_TITLE_YEAR_BLANK = re.compile(r"(?<=\S)[ \t]+(?=年)")


_UNIT_EXAMPLES = {
    "学校名称": "青山县红星中学",
    "公司名称": "青山建设有限公司",
    "医院名称": "青山县人民医院",
}


FORWARDED = re.compile(r"关于转发《(?P<doc>[^《》]+)》的通知$")
"""A 转发通知's title: the document it forwards, in 《》, is another issuer's, named as it is."""


_FORWARDED_NUMBER = re.compile(r"》[（(]([\u4e00-\u9fff]{1,10}[〔［\[]\d{4}[〕］\]]\d{1,4}号)[）)]")
"""The forwarded document's 文号 after its title (《…》（青卫健发〔2025〕6号）): its own."""


def _forwarded_facts(text: str, outline: Outline, reg: Registry, m: re.Match[str]) -> int | None:
    """A 转发通知 (某医院关于转发《某局关于开展2025年…的通知》的通知): the unit before 关于, and
    the forwarded document's title as one fact wherever the sample names it (the title, 现将
    《…》转发给你们, the 附件 line), since another notice forwards another document; its year is
    the work's year, returned, so that the body's 2025年底 is written from it."""
    span = outline.title_span
    raw = text[span.start : span.end]
    unit = raw[: m.start()].strip()
    if unit and len(unit) <= 30:
        at = span.start + raw.index(unit)
        _title_unit(text, span, reg, unit, at, at + len(unit))
    doc = m.group("doc")
    if len(doc) > MAX_CITED_TITLE_CHARS:
        raise InputError(
            f"the title forwards a document whose title has {len(doc)} characters "
            f"(《{doc[:20]}…》): a forwarded title has at most {MAX_CITED_TITLE_CHARS}, the "
            "title alone, without its 文号 or text; shorten the sample's title to learn from it"
        )
    fact = reg.add_sample_text(
        "转发文件标题",
        span.start + m.start("doc"),
        span.start + m.end("doc"),
        fact_id="forwarded_title",
        required=True,
    )
    fact.description = f"所转发文件的标题，不带书名号（样稿中为“{doc}”）。"
    fact.origin = "title"
    for occ in re.compile(re.escape(doc)).finditer(text, span.end):
        if reg.free(occ.start(), occ.end()):
            reg.add(fact.label, start=occ.start(), end=occ.end())
        number = _FORWARDED_NUMBER.match(text, occ.end())
        if number and reg.free(*number.span(1)):
            reg.add_sample_text("转发文件文号", *number.span(1), fact_id="forwarded_number")
    found = TITLE_YEAR.search(doc)
    return body_year(reg, year_value(found.group(1)) if found else None, "title", span.end)


def body_year(reg: Registry, year: int | None, origin: Origin, start: int) -> int | None:
    """`year` as the year fact when the text after `start` writes it outside other facts (到2025年底,
    总结2024年工作 beside it), though the title does not: the body's years are then written from
    it (2024 as the year before), as in a title that names it; else None."""
    if year is None or not any(
        reg.free(*m.span()) for m in re.compile(rf"{year}\s*年").finditer(reg.text, start)
    ):
        return None
    reg.declare(
        "总结年度",
        fact_id="report_year",
        type="year",
        example=year,
        description="",
        origin=origin,
        required=True,
    )
    return year


def title_facts(text: str, outline: Outline, reg: Registry) -> int | None:
    """The report year and the unit in the title; the year is returned."""
    span = outline.title_span
    raw = text[span.start : span.end]
    forwarded = FORWARDED.search(raw)
    if forwarded:
        return _forwarded_facts(text, outline, reg, forwarded)
    m = TITLE_YEAR.search(raw) or _TITLE_YEAR_BLANK.search(raw)  # 20XX年, “某公司 年度”
    if not m:  # 青山县应急管理局关于开展安全生产大检查的通知: the unit is before 关于
        about = raw.find("关于", 1)
        unit = raw[:about].strip() if about > 0 else ""
        if unit and len(unit) <= 30:
            at = span.start + raw.index(unit)
            _title_unit(text, span, reg, unit, at, at + len(unit))
        return None
    ys, ye = m.span(1) if m.re is TITLE_YEAR else m.span()
    year = year_value(raw[ys:ye])
    reg.add(
        "总结年度",
        fact_id="report_year",
        start=span.start + ys,
        end=span.start + ye,
        type="year",
        example=year or dt.date.today().year - 1,
        description="本总结所涵盖的年度；下一年度的工作打算写它的下一年。",
        origin="title" if year else "gap",
        required=True,
    )
    unit, at, unit_end = raw[:ys].strip(), span.start, span.start + ys
    if "关于" in unit[1:]:  # 某局关于开展2024年…的通知: the unit is before 关于
        unit = unit[: unit.index("关于", 1)]
        unit_end = at + raw.index(unit) + len(unit)
    if unit.startswith("关于"):  # 关于2023年度…的报告: 关于 is no unit's name, it stays text
        unit, at = unit[2:], at + 2
    if unit and len(unit) <= 30 and "述职" in raw[ye:]:  # 王芳2022年度述职报告
        fact = reg.add(
            "述职人姓名",
            fact_id="person_name",
            start=at,
            end=unit_end,
            type="string",
            example=unit,
            description="述职人的姓名，用于标题、正文和落款。",
            origin="title",
            required=True,
        )
        for occ in re.finditer(re.escape(unit), text):
            if occ.start() > span.end and reg.free(occ.start(), occ.end()):
                reg.add(fact.label, start=occ.start(), end=occ.end())
    elif unit and len(unit) <= 30:
        _title_unit(text, span, reg, unit, at, unit_end)
    return year


def _title_unit(text: str, span: Span, reg: Registry, unit: str, at: int, unit_end: int) -> None:
    """The unit the title names (at `at:unit_end`) as a fact, wherever the body names it too."""
    label = _GENERIC_UNITS.get(unit, "单位名称")
    placeholder = PLACEHOLDER.search(unit)
    generic = unit in _GENERIC_UNITS or placeholder is not None
    example = _UNIT_EXAMPLES.get(label, "青山县示例单位") if generic else unit
    if placeholder is not None:
        example = PLACEHOLDER.sub("城关", unit)
    note = "（样稿只写了“" + unit + "”，示例值仅供参考）" if generic else ""
    fact = reg.add(
        label,
        fact_id="school_name" if label == "学校名称" else "unit_name",
        start=at,
        end=unit_end,
        type="string",
        example=example,
        description=f"本单位的规范全称，用于标题{'和正文' if not generic else ''}{note}。",
        origin="title",
        required=True,
    )
    if unit not in _GENERIC_UNITS:  # the same name in the body is the same fact
        for occ in re.finditer(re.escape(unit), text):
            if occ.start() > span.end and reg.free(occ.start(), occ.end()):
                reg.add(fact.label, start=occ.start(), end=occ.end())
