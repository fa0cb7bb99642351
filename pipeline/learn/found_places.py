"""Places and area levels of a sample as facts: a place name before an office (青山县教育局),
the sample's own place names, and the words of its own area level (全镇, 镇党委, the 县委 above
it), which the templates write from the user's level."""

from __future__ import annotations

import re

from pipeline.checker.vocab import not_a_place_stem
from pipeline.learn.outline import Outline
from pipeline.learn.registry import Registry
from pipeline.template_filters import AREA_LEVELS, INSTITUTIONS

PLACE_SUFFIXES = {
    "县": "县名",
    "区": "区名",
    "市": "市名",
    "省": "省名",
    "镇": "镇名",
    "乡": "乡名",
}


PLACE_BEFORE_OFFICE = re.compile(
    r"(?:(?<=按照)|(?<=根据)|(?<=[，、。“《]))([\u4e00-\u9fff]{2,3}[县区市])"
    r"(?=[\u4e00-\u9fff]{0,4}?(?:局|委|人民政府|政府|办公室))"
)


def is_place_name(name: str) -> bool:
    """Whether `name` (青山县, 城关区) names a place: a stem of two or three characters and
    a level word (县, 区, 市, 镇, 街道…), not a fragment of a sentence before a level word
    (我局在县 of 我局在县委)."""
    level = "街道" if name.endswith("街道") else name[-1:]
    stem = name[: -len(level)]
    return (
        (level in PLACE_SUFFIXES or level == "街道")
        and 2 <= len(stem) <= 3
        and re.fullmatch(r"[\u4e00-\u9fff]+", stem) is not None
        and not_a_place_stem().search(stem) is None
    )


BARE_PLACE_OFFICE = re.compile(
    r"(?:(?<=按照)|(?<=根据)|(?<=[^、]在))([县区市])(?=委|教委|人民政府|政府|教育局|教育委员会)"
)


LEVELS = "|".join(sorted(AREA_LEVELS, key=len, reverse=True))


_OWN_AREA = re.compile(rf"(?<=[全我本])({LEVELS})(?![场域级间])")
"""The sample's own area: 全镇, 我县, 本街道 (not 全市场, 本区域)."""


_BEFORE_ORGAN = "|".join(
    f"(?<={w})"
    for w in [
        "按照",
        "根据",
        "配合",
        "落实",
        "得到",
        "联合",
        "会同",
        "协助",
        "协同",
        "依托",
        "邀请",
        "主持",
        "参加",
        "支持",
        "服务",
        *"在由经向和与及对了的是将把被为受、，。；：“\n",
    ]
)


_ORGAN = re.compile(
    rf"(?:^|{_BEFORE_ORGAN})"
    r"(?:(?P<party>(?:[省市县区]|街道)委(?!员)|(?:[乡镇]|街道)党工?委|[乡镇]委(?!员))"
    r"|(?P<gov>(?:[省市县区乡镇]|街道)(?:人民)?政府|街道办事处|街道办(?!事))"
    r")",
    re.M,
)
"""A bare 镇党委, 县委, 镇政府 or 街道办事处: the organs of the sample's own area (after a
word such as 在 or 按照, so that 青石镇党委 is a name's, not a bare level's)."""


_INSTITUTION = re.compile(
    rf"(?:^|{_BEFORE_ORGAN}|(?<=[我本]))(?P<level>{LEVELS})"
    rf"(?P<kind>{'|'.join(sorted(INSTITUTIONS, key=len, reverse=True))})",
    re.M,
)
"""A bare 镇派出所, 县人民医院 or 我镇卫生院: an institution of an area, named by its level
only (青石镇派出所 and 青山县人民医院 are names of their own)."""


_UNIT_LEVEL = re.compile(
    r"(?<=[\u4e00-\u9fff]{2})(?:街道|(?<![城社园小景辖片山牧湖超都门])[省市县区乡镇])(?![村场])"
)
"""A level word in a unit's name or post (青石镇, 青山县人民医院, 城关区); not one inside
a word (城市, 社区, 园区, 城镇, 城乡, 乡村, 市场)."""


_UNIT_FACTS = ("单位名称", "学校名称", "落款单位", "现任职务")


def _unit_level(reg: Registry) -> str | None:
    """The level of the sample's own area as its unit's name (or the writer's post) says
    it — the lowest level named, as 青山县青石镇人民政府 is a 镇's — or None."""
    names = [str(reg.by_label[k].example) for k in _UNIT_FACTS if k in reg.by_label]
    named = [m.group() for name in names for m in _UNIT_LEVEL.finditer(name)]
    return max(named, key=AREA_LEVELS.index) if named else None


_NAMED_THINGS = (
    "社区卫生服务中心|中心学校|工业园区|产业园区|开发区|园区|居委会|社区|村|小学|中学|幼儿园"
    "|卫生院|医院|派出所|水库|公园|广场|景区|小区|大道|路|街|河|湖|山"
)


