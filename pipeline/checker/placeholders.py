"""Explicit placeholders: every convention a downloaded or half-written report uses for
"a fact goes here" (DOMAIN.md).

- `gap.marker` (warning): the project's own marker 【待补充：…】, a known and visible gap;
- `gap.placeholder` (error): X/XX/x, ××, ○○, □□, ** and ******, ＿＿/__ (20__年, 〔20__〕),
  empty brackets （ ） 【】 [ ] 《》 “”, 某某, 待补充/待填写/待核实, TODO, `{{…}}`, and a
  model's own fields: [单位名称], {单位名称}, （此处填写数字）;
- `gap.stray-mark` (error): a lone * between Chinese characters, standing for removed words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.checker.context import Context
from pipeline.checker.findings import Finding, Severity
from pipeline.checker.text import HSPACE, in_cjk_class, is_cjk
from pipeline.checker.vocab import unit_at
from pipeline.lazy_re import lazy_pattern
from pipeline.markers import MARKER_RE

_HINT = "replace it with the fact, or if it is not known yet a marker naming it (e.g. 【待补充：学习次数】)"

_LETTERS = lazy_pattern(r"(?<![A-Za-z])[XxＸｘ]+(?![A-Za-z])")
_LETTER_WORDS = ("X光", "X射线", "X线", "x轴", "X轴")
_SYMBOLS = lazy_pattern(r"[×✕╳]+|[○◯□]+|〇{2,}")
_STARS = lazy_pattern(r"\*+")
_UNDERSCORES = lazy_pattern(r"[_＿]+")
_EMPTY = re.compile(
    r"（[ \t\u3000]*）|\([ \t\u3000]*\)|【[ \t\u3000]*】|\[[ \t\u3000]*\]|〔[ \t\u3000]*〕"
    r"|《[ \t\u3000]*》|“[ \t\u3000]*”|「[ \t\u3000]*」|〈[ \t\u3000]*〉|\"[ \t\u3000]*\""
)
_THEMATIC_BREAK = re.compile(r"[ \t]{0,3}(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})\r?")
_TASK_BOX = lazy_pattern(r"[ \t]*(?:[-*+]|\d+\.)[ \t]+\[[ \t]?\]")
LATIN_PLACEHOLDERS = ("TODO", "TBD", "FIXME")
"""Placeholder words in Latin letters (a placeholder, not an abbreviation to write in Chinese)."""
_WORDS = lazy_pattern(
    r"某{2,}|(?<![有亟尚])(?:待补充|待填写|待核实|待完善)"
    rf"|(?<![A-Za-z])(?:{'|'.join(LATIN_PLACEHOLDERS)})(?![A-Za-z])"
)
"""Placeholder words; 有待完善, 亟待完善, 尚待核实 are the report's own words (机制有待完善)."""
_TEMPLATE = lazy_pattern(r"\{\{[^{}\n]{0,200}\}\}|\{%[^{}\n]{0,200}%\}|\$\{[^{}\n]{0,100}\}")
_FIELD = lazy_pattern(
    r"\[[\u4e00-\u9fff]{1,15}\](?!\()|\{[\u4e00-\u9fff]{1,15}\}"
    r"|[（(](?:此处|在此|请填|请补|填写|填入)[^（）()\n]{0,20}[）)]"
)
"""A field a model leaves to fill in: Chinese words in square or curly brackets (a report
writes neither), or a note in parentheses asking for it (（此处填写数字）)."""
_CN_NUMERALS = "一二三四五六七八九十〇零"
_OPENERS = "《“（【〔「(["
_CLOSERS = "》”）】〕」)]"


def _near_cjk(ch: str) -> bool:
    return is_cjk(ch) or ch in _OPENERS or ch in _CLOSERS or ch in "，。、；：,;:"


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    left = text[start - 1] if start > 0 else "\n"
    right = text[end] if end < len(text) else "\n"
    return left, right


def _around_marks(text: str, start: int, end: int) -> tuple[str, str]:
    """The characters beside a span, looking past Markdown emphasis marks (**XX**)."""
    a, b = start, end
    while a > 0 and start - a < 3 and text[a - 1] in "*_~":
        a -= 1
    while b < len(text) and b - end < 3 and text[b] in "*_~":
        b += 1
    return _around(text, a, b)


def _letters(ctx: Context, out: list[tuple[int, int, str]]) -> None:
    text = ctx.text
    if not any(ch in text for ch in "XxＸｘ"):
        return
    for m in _LETTERS().finditer(text):
        left, right = _around_marks(text, m.start(), m.end())
        if any(text.startswith(w, m.start()) for w in _LETTER_WORDS):
            continue
        if left in "+＋" or right in "+＋":
            continue  # a name such as “1+X”证书制度, “5+X”模式
        if _near_cjk(left) or _near_cjk(right):
            out.append((m.start(), m.end(), "letters"))


