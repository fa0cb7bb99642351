"""Names a text claims — an honour, a document, a person — held to the facts (with facts only).

`facts.unsupported-name`: a proper name no fact, no literal text of the type's own templates
and no set phrase of the lexicon names. Kept narrow (precision over recall), three forms:

- an honour after 荣获/获评/评为/授予/荣膺/获得: a quoted title (荣获“省级文明单位”称号), a
  title before 称号 (获得全国文明单位称号), or a bare title of a level (全国, 省级, 市…)
  ending as honours end (被评为市级先进基层党组织, 获评全国文明校园);
- a document title in 《》 (认真学习《关于加强新时代意识形态工作的实施意见》);
- a person by surname with a post or 同志 (在张建国局长的带领下, 由李明同志牵头, 王书记),
  after a mark or a word a name follows (在, 由, 和…);
- a person by a post and then a full name (由副校长王建国负责, 在局长张建国的带领下), the
  name ended by what follows a name (的, 同志, a mark, 负责, 主持…), so that a post before a
  word (校长办公会, 副校长分管, 组长单位) names no one.

A model that invents one hands the clerk a report claiming an honour the unit never had.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.memo import IdentityCache
from pipeline.checker.text import is_cjk
from pipeline.checker.vocab import COMPOUND_SURNAMES, SURNAMES, a_person_name
from pipeline.lazy_re import lazy_pattern
from pipeline.type_words import POSTS

if TYPE_CHECKING:
    from pipeline.spec import DocSpec

SEVERITY = Severity.ERROR

_LEVEL = r"(?:全国|国家级|全省|全市|全县|全区|省级|市级|县级|区级|省|市|县|区)"
_HONOUR_END = (
    r"(?:单位|集体|个人|校园|学校|党组织|先进|模范|标兵|示范校|示范点|示范单位|基地|家庭|"
    r"社区|村|奖|称号)"
)
_honour = lazy_pattern(
    r"(?:荣获|获评|评为|授予|荣膺|获得)了?"
    r"(?:“(?P<quoted>[^“”\n]{2,30})”"
    rf"|(?P<titled>[\u4e00-\u9fff（）]{{2,24}}?)(?=(?:荣誉)?称号)"
    rf"|(?P<bare>{_LEVEL}[\u4e00-\u9fff]{{1,20}}?{_HONOUR_END})(?=[，。；、）\n]|$))"
)
"""An honour claimed: its title is the group that matched."""
_generic = lazy_pattern(r"各|多|等|和|及|系列|项|荣誉|表彰|奖励|好评|认可")
"""Words of a general claim (获得各级表彰和荣誉称号), not of one honour's title."""
_VERB_NEEDS_TITLE = ("获得", "授予")
"""Verbs that claim an honour only with 称号 (获得群众好评 claims none)."""

_title_word = lazy_pattern(r"(?:荣誉)?称号")

_book = lazy_pattern(r"《([^《》\n]{2,60})》")

