"""The house style of a Word draft: fonts, sizes, page and grid, per GB/T 9704-2012.

The defaults are the 党政机关公文 layout. A unit's own house style overrides them, role by
role, from two places (a later one wins):

1. the document-type spec's `style:` mapping;
2. the `[style]` table of the user's `draft.toml` (`pipeline.paths.user_config_dir()`);
3. the `[style]` table of `draft.toml` in the working directory.

Both take the same keys, for example::

    [style.title]
    font = "方正小标宋_GBK"
    fallback = "宋体"
    [style.heading2]
    bold = true
    [style.body]
    size = "三号"        # or 16 (points)

Sizes are points or the Chinese size names (二号 = 22 pt, 三号 = 16 pt, 四号 = 14 pt, …). The
override keys and their validation are in `pipeline.render.overrides`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import Field

from pipeline.errors import InputError
from pipeline.render.overrides import (
    FontName,
    Points,
    StrictStyle,
    StyleOverrides,
    parse_overrides,
)


class RoleStyle(StrictStyle):
    """How one kind of paragraph is set: East Asian font (and its fallback), size, weight."""

    font: FontName
    """The East Asian font (`w:eastAsia`), e.g. 仿宋_GB2312."""
    fallback: FontName | None = None
    """The font Word and LibreOffice use where `font` is not installed (`w:altName`)."""
    latin: FontName | None = None
    """The font of digits and Latin text; None means the house `latin_font` (for the page
    number, its own `font`)."""
    size: Points
    bold: bool = False


class Margins(StrictStyle):
    """Page margins in millimetres."""

    top: float = Field(37, ge=5, le=80)
    bottom: float = Field(35, ge=5, le=80)
    left: float = Field(28, ge=5, le=80)
    right: float = Field(26, ge=5, le=80)


def _role(**values: Any) -> Any:
    """A role's default, made with each HouseStyle: an instance made here, at import, would
    build the deferred models."""
    return Field(default_factory=lambda: RoleStyle(**values))


ROLES = (
    "title",
    "body",
    "heading1",
    "heading2",
    "heading3",
    "heading4",
    "signature",
    "page_number",
)
"""The paragraph roles a house style sets: heading1 is 一、, heading2 （一）, heading3 1.,
heading4 （1）."""


class HouseStyle(StrictStyle):
    """Every layout fact the Word renderer uses. The defaults are GB/T 9704-2012."""

    title: RoleStyle = _role(font="方正小标宋简体", fallback="宋体", size=22)
    body: RoleStyle = _role(font="仿宋_GB2312", fallback="仿宋", size=16)
    heading1: RoleStyle = _role(font="黑体", fallback="SimHei", size=16)
    heading2: RoleStyle = _role(font="楷体_GB2312", fallback="楷体", size=16)
    heading3: RoleStyle = _role(font="仿宋_GB2312", fallback="仿宋", size=16)
    heading4: RoleStyle = _role(font="仿宋_GB2312", fallback="仿宋", size=16)
    signature: RoleStyle = _role(font="仿宋_GB2312", fallback="仿宋", size=16)
    page_number: RoleStyle = _role(font="宋体", fallback="SimSun", size=14)
    """GB/T 9704: half-width 宋体 Arabic digits, 4号 (the digits take the role's `font`)."""
    latin_font: FontName = "Times New Roman"
    """Digits and Latin text everywhere but the page number."""
    margins: Margins = Field(default_factory=Margins)
    lines_per_page: int = Field(22, ge=10, le=60)
    chars_per_line: int = Field(28, ge=10, le=60)
    page_number_gap_mm: float = Field(7, ge=0, le=30)
    """Distance from the bottom of the text block to the top of the page number."""

    def role(self, name: str) -> RoleStyle:
        """The style of the role `name` (one of `ROLES`)."""
        return getattr(self, name)

    def latin_for(self, name: str) -> str:
        """The Latin font of role `name`: its `latin`, else the house `latin_font`; the page
        number, all digits, is set in its own `font` (`[style.page_number] font = "Times New
        Roman"` changes the digits, not only the dashes)."""
        rs = self.role(name)
        return rs.latin or (rs.font if name == "page_number" else self.latin_font)

    @property
    def text_width_mm(self) -> float:
        return 210 - self.margins.left - self.margins.right

    @property
    def text_height_mm(self) -> float:
        return 297 - self.margins.top - self.margins.bottom

    @property
    def line_pitch_twips(self) -> int:
        """The fixed line spacing: the text block's height over the lines per page, rounded
        down to a twip (225 mm / 22 → 579 twips = 28.95 pt)."""
        return int(self.text_height_mm / 25.4 * 1440 / self.lines_per_page)

    def line_spacing_twips(self, role: str) -> int:
        """The fixed line spacing of a role: the grid's pitch, or as many pitches as text of
        the role's size needs (a 小初 title takes two grid lines a line: in one, its lines
        would print over each other)."""
        pitch = self.line_pitch_twips
        return pitch * max(1, math.ceil(self.role(role).size * 20 / pitch))

    @property
    def char_pitch_pt(self) -> float:
        """The character pitch: the text block's width over the characters per line."""
        return self.text_width_mm / 25.4 * 72 / self.chars_per_line

    def char_spacing_pt(self, role: str) -> float:
        """How much a role's characters are condensed so that exactly `chars_per_line` fit.

        The grid's pitch minus the font size, rounded down to 1/20 pt (the unit of
        `w:spacing`) with one twentieth more of slack, since LibreOffice loses a fraction of
        a point per line to rounding: 156 mm / 28 = 15.79 pt for 16 pt text gives -0.3 pt,
        and 28 characters of 15.7 pt fill 439.6 of the 442.2 pt (29 would need 455 pt).
        Only text in the body size sits on the character grid; other sizes are not condensed.
        """
        size = self.role(role).size
        if size != self.body.size:
            return 0.0
        return (math.floor((self.char_pitch_pt - size) * 20) - 1) / 20

    def with_overrides(self, overrides: StyleOverrides | None) -> HouseStyle:
        """A copy with every key given in `overrides` replaced."""
        if overrides is None:
            return self
        data = self.model_dump()
        for key, value in overrides.model_dump(exclude_none=True).items():
            if isinstance(value, dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return HouseStyle.model_validate(data)


CONFIG_FILE = "draft.toml"


def style_from_config(path: str | Path) -> StyleOverrides | None:
    """The `[style]` table of a draft.toml, or None when the file or the table is absent.

    Read here with tomllib: the `[style]` table belongs to the Word renderer alone.
    """
    p = Path(path)
    if not p.exists() and not p.is_symlink():  # a folder, a pipe, a broken link: refused below
        return None
    import tomllib  # only when the file exists: its import costs start-up time

    from pipeline.textio import read_text

    try:
        data = tomllib.loads(read_text(p, what="configuration file", allow_empty=True))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", path=str(p)) from None
    table = data.get("style")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError("'style' must be a table ([style])", path=str(p))
    return parse_overrides(table, source=str(p), prefix="style")


def style_config_paths(cwd: str | Path | None = None) -> list[Path]:
    """The draft.toml files whose `[style]` applies, lowest priority first: the user's
    (`pipeline.paths.user_config_dir()`), then the working directory's."""
    from pipeline import paths

    here = Path(cwd) if cwd is not None else Path.cwd()
    return [paths.user_config_dir() / CONFIG_FILE, here / CONFIG_FILE]


def house_style(
    spec_style: StyleOverrides | None = None, *, cwd: str | Path | None = None
) -> HouseStyle:
    """The house style: GB/T 9704 defaults, then the spec's `style:`, then the `[style]` of
    the user's draft.toml, then of the working directory's (`cwd`, by default the current one).
    """
    style = HouseStyle().with_overrides(spec_style)
    for path in style_config_paths(cwd):
        style = style.with_overrides(style_from_config(path))
    return style
