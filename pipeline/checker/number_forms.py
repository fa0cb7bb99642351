"""Number forms a proofreader marks (GB/T 15835-2011, 出版物上数字用法): `style.number-form`,
a warning.

- a digit zero or a letter O inside Chinese numerals written digit by digit (二0二0年,
  二O二五年), or a 零 in a year so written (二零二五年), where 〇 belongs: the one form
  `draft check --fix` corrects;
- 百分之 before Arabic digits (百分之95): 95% or 百分之九十五;
- Arabic digits with 十, 百 or 千 as a unit (3百余人次, 5千元): 300余人次 or 三百余人次 (万 and 亿
  after digits are right: 3万, 1.5亿);
- a unit doubled after a number (1.5万万元);
- an approximation said twice (约300余人, 大约30人左右, 近50余次): 约/近/大约/大概/将近 before
  the number and 余/多/左右/上下 after it.

Most texts have none of these: each form is looked for where a cheap substring search finds a
candidate, and a pattern is compiled only for a text with one.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.vocab import unit_at
from pipeline.lazy_re import lazy_pattern
from pipeline.numerals import DIGITS, parse_chinese, to_chinese

CODE = "style.number-form"
_CN_DIGITS = frozenset("〇零一二三四五六七八九")
_LOOKALIKES = frozenset("0０OoＯ")
"""What stands for 〇 in 二0二0年: the digit zero, the letter O (half- or full-width)."""
_ZERO_RUN = _CN_DIGITS | _LOOKALIKES
_ARABIC = "0123456789０１２３４５６７８９"
_ARABIC_DIGITS = frozenset(_ARABIC)
_TO_ASCII = str.maketrans("０１２３４５６７８９．", "0123456789.")
_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_NOT_BESIDE_ZERO_RUN = _LATIN | _ARABIC_DIGITS | frozenset("十百千万亿.．")
_NOT_A_UNIT_AFTER = ("千米", "千克", "千瓦", "千伏", "千卡", "千帕", "千赫", "千兆", "百分")
"""十/百/千 opening a unit or word of its own after digits (5千米 is five kilometres)."""
_DOUBLED = ("万万", "亿亿", "千千")
_DOUBLED_VALUE = {"万": "亿", "亿": "万亿", "千": "百万"}
_NUMERAL_BEFORE_DOUBLED = frozenset(_ARABIC + "〇零一二三四五六七八九两十百")
"""What a number ends with before 万万 (千千万万 and 万万不可 are words, not amounts)."""

_APPROX = lazy_pattern(
    r"(?P<word>大约|大概|将近|约|近)[ \t]*"
    r"(?P<number>\d+(?:\.\d+)?|[〇零一二三四五六七八九十百千万亿两]+)[万亿]?"
)
"""An approximating word and the number after it (约300, 大约三十, 近1.5万)."""
_APPROX_AFTER = lazy_pattern(r"余|多|左右|上下(?![班楼车级游文联贯齐一])")
"""What says "about" after a number or its unit (300余, 30人左右; not 上下班, 上下联动)."""
_NUMBER_START = frozenset(_ARABIC + "〇零一二三四五六七八九十百千两")
_WORD_BEFORE_APPROX = frozenset(
    "节契合制公条预邀签相履违缔特简婚隐誓守失赴爽应租解续毁践集最附接靠邻亲就"
)
"""Before 约/近 they make another word (节约, 预约, 最近, 附近): no approximation."""


def _quoted(s: str) -> str:
    return f"“{s}”"


def _positions(text: str, chars: Iterable[str]) -> list[int]:
    """Every offset where one of `chars` (strings) occurs, sorted; str.find, no pattern."""
    out: list[int] = []
    for ch in chars:
        i = text.find(ch)
        while i != -1:
            out.append(i)
            i = text.find(ch, i + 1)
    return sorted(out)


def _skip(ctx: Context, start: int, end: int) -> bool:
    """Inside a marker or site residue: no text of the writer's to mark."""
    return ctx.in_marker(start) or ctx.in_marker(end - 1) or ctx.in_residue(start, end)


def _warning(
    ctx: Context, start: int, end: int, message: str, hint: str, replacement: str | None = None
) -> Finding:
    """A `style.number-form` warning (a replacement only where the form is beyond doubt)."""
    return ctx.finding(CODE, Severity.WARNING, start, end, message, hint, replacement=replacement)


def _zeros_beside_numerals(text: str) -> list[int]:
    """Where a 0 or an O stands beside a Chinese digit (二0): the candidates for 〇."""
    return [
        pos
        for pos in _positions(text, _LOOKALIKES)
        if text[pos - 1 : pos] in _CN_DIGITS or text[pos + 1 : pos + 2] in _CN_DIGITS
    ]


def _run_around(text: str, pos: int, chars: frozenset[str]) -> tuple[int, int]:
    """The span of the run of `chars` holding `pos`."""
    start = end = pos
    while start > 0 and text[start - 1] in chars:
        start -= 1
    while end < len(text) and text[end] in chars:
        end += 1
    return start, end


