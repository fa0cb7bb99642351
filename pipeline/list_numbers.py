"""The list numbers Word shows before numbered paragraphs (一、 （一） 1. （1）).

A .docx does not hold these numbers as text: Word computes them from word/numbering.xml
when it shows the document. A paragraph is numbered by its own `w:numPr` or by its style's
(标题 1 with a multilevel list, say); its `w:num` names an `w:abstractNum` whose `w:lvl`s
give each level's format (`w:numFmt`), pattern (`w:lvlText`, "%1、"), start value and when
it restarts (`w:lvlRestart`); a `w:num` may override a level or its start value
(`w:lvlOverride`/`w:startOverride`, Word's "restart numbering"). `ListNumbers` walks the
paragraphs in order, keeps the counters as Word does, and gives each paragraph its label.

No maintained library does this for the formats a 公文 uses: python-docx and mammoth do not
compute labels, and docx2python knows only decimal, letters and Roman numerals, ignores
`w:lvlText`, start values and style numbering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.numerals import DIGITS, to_chinese

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_LEVELS = 9
_MAX_LINKS = 10
"""How many basedOn/numStyleLink steps are followed (a damaged file may loop)."""


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        count, n = divmod(n, value)
        out += letters * count
    return out


def _letter(n: int) -> str:
    """a … z, then aa … zz, aaa …: Word repeats the letter."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _from(table: str) -> Callable[[int], str]:
    """A format that takes its 1…len(table) numbers from `table`, decimal beyond."""
    return lambda n: table[n - 1] if 1 <= n <= len(table) else str(n)


def _ideograph_digits(n: int) -> str:
    return "".join("〇" if d == "0" else DIGITS[int(d)] for d in str(n))


def _legal(capitals: str) -> Callable[[int], str]:
    """A format in the capital numerals of banking and contracts (壹贰叁…拾佰仟万亿 in
    `capitals`, in the order of 零一二三四五六七八九十百千万亿): 10 → 壹拾, 21 → 贰拾壹."""
    table = str.maketrans("零一二三四五六七八九十百千万亿", capitals)

    def legal(n: int) -> str:
        text = to_chinese(n).translate(table)
        return capitals[1] + text if text.startswith(capitals[10]) else text

    return legal


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(d) + 0xFEE0) for d in str(n)),
    "decimalHalfWidth": str,
    "decimalEnclosedCircle": _from("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"),
    "decimalEnclosedCircleChinese": _from("①②③④⑤⑥⑦⑧⑨⑩"),
    "decimalEnclosedParen": _from("⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"),
    "decimalEnclosedFullstop": _from("⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"),
    "chineseCounting": lambda n: to_chinese(n) if n > 0 else "〇",
    "chineseCountingThousand": lambda n: to_chinese(n) if n > 0 else "〇",
    "japaneseCounting": lambda n: to_chinese(n) if n > 0 else "〇",
    "taiwaneseCounting": lambda n: to_chinese(n) if n > 0 else "〇",  # LibreOffice, WPS
    "taiwaneseCountingThousand": lambda n: to_chinese(n) if n > 0 else "〇",
    "taiwaneseDigital": _ideograph_digits,
    "ideographDigital": _ideograph_digits,
    "chineseLegalSimplified": _legal("零壹贰叁肆伍陆柒捌玖拾佰仟万亿"),
    "ideographLegalTraditional": _legal("零壹貳參肆伍陸柒捌玖拾佰仟萬億"),
    "ideographTraditional": _from("甲乙丙丁戊己庚辛壬癸"),
    "ideographZodiac": _from("子丑寅卯辰巳午未申酉戌亥"),
    "lowerLetter": _letter,
    "upperLetter": lambda n: _letter(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "none": lambda n: "",
}


def format_number(n: int, fmt: str) -> str:
    """`n` as Word writes it in the list format `fmt` (its `w:numFmt`): 3 → 三
    (chineseCounting), 叁 (chineseLegalSimplified), 丙 (ideographTraditional), ３ (decimalFullWidth), ③, c, iii…
    A format not listed here is written in Arabic digits."""
    if n < 1 and fmt not in {"decimal", "decimalZero", "none"}:
        return str(n)
    return _FORMATS.get(fmt, str)(n)


