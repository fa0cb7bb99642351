"""The people and signing units of a sample as facts: the contact (name, phone, e-mail), the
落款's unit, department and signer, the writer's own post, and people named with their post
(局长李明同志)."""

from __future__ import annotations

import re

from pipeline.checker.vocab import a_person_name
from pipeline.learn.found_titles import PLACEHOLDER
from pipeline.learn.label_core import context_core
from pipeline.learn.outline import Outline, Span
from pipeline.learn.registry import Registry
from pipeline.learn.set_phrases import lexicon_forms
from pipeline.type_words import POSTS, SIGNER_WORDS, UNIT_ENDINGS

_CONTACT = re.compile(
    r"联系人[：:]\s*(?P<person>[\u4e00-\u9fff·]{2,16}?)(?=[，,；;。\s]|联系|电话|$)"
    r"|(?:联系)?电话[：:]\s*(?P<phone>[\d\-－—]{7,20}\d(?:[（(]内线\d{1,6}[）)])?"
    r"(?:[，,、/][ \t]*[\d\-－—]{7,20}\d)*)"
    r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)
"""A contact line's person and phone (联系人：李明，联系电话：0739-8321234, or two numbers:
0739-8765432，13807391234), and an e-mail address to send to (电子版发送至qsxyjj@163.com)."""


_CONTACTS = {
    "person": ("联系人", "contact_person"),
    "phone": ("联系电话", "contact_phone"),
    "email": ("电子邮箱", "contact_email"),
}


_WHOSE_END = re.compile(rf"(?:{UNIT_ENDINGS}|室|办|股|组|{POSTS})$")
"""How the words before a contact's name end when they name a department or a post
(医务科, 党政办, 支部组织委员)."""


_TITLE_AFTER_NAME = re.compile(rf"(?:老师|同志|{POSTS})$")
"""A title after a contact's name (团委周敏老师)."""


def _contact_name(written: str) -> tuple[int, int] | None:
    """Where the person's name is in what a contact line writes after 联系人：: the name after
    a department or a post (医务科陈静 → 陈静, 团委周敏老师 → 周敏), else the whole of a
    short one (王芳)."""
    title = _TITLE_AFTER_NAME.search(written)
    if title is not None and title.start() >= 2:
        written = written[: title.start()]
    for n in (3, 2, 4):
        head = written[:-n]
        if head and a_person_name(written[-n:]) and _WHOSE_END.search(head):
            return len(written) - n, len(written)
    return (0, len(written)) if len(written) <= 4 else None


def contact_facts(text: str, outline: Outline, reg: Registry) -> None:
    """The contact person, phone and e-mail the sample gives: the sample's own, never fixed
    text. A department before the person (医务科陈静) stays text, or is 报送单位."""
    for m in _CONTACT.finditer(text, outline.title_span.end):
        group = next(g for g in _CONTACTS if m.group(g))
        start, end = m.span(group)
        if group == "person":
            name = _contact_name(m.group(group))
            if name is None:
                continue
            start, end = start + name[0], start + name[1]
        if reg.free(start, end):
            label, fact_id = _CONTACTS[group]
            reg.add_sample_text(label, start, end, fact_id=fact_id)


def signature_facts(text: str, outline: Outline, reg: Registry) -> None:
    """The 落款's name lines as facts: the unit, a department under it (落款部门), and a
    signing person's name (述职人：张建华, or 张伟 under the unit)."""
    sig = outline.signature
    if sig is None or sig.unit is None or sig.unit_span is None:
        return
    if sig.role is not None:  # a person signs (述职人：张建华): their name is the fact
        _signing_person(text, outline, reg, sig.role, sig.unit_span)
        return
    _signing_unit(text, outline, reg)
    if sig.second_span is None:
        return
    if sig.second_role is not None:  # 城关镇人民政府 / 张伟: the person's name is a fact
        _signing_person(text, outline, reg, sig.second_role, sig.second_span)
    else:  # 青山县卫生健康局 / 办公室
        reg.add_sample_text(
            "落款部门",
            sig.second_span.start,
            sig.second_span.end,
            fact_id="signing_department",
            required=True,
        )


def _signing_person(text: str, outline: Outline, reg: Registry, role: str, span: Span) -> None:
    """The signing person's name, in the 落款 and wherever the body writes it (本人张伟)."""
    name = text[span.start : span.end]
    for occ in re.finditer(re.escape(name), text[: span.start]):
        if occ.start() > outline.title_span.end and reg.free(occ.start(), occ.end()):
            _signer(reg, role, name, occ.start(), occ.end())
    _signer(reg, role, name, span.start, span.end)


def _signing_unit(text: str, outline: Outline, reg: Registry) -> None:
    """The 落款's unit: the title's unit fact when there is one, else a new 单位名称 fact."""
    sig = outline.signature
    assert sig is not None and sig.unit is not None and sig.unit_span is not None
    unit = next(
        (f for f in reg.by_label.values() if f.origin == "title" and f.type == "string"), None
    )
    # A placeholder unit (XX县人民医院党委) gives an example with a name in its place.
    example = PLACEHOLDER.sub("城关", sig.unit)
    label, fact_id = (unit.label, None) if unit else ("单位名称", "unit_name")
    description = f"本单位的规范全称，用于落款（样稿中为“{sig.unit}”）。"
    if unit is not None and unit.example != example and "仅供参考" in unit.description:
        unit.example = example
        unit.description = f"本单位的规范全称，用于标题和落款（样稿落款为“{sig.unit}”）。"
    elif (
        unit is not None and "仅供参考" not in unit.description and unit.example != sig.unit
    ):  # 青石镇 in the title, 青石镇人民政府 signs
        span = sig.unit_span
        unit.occurrences = [o for o in unit.occurrences if not span.start <= o.start < span.end]
        label, fact_id = "落款单位", "signing_unit"
        description = f"落款署名的单位全称（样稿中为“{sig.unit}”，标题中为“{unit.example}”）。"
    reg.add(
        label,
        fact_id=fact_id,
        start=sig.unit_span.start,
        end=sig.unit_span.end,
        type="string",
        example=example,
        description=description,
        origin="sample",
        required=True,
    )