def _years_with_ling(text: str) -> list[tuple[int, int]]:
    """The spans of years written digit by digit with 零 (二零二五年), where 〇 belongs."""
    out: list[tuple[int, int]] = []
    for pos in _positions(text, "零"):
        if out and pos < out[-1][1]:
            continue
        start, end = _run_around(text, pos, _CN_DIGITS)
        before = text[start - 1 : start]
        if end - start == 4 and text[end : end + 1] == "年" and before not in _NOT_BESIDE_ZERO_RUN:
            out.append((start, end))
    return out


def zero_beside_numerals(text: str) -> bool:
    """Whether a 0 or an O stands beside a Chinese digit, or a year is written with 零: a
    text `--fix` may write 〇 in."""
    return bool(_zeros_beside_numerals(text)) or bool(_years_with_ling(text))


def _zero_finding(
    ctx: Context, start: int, end: int, fixed: str, what: str, suffix: str = ""
) -> Finding:
    """`what` at text[start:end] (quoted with `suffix`, the 年 of a year), with `fixed`, its 〇
    written, as the replacement."""
    run = ctx.text[start:end]
    return _warning(
        ctx,
        start,
        end,
        f"{what}: {_quoted(run + suffix)}",
        f"write {_quoted(fixed + suffix)} (draft check --fix does)",
        replacement=fixed,
    )


def _ling_in_years(ctx: Context) -> list[Finding]:
    """二零二五年: a year written digit by digit takes 〇, not 零 (GB/T 15835-2011)."""
    text = ctx.text
    return [
        _zero_finding(ctx, start, end, text[start:end].replace("零", "〇"),
                      "零 in a year written digit by digit", "年")
        for start, end in _years_with_ling(text)
        if not _skip(ctx, start, end) and not any(ch in _LOOKALIKES for ch in text[start:end])
    ]  # fmt: skip


def _zero_lookalikes(ctx: Context) -> list[Finding]:
    """二0二0年, 二O二五年: a run of digit-by-digit Chinese numerals holding a 0 or an O."""
    text = ctx.text
    out: list[Finding] = []
    end = 0
    for pos in _zeros_beside_numerals(text):
        if pos < end:
            continue
        start, end = _run_around(text, pos, _ZERO_RUN)
        run = text[start:end]
        outside = text[start - 1 : start] + text[end : end + 1]
        digits = sum(ch in _CN_DIGITS and ch not in "〇零" for ch in run)
        if (
            (
                digits < 2
                and not (digits == 1 and len(run) == 2 and text[end : end + 1] in ("年", "后"))
            )
            or any(ch in _NOT_BESIDE_ZERO_RUN for ch in outside)
            or _skip(ctx, start, end)
        ):
            continue  # 统一0点 (one Chinese digit), a code (A0一二), 一百0五 (wants 零), a marker
        fixed = "".join("〇" if ch in _LOOKALIKES else ch for ch in run)
        kind = "a letter O" if any(ch in "OoＯ" for ch in run) else "a digit zero"
        out.append(_zero_finding(ctx, start, end, fixed, f"{kind} in Chinese numerals"))
    return out


def _arabic_value(digits: str) -> float | None:
    try:
        return float(digits.translate(_TO_ASCII))
    except ValueError:
        return None