@dataclass(frozen=True)
class Level:
    """One `w:lvl`: how a level of a list is numbered."""

    fmt: str = "decimal"
    text: str = ""
    start: int = 0
    restart: int | None = None
    """`w:lvlRestart`: the (1-based) level whose use restarts this one; 0 never."""
    legal: bool = False
    """`w:isLgl`: every number in this level's label in Arabic digits."""
    style: str | None = None
    """`w:pStyle`: the paragraph style this level is linked to."""


@dataclass
class _List:
    """One `w:num`: its abstract list, and the levels and start values it overrides."""

    abstract: str
    levels: dict[int, Level] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)


def _val(element: Any, tag: str) -> str | None:
    child = element.find(_W + tag) if element is not None else None
    return child.get(_W + "val") if child is not None else None


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(lvl: Any) -> tuple[int, Level] | None:
    ilvl = _int(lvl.get(_W + "ilvl"))
    if ilvl is None or not 0 <= ilvl < _MAX_LEVELS:
        return None
    legal = lvl.find(_W + "isLgl")
    return ilvl, Level(
        fmt=_val(lvl, "numFmt") or "decimal",
        text=_val(lvl, "lvlText") or "",
        start=_int(_val(lvl, "start"), 0) or 0,
        restart=_int(_val(lvl, "lvlRestart")),
        legal=legal is not None and legal.get(_W + "val", "1") not in {"0", "false", "off"},
        style=_val(lvl, "pStyle"),
    )


def _num_pr(ppr: Any) -> tuple[str | None, int | None] | None:
    """A `w:pPr`'s `w:numPr` as (numId, ilvl), either of which may be left out."""
    num_pr = ppr.find(_W + "numPr") if ppr is not None else None
    if num_pr is None:
        return None
    return _val(num_pr, "numId"), _int(_val(num_pr, "ilvl"))