_NAME_BEFORE = (
    r"(?:(?<=[在由和与及、，。；：“（(请向对经让随同以将被为据把给])|(?<=长)|(?<=书记)|(?<=主任)"
    r"|(?<=委员)|(?<=经理)|(?<=主席)|^)"
)
"""What a name follows: a mark, a word a name follows (在, 由…), or a post (院长刘志强同志)."""
_person = lazy_pattern(
    rf"{_NAME_BEFORE}(?P<name>[\u4e00-\u9fff]{{1,4}}?)(?P<post>{POSTS}|同志(?!们))",
    re.M,
)
"""A name (or a bare surname) and the post or 同志 after it."""
_post = lazy_pattern(POSTS)
_after_name = lazy_pattern(
    r"同志(?!们)|[，。；、：）”\n]|$|的|和|与|及|等|为|任|兼|在|到|赴|率|对|向|同|作|做|讲"
    r"|亲自|负责|牵头|带队|带领|主持|主抓|主讲|讲话|部署|出席|参加|担任|分管|宣讲|带头|强调"
    r"|指出|表示|一行|领誓|致辞|讲授|授课|传达|通报|介绍|解读|汇报|发言|深入|看望|慰问|检查"
    r"|调研|督导|指导|要求|召集|协调|分别",
    re.M,
)
"""What follows a name in a sentence: a mark, 同志, a link word or a verb a person does."""
_post_at_end = lazy_pattern(rf"(?:{POSTS})$")
"""A post that a bare surname after it follows (校长任组长: 任 is the verb, not 任书记)."""
_WORD_SURNAMES = frozenset("于向应曾常党严查包解尤任")
"""Surnames that, right after a post, are far more often a word's first character (书记于会上
讲话, 局长应邀出席, 书记曾多次强调, 书记严把关, 院长查房, 局长包保, 书记尤其强调, 校长任组长):
a name after a post is not read from them (precision over recall)."""
_PLACE_POST = lazy_pattern(r"[全本该各我社城](?=副?[县市区镇乡村]长)")
"""A level's post that is no post: 全县长江沿岸 is 全县 + 长江, 社区长效 社区 + 长效."""
_LINKS = frozenset("为任是在和与及的等到向对同把将被让由兼")
"""Words between a name and a post (张伟为组长, 李明任主任): they end no name before it."""
_ORGAN = frozenset("委部组支校院局处科室办会团队班所站厅司级")
"""Characters of an organ's name, not a person's (党委书记, 党支部书记)."""


class Claim:
    """One name the text claims: where, what it is (honour, document or person), the name.

    A plain class: a dataclass costs a millisecond at import, and `draft check` starts fast."""

    __slots__ = ("end", "kind", "name", "start")

    def __init__(self, start: int, end: int, kind: str, name: str) -> None:
        self.start, self.end, self.kind, self.name = start, end, kind, name


def _honours(text: str) -> list[Claim]:
    out = []
    for m in _honour().finditer(text):
        title = m["quoted"] or m["titled"] or m["bare"]
        titled = _title_word().match(text, m.end())
        if _generic().search(title):
            continue
        if text.startswith(_VERB_NEEDS_TITLE, m.start()) and not (m["titled"] or titled):
            continue
        end = titled.end() if titled else m.end()
        out.append(Claim(m.start(), end, "honour", title))
    return out


def _people(text: str) -> list[Claim]:
    out = []
    pattern, at = _person(), 0
    while m := pattern.search(text, at):
        at = m.start() + 1  # a match that is no name (在张建国局长) may hide one inside it
        name, post = m["name"], m["post"]
        if name in SURNAMES or name in COMPOUND_SURNAMES:  # 王书记: addressed by surname
            if (
                post.startswith("同志")
                or (name == "于" and m.start() > 0 and is_cjk(text[m.start() - 1]))
                or _post_at_end().search(text, max(0, m.start() - 3), m.start())
            ):
                continue  # 由于校长…, 对于书记…: 于 ends a word; 校长任组长: 任 is the verb
        elif not a_person_name(name) or name[-1] in _LINKS or _ORGAN.intersection(name[1:]):
            continue  # 以张伟为组长 (张伟 holds the post), 党支部书记 (an organ's post)
        out.append(Claim(m.start(), m.end(), "person", name))
        at = m.end()
    return out


def _named_after_post(text: str, taken: list[Claim]) -> list[Claim]:
    """People named by a post and then their full name (由副校长王建国负责), not already
    `taken` as a name before a post or 同志 (党支部书记李红同志)."""
    out = []
    for m in _post().finditer(text):
        at = m.end()
        if text[at : at + 1] in _WORD_SURNAMES or (
            m.start() > 0 and _PLACE_POST().match(text, m.start() - 1)
        ):
            continue
        for size in (4, 3, 2):
            name = text[at : at + size]
            if (
                len(name) == size
                and a_person_name(name)
                and name[-1] not in _LINKS
                and _after_name().match(text, at + size)
            ):
                if not any(c.start < at + size and at < c.end for c in taken):
                    out.append(Claim(m.start(), at + size, "person", name))
                break
    return out