def _symbols(ctx: Context, out: list[tuple[int, int, str]]) -> None:
    text = ctx.text
    if not any(ch in text for ch in "×✕╳○◯□〇"):
        return
    for m in _SYMBOLS().finditer(text):
        run = m.group(0)
        left, right = _around(text, m.start(), m.end())
        if (
            run[0] in "×✕╳"
            and len(run) == 1
            and (left.isdigit() or right.isdigit() or left in HSPACE or right in HSPACE)
        ):
            continue  # 210×297
        if run[0] == "〇" and (left in _CN_NUMERALS or right in _CN_NUMERALS):
            continue  # 二〇〇八
        if run == "□" and is_cjk(right) and (left in HSPACE + "\n：:" or m.start() == 0):
            continue  # a check box of a form: □是　□否
        out.append((m.start(), m.end(), "symbols"))


def _emphasis_pairs(text: str, runs: list[re.Match[str]]) -> set[int]:
    """Indices of delimiter runs that pair up as Markdown emphasis (**加强**)."""
    paired: set[int] = set()
    open_at: dict[str, int] = {}
    for i, m in enumerate(runs):
        run = m.group(0)
        if len(run) > 3:
            continue
        left, right = _around(text, m.start(), m.end())
        can_close = run in open_at and left not in HSPACE + "\n"
        # a run before a unit or an ordinal's 大 stands for a number (共**次, 党的**大)
        can_open = right not in HSPACE + "\n" and not unit_at(text, m.end()) and right != "大"
        if run[0] == "_":
            # no emphasis inside a word: 20__年 and 〔20__〕 are blanks
            can_close = can_close and not (right.isalnum() or is_cjk(right))
            can_open = can_open and not (left.isalnum() or is_cjk(left))
        if can_close:
            j = open_at.pop(run)
            paired.update((i, j))
        elif can_open:
            open_at[run] = i
    return paired


def _is_bullet(content_start: int, m: re.Match[str], end: int, text: str) -> bool:
    """A `*` that starts a Markdown list item (`content_start`: the line's first non-blank)."""
    return m.start() == content_start and m.end() < end and text[m.end()] in HSPACE


def _stars_and_underscores(ctx: Context, out: list[tuple[int, int, str]]) -> None:
    text = ctx.text
    for start, end in ctx.index.physical_lines(text):
        line = text[start:end]
        if _THEMATIC_BREAK.fullmatch(line):
            continue  # a Markdown thematic break (***, ___) on a line of its own
        if "*" in line:
            content_start = start + len(line) - len(line.lstrip(HSPACE))
            stars = [
                m
                for m in _STARS().finditer(text, start, end)
                if not _is_bullet(content_start, m, end, text)
            ]
            paired = _emphasis_pairs(text, stars)
            for i, m in enumerate(stars):
                if i in paired:
                    continue
                left, right = _around(text, m.start(), m.end())
                if len(m.group(0)) >= 2:
                    out.append((m.start(), m.end(), "stars"))
                elif is_cjk(left) and is_cjk(right):
                    out.append((m.start(), m.end(), "stray"))
        if "_" in line or "＿" in line:
            runs = list(_UNDERSCORES().finditer(text, start, end))
            ascii_runs = [i for i, m in enumerate(runs) if "＿" not in m.group(0)]
            paired = {ascii_runs[k] for k in _emphasis_pairs(text, [runs[i] for i in ascii_runs])}
            for i, m in enumerate(runs):
                run = m.group(0)
                if "＿" not in run:
                    if i in paired:
                        continue
                    left, right = _around(text, m.start(), m.end())
                    if len(run) == 1 and not (_near_cjk(left) or _near_cjk(right)):
                        continue  # snake_case, or an underscore in Latin text
                out.append((m.start(), m.end(), "underscores"))


def _empty_brackets(ctx: Context, out: list[tuple[int, int, str]]) -> None:
    text = ctx.text
    if not any(ch in text for ch in '）)】]〕》”」〉"'):
        return
    for m in _EMPTY.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if m.group(0).startswith('"') and text.count('"', line_start, m.start()) % 2:
            continue  # a closing and an opening straight quote: "80后""90后"
        if m.group(0).startswith("["):
            if _TASK_BOX().fullmatch(text, line_start, m.end()):
                continue  # a Markdown task box
            if m.end() < len(text) and text[m.end()] == "(":
                continue  # a Markdown link with no text
        out.append((m.start(), m.end(), "brackets"))


