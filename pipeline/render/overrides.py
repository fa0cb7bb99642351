"""House-style overrides: the keys of a spec's `style:` mapping and of draft.toml's `[style]`.

A module of its own, apart from the house style (`pipeline.render.style`), because every
command that loads a spec (`draft check --facts`…) validates its `style:` with these models,
and only a Word export needs the rest.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from pipeline.errors import InputError

CN_SIZES: dict[str, float] = {
    "初号": 42,
    "小初": 36,
    "一号": 26,
    "小一": 24,
    "二号": 22,
    "小二": 18,
    "三号": 16,
    "小三": 15,
    "四号": 14,
    "小四": 12,
    "五号": 10.5,
    "小五": 9,
    "六号": 7.5,
}
"""The Chinese type sizes (字号) in points."""

_DIGIT_SIZE = re.compile(r"^(小)?([1-6])号$")
_CN_DIGITS = "一二三四五六"


def parse_size(value: Any) -> Any:
    """A size in points from a number or a Chinese size name (三号, 3号, 小四)."""
    if isinstance(value, str):
        name = value.strip()
        m = _DIGIT_SIZE.match(name)
        if m:
            small, digit = m.groups()
            name = f"小{_CN_DIGITS[int(digit) - 1]}" if small else f"{_CN_DIGITS[int(digit) - 1]}号"
        if name in CN_SIZES:
            return CN_SIZES[name]
        try:
            return float(name.removesuffix("pt").strip())
        except ValueError:
            known = "、".join(CN_SIZES)
            raise ValueError(
                f"expected a size in points or a Chinese size name ({known})"
            ) from None
    return value


Points = Annotated[float, BeforeValidator(parse_size), Field(gt=0, le=72)]


def _no_control_characters(value: str) -> str:
    from pipeline.textio import control_character

    if control_character(value):
        raise ValueError("a font name cannot hold control characters")
    return value


FontName = Annotated[
    str, Field(min_length=1, max_length=60), AfterValidator(_no_control_characters)
]


class StrictStyle(BaseModel):
    """The base of the style models: unknown keys refused, instances immutable."""

    # Built on first use: only a Word export or a `style:`/[style] table needs these models,
    # and building them would slow the start of every command that imports the spec.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class RoleOverride(StrictStyle):
    """A partial `RoleStyle`: only the keys given replace the default."""

    font: FontName | None = None
    fallback: FontName | None = None
    latin: FontName | None = None
    size: Points | None = None
    bold: bool | None = None


class MarginsOverride(StrictStyle):
    top: float | None = Field(None, ge=5, le=80)
    bottom: float | None = Field(None, ge=5, le=80)
    left: float | None = Field(None, ge=5, le=80)
    right: float | None = Field(None, ge=5, le=80)


class StyleOverrides(StrictStyle):
    """The `style:` mapping of a spec or the `[style]` table of draft.toml: all keys optional."""

    title: RoleOverride | None = None
    body: RoleOverride | None = None
    heading1: RoleOverride | None = None
    heading2: RoleOverride | None = None
    heading3: RoleOverride | None = None
    heading4: RoleOverride | None = None
    signature: RoleOverride | None = None
    page_number: RoleOverride | None = None
    latin_font: FontName | None = None
    margins: MarginsOverride | None = None
    lines_per_page: int | None = Field(None, ge=10, le=60)
    chars_per_line: int | None = Field(None, ge=10, le=60)
    page_number_gap_mm: float | None = Field(None, ge=0, le=30)


def parse_overrides(data: Any, *, source: str, prefix: str = "style") -> StyleOverrides:
    """Validate a style mapping; errors name the key path and what was expected."""
    from pipeline.validation import did_you_mean, error_reason, format_path, given_text

    try:
        return StyleOverrides.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = (prefix, *err["loc"])
            field = format_path(loc)
            if err["type"] == "extra_forbidden":
                model: type[BaseModel] = StyleOverrides if len(loc) == 2 else RoleOverride
                if len(loc) == 3 and loc[1] == "margins":
                    model = MarginsOverride
                hint = did_you_mean(str(loc[-1]), model.model_fields)
                problems.append(f"unknown key '{field}'{hint}")
            else:
                problems.append(
                    f"'{field}': {error_reason(err)}, got {given_text(err.get('input'))}"
                )
        raise InputError("; ".join(problems), path=source) from None
