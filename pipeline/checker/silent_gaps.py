"""Silent gaps: words removed with nothing left in their place but a blank (or nothing at all).

Every blank inside a line that the blank scan (`noise.py`) did not read as a PDF line end is
judged by what surrounds it:

- `gap.silent-number`: a number missing before a measure word or unit (共开展中心组学习 次,
  建国 周年, 现将 年以来, 占 %), or cut out leaving no blank where one must stand (增长%,
  建党周年; 党的大精神 is a `gap.silent-ordinal`), or cut before the punctuation after a lead
  that asks for one, with or without a blank (…，占年度计划的。 参保率达到 ，);
- `gap.silent-ordinal`: a missing ordinal, or part of one, in a fixed expression (党的 大精神,
  党的十 大精神, 第 次, 十九届 中全会);
- `gap.silent-name`: a missing name (《 县 年…》, 按照 县教委, 学习领会 关于…);
  a contact field left empty (联系人：，电话：。: `gap.silent-number` for a number's field);
- `gap.empty-item`: an empty list item (凝聚起 、牢记使命; 、、);
- `gap.stray-mark`: a stray dot between Chinese characters standing for removed words;
- `gap.suspect-space` (info): any other blank between Chinese characters — words may be
  missing, or it is a stray blank; it is never joined automatically;
- `noise.stray-space` (info): a blank beside Latin letters or digits ("2020 年") or after
  punctuation — extraction spacing, which `--fix` joins.

The blanks of a label spaced out to its neighbours' width (联 系 人：) are layout and ignored,
and so are those `layout.py` reads as a padded name (陈　静), a table's columns, an alignment
or a 主题词 list.
"""

from __future__ import annotations

import re

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.layout import is_layout, pads_name_or_column
from pipeline.checker.noise import Blank
from pipeline.checker.placeholders import stray_dots
from pipeline.checker.text import CJK_CLASS, HSPACE, is_cjk
from pipeline.checker.vocab import (
    ADMIN_SUFFIXES,
    CN_NUMERAL_CHARS,
    CONGRESS_AFTER,
    NEEDS_NAME,
    NO_NAME_BEFORE,
    unit_at,
)
from pipeline.lazy_re import lazy_pattern
from pipeline.type_words import SIGNER_WORDS

_AFTER_PUNCT = frozenset("，；：,;:")
_SENTENCE_END = frozenset("。！？!?")
_CJK_PUNCT = frozenset("，。；：、！？“”‘’《》（）【】〔〕「」…—")
_OPENERS = frozenset("《“（「【〔")
_CLOSERS = frozenset("》”）」】〕")
_NOT_PLACES = frozenset(
    "区别 区域 区分 市场 市民 市级 县级 省级 区级 村民 村级 乡村 旗帜 州县 镇定".split()  # noqa: SIM905
)
_MAY_OPEN_SENTENCE = frozenset({"关于"})
"""Words of `NEEDS_NAME` a sentence may begin with (关于下一步工作，…)."""
_ORDINAL_DIGITS = "〇一二三四五六七八九十"
_RECENT_CONGRESSES = frozenset({"十五", "十六", "十七", "十八", "十九", "二十", "二十一"})
"""Congresses a report of today cites: split by a blank, nothing of one is missing (党的十 大
joins into the tenth, which no current report cites: 九 was cut out)."""
_EMPTY_ITEM = re.compile(
    r"、(?=[、，。；])|(?<=[，：；（])、|(?<![一二三四五六七八九十])、(?=[”）])"
)
"""An item missing between two marks, before the first or after the last of a list
(“安全第一、预防为主、”的方针; not a heading number quoted, “一、”)."""
_FIELD_LABELS = (
    "联系电话",
    "办公电话",
    "电话",
    "手机",
    "传真",
    "邮编",
    "联系人",
    "电子邮箱",
    "邮箱",
    "地址",
)
_FIELD_STOP = frozenset("。，；,;")
_NUMBER_FIELDS = frozenset({"联系电话", "办公电话", "电话", "手机", "传真", "邮编"})
_LABEL_MAX = 6
"""Characters of the longest label spaced out in a signature block (联 系 电 话：)."""
_NUMBER_HINT = "write the number from the facts, or if it is not known a marker naming it (e.g. 【待补充：学习次数】)"
_NAME_HINT = "write the name, or if it is not known a marker naming it (e.g. 【待补充：县名】)"
_ORDINAL_HINT = "write the ordinal from the facts (e.g. 党的十九大), or 【待补充：届次】"


def _context_start(text: str, start: int, width: int = 2) -> int:
    """Up to `width` characters before `start` on the same line, for the excerpt."""
    k = start
    while k > 0 and start - k < width and text[k - 1] not in "\n" + HSPACE:
        k -= 1
    return k