_PERSON_HINTS = ("同志", "长", "书记", "主任", "委员", "经理", "主席", "干事", "专干", "民警", "辅导员", "支书")  # fmt: skip
"""Words of which a text naming a person by post holds one (a quick test before the regexes)."""


def claims(text: str) -> list[Claim]:
    """Every honour, document title and person by post the text names, in order."""
    found = _honours(text) if any(v in text for v in ("获", "评为", "授予", "荣膺")) else []
    if "《" in text:
        found += [Claim(m.start(), m.end(), "document", m[1]) for m in _book().finditer(text)]
    if any(p in text for p in _PERSON_HINTS):
        people = _people(text)
        found += people + _named_after_post(text, people)
    return sorted(found, key=lambda c: c.start)


_jinja = lazy_pattern(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)

_FIXED: IdentityCache[str] = IdentityCache()


def template_sources(spec: DocSpec) -> list[str]:
    """The source of each of the type's section templates (none for a type without a
    prompts folder)."""
    folder = spec.prompts_dir
    sources: list[str] = []
    if folder is not None and Path(folder).is_dir():
        for path in sorted(Path(folder).glob("*.j2")):
            try:
                sources.append(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue  # a broken template is the spec loader's to report
    return sources


def _fixed_text(ctx: Context) -> str:
    """The type's own words: its name and the literal text of its templates (the Jinja
    expressions and statements cut out, not rendered), and the lexicon's set phrases;
    one line each."""
    assert ctx.spec is not None
    parts = [ctx.spec.name]
    parts += [_jinja().sub("\n", source) for source in template_sources(ctx.spec)]
    if ctx.lexicon is not None:
        parts.extend(ctx.lexicon.exempt_words())
    return "\n".join(parts)


def _given(ctx: Context, strings: list[str], values: set[float], claim: Claim) -> bool:
    """Whether the facts, the type's own text or the lexicon name it, or it is made of fact
    values and the type's own text (《{{ county }}{{ report_year }}年…责任书》)."""
    fixed = _FIXED.get((ctx.spec, ctx.lexicon), lambda: _fixed_text(ctx))
    name = "".join(claim.name.split())
    if claim.kind == "person" and len(name) == 1:
        # 王书记: a fact naming a 王 with that post (党支部书记王建国)
        post = ctx.text[claim.start + 1 : claim.end]
        return any(name in s and post in s for s in [*strings, fixed])
    compact = ["".join(s.split()) for s in strings]
    if name in fixed or any(name in s for s in compact):
        return True
    given = [s for s in compact if s and s in name]
    given += [f"{v:g}" for v in values if v == int(v) and f"{v:g}" in name]
    if not given:
        return False
    split = "|".join(re.escape(g) for g in sorted(given, key=len, reverse=True))
    return all(piece in fixed for piece in re.split(split, name) if piece)


_WHAT = {"honour": "the honour", "document": "the document", "person": "the person"}


def check_claimed_names(
    ctx: Context, strings: list[str], values: set[float], reported: list[tuple[int, int]]
) -> list[Finding]:
    """`facts.unsupported-name` for every claimed name that `strings` and `values` (every
    text and number the facts give), the type's own text and the lexicon do not name; not
    for one holding a number already `reported` (《青山县2120年…》: the year is what is wrong)."""
    out = []
    for claim in claims(ctx.text):
        if any(claim.start <= a and b <= claim.end for a, b in reported):
            continue
        if ctx.in_residue(claim.start, claim.end) or any(
            a < claim.end and claim.start < b for a, b in ctx.marker_spans
        ):
            continue  # 《【待补充：上级通知名称】》: a name still to give, which its marker says
        if _given(ctx, strings, values, claim):
            continue
        shown = f"《{claim.name}》" if claim.kind == "document" else f"“{claim.name}”"
        out.append(
            ctx.finding(
                "facts.unsupported-name",
                SEVERITY,
                claim.start,
                claim.end,
                f"{_WHAT[claim.kind]} {shown} is not in the facts",
                "delete the claim (do not put another name in its place); "
                "if it is true, add it to the facts file and draft again",
            )
        )
    return out
