"""Noise: site residue, and the blanks PDF extraction leaves (never reported as gaps).

Residue (`noise.boilerplate`): publication date, file size, page-count and page-number lines,
source and uploader lines, web addresses, disclaimers, 文档介绍, 查看更多, 小编为大家整理…,
login prompts, customer-service numbers, a 范文 collection's headings (工作总结范文（通用5篇）,
精选范文, the 篇一： label before a report's title).

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

import itertools
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from pipeline.checker.findings import Finding, Severity
from pipeline.checker.text import HSPACE, MD_PREFIX, SENTENCE_END, LineIndex, is_cjk
from pipeline.lazy_re import lazy_pattern
from pipeline.markers import MARKER_RE
from pipeline.type_words import DOC_TYPE_WORDS

if TYPE_CHECKING:
    from collections.abc import Callable

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
    # - 5页 · 共5页 · 页数：5 · 第 1 页 共 5 页 · 第2页/共5页
    re.compile(
        _BULLET
        + r"(?:共\s*\d+\s*页|\d+\s*页|(?:页数|页码)[:：]?\s*\d+\s*页?"
        + r"|第\s*\d+\s*页\s*(?:[/，,、|｜]?\s*共\s*\d+\s*页)?)"
        + _TAIL
    ),
    # - 1 - · — 2 —: a page footer's number on a line of its own
    re.compile(r"^\s*[-—–]{1,2}\s*\d{1,3}\s*[-—–]{1,2}\s*$"),
    # 文档来源：网络整理 · 本文由用户上传… · 更多精品文档请访问 www… · a bare web address
    re.compile(
        _BULLET + r"(?:(?:文档|文章|本文|资料)来源[:：]|本文档?由[^\n]{0,30}(?:上传|提供|整理|分享)"
        r"|更多[^\n]{0,20}(?:请|欢迎)(?:访问|关注|下载)|转载请注明|原文(?:地址|链接)[:：]"
        r"|(?:https?://|www\.)\S+\s*$)[^\n]*$"
    ),
    # 文档介绍 and the site's other labels on a line of their own
    re.compile(
        _BULLET + r"(?:文档介绍|文档简介|内容简介|文档预览|相关文档|相关推荐|猜你喜欢|热门文档|"
        r"下载文档|立即下载|免费下载|下载本文|加入收藏|收藏本文|收藏|举报|分享到|原创力文档|百度文库|"
        r"热门文章|VIP专享文档|VIP专享|扫码关注[^\n]{0,10})"
        r"[:：]?" + _TAIL
    ),
    # 申明敬告: 本站不保证… · 温馨提示：…
    re.compile(
        _BULLET
        + r"(?:申明敬告|温馨提示|免责声明|版权声明|版权归属|版权说明|特别声明|下载提示)[:：][^\n]*$"
    ),
    # 浏览量 1234 · 下载次数 12 · 上传者：xxx · 贡献者
    re.compile(
        _BULLET
        + r"(?:浏览量|浏览次数|阅读量|阅读数|阅读次数|点击量|点击次数|下载量|下载次数|下载积分|所需积分"
        r"|上传者|贡献者|上传人)[:：]?[^\n]{0,40}$"
    ),
    # 文档格式：docx · 来源：网络　作者：佚名　发布时间：2024-01-12 (a line of two such fields;
    # 来源：县统计局 alone under a table is the report's own note)
    re.compile(
        _BULLET + r"(?:文档|文件)?格式[:：]\s*(?:docx?|DOCX?|pdf|PDF|wps|WPS|txt|TXT)" + _TAIL
    ),
    re.compile(
        _BULLET + r"(?:来源|作者|发布时间|发布日期|发布者)[:：][^\n]{0,40}?[\s　|｜]"
        r"(?:作者|发布时间|发布日期|发布者|浏览|阅读|点击)[^\n]*$"
    ),
]
_RESIDUE_INLINE_PATTERN = (
    r"(?:查看更多|展开全文|阅读全文|点击查看全文|查看全文|继续阅读)[>»＞》∨︾↓]*"
    r"|剩余\d{1,4}页未读[^\n]{0,10}"
    r"|(?:阅读|查看|下载)全部[^\n]{0,40}?(?:需要|请)?先登录[^\n。]{0,20}"
    r"|(?:以下|下面)是?小编(?:为大家|精心|给大家)?[^\n。！!]{0,80}(?:参考|阅读|借鉴|学习|欣赏)[^\n。！!]{0,20}[。！!]?"
    r"|小编(?:为大家|给大家)(?:整理|收集|带来)[^\n。！!]{0,80}[。！!]?"
    # a customer-service number is the site's; 联系电话 in a 通知 is the issuing office's own
    r"|客服(?:QQ|qq|电话|热线|微信)[:：]?\s*[\d\-]{5,15}|联系(?:QQ|qq)[:：]?\s*\d{5,12}"
    r"|(?:QQ|qq)[:：]\s*\d{5,12}"
    r"|本站(?:不保证|仅提供|不予受理|不承担)[^\n]{0,120}"
    r"|(?:需要|请)先登录[^\n。]{0,20}"
    r"|[（(]?此文档为(?:word|Word|WORD)格式[^\n）)]{0,30}[）)]?"
)
_INLINE_KEYS: tuple[str, ...] = ("查看更多", "全文", "继续阅读", "剩余", "全部", "小编", "客服")
_INLINE_KEYS += ("联系", "QQ", "qq", "本站", "先登录", "此文档")
"""Every match of the inline pattern holds one of these: a text with none has no inline residue."""


_residue_inline = lazy_pattern(_RESIDUE_INLINE_PATTERN)
"""The inline residue pattern, compiled the first time a text may hold some (2.5 ms)."""


_NTH = r"[一二三四五六七八九十\d]{1,3}"
_COLLECTED = "通用|精选|汇总|合集|推荐|热门|最新|优秀|经典"
"""What a 范文 site calls its collections: 工作总结范文（通用5篇）, 精选范文."""
_TITLE_WORD = "(?:" + "|".join(DOC_TYPE_WORDS) + "|范文)"
_collection_heading = lazy_pattern(
    # the label before a report's title (the title itself is the report's): 篇一：2023年学校
    # 工作总结, and 第一篇： before a document's title (第一篇 of a 规划 is a part of it)
    r"[ \t\u3000]*(?:篇" + _NTH + r"[：:]"
    r"|第" + _NTH + r"篇[：:](?=[^\n]{1,40}?" + _TITLE_WORD + r"[ \t\u3000\r]*$))"
    # the collection's title and labels: 工作总结范文（通用5篇）, 精选范文
    r"|[^\n]{0,40}?(?:(?:范文|范本|例文|模板)[（(【\[](?:" + _COLLECTED + r"|共)?"
    r"|[（(【\[](?:" + _COLLECTED + r"))" + _NTH + r"篇[）)】\]][ \t\u3000\r]*$"
    r"|[ \t\u3000]*(?:" + _COLLECTED + r")?范文(?:精选|大全|推荐)?[ \t\u3000\r]*$"
)
"""A 范文 collection's heading at a line's start (matched only there, and only in a text with
篇 or 范文 in it)."""


@dataclass(frozen=True)
class Residue:
    """A span of site residue; `whole_line` when it is a line of its own."""

    start: int
    end: int
    whole_line: bool


def _is_date_residue(line: str) -> bool:
    """A date line is residue only with a site's marks: a bullet, 发布/上传, a time or a bar."""
    return bool(re.search(r"^\s*[-*•·]|发布|上传|更新|发表|\d:\d{2}|[|｜]\s*$", line))


