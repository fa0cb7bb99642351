"""Noise: site residue, and the blanks PDF extraction leaves (never reported as gaps).

Residue (`noise.boilerplate`): publication date, file size and page-count lines, disclaimers,
文档介绍, 查看更多, 小编为大家整理…, login prompts, customer-service numbers.

Blanks: text extracted from a PDF wraps at a regular width (about 29 characters in the
sample), and every line end becomes a space, often inside a word ("大精 神"). A word removed
by the site leaves a space too ("党的 大精神"). The two are told apart by the width: a line end
falls where the running width since the previous line end reaches the page's line width; a
removed word falls anywhere. The line width is estimated from the text itself, and the line
ends are chosen by dynamic programming over the blanks of each line (so a gap that happens to
sit near a line end does not derail the rest). Blanks found:

- `noise.wrap-space` (info): a line end inside a paragraph; `--fix` joins it;
- `noise.line-break` (info): a paragraph end flattened into a space; `--fix` restores the line break;
- everything else is a *mid-line blank*, handed to the gap rules (`silent_gaps.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.checker.findings import Finding, Severity
from pipeline.checker.text import HSPACE, SENTENCE_END, LineIndex

if TYPE_CHECKING:
    from pipeline.checker.context import Context

# ----------------------------------------------------------------------------- residue

_BULLET = r"^[\s\-*•·]*"
_TAIL = r"\s*[|｜]?\s*$"
_RESIDUE_LINES = [
    # - 2021-04-19 发布 |   ·   2021年04月19日 10:22 上传  (a bare date line is a signature)
    re.compile(
        r"^[\s\-*•·]*(?:(?:发布|上传|更新)(?:时间|日期)?[:：]?\s*)?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
        r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:发布|上传|更新|发表)?\s*[|｜]?\s*$"
    ),
    # - 37.5 KB |
    re.compile(
        _BULLET
        + r"(?:(?:文件|文档)?大小[:：]?\s*)?\d+(?:\.\d+)?\s*(?:[KkMmGg][Bb]?|[Bb]|字节)"
        + _TAIL
    ),
    # - 5页 · 共5页 · 页数：5
    re.compile(_BULLET + r"(?:共\s*\d+\s*页|\d+\s*页|页数[:：]?\s*\d+)" + _TAIL),
    # 文档介绍 and the site's other labels on a line of their own
    re.compile(
        _BULLET + r"(?:文档介绍|文档简介|内容简介|文档预览|相关文档|相关推荐|猜你喜欢|热门文档|"
        r"下载文档|立即下载|免费下载|下载本文|加入收藏|收藏本文|举报|分享到|原创力文档|百度文库)"
        r"[:：]?" + _TAIL
    ),
    # 申明敬告: 本站不保证… · 温馨提示：…
    re.compile(
        _BULLET
        + r"(?:申明敬告|温馨提示|免责声明|版权声明|版权归属|版权说明|特别声明|下载提示)[:：][^\n]*$"
    ),
    # 浏览量 1234 · 下载次数 12 · 上传者：xxx · 贡献者
    re.compile(
        _BULLET + r"(?:浏览量|阅读量|下载量|下载次数|上传者|贡献者|上传人)[:：]?[^\n]{0,40}$"
    ),
]
_RESIDUE_INLINE = re.compile(
    r"查看更多|展开全文|阅读全文|点击查看全文|查看全文|继续阅读|剩余\d{1,4}页未读[^\n]{0,10}"
    r"|(?:阅读|查看|下载)全部[^\n]{0,40}?(?:需要|请)?先登录[^\n。]{0,20}"
    r"|(?:以下|下面)是?小编(?:为大家|精心|给大家)?[^\n。！!]{0,80}(?:参考|阅读|借鉴|学习|欣赏)[^\n。！!]{0,20}[。！!]?"
    r"|小编(?:为大家|给大家)(?:整理|收集|带来)[^\n。！!]{0,80}[。！!]?"
    r"|(?:客服|联系)(?:QQ|qq|电话|热线|微信)[:：]?\s*[\d\-]{5,15}"
    r"|(?:QQ|qq)[:：]\s*\d{5,12}"
    r"|本站(?:不保证|仅提供|不予受理|不承担)[^\n]{0,120}"
    r"|(?:需要|请)先登录[^\n。]{0,20}"
)


@dataclass(frozen=True)
class Residue:
    """A span of site residue; `whole_line` when it is a line of its own."""

    start: int
    end: int
    whole_line: bool


def _is_date_residue(line: str) -> bool:
    """A date line is residue only with a site's marks: a bullet, 发布/上传, a time or a bar."""
    return bool(re.search(r"^\s*[-*•·]|发布|上传|更新|发表|\d:\d{2}|[|｜]\s*$", line))