def _ahead(text: str, pos: int, n: int = 8) -> tuple[str, list[int]]:
    """The next `n` characters after `pos` with blanks skipped (a wrap may split 大精 神), and
    their offsets."""
    chars: list[str] = []
    offsets: list[int] = []
    k = pos
    limit = min(len(text), pos + 4 * n)
    while k < limit and len(chars) < n:
        ch = text[k]
        if ch == "\n":
            break
        if ch not in HSPACE:
            chars.append(ch)
            offsets.append(k)
        k += 1
    return "".join(chars), offsets


def _single(text: str, pos: int) -> bool:
    """text[pos] is a Han character standing alone between blanks (or the line's edges)."""
    if not (0 <= pos < len(text)) or not is_cjk(text[pos]):
        return False
    before = text[pos - 1] if pos > 0 else "\n"
    after = text[pos + 1] if pos + 1 < len(text) else "\n"
    return before in HSPACE + "\n" and (after in HSPACE or after in "：:")


def _in_spaced_label(text: str, b: Blank) -> bool:
    """The blank spaces out a label's characters (联 系 人：陈　静): three to six single
    characters with blanks between them, the last one followed by a colon."""
    chars: list[int] = []
    k = b.start - 1
    while _single(text, k) and len(chars) < _LABEL_MAX:
        chars.insert(0, k)
        k -= 1
        while k >= 0 and text[k] in HSPACE:
            k -= 1
    k = b.end
    while _single(text, k) and len(chars) < _LABEL_MAX:
        chars.append(k)
        if text[k + 1] in "：:":
            return len(chars) >= 3
        k += 1
        while k < len(text) and text[k] in HSPACE:
            k += 1
    return False


def _name_needed(ahead: str) -> str | None:
    """The word of `NEEDS_NAME` that `ahead` starts with (总书记, 同志, 系列讲话…), if any."""
    if ahead.startswith(NO_NAME_BEFORE):
        return None
    return next((word for word in NEEDS_NAME if ahead.startswith(word)), None)


def _classify(text: str, b: Blank) -> tuple[str, str, int] | None:
    """(code, what is missing, end of the excerpt) for a mid-line blank; None to ignore it."""
    left, right = text[b.start - 1], text[b.end]
    if _in_spaced_label(text, b) or pads_name_or_column(text, b):
        return None
    ascii_left = left.isascii() and left.isalnum()
    ascii_right = right.isascii() and right.isalnum()
    if ascii_left or ascii_right:
        other = right if ascii_left else left
        if (is_cjk(other) or other in _CJK_PUNCT) and not is_layout(text, b):
            return "noise.stray-space", "", b.end
        return None
    ahead, offsets = _ahead(text, b.end)

    def upto(word: str) -> int:
        return offsets[len(word) - 1] + 1 if len(word) <= len(offsets) else b.end + 1

    if right == "、" or (left == "、" and right in "、，。；"):
        return "gap.empty-item", "、", b.end + 1
    unit = unit_at(ahead, 0)
    if unit and left not in CN_NUMERAL_CHARS and not left.isdigit():
        if left == "第" or unit == "届":
            return "gap.silent-ordinal", unit, upto(unit)
        return "gap.silent-number", unit, upto(unit)
    if ahead.startswith("中全会"):
        return "gap.silent-ordinal", "中全会", upto("中全会")
    if text[b.start - 2 : b.start] == "党的" and CONGRESS_AFTER.match(ahead):
        return "gap.silent-ordinal", "大", b.end + 1
    # 党的十 大精神, 党的 九大精神: part of the ordinal cut out
    k = b.start
    while k > 0 and text[k - 1] in _ORDINAL_DIGITS:
        k -= 1
    after = len(ahead) - len(ahead.lstrip(_ORDINAL_DIGITS))
    if text[k - 2 : k] == "党的" and CONGRESS_AFTER.match(ahead, after):
        if text[k : b.start] + ahead[:after] in _RECENT_CONGRESSES:
            return "noise.stray-space", "", b.end  # 党的十九 大: whole, a stray blank inside
        return "gap.silent-ordinal", "大", upto(ahead[: after + 1])
    if left in _OPENERS or right in _CLOSERS:
        return "gap.silent-name", left if left in _OPENERS else right, b.end + 1
    if left in _SENTENCE_END:
        # a sentence may open with 关于…, never with 总书记强调 or 同志指出: the name was cut
        word = _name_needed(ahead)
        if word is not None and word not in _MAY_OPEN_SENTENCE:
            return "gap.silent-name", word, upto(word)
        return ("noise.stray-space", "", b.end) if is_cjk(right) or right in _CJK_PUNCT else None
    for suffix in ADMIN_SUFFIXES:
        if ahead.startswith(suffix) and ahead[:2] not in _NOT_PLACES:
            return "gap.silent-name", suffix, upto(suffix)
    word = _name_needed(ahead)
    if word is not None:
        return "gap.silent-name", word, upto(word)
    if left in "：:" and b.end - b.start >= 2:
        return None  # a field of a form to fill in (单位名称：　　　　联系人：)
    if left in _AFTER_PUNCT or left == "、":
        return ("noise.stray-space", "", b.end) if is_cjk(right) or right in _CJK_PUNCT else None
    if is_layout(text, b):
        return None
    if (is_cjk(left) or left in _CJK_PUNCT) and (is_cjk(right) or right in _CJK_PUNCT):
        return "gap.suspect-space", "", b.end + 1
    return None