_MESSAGES = {
    "letters": "placeholder letters where a fact belongs",
    "symbols": "placeholder symbols where a fact belongs",
    "stars": "asterisks where words were removed",
    "underscores": "a blank to fill in (underscores)",
    "brackets": "empty brackets: the name or number inside is missing",
    "words": "placeholder word where a fact belongs",
    "template": "an unfilled template field",
    "field": "a field left to fill in",
}


def check_placeholders(ctx: Context) -> list[Finding]:
    """Markers (warnings) and every other explicit placeholder (errors)."""
    text = ctx.text
    findings: list[Finding] = []
    markers = [(m.start(), m.end(), m.group(1)) for m in MARKER_RE.finditer(text)]
    for start, end, label in markers:
        if _typed_inside(ctx, label):
            message = f"a value typed inside the marker: “{label}” is still marked 待补充"
            hint = f"delete 【待补充： and 】 around {label}, keeping the value alone"
        else:
            message, hint = f"missing fact: {label}", _marker_hint(ctx, label)
        findings.append(ctx.finding("gap.marker", Severity.WARNING, start, end, message, hint))
    hits: list[tuple[int, int, str]] = []
    _letters(ctx, hits)
    _symbols(ctx, hits)
    _stars_and_underscores(ctx, hits)
    _empty_brackets(ctx, hits)
    if any(w in text for w in ("某某", "待", *LATIN_PLACEHOLDERS)):
        hits.extend((m.start(), m.end(), "words") for m in _WORDS().finditer(text))
    if "{" in text:
        hits.extend((m.start(), m.end(), "template") for m in _TEMPLATE().finditer(text))
    if any(ch in text for ch in "[［{（("):
        hits.extend((m.start(), m.end(), "field") for m in _FIELD().finditer(text))
    inside_marker = _span_test(markers)
    reported_to = -1
    for start, end, kind in sorted(hits, key=lambda h: (h[0], -h[1])):
        if inside_marker(start) or ctx.in_residue(start, end) or end <= reported_to:
            continue  # a marker's text, residue, or inside a placeholder already reported
        reported_to = end
        if kind == "stray":
            findings.append(
                ctx.finding(
                    "gap.stray-mark",
                    Severity.ERROR,
                    start,
                    end,
                    f"stray “{text[start:end]}” between Chinese characters: words were removed here",
                    "restore the missing words",
                )
            )
            continue
        findings.append(
            ctx.finding(
                "gap.placeholder",
                Severity.ERROR,
                start,
                end,
                f"{_MESSAGES[kind]}: “{text[start:end]}”",
                _HINT,
            )
        )
    return findings


_TYPED_VALUE = lazy_pattern(r"[\d０-９]")


def _typed_inside(ctx: Context, label: str) -> bool:
    """Whether a marker's "label" is a value a user typed over the label alone (【待补充：86】
    for 【待补充：在职干部职工人数】, the brackets left): it opens with a digit, as no label
    does, and is not a label of the document type."""
    if not _TYPED_VALUE().match(label):
        return False
    from pipeline.drafting import fact_labels

    return ctx.spec is None or label not in fact_labels(ctx.spec)


def _marker_hint(ctx: Context, label: str) -> str:
    """How to fill a marker's gap: where a value written over it is not read as the fact (a
    text checked against a facts file), in the facts file, then draft or export again."""
    if ctx.reads_typed_values or ctx.facts is None or ctx.spec is None:
        return f"supply {label} in the facts, or write it here and remove the marker"
    from pipeline.drafting import fact_labels

    fact = fact_labels(ctx.spec).get(label)
    name, _, field = (fact or "").partition(".")
    key = f"key '{name}', each item's '{field}'" if field else f"key '{name}'"
    file = ctx.facts.source or "the facts file"
    return (
        f"give {label} in {file}{f' ({key})' if fact else ''} and draft again (draft run), "
        "or write it over the marker in the draft JSON and export again (draft export): "
        "checked with --facts, a value written here is not read as the fact"
    )


def _span_test(spans: list[tuple[int, int, str]]) -> Callable[[int], bool]:
    ordered = sorted((a, b) for a, b, _ in spans)

    def inside(pos: int) -> bool:
        from bisect import bisect_right

        i = bisect_right(ordered, (pos, float("inf"))) - 1
        return i >= 0 and ordered[i][0] <= pos < ordered[i][1]

    return inside


_DOT = re.compile("[.．]")


def stray_dots(text: str) -> list[int]:
    """Where a dot stands between Chinese characters (以习新时代中国特色.主义思想)."""
    n = len(text)
    return [
        p
        for m in _DOT.finditer(text)
        if 0 < (p := m.start()) < n - 1 and in_cjk_class(text[p - 1]) and in_cjk_class(text[p + 1])
    ]