def own_place_names(text: str, outline: Outline, reg: Registry) -> None:
    """Names made from the sample's own place name — 青石村, 青石工业园区, 青石镇卫生院 of a
    青石镇 unit — and the place name itself: another unit's report has names of its own."""
    names = [str(reg.by_label[k].example) for k in _UNIT_FACTS if k in reg.by_label]
    stems = {
        name[m.start() - 2 : m.start()]
        for name in names
        for m in _UNIT_LEVEL.finditer(name)
        if is_place_name(name[m.start() - 2 : m.end()])
    }
    for stem in sorted(stems):
        named = re.compile(
            rf"{re.escape(stem)}(?:(?P<level>街道|[省市县区乡镇])?[\u4e00-\u9fff]{{0,3}}?(?P<kind>{_NAMED_THINGS})"
            rf"|(?P<place>街道|[省市县区乡镇]))"
        )
        for m in named.finditer(text, outline.title_span.end):
            if not reg.free(m.start(), m.end()):
                continue
            place = m.group("place")
            label = PLACE_SUFFIXES.get(place, f"{place}名称") if place else f"{m.group('kind')}名称"
            reg.add_sample_text(
                label, m.start(), m.end(), fact_id={"县": "county"}.get(place or "")
            )


def level_words(text: str, outline: Outline, reg: Registry) -> None:
    """Words of the sample's own area level — 全镇, 我镇, 镇党委, 镇政府 — depend on the level
    of the user's area (a 县 user writes 全县, 县委), so the level is a fact and the
    templates write them from it: 全{{ area_level }}, {{ area_level | organ("党委") }}.
    The sample's own level is its unit's (a 镇长's report names the 县委 above it too)."""
    body = outline.title_span.end
    found: list[tuple[int, int, str, str]] = []  # start, end, level, expression
    for m in _OWN_AREA.finditer(text, body):
        found.append((m.start(), m.end(), m.group(1), "{id}"))
    for m in _ORGAN.finditer(text, body):
        word = m.group("party") or m.group("gov")
        level = "街道" if word.startswith("街道") else word[0]
        kind = "党委" if m.group("party") else "人民政府" if "人民" in word else "政府"
        found.append((m.start(), m.end(), level, f'{{id}} | organ("{kind}")'))
    found = [f for f in found if reg.free(f[0], f[1])]
    if not found:
        return
    levels = [f[2] for f in found]
    level = _unit_level(reg)
    if level not in levels:  # the unit's name says no level the text uses: the most used
        level = max(dict.fromkeys(levels), key=levels.count)
    # The area's institutions follow its level too, but do not vote for it: a 镇's report
    # may name the 县人民医院 above it more often than its own 镇党委.
    institutions = [
        (m.start("level"), m.end(), m.group("level"), f'{{id}} | organ("{m.group("kind")}")')
        for m in _INSTITUTION.finditer(text, body)
    ]
    found = sorted(
        [f for f in found if not any(i[0] <= f[0] < i[1] for i in institutions)] + institutions
    )
    for start, end, lv, expression in found:
        if lv != level or not reg.free(start, end):
            continue  # another area's: the one the unit answers to is written below
        reg.add(
            "所在行政区层级",
            fact_id="area_level",
            start=start,
            end=end,
            expression_of=expression,
            type="enum",
            choices=list(AREA_LEVELS),
            example=level,
            description="本单位所在行政区的层级，决定“全县”“我镇”“县委”“镇党委”等词的写法"
            f"（样稿中为“{level}”，写作“{text[start:end]}”）。",
            origin="sample",
            required=True,
        )
    _superior_words(text, reg, level, found)


_RANK = {"省": 0, "市": 1, "县": 2, "区": 2, "乡": 3, "镇": 3, "街道": 3}
"""How high a level is: a 镇's superior is a 县, a 区 or a 市 (a 县级市), so the superior is
the sample's words, never derived from the level."""


def _superior_words(
    text: str, reg: Registry, level: str, found: list[tuple[int, int, str, str]]
) -> None:
    """Words of the area the sample's unit answers to — a 镇 report's 在县委、县政府的坚强领导下,
    按照县公安局的部署 — depend on the user's superior (a 县 answers to 市委、市政府), which
    its own level does not say (a 镇 may be under a 县, a 区 or a 县级市): a fact of its own,
    上级行政区层级 (`superior_level`), written as the area level's words are. The superior is
    the nearest level above the unit's the sample names; a level further up stays as written."""
    above = [lv for start, end, lv, _ in found if _RANK[lv] < _RANK[level] and reg.free(start, end)]
    if not above:
        return
    nearest = max(_RANK[lv] for lv in above)
    near = [lv for lv in above if _RANK[lv] == nearest]
    superior = max(dict.fromkeys(near), key=near.count)
    for start, end, lv, expression in found:
        if lv != superior or not reg.free(start, end):
            continue
        reg.add(
            "上级行政区层级",
            fact_id="superior_level",
            start=start,
            end=end,
            expression_of=expression,
            type="enum",
            choices=list(AREA_LEVELS),
            example=superior,
            description="本单位所属上级行政区的层级，决定“在县委、县政府的领导下”等上级党委、"
            f"政府和部门的写法（样稿中为“{superior}”，写作“{text[start:end]}”）；"
            "镇、街道的上级可能是县、区或市，请按实际选择。",
            origin="sample",
            required=True,
        )