def find_residue(text: str, index: LineIndex) -> list[Residue]:
    """Every span of site residue, in order."""
    out: list[Residue] = []
    for start, end in index.physical_lines(text):
        if 0 < end - start <= 400:
            line = text[start:end]
            matched = [i for i, p in enumerate(_RESIDUE_LINES) if p.match(line)]
            if matched and (matched != [0] or _is_date_residue(line)):
                out.append(Residue(start, end, True))
                continue
        for m in _RESIDUE_INLINE.finditer(text, start, end):
            whole = not text[start : m.start()].strip(HSPACE) and not text[m.end() : end].strip(
                HSPACE
            )
            out.append(Residue(start if whole else m.start(), end if whole else m.end(), whole))
    return out


# ----------------------------------------------------------------------------- blanks

_NARROW = frozenset("“”‘’\"'")
"""Characters that take half a CJK cell in an extracted PDF line (quotes, Latin, digits)."""
_HEADING_START = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d))"
)
_SERIES_START = re.compile(r"[一二三四五六七八九十]{1,2}(?:是|要)")
_TITLE_END = re.compile(r"(?:总结|报告|计划|方案|要点|汇报|讲话|意见|范文)$")
LOW, HIGH = 3.0, 2.5
"""A full line is within [W - LOW, W + HIGH] of the estimated width W."""
MIN_WRAPS = 4
"""Blanks at the line width needed before a text is read as wrapped PDF output."""


def _width(ch: str) -> float:
    if ch in _NARROW or (ch.isascii() and ch.isalnum()):
        return 0.5
    return 1.0


@dataclass(frozen=True)
class Blank:
    """A run of blanks inside a line, with the characters on each side."""

    start: int
    end: int

    def left(self, text: str) -> str:
        return text[self.start - 1]

    def right(self, text: str) -> str:
        return text[self.end]


@dataclass
class BlankScan:
    """How each blank inside a line was read."""

    width: float | None = None
    """The estimated line width of wrapped text, when the text is wrapped."""
    wraps: list[Blank] = field(default_factory=list)
    breaks: list[Blank] = field(default_factory=list)
    """Paragraph ends flattened into a blank."""
    midline: list[Blank] = field(default_factory=list)
    """Blanks neither a wrap nor a break: gaps, stray blanks, spaces beside Latin text."""


_BLANK_RUN = re.compile(r"[ \t\u3000\u00a0]+")


def _is_line_blank(text: str, b: Blank) -> bool:
    """A blank that may be a line end: not beside Latin letters or digits ("2020 年")."""
    left, right = b.left(text), b.right(text)
    return not (left.isascii() and left.isalnum()) and not (right.isascii() and right.isalnum())


def _blanks(text: str, start: int, end: int) -> list[Blank]:
    """The blank runs strictly inside [start, end), indentation and trailing blanks excluded."""
    out = []
    for m in _BLANK_RUN.finditer(text, start, end):
        if m.start() > start and m.end() < end and text[start : m.start()].strip(HSPACE):
            out.append(Blank(m.start(), m.end()))
    return out


def _prefix_widths(text: str, start: int, end: int) -> list[float]:
    acc = [0.0]
    total = 0.0
    for ch in text[start:end]:
        total += _width(ch)
        acc.append(total)
    return acc


def estimate_width(text: str, lines: list[tuple[int, int]]) -> float | None:
    """The line width of wrapped text, from the distances between its blanks; None if unwrapped."""
    distances: list[float] = []
    for start, end in lines:
        blanks = [b for b in _blanks(text, start, end) if _is_line_blank(text, b)]
        if len(blanks) < 3:
            continue
        widths = _prefix_widths(text, start, end)
        prev = None
        for b in blanks:
            if prev is not None:
                d = widths[b.start - start] - widths[prev.end - start]
                if 12 <= d <= 80:
                    distances.append(round(d))
            prev = b
    if len(distances) < MIN_WRAPS:
        return None
    counts = Counter(distances)
    best, best_count = None, 0
    for w in range(12, 81):
        c = sum(counts.get(w + k, 0) for k in (-1, 0, 1))
        if c > best_count:
            best, best_count = w, c
    if best is None or best_count < MIN_WRAPS or best_count < 0.3 * len(distances):
        return None
    # the width of a full line: the most common distance around the peak
    near = {w: counts.get(w, 0) for w in (best - 1, best, best + 1)}
    return float(max(near, key=lambda w: (near[w], -w)))


def _segment_kind(text: str, seg_start: int, seg_end: int) -> tuple[bool, bool, bool]:
    """(ends a sentence, starts with a heading number, ends like a title)."""
    seg = text[seg_start:seg_end].strip(HSPACE)
    if not seg:
        return False, False, False
    tail = seg.rstrip("”’」』）)\"'")
    ends = bool(tail) and tail[-1] in SENTENCE_END
    heading = bool(_HEADING_START.match(seg))
    title = bool(_TITLE_END.search(seg))
    return ends, heading, title


