"""The review page's view of a draft: its lines cut into segments, markers and findings in place.

Markers and findings carry character offsets into `Draft.text`. `build_review` walks the text
line by line, cuts each line at every annotation boundary, and tags each segment with the
annotations covering it, so the template can wrap them in `<mark>` without ever building
HTML from strings (every piece of text stays a template variable, autoescaped). The side
panel lists the same annotations; each links to the first segment it covers.
"""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import BaseModel

from pipeline.checker.wording import fix_zh, problem_zh
from pipeline.document import Draft
from pipeline.drafting import failure_reason_zh

Tone = Literal["marker", "error", "warning", "info"]
_RANK: dict[str, int] = {"marker": 0, "error": 1, "warning": 2, "info": 3}
_SEVERITY_CN = {"marker": "待补充", "error": "错误", "warning": "提醒", "info": "提示"}


class Annotation(BaseModel):
    """A marker or a finding, as the side panel lists it."""

    id: str
    """The anchor id of its first segment (`ann-N`)."""
    tone: Tone
    title: str
    """What the panel shows first: the marker's label, or the finding's message."""
    detail: str = ""
    code: str = ""
    start: int
    end: int
    excerpt: str
    section: str | None = None
    placed: bool = False
    """Whether the annotation covers visible text (an empty or out-of-range one has no anchor)."""

    @property
    def tone_cn(self) -> str:
        return _SEVERITY_CN[self.tone]


class Segment(BaseModel):
    """A run of text covered by the same annotations."""

    text: str
    annotations: list[str] = []
    """Ids of the annotations covering it."""
    tone: Tone | None = None
    """The strongest tone among them (marker > error > warning > info)."""
    anchor: str | None = None
    """The id of an annotation this segment is the first segment of."""
    label: str | None = None
    """The marker label, on a marker segment."""


class Line(BaseModel):
    """One line of the draft's text."""

    start: int
    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


class SectionView(BaseModel):
    """One section: heading line (if any) and body paragraphs."""

    id: str
    heading: Line | None
    paragraphs: list[Line]
    status: str = "ok"
    error: str | None = None
    """Why a failed section has no text, in Chinese ("401 API 密钥无效")."""
    must_mention: list[str] = []
    """The labels of the facts a failed section had to name: the clerk writes them in."""
    annotation_count: int = 0


class ReviewView(BaseModel):
    """Everything the review page draws."""

    title: Line
    addressee: Line | None = None
    """The 主送机关 line under the title, when the type addresses one."""
    sections: list[SectionView]
    signature: list[Line]
    annotations: list[Annotation]
    counts: dict[str, int]
    """Annotations by tone."""


_HOW_TO_FILL = "在事实表单中填写后重新生成，或直接在正文中改写。"
_HOW_TO_WRITE = "直接在正文中写明，或点本节的“重新生成本节”再试。"
"""A marker no fact stands behind (a section that failed, a gap the model marked): the facts
form cannot fill it."""


def annotations_of(draft: Draft) -> list[Annotation]:
    """The draft's markers and findings, in text order; a marker's own gap finding merges into it."""
    out: list[Annotation] = []
    marker_spans = {(m.start, m.end) for m in draft.markers}
    for m in draft.markers:
        out.append(
            Annotation(
                id="",
                tone="marker",
                title=m.label,
                detail=f"请补充“{m.label}”：{_HOW_TO_FILL if m.fact else _HOW_TO_WRITE}",
                code="marker",
                start=m.start,
                end=m.end,
                excerpt=draft.text[m.start : m.end],
                section=m.section,
            )
        )
    for f in draft.findings:
        if (f.start, f.end) in marker_spans and f.code.startswith("gap.marker"):
            continue
        out.append(
            Annotation(
                id="",
                tone=f.severity.value,
                title=problem_zh(f),  # the page is Chinese, like the document
                detail=fix_zh(f),
                code=f.code,
                start=f.start,
                end=f.end,
                excerpt=f.excerpt,
                section=f.section,
            )
        )
    out.sort(key=lambda a: (a.start, _RANK[a.tone], a.end))
    for i, a in enumerate(out, 1):
        a.id = f"ann-{i}"
    return out


def _cut(text: str, start: int, annotations: list[Annotation], anchored: set[str]) -> Line:
    """The line `text` (at offset `start`) cut into segments by the annotations covering it."""
    end = start + len(text)
    inside = [a for a in annotations if a.start < end and a.end > start and a.end > a.start]
    cuts = {start, end}
    for a in inside:
        cuts.add(max(a.start, start))
        cuts.add(min(a.end, end))
    points = sorted(cuts)
    segments = []
    for lo, hi in itertools.pairwise(points):
        covering = [x for x in inside if x.start < hi and x.end > lo]
        piece = text[lo - start : hi - start]
        if not covering:
            segments.append(Segment(text=piece))
            continue
        covering.sort(key=lambda x: _RANK[x.tone])
        anchor = next((x.id for x in covering if x.id not in anchored), None)
        if anchor:
            anchored.add(anchor)
        strongest = covering[0]
        segments.append(
            Segment(
                text=piece,
                annotations=[x.id for x in covering],
                tone=strongest.tone,
                anchor=anchor,
                label=strongest.title if strongest.tone == "marker" else None,
            )
        )
    if not segments:
        segments.append(Segment(text=""))
    return Line(start=start, segments=segments)


def build_review(draft: Draft) -> ReviewView:
    """Cut the draft's text into sections, lines and segments with its annotations in place."""
    text = draft.text
    annotations = annotations_of(draft)
    anchored: set[str] = set()
    lines: list[tuple[int, str]] = []
    offset = 0
    for raw in text.split("\n"):
        lines.append((offset, raw))
        offset += len(raw) + 1
    spans = draft.section_spans()
    by_id = {s.id: s for s in draft.sections}
    title = _cut(lines[0][1], 0, annotations, anchored)
    addressee = _cut(lines[2][1], lines[2][0], annotations, anchored) if draft.addressee else None
    sections: list[SectionView] = []
    last_end = len(draft.title) + 2
    for sid, a, b in spans:
        own = [(o, t) for o, t in lines if a <= o < b]
        section = by_id[sid]
        heading = None
        if section.heading and own:
            heading = _cut(own[0][1], own[0][0], annotations, anchored)
            own = own[1:]
        sections.append(
            SectionView(
                id=sid,
                heading=heading,
                paragraphs=[_cut(t, o, annotations, anchored) for o, t in own],
                status=section.status,
                error=failure_reason_zh(section.error) if section.error else None,
                must_mention=[f.label for f in section.must_mention],
                annotation_count=sum(1 for x in annotations if a <= x.start < b),
            )
        )
        last_end = b
    signature = [_cut(t, o, annotations, anchored) for o, t in lines if o > last_end and t]
    for ann in annotations:
        ann.placed = ann.id in anchored
        if ann.section is None:
            ann.section = next((sid for sid, x, y in spans if x <= ann.start < y), None)
    counts = {tone: sum(1 for a in annotations if a.tone == tone) for tone in _RANK}
    return ReviewView(
        title=title,
        addressee=addressee,
        sections=sections,
        signature=signature,
        annotations=annotations,
        counts=counts,
    )