_FIELD_BAR = lazy_pattern(r"[|｜]")
_SITE_FIELD = re.compile(r"[|｜]|\d[ \t]*(?:[KkMmGg]?[Bb]|页|发布|上传)|(?:发布|上传|大小|页数)")
"""What a line of site details has (a bar, a size, a page count, 发布/上传): a line without
it is not tried as one."""


def _is_residue_fields(line: str) -> bool:
    """A site's details on one line, fields between bars (2022-01-05 发布 | 22.3 KB | 4页)
    or only spaces (发布时间：2022-03-15 文件大小：28KB 共5页)."""
    if "|" in line or "｜" in line:
        fields = [f for f in _FIELD_BAR().split(line) if f.strip()]
        return len(fields) >= 2 and all(any(p.match(f) for p in _RESIDUE_LINES) for f in fields)
    words = line.split()
    if len(words) < 2 or len(line) > 80:
        return False
    # fields may hold spaces themselves (37.5 KB): any split of the words into fields will do
    ends = {0}
    for i in range(len(words)):
        if i in ends:
            for j in range(i + 1, len(words) + 1):
                if any(p.match(" ".join(words[i:j])) for p in _RESIDUE_LINES):
                    ends.add(j)
    return len(words) in ends


def find_residue(text: str, index: LineIndex) -> list[Residue]:
    """Every span of site residue, in order."""
    out: list[Residue] = []
    inline = _residue_inline() if any(k in text for k in _INLINE_KEYS) else None
    collection = _collection_heading() if "篇" in text or "范文" in text else None
    for start, end in index.physical_lines(text):
        if 0 < end - start <= 400:
            line = text[start:end]
            matched = [i for i, p in enumerate(_RESIDUE_LINES) if p.match(line)]
            if (matched and (matched != [0] or _is_date_residue(line))) or (
                not matched and _SITE_FIELD.search(line) and _is_residue_fields(line)
            ):
                out.append(Residue(start, end, True))
                continue
            heading = None
            if collection is not None:
                # after a Markdown heading's marks (## 篇一：…), which stay with the title
                prefix = MD_PREFIX.match(text, start, end)
                at = prefix.end() if prefix and prefix.group(1) else start
                heading = collection.match(text, at, end)
            if heading is not None:
                if heading.end() == end:
                    out.append(Residue(start, end, True))
                    continue
                out.append(Residue(at, heading.end(), False))
        if inline is None:
            continue
        markers = (
            [(k.start(), k.end()) for k in MARKER_RE.finditer(text, start, end)]
            if "【待补充" in text[start:end]
            else []
        )
        for m in inline.finditer(text, start, end):
            if any(a <= m.start() < b for a, b in markers):
                continue  # a marker's label is the user's, not the site's
            whole = not text[start : m.start()].strip(HSPACE) and not text[m.end() : end].strip(
                HSPACE
            )
            out.append(Residue(start if whole else m.start(), end if whole else m.end(), whole))
    return out