_CUT_CODES = frozenset({"gap.silent-number", "gap.silent-ordinal", "gap.silent-name"})


def reads_as_cut(text: str, b: Blank) -> bool:
    """The blank stands where a number, an ordinal or a name was cut out (学习 次, 党的 大精神,
    由院长 同志带队): what the blank scan asks before it reads the blank as a line end. A
    blank before a closing mark (责任书 》) is left to the line widths: PDF lines do end there."""
    if text[b.end] in _CLOSERS:
        return False
    judged = _classify(text, b)
    return judged is not None and judged[0] in _CUT_CODES


def _message(code: str, what: str, text: str, b: Blank) -> tuple[str, str]:
    if code == "gap.silent-number":
        return f"number missing before “{what}”", _NUMBER_HINT
    if code == "gap.silent-ordinal":
        return f"ordinal missing before “{what}”", _ORDINAL_HINT
    if code == "gap.silent-name":
        if what in _OPENERS:
            return f"name missing after “{what}”", _NAME_HINT
        return f"name missing before “{what}”", _NAME_HINT
    if code == "gap.empty-item":
        return "empty list item: words missing next to “、”", "restore the missing item"
    if code == "gap.suspect-space":
        return (
            "blank between Chinese characters: words may have been removed here",
            "restore the missing words, or join the text if nothing is missing",
        )
    return "blank beside Latin text, a number or punctuation", "join the text"