class ListNumbers:
    """The labels of a document's numbered paragraphs, given in document order."""

    def __init__(self, numbering: Any | None, styles: Any | None) -> None:
        """`numbering` and `styles`: the root elements of word/numbering.xml and
        word/styles.xml (lxml), either None when the document has none."""
        self._abstract: dict[str, dict[int, Level]] = {}
        self._style_links: dict[str, str] = {}  # abstractNum → the numbering style it follows
        self._lists: dict[str, _List] = {}
        self._counters: dict[str, dict[int, int]] = {}  # per abstract list: level → count
        self._overridden: set[tuple[str, int]] = set()  # start overrides applied
        self._styles: dict[str, tuple[tuple[str | None, int | None] | None, str | None]] = {}
        self._default_style: str | None = None
        for style in styles.iterfind(_W + "style") if styles is not None else ():
            style_id = style.get(_W + "styleId")
            if style_id:
                self._styles[style_id] = (
                    _num_pr(style.find(_W + "pPr")),
                    _val(style, "basedOn"),
                )
                if style.get(_W + "type") == "paragraph" and style.get(_W + "default") in {
                    "1",
                    "true",
                    "on",
                }:
                    self._default_style = style_id
        if numbering is None:
            return
        for abstract in numbering.iterfind(_W + "abstractNum"):
            levels = dict(filter(None, map(_level, abstract.iterfind(_W + "lvl"))))
            key = abstract.get(_W + "abstractNumId", "")
            self._abstract[key] = levels
            link = _val(abstract, "numStyleLink")
            if link:
                self._style_links[key] = link
        for num in numbering.iterfind(_W + "num"):
            entry = _List(abstract=_val(num, "abstractNumId") or "")
            for override in num.iterfind(_W + "lvlOverride"):
                ilvl = _int(override.get(_W + "ilvl"))
                if ilvl is None:
                    continue
                start = _int(_val(override, "startOverride"))
                if start is not None:
                    entry.starts[ilvl] = start
                lvl = override.find(_W + "lvl")
                found = _level(lvl) if lvl is not None else None
                if found:
                    entry.levels[ilvl] = found[1]
            self._lists[num.get(_W + "numId", "")] = entry

    @classmethod
    def of(cls, document: Any) -> ListNumbers:
        """The numbering of a python-docx `Document`."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        part = document.part
        numbering = next(
            (rel.target_part.element for rel in part.rels.values() if rel.reltype == RT.NUMBERING),
            None,
        )
        return cls(numbering, document.styles.element)

    def label(self, paragraph: Any) -> str | None:
        """The label Word shows before this `w:p` element ("三、", "（二）", "" for a
        bullet or a numbering turned off), or None when no numbering applies to it.
        Each call counts the paragraph: call it once per paragraph, in document order."""
        ppr = paragraph.find(_W + "pPr")
        style_id = _val(ppr, "pStyle") or self._default_style
        own = _num_pr(ppr) or (None, None)
        style_num, style_ilvl = self._style_numbering(style_id)
        num_id = own[0] if own[0] is not None else style_num
        if num_id is None:
            return None
        entry = self._lists.get(num_id)
        if entry is None:  # numId 0 turns numbering off; an unknown one shows nothing
            return ""
        abstract, levels = self._levels(entry)
        ilvl = own[1] if own[1] is not None else style_ilvl
        if ilvl is None:
            ilvl = next((i for i, lvl in levels.items() if lvl.style == style_id), 0)
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet":
            return ""
        counts = self._count(num_id, entry, abstract, levels, ilvl)

        def number(ref: int) -> str:
            shown = levels.get(ref, Level())
            value = counts.get(ref, entry.starts.get(ref, shown.start))
            return format_number(value, "decimal" if level.legal else shown.fmt)

        out, i = "", 0
        text = level.text
        while i < len(text):
            ref = _int(text[i + 1]) if text[i] == "%" and i + 1 < len(text) else None
            if ref is not None and 1 <= ref <= _MAX_LEVELS:
                out += number(ref - 1)
                i += 2
            else:
                out += text[i]
                i += 1
        return out

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The numId and ilvl a paragraph style gives (through its basedOn chain)."""
        for _ in range(_MAX_LINKS):
            if style_id is None or style_id not in self._styles:
                break
            num_pr, based_on = self._styles[style_id]
            if num_pr is not None and num_pr[0] is not None:
                return num_pr
            style_id = based_on
        return None, None

    def _levels(self, entry: _List) -> tuple[str, dict[int, Level]]:
        """The abstract list a `w:num` counts in (following a numStyleLink to the list
        style's own) and its levels, with those the `w:num` overrides."""
        abstract = entry.abstract
        for _ in range(_MAX_LINKS):
            link = self._style_links.get(abstract)
            if link is None:
                break
            num_id, _ilvl = self._style_numbering(link)
            linked = self._lists.get(num_id or "")
            if linked is None:
                break
            abstract = linked.abstract
        return abstract, self._abstract.get(abstract, {}) | entry.levels

    def _count(
        self, num_id: str, entry: _List, abstract: str, levels: dict[int, Level], ilvl: int
    ) -> dict[int, int]:
        """Advance the counters for a paragraph at `ilvl` and return them. Lists of one
        abstract list count together, as in Word; a list's start override (Word's "restart
        numbering") sets its level's counter where that list is first used at that level."""
        counts = self._counters.setdefault(abstract, {})
        for deeper in [d for d in counts if d > ilvl]:
            restart = levels.get(deeper, Level()).restart
            threshold = deeper if restart is None or restart > deeper else restart
            if ilvl < threshold:
                del counts[deeper]
        if ilvl in entry.starts and (num_id, ilvl) not in self._overridden:
            self._overridden.add((num_id, ilvl))
            counts[ilvl] = entry.starts[ilvl]
        elif ilvl in counts:
            counts[ilvl] += 1
        else:
            counts[ilvl] = levels[ilvl].start
        return counts