# ----------------------------------------------------------------------------- blanks

_NARROW = frozenset("“”‘’\"'")
"""Characters that take half a CJK cell in an extracted PDF line (quotes, Latin, digits)."""
# Only a text with blanks at a wrapped line's width needs these (PDF output).
_heading_start = lazy_pattern(
    r"(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d))"
)
_series_start = lazy_pattern(r"[一二三四五六七八九十]{1,2}(?:是|要)")
_title_end = lazy_pattern(r"(?:总结|报告|计划|方案|要点|汇报|讲话|意见|范文)$")
LOW, HIGH = 3.0, 2.5
"""A full line is within [W - LOW, W + HIGH] of the estimated width W."""
MIN_WRAPS = 4
"""Blanks at the line width needed before a text is read as wrapped PDF output."""


_NARROW_RE = lazy_pattern("[“”‘’\"'A-Za-z0-9]")


class Widths:
    """Width of any slice of a line in CJK cells, in O(log n): quotes, Latin letters and digits
    take half a cell."""

    def __init__(self, text: str, start: int, end: int):
        self._narrow = [m.start() for m in _NARROW_RE().finditer(text, start, end)]

    def between(self, a: int, b: int) -> float:
        """Width of text[a:b]."""
        return (b - a) - 0.5 * (bisect_left(self._narrow, b) - bisect_left(self._narrow, a))


class Blank(NamedTuple):
    """A run of blanks inside a line."""

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
_CLOSING = "”’」』）)\"'"


def _is_line_blank(text: str, b: Blank) -> bool:
    """A blank that may be a line end: not beside Latin letters or digits ("2020 年")."""
    left, right = text[b.start - 1], text[b.end]
    return not (left.isascii() and left.isalnum()) and not (right.isascii() and right.isalnum())


_LINE_MARK = re.compile(
    r"[ \t\u3000\u00a0]*(?:(?:#{1,6}|>|[-*+•·●▪■◆]|\d{1,3}[.)．])[ \t\u3000\u00a0]+)+"
)
"""Markdown heading, quote and list marks at a line start, with the blank each one needs
("# 市第一人民医院…", "- 门急诊人次…", "1. 门诊量…"): that blank is syntax, not a gap."""


