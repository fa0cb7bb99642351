"""Cleaning a sample with the checker's rules, and locating its gaps.

The checker owns the rules: `noise.boilerplate` (site residue) and `noise.wrap-space` (PDF
line-wrap spaces) findings are removed here, and its `gap.*` findings give the holes. This
module only adds what learning needs on top: spaces beside Latin letters and digits
("2020 年") dropped, and paragraph breaks put back where extraction turned them into spaces
(after 。：；, and before 一、/（一）/1./一是 markers).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from pipeline import checker
from pipeline.checker import check_text
from pipeline.checker.findings import Finding

NOISE_CODES = ("noise.boilerplate", "noise.wrap-space")

_ASCII_SPACE = re.compile(
    r"(?<=[A-Za-z0-9%.])[ \t]+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[ \t]+(?=[A-Za-z0-9])"
)
_BREAK_AFTER = re.compile(r"(?<=[。：:！？!?；;])([”’」』）)]?)[ \t]+")
_BREAK_BEFORE = re.compile(
    r"[ \t]+(?=(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|[（(]\d{1,2}[）)]|\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]{1,2}[是要][^\s]))"
)
_HEADING_START = re.compile(
    r"(?m)^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])"
)
_BLANK_RUN = re.compile(r"[ \t]+")


SUSPECT = "gap.suspect-space"
"""The checker's warning for a blank it cannot tell from a gap."""


class Hole(BaseModel):
    """A gap in the cleaned sample: the span to be replaced by a fact."""

    start: int
    end: int
    code: str
    """The checker's finding code (gap.silent-number, gap.placeholder, …)."""
    message: str
    hint: str = ""


class CleanedSample(BaseModel):
    """The sample as learning sees it: clean text, one paragraph per line, and its holes."""

    text: str
    holes: list[Hole]
    residue: list[str]
    """The residue removed (one excerpt per `noise.boilerplate` finding)."""
    wrap_spaces: int
    """How many PDF wrap spaces were joined."""
    stray_spaces: int
    """Spaces left that are neither a gap nor a paragraph break; dropped."""
    suspect_joined: list[str] = []
    """The context of each blank the checker only suspected (gap.suspect-space), joined."""


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` without the spans (a span overlapping an earlier one is skipped)."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        last = max(end, start)
    out.append(text[last:])
    return "".join(out)


def _heading_break(line: str) -> str:
    """A heading that runs into its body ("一、加强组织领导 按照…"): break after the heading."""
    match = _HEADING_START.match(line)
    if not match:
        return line
    # a blank right after the number ("五、 年工作打算") is a cut-out word, not the break
    text_start = len(line) - len(line[match.end() :].lstrip(" "))
    space = line.find(" ", text_start)
    if text_start < space <= match.end() + 50 and "。" not in line[:space]:
        return line[:space] + "\n" + line[space + 1 :]
    return line


def _paragraphs(text: str) -> str:
    text = _ASCII_SPACE.sub("", text)
    text = _BREAK_AFTER.sub(lambda m: m.group(1) + "\n", text)
    text = _BREAK_BEFORE.sub("\n", text)
    lines = [_heading_break(line.strip()) for line in text.split("\n")]
    lines = [ln.strip() for chunk in lines for ln in chunk.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _gap_findings(text: str) -> list[Finding]:
    return [f for f in check_text(text).findings if f.code.startswith("gap.")]


def _holes(text: str, finding: Finding) -> list[Hole]:
    """The parts of a gap finding to replace: its blanks, else the whole span (a placeholder)."""
    spans = [(finding.start, finding.end)]
    if finding.code != "gap.marker":
        blanks = [
            (m.start(), m.end()) for m in _BLANK_RUN.finditer(text, finding.start, finding.end)
        ]
        spans = blanks or spans
    return [
        Hole(start=s, end=e, code=finding.code, message=finding.message, hint=finding.hint)
        for s, e in spans
    ]


def _all_holes(text: str) -> list[Hole]:
    return [h for f in _gap_findings(text) for h in _holes(text, f)]


def clean_sample(raw: str) -> CleanedSample:
    """Clean a sample: residue and wrap spaces removed, paragraphs restored, holes located."""
    findings = check_text(raw).findings
    noise = [f for f in findings if f.code.startswith("noise.")]
    residue = [f.excerpt.strip() for f in noise if f.code == "noise.boilerplate"]
    wraps = sum(1 for f in noise if f.code == "noise.wrap-space")
    apply_fixes = getattr(checker, "apply_fixes", None)  # the checker's own `--fix`
    if apply_fixes is not None:
        fixed = apply_fixes(raw, findings)
    else:
        fixed = _remove_spans(raw, [(f.start, f.end) for f in noise if f.code in NOISE_CODES])
    text = _paragraphs(fixed)

    holes = _all_holes(text)
    # Spaces the checker calls neither a gap nor a wrap are dropped; the gaps are kept.
    kept = {i for h in holes for i in range(h.start, h.end)}
    stray = [(m.start(), m.end()) for m in _BLANK_RUN.finditer(text) if m.start() not in kept]
    if stray:
        text = _remove_spans(text, stray)
        holes = _all_holes(text)
    holes = _dedupe(holes)
    # A blank the checker only suspects (a warning, not a gap it is sure of) is joined: in
    # an extracted sample it is far more often a wrap space than a cut-out word. Each one is
    # reported so the user can check.
    suspects = [h for h in holes if h.code == SUSPECT]
    joined = [text[max(0, h.start - 6) : h.end + 6].replace("\n", " ") for h in suspects]
    if suspects:
        text = _remove_spans(text, [(h.start, h.end) for h in suspects])
        holes = [h for h in _dedupe(_all_holes(text)) if h.code != SUSPECT]
    return CleanedSample(
        text=text,
        holes=holes,
        residue=residue,
        wrap_spaces=wraps,
        stray_spaces=len(stray),
        suspect_joined=joined,
    )


def _dedupe(holes: list[Hole]) -> list[Hole]:
    """One hole per span; overlapping findings (a blank that is two rules' gap) merged."""
    out: list[Hole] = []
    for h in sorted(holes, key=lambda h: (h.start, -h.end)):
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out