def _segment_line(
    text: str, start: int, end: int, blanks: list[Blank], width: float
) -> tuple[list[int], float]:
    """Choose which blanks of one physical line are line ends (indices into `blanks`).

    Returns the chosen indices and the share of chosen lines that are full width.
    """
    widths = _prefix_widths(text, start, end)
    # candidate line ends: the virtual start (-1), each blank, the virtual end (n)
    n = len(blanks)
    cut_start = [start] + [b.end for b in blanks]  # where the line after cut i starts
    cut_pos = [start] + [b.start for b in blanks] + [end]  # where cut i is (i=0: start; n+1: end)

    def line_cost(i: int, j: int) -> float:
        a, b = cut_start[i], cut_pos[j]
        w = widths[b - start] - widths[a - start]
        if width - LOW <= w <= width + HIGH:
            return 0.05 * abs(w - width)  # the closer to the usual width, the likelier
        if w > width + HIGH:
            return 20.0 + (w - width)
        ends, heading, title = _segment_kind(text, a, b)
        if j == n + 1 or ends:
            return 0.1  # the last line of a paragraph
        if heading or (i == 0 and title):
            return 0.5
        return 6.0

    inf = float("inf")
    cost = [inf] * (n + 2)
    back = [0] * (n + 2)
    cost[0] = 0.0
    for j in range(1, n + 2):
        i = j - 1
        while i >= 0:
            c = cost[i] + line_cost(i, j) + (j - i - 1) * 1.0
            if c < cost[j]:
                cost[j], back[j] = c, i
            a = cut_start[i]
            if widths[cut_pos[j] - start] - widths[a - start] > width + HIGH + 8:
                break
            i -= 1
    chosen = []
    j = n + 1
    while j > 0:
        j = back[j]
        if j > 0:
            chosen.append(j - 1)
    chosen.reverse()
    full = 0
    bounds = [-1, *chosen, n]
    for k in range(1, len(bounds)):
        a = cut_start[bounds[k - 1] + 1]
        b = cut_pos[bounds[k] + 1]
        w = widths[b - start] - widths[a - start]
        if width - LOW <= w <= width + HIGH:
            full += 1
    return chosen, full / max(1, len(bounds) - 1)


def scan_blanks(text: str, index: LineIndex, residue: list[Residue] | None = None) -> BlankScan:
    """Read every blank inside a line as a wrap, a flattened paragraph break, or a mid-line blank."""
    residue_lines = {(r.start, r.end) for r in residue or [] if r.whole_line}
    lines = [ln for ln in index.physical_lines(text) if ln not in residue_lines]
    scan = BlankScan(width=estimate_width(text, lines))
    for start, end in lines:
        blanks = _blanks(text, start, end)
        if not blanks:
            continue
        candidates = [b for b in blanks if _is_line_blank(text, b)]
        chosen: list[int] = []
        if scan.width is not None and len(candidates) >= 2:
            picked, full_share = _segment_line(text, start, end, candidates, scan.width)
            if len(picked) >= 2 and full_share >= 0.5:
                chosen = picked
        chosen_set = {candidates[i] for i in chosen}
        for n, k in enumerate(chosen):
            b = candidates[k]
            seg_start = candidates[chosen[n - 1]].end if n else start
            ends, heading, title = _segment_kind(text, seg_start, b.start)
            nxt = text[b.end : b.end + 4]
            starts_point = bool(_HEADING_START.match(nxt) or _SERIES_START.match(nxt))
            first = seg_start == start
            heading_line = heading or starts_point or (first and title and not ends)
            if heading_line or (ends and _short(text, seg_start, b.start, scan.width)):
                scan.breaks.append(b)
            else:
                scan.wraps.append(b)
        scan.midline.extend(b for b in blanks if b not in chosen_set)
    scan.midline.sort(key=lambda b: b.start)
    return scan


def _short(text: str, start: int, end: int, width: float | None) -> bool:
    if width is None:
        return True
    w = sum(_width(ch) for ch in text[start:end])
    return w < width - LOW


# ----------------------------------------------------------------------------- findings


def check_noise(ctx: Context) -> list[Finding]:
    """Residue spans (warnings), and the wrap spaces and flattened breaks (info)."""
    findings = []
    for r in ctx.residue:
        what = "a line of site residue" if r.whole_line else "site residue"
        findings.append(
            ctx.finding(
                "noise.boilerplate",
                Severity.WARNING,
                r.start,
                r.end,
                f"{what}, not part of the report",
                "delete it (draft check --fix does)",
                replacement="",
            )
        )
    for b in ctx.blanks.wraps:
        findings.append(
            ctx.finding(
                "noise.wrap-space",
                Severity.INFO,
                b.start,
                b.end,
                "PDF line-wrap space inside the text, not a gap",
                "join the text (draft check --fix does)",
                replacement="",
            )
        )
    for b in ctx.blanks.breaks:
        findings.append(
            ctx.finding(
                "noise.line-break",
                Severity.INFO,
                b.start,
                b.end,
                "a paragraph break flattened into a space",
                "start a new line here (draft check --fix does)",
                replacement="\n",
            )
        )
    return findings