def _blanks(text: str, start: int, end: int) -> list[Blank]:
    """The blank runs strictly inside [start, end): indentation, the blank after a line's
    Markdown mark and trailing blanks excluded."""
    mark = _LINE_MARK.match(text, start, end)
    first = mark.end() if mark else start
    return [
        Blank(m.start(), m.end())
        for m in _BLANK_RUN.finditer(text, start, end)
        if m.start() > start and m.end() > first and m.end() < end
    ]


def estimate_width(text: str, lines: list[tuple[int, int, list[Blank]]]) -> float | None:
    """The line width of wrapped text, from the distances between its blanks; None if unwrapped."""
    distances: list[float] = []
    for start, end, blanks in lines:
        if len(blanks) < 3:
            continue
        widths = Widths(text, start, end)
        for prev, b in itertools.pairwise(blanks):
            d = widths.between(prev.end, b.start)
            if 12 <= d <= 80:
                distances.append(round(d))
    if len(distances) < MIN_WRAPS:
        return None
    counts = Counter(distances)
    best, best_count = None, 0
    for w in range(12, 81):
        c = counts.get(w - 1, 0) + counts.get(w, 0) + counts.get(w + 1, 0)
        if c > best_count:
            best, best_count = w, c
    if best is None or best_count < MIN_WRAPS or best_count < 0.3 * len(distances):
        return None
    # the width of a full line: the most common distance around the peak
    near = {w: counts.get(w, 0) for w in (best - 1, best, best + 1)}
    return float(max(near, key=lambda w: (near[w], -w)))


def _ends_sentence(text: str, seg_start: int, pos: int) -> bool:
    """The text before `pos` (from `seg_start`) ends with sentence-final punctuation."""
    k = pos
    while k > seg_start and text[k - 1] in _CLOSING:
        k -= 1
    return k > seg_start and text[k - 1] in SENTENCE_END


def _segment_line(
    text: str, start: int, end: int, blanks: list[Blank], width: float, widths: Widths
) -> tuple[list[int], float]:
    """Choose which blanks of one physical line are line ends (indices into `blanks`).

    Dynamic programming over the blanks: a line between two chosen ends costs nothing when
    it is full width (a little for its distance from the usual width), little when it is the
    short last line of a paragraph or a heading, much when it is short for no reason and more
    when it overflows; each blank left inside a line costs 1. Returns the chosen indices and
    the share of chosen lines that are full width.
    """
    n = len(blanks)
    # cut k: 0 is the line start, 1..n the blanks, n + 1 the line end
    cut_start = [start] + [b.end for b in blanks]  # where the text after cut k starts
    cut_pos = [start] + [b.start for b in blanks] + [end]  # where cut k is
    ends = [False] + [_ends_sentence(text, start, b.start) for b in blanks] + [True]
    heading = [bool(_heading_start().match(text, a, a + 6)) for a in cut_start]
    first_title = [bool(_title_end().search(text, max(start, p - 2), p)) for p in cut_pos]
    lo, hi = width - LOW, width + HIGH

    inf = float("inf")
    cost = [inf] * (n + 2)
    back = [0] * (n + 2)
    cost[0] = 0.0
    for j in range(1, n + 2):
        pj = cut_pos[j]
        for i in range(j - 1, -1, -1):
            w = widths.between(cut_start[i], pj)
            if lo <= w <= hi:
                c = 0.05 * abs(w - width)
            elif w > hi:
                c = 20.0 + (w - width)
            elif ends[j]:
                c = 0.1  # the last line of a paragraph
            elif heading[i] or (i == 0 and first_title[j]):
                c = 0.5
            else:
                c = 6.0
            c += cost[i] + (j - i - 1)
            if c < cost[j]:
                cost[j], back[j] = c, i
            if w > hi + 8:
                break
    chosen = []
    j = n + 1
    while j > 0:
        j = back[j]
        if j > 0:
            chosen.append(j - 1)
    chosen.reverse()
    bounds = [-1, *chosen, n]
    full = sum(
        1
        for k in range(1, len(bounds))
        if lo <= widths.between(cut_start[bounds[k - 1] + 1], cut_pos[bounds[k] + 1]) <= hi
    )
    return chosen, full / max(1, len(bounds) - 1)