def _plain(value: float) -> str:
    """A value in Arabic digits without a needless point (1500, 12.5)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _chinese(value: float) -> str | None:
    """The value in Chinese numerals (95 → 九十五, 95.5 → 九十五点五), None when too large."""
    whole = int(value)
    if whole >= 10**16:
        return None
    if value == whole:
        return to_chinese(whole)
    decimals = f"{value:.10f}".rstrip("0").split(".")[1]
    return to_chinese(whole) + "点" + "".join(DIGITS[int(d)] for d in decimals)


def _digits_before(text: str, end: int) -> int:
    """Where the Arabic number ending at `end` starts (1.5 with its point)."""
    start = end
    while start > 0 and (text[start - 1] in _ARABIC_DIGITS or text[start - 1] in ".．"):
        start -= 1
    while start < end and text[start] in ".．":
        start += 1
    return start


def _digits_after(text: str, start: int) -> int:
    """Where the Arabic number starting at `start` ends (95.5 with its point)."""
    end = start
    while end < len(text) and text[end] in _ARABIC_DIGITS:
        end += 1
    if text[end : end + 1] in (".", "．") and text[end + 1 : end + 2] in _ARABIC_DIGITS:
        end += 1
        while end < len(text) and text[end] in _ARABIC_DIGITS:
            end += 1
    return end


def _percent_digits(ctx: Context) -> list[Finding]:
    """百分之95: the Chinese word for per cent before Arabic digits."""
    text = ctx.text
    out: list[Finding] = []
    i = text.find("百分之")
    while i != -1:
        start = i + 3
        end = _digits_after(text, start)
        value = _arabic_value(text[start:end]) if end > start else None
        if value is not None and not _skip(ctx, i, end):
            digits = text[start:end].translate(_TO_ASCII)
            chinese = _chinese(value)
            hint = f"write {_quoted(digits + '%')}" + (
                f" or {_quoted('百分之' + chinese)}" if chinese else ""
            )
            out.append(
                _warning(
                    ctx,
                    i,
                    end,
                    f"百分之 before Arabic digits: {_quoted(text[i:end])}",
                    hint,
                )
            )
        i = text.find("百分之", i + 3)
    return out


def _small_unit_after_digits(ctx: Context) -> list[Finding]:
    """3百余人次, 5千元: Arabic digits with 十, 百 or 千 as a unit (3万, 1.5亿 are right)."""
    text = ctx.text
    out: list[Finding] = []
    for pos in _positions(text, _SMALL_UNITS):
        if (
            not pos
            or text[pos - 1] not in _ARABIC_DIGITS
            or text.startswith(_NOT_A_UNIT_AFTER, pos)
            or text[pos + 1 : pos + 2] == text[pos]  # 5千千: a doubled unit, reported as one
        ):
            continue
        start = _digits_before(text, pos)
        digits = text[start:pos].translate(_TO_ASCII)
        value = _arabic_value(digits)
        if (
            value is None
            or text[start - 1 : start] in _LATIN
            or (len(digits) == 4 and digits[:2] in ("19", "20"))  # a year before 十大, 百强
        ):
            continue
        end = pos + 1
        scale = text[end] if text[end : end + 1] in ("万", "亿") else ""
        end += len(scale)
        if _skip(ctx, start, end):
            continue
        amount = value * _SMALL_UNITS[text[pos]]
        arabic = _plain(amount) if amount < 1e15 else None
        chinese = _chinese(amount)
        forms = [f for f in (arabic, chinese) if f is not None]
        out.append(
            _warning(
                ctx,
                start,
                end,
                f"Arabic digits with “{text[pos]}” as a unit: {_quoted(text[start:end])}",
                "write " + " or ".join(_quoted(f + scale) for f in forms),
            )
        )
    return out


def _doubled_units(ctx: Context) -> list[Finding]:
    """1.5万万元: a unit written twice after a number."""
    text = ctx.text
    out: list[Finding] = []
    for pos in _positions(text, _DOUBLED):
        before = text[pos - 1] if pos else ""
        if before not in _NUMERAL_BEFORE_DOUBLED or text[pos + 2 : pos + 3] == text[pos]:
            continue
        if before in _ARABIC_DIGITS:
            start = _digits_before(text, pos)
        else:
            start = pos
            while start > 0 and text[start - 1] in _NUMERAL_BEFORE_DOUBLED:
                start -= 1
        end = pos + 2
        if _skip(ctx, start, end):
            continue
        number, unit = text[start:pos], text[pos]
        once = number + unit
        value = _arabic_value(number) if before in _ARABIC_DIGITS else None
        if unit == "千" and value is not None:
            once = _plain(value * 1000)  # 5千 is no form to write either
        out.append(
            _warning(
                ctx,
                start,
                end,
                f"a doubled unit after a number: {_quoted(text[start:end])}",
                f"write the unit once ({_quoted(once)}), or the amount meant "
                f"({unit}{unit} is {_DOUBLED_VALUE[unit]})",
            )
        )
    return out


def _approximations(ctx: Context) -> list[Finding]:
    """约300余人, 大约30人左右: "about" said before the number and again after it."""
    text = ctx.text
    out: list[Finding] = []
    for pos in _positions(text, ("约", "近", "大概")):
        if text[pos - 1 : pos + 1] in ("大约", "将近"):
            begin = pos - 1
        elif text[pos - 1 : pos] in _WORD_BEFORE_APPROX:
            continue  # 节约, 预约, 最近, 附近
        else:
            begin = pos
        after_word = pos + (2 if text.startswith("大概", pos) else 1)
        first = text[after_word : after_word + 3].lstrip(" \t")[:1]
        if not first or first not in _NUMBER_START:
            continue  # the common case: 约 or 近 before no number, no pattern compiled
        m = _APPROX().match(text, begin)
        if m is None:
            continue
        number = m["number"]
        if number[0] not in _ARABIC_DIGITS and parse_chinese(number) is None:
            continue  # 一些 is no number
        said = _APPROX_AFTER().match(text, m.end())
        if said is None:
            unit = unit_at(text, m.end())
            said = _APPROX_AFTER().match(text, m.end() + len(unit)) if unit else None
            if said is None or said[0] == "多":
                continue  # 约30人多次参加: 多 opens a word of its own after a unit
        end = said.end()
        if _skip(ctx, begin, end):
            continue
        word, after = m["word"], said[0]
        said_once = text[m.start("number") : said.start()]
        out.append(
            _warning(
                ctx,
                begin,
                end,
                f"an approximation said twice: “{word}” and “{after}” in {_quoted(text[begin:end])}",
                f"keep one of the two: {_quoted(word + said_once)} or {_quoted(said_once + after)}",
            )
        )
    return out


def check_number_forms(ctx: Context) -> list[Finding]:
    """`style.number-form` for each number written in a form GB/T 15835-2011 does not use."""
    return (
        _zero_lookalikes(ctx)
        + _ling_in_years(ctx)
        + _percent_digits(ctx)
        + _small_unit_after_digits(ctx)
        + _doubled_units(ctx)
        + _approximations(ctx)
    )