_POSITION = re.compile(r"(?:本人|我)[^。\n]{0,12}?(?:现任|担任)([^，,。；;：:\n]{2,30})")


def position_fact(text: str, outline: Outline, reg: Registry) -> None:
    """The post the writer holds (本人张伟，现任城关镇党委副书记、镇长): another writer's
    report must not say it."""
    m = _POSITION.search(text, outline.title_span.end)
    if m is None or not reg.free(m.start(1), m.end(1)):
        return
    reg.add(
        "现任职务",
        fact_id="position",
        start=m.start(1),
        end=m.end(1),
        type="string",
        example=m.group(1),
        description=f"本人现任的单位和职务（样稿中为“{m.group(1)}”）。",
        origin="sample",
        required=True,
    )


_COMRADE = re.compile(
    r"(?:(?<=书记)|(?<=长)|(?<=主任)|(?<=委员)|(?<=经理)|(?<=主席)|(?<=[在由和与，、。：“]))"
    r"([\u4e00-\u9fff]{2,3}?)同志(?!们)"
)


_NOT_A_NAME = re.compile(r"^(?:各位|广大|全体|有关|相关|其他|其余|优秀|青年|老|新|该)")


_POST_NAME = re.compile(rf"((?:[\u4e00-\u9fff]{{1,3}}?[处科室股办])?(?:{POSTS}))")


_AFTER_NAME = re.compile(
    r"[，。、；：,.;:）)”」\n\u3000 ]|$|等|同志|一行"
    r"|为|任|在|和|与|及|对|同|率|来|向"
    r"|负责|担任|主持|带领|带队|牵头|分管|具体|亲自|多次|主讲|讲授|宣讲|指出|强调|要求|深入|参加|出席"
)
"""What follows a name after a post: a mark, or a word a sentence goes on with."""


_PEOPLE_LIST = re.compile(
    r"(?:^|(?<=[\n，,。；;：:“（(]))((?:[\u4e00-\u9fff·]{2,4}、)*[\u4e00-\u9fff·]{2,4})"
    r"等(?:\d+|[一二三四五六七八九十]+)?(?:名|位)?(老师|教师|同志|同学|干部|党员|同事|民警|职工|医生|专家)",
    re.M,
)


def person_names(text: str, outline: Outline, reg: Registry) -> None:
    """The people a sample names — 局长李明同志, 由副校长王建国负责, 王建国、李红梅等老师 —
    are facts labelled by their post (局长姓名, 副校长姓名, 老师姓名): another unit's report
    must not name them."""
    body = outline.title_span.end
    fixed = lexicon_forms()  # 以习近平同志为核心的党中央 is a set phrase
    for m in _COMRADE.finditer(text, body):
        name = m.group(1)
        if _NOT_A_NAME.match(name) or not reg.free(m.start(1), m.end(1)):
            continue
        if any(name + "同志" in form for form in fixed):
            continue
        post = context_core(text[max(0, m.start(1) - 12) : m.start(1)])
        post = post if post.endswith(("书记", "长", "主任", "委员", "经理", "主席")) else "人员"
        _name_fact(text, outline, reg, name, post)
    for m in _POST_NAME.finditer(text, body):
        start = m.end(1)
        name = next(
            (
                w
                for n in (3, 2, 4)
                if a_person_name(w := text[start : start + n])
                and _AFTER_NAME.match(text, start + n)
                and reg.free(start, start + n)
            ),
            None,
        )
        if name is not None:
            _name_fact(text, outline, reg, name, m.group(1))
    for m in _PEOPLE_LIST.finditer(text, body):
        names = m.group(1).split("、")
        if all(a_person_name(n) for n in names):
            for name in names:
                _name_fact(text, outline, reg, name, m.group(2))


def _name_fact(text: str, outline: Outline, reg: Registry, name: str, post: str) -> None:
    """Every place the body writes `name` becomes the fact “<post>姓名”."""
    label = f"{post}姓名"
    if label in reg.by_label and reg.by_label[label].example != name:
        label = f"{post}姓名{len(reg.by_label) + 1}"
    for occ in re.finditer(re.escape(name), text[outline.title_span.end :]):
        start = outline.title_span.end + occ.start()
        if reg.free(start, start + len(name)):
            reg.add_sample_text(label, start, start + len(name), required=True)


def _signer(reg: Registry, role: str, name: str, start: int, end: int) -> None:
    """One place the signing person's name is written: the fact is the role (述职人) of a
    person reporting, and the post's name (校长姓名, as in the body) of one who holds it."""
    label = role if role in SIGNER_WORDS else f"{role}姓名"
    reg.add(
        label,
        fact_id="signer",
        start=start,
        end=end,
        type="string",
        example=name,
        description=f"落款的{label.removesuffix('姓名')}姓名（样稿中为“{name}”）。",
        origin="sample",
        required=True,
    )