def _empty_fields(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of each contact field written with nothing after it (联系人：李强，
    电话：。), and of a signer's line ending at its colon (述职人：): the value was cut out. A
    form to fill in (联系人：　　　) leaves blanks, not a full stop, after the colon."""
    out = []
    for colon in "：:":
        pos = text.find(colon)
        while pos != -1:
            after = text[pos + 1 : pos + 2]
            if after in _FIELD_STOP and after:
                label = next((w for w in _FIELD_LABELS if text.endswith(w, 0, pos)), None)
            elif after in ("", "\n", "\r"):
                # a signer's line ending at the colon (述职人：) lost the name that follows it
                label = next((w for w in SIGNER_WORDS if text.endswith(w, 0, pos)), None)
            else:
                label = None
            if label is not None:
                out.append((pos - len(label), pos + 1, label))
            pos = text.find(colon, pos + 1)
    return sorted(out)


_CUT_WORDS = ("%", "％", "党的大", "周年")
_DOC_NUMBER_CUT = lazy_pattern(r"[〔［\[][ \t]*\d{4}[ \t]*[〕］\]][ \t\u3000]*号")
"""A 文号 with its serial number cut out: 青教发〔2020〕号, 〔2020〕 号 (〔2020〕12号)."""


_LEAD_END = re.compile(r"(的|达到|为|增长|下降|提高|增加|减少)[ \t\u3000]*[，。；、,;]")
"""The last word of a lead that a number must follow, with punctuation next (scanned for
first: a text has few, and the lead before each is then read back from it)."""
_LEAD = lazy_pattern(
    rf"(?:(?<=[，,；;：:元\d])(?:约|仅|共|均|分别)?占(?![用据领有地道])[{CJK_CLASS}]{{1,10}}的"
    r"|(?:率|度|面|占比|比例)达到|(?:率|占比|比例)为"
    r"|(?<=[，,；;])(?:同比|环比)(?:增长|下降|提高|增加|减少))$"
)
"""A lead that a number or percentage must follow: 占年度计划的, 参保率达到, 完成率为,
…亿元，同比增长. 占 opens its clause: after 对 or in 占用, 占地, 占道 (对违规占地的，依法…) it
is a verb, not a share. 同比增长 asks for its rate only where it opens a clause after the
figure it compares (营业收入实现同比增长。 says no more than that it grew)."""
_LEAD_MAX = 16
"""Characters of the longest lead (分别占 + ten characters + 的, and the mark before it)."""


def _cut_after_lead(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lead) of each number cut out between its lead and the punctuation after it
    (…，占年度计划的。 / 4.2亿元占年度计划的 ； 参保率达到。 完成率为，); the span runs to the
    punctuation, over any blank left in the number's place."""
    out = []
    for m in _LEAD_END.finditer(text):
        lead = _LEAD().search(text, max(0, m.end(1) - _LEAD_MAX), m.end(1))
        if lead is None:
            continue
        # 率达到, 比例为: the words before say what was measured (参保率达到)
        start = lead.start() if m[1] == "的" else _context_start(text, lead.start())
        out.append((start, m.end(), text[start : lead.end()]))
    return out


def _cut_clean(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each number cut out leaving no blank where one must stand: a
    percent sign after a Chinese word (增长%), 党的大精神, 建党周年, 〔2020〕号."""
    out = []
    for word in _CUT_WORDS:
        pos = text.find(word)
        while pos != -1:
            before = text[max(0, pos - 2) : pos]
            if word == "周年":
                hit = before in ("建党", "建国", "诞辰")
            elif word == "党的大":
                hit = text.startswith(("精神", "报告", "以来"), pos + 3)
            else:
                hit = bool(before) and is_cjk(before[-1]) and before[-1] not in CN_NUMERAL_CHARS
            if hit:
                out.append((pos, pos + len(word), word))
            pos = text.find(word, pos + 1)
    if "号" in text:
        out.extend((m.start(), m.end(), "号") for m in _DOC_NUMBER_CUT().finditer(text))
    return sorted(out)


def check_silent_gaps(ctx: Context) -> list[Finding]:
    """Judge every mid-line blank, and find empty list items and stray dots."""
    text = ctx.text
    findings: list[Finding] = []
    for b in ctx.blanks.midline:
        if ctx.in_residue(b.start, b.end) or ctx.in_marker(b.start):
            continue
        judged = _classify(text, b)
        if judged is None:
            continue
        code, what, end = judged
        message, hint = _message(code, what, text, b)
        if code == "noise.stray-space":
            findings.append(
                ctx.finding(code, Severity.INFO, b.start, b.end, message, hint, replacement="")
            )
            continue
        # a blank alone proves nothing was removed ("多变 性" is a stray blank): a note to look at
        severity = Severity.INFO if code == "gap.suspect-space" else Severity.ERROR
        start = _context_start(text, b.start)
        if ctx.in_residue(start, end):
            continue  # a blank beside site residue is not a hole in the report
        findings.append(ctx.finding(code, severity, start, end, message, hint))
    for m in _EMPTY_ITEM.finditer(text):
        if ctx.in_residue(m.start()):
            continue
        findings.append(
            ctx.finding(
                "gap.empty-item",
                Severity.ERROR,
                m.start(),
                m.end(),
                "empty list item: nothing between the punctuation marks",
                "restore the missing item",
            )
        )
    for start, end, word in _cut_clean(text):
        if ctx.in_residue(start) or ctx.in_marker(start):
            continue
        ordinal = word == "党的大"
        findings.append(
            ctx.finding(
                "gap.silent-ordinal" if ordinal else "gap.silent-number",
                Severity.ERROR,
                start if ordinal else _context_start(text, start),
                end,
                f"{'ordinal' if ordinal else 'number'} missing before “{'大' if ordinal else word}”",
                _ORDINAL_HINT if ordinal else _NUMBER_HINT,
            )
        )
    for start, end, lead in _cut_after_lead(text):
        if ctx.in_residue(start) or ctx.in_marker(start):
            continue
        findings.append(
            ctx.finding(
                "gap.silent-number",
                Severity.ERROR,
                start,
                end,
                f"number missing after “{lead}”",
                _NUMBER_HINT,
            )
        )
    for start, end, label in _empty_fields(text):
        if ctx.in_residue(start):
            continue
        number = label in _NUMBER_FIELDS
        findings.append(
            ctx.finding(
                "gap.silent-number" if number else "gap.silent-name",
                Severity.ERROR,
                start,
                end,
                f"{'number' if number else 'name'} missing after “{text[start:end]}”",
                _NUMBER_HINT if number else _NAME_HINT,
            )
        )
    for pos in stray_dots(text):
        if ctx.in_residue(pos):
            continue
        findings.append(
            ctx.finding(
                "gap.stray-mark",
                Severity.ERROR,
                pos,
                pos + 1,
                f"stray “{text[pos]}” between Chinese characters: words were removed here",
                "restore the missing words",
            )
        )
    return findings