def scan_blanks(
    text: str,
    index: LineIndex,
    residue: list[Residue] | None = None,
    is_cut: Callable[[str, Blank], bool] | None = None,
) -> BlankScan:
    """Read every blank inside a line as a wrap, a flattened paragraph break, or a mid-line blank.

    `is_cut` tells a blank that reads as a removed number or name (学习 次, 资金 万元, 在 县): one
    chosen as a line end stays a mid-line blank for the gap rules unless its line is full
    width. The line end a PDF put beside a digit (党员 3名) is never a candidate, so the
    segmentation often takes the cut next to it instead."""
    residue_lines = {(r.start, r.end) for r in residue or [] if r.whole_line}
    lines = []
    for start, end in index.physical_lines(text):
        if (start, end) in residue_lines or end - start < 3:
            continue
        blanks = _blanks(text, start, end)
        if blanks:
            lines.append((start, end, blanks))
    candidates_of = {
        (start, end): [b for b in blanks if _is_line_blank(text, b)] for start, end, blanks in lines
    }
    scan = BlankScan(
        width=estimate_width(text, [(a, b, candidates_of[(a, b)]) for a, b, _ in lines])
    )
    for start, end, blanks in lines:
        candidates = candidates_of[(start, end)]
        chosen: list[int] = []
        if scan.width is not None and len(candidates) >= 2:
            widths = Widths(text, start, end)
            picked, full_share = _segment_line(text, start, end, candidates, scan.width, widths)
            if len(picked) >= 2 and full_share >= 0.5:
                chosen = picked
                if is_cut is not None:
                    chosen = _drop_cuts(text, start, candidates, chosen, scan.width, widths, is_cut)
        chosen_set = {candidates[i] for i in chosen}
        for n, k in enumerate(chosen):
            b = candidates[k]
            seg_start = candidates[chosen[n - 1]].end if n else start
            ends = _ends_sentence(text, seg_start, b.start)
            heading = bool(_heading_start().match(text, seg_start, seg_start + 6))
            title = seg_start == start and bool(_title_end().search(text, b.start - 2, b.start))
            starts_point = bool(
                _heading_start().match(text, b.end, b.end + 6)
                or _series_start().match(text, b.end, b.end + 4)
            )
            # a short line ending a sentence or holding a heading ends a paragraph; a line that
            # starts a heading and runs the full width goes on (a run-in heading's text,
            # （一）经济运行稳中向好。全年完成…, or a long heading, wraps there)
            if (starts_point or (title and not ends)) or (
                (heading or ends) and _short(text, seg_start, b.start, scan.width)
            ):
                scan.breaks.append(b)
            else:
                scan.wraps.append(b)
        scan.midline.extend(b for b in blanks if b not in chosen_set)
    _keep_gaps_at_wraps(scan)
    scan.midline.sort()
    return scan


def _drop_cuts(
    text: str,
    start: int,
    blanks: list[Blank],
    chosen: list[int],
    width: float,
    widths: Widths,
    is_cut: Callable[[str, Blank], bool],
) -> list[int]:
    """The chosen line ends without the blanks that read as a cut and end a line that is not
    full width: a real line end before 堂 or 年 (课 堂, 全 年) ends a full line, a cut the
    segmentation took for want of a better blank one too short or too long. Only a blank
    after a Han character: after a mark (“ 四个自信”, 。 ) a short line is the rule."""
    kept = []
    prev = start
    for k in chosen:
        b = blanks[k]
        cut = (
            is_cjk(text[b.start - 1])
            and not width - LOW <= widths.between(prev, b.start) <= width + HIGH
            and is_cut(text, b)
        )
        if not cut:
            kept.append(k)
        prev = b.end
    return kept


def _keep_gaps_at_wraps(scan: BlankScan) -> None:
    """A line end is one blank as wide as the text's other line ends; a wider one also holds
    a blank of its own, most often a word cut out right at the line end ("学习␣␣次"). It goes
    to the gap rules whole: joining it would delete the gap's only trace."""
    if not scan.wraps:
        return
    usual = Counter(b.end - b.start for b in scan.wraps).most_common(1)[0][0]
    wider = [b for b in scan.wraps if b.end - b.start > usual]
    if wider:
        scan.wraps = [b for b in scan.wraps if b.end - b.start <= usual]
        scan.midline.extend(wider)


def _short(text: str, start: int, end: int, width: float | None) -> bool:
    if width is None:
        return True
    return Widths(text, start, end).between(start, end) < width - LOW


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
