"""What a reviewer must still act on: every marker and every error finding, with its comment.

Each annotation is a span of `Draft.text` to highlight and the comment (in Chinese, for the
reviewer) that states the problem and what to supply. The Word renderer anchors them onto
the runs of its paragraphs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from pipeline.checker.findings import Finding, Severity
from pipeline.checker.wording import fix_zh, problem_zh

if TYPE_CHECKING:
    from pipeline.document import Draft, Marker


class Annotation(BaseModel):
    """A span of `Draft.text` to highlight, and the comment that explains it."""

    kind: Literal["marker", "finding"]
    start: int
    end: int
    label: str
    """The marker's label or the finding's rule code."""
    comment: str


def marker_comment(marker: Marker) -> str:
    """The comment on a marker: what is missing and where to supply it."""
    lines = [f"待补充：{marker.label}", f"此处缺少“{marker.label}”。"]
    if marker.fact:
        lines.append(
            f"请在事实文件中填写“{marker.label}”（字段 {marker.fact}）后重新生成，"
            "或在此处直接写明并删除【待补充：…】标记。"
        )
    else:
        lines.append(f"请补充“{marker.label}”，写明后删除【待补充：…】标记。")
    return "\n".join(lines)


def finding_comment(finding: Finding) -> str:
    """The comment on an error finding, in Chinese: the problem, the text it is about, what
    to do, and the rule's code (to look it up)."""
    lines = [f"问题：{problem_zh(finding)}"]
    if finding.excerpt:
        lines.append(f"原文：“{finding.excerpt}”")
    lines.append(f"处理：{fix_zh(finding)}。")
    lines.append(f"规则：{finding.code}")
    return "\n".join(lines)


def _line_around(text: str, offset: int) -> tuple[int, int]:
    """The line (without its newline) holding `offset`; an empty line gives the one before."""
    offset = max(0, min(offset, len(text) - 1))
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    end = len(text) if end < 0 else end
    if start == end and start > 0:
        return _line_around(text, start - 1)
    return start, end


def draft_annotations(draft: Draft, *, errors: bool = True) -> list[Annotation]:
    """Every marker in the text and (with `errors`) every error-level finding, by position.

    Markers are located in the text itself, so they are right even when the saved list is
    stale; a finding without width is widened to its line so that it can carry a comment.
    """
    text = draft.text
    facts = {m.label: m.fact for m in draft.markers if m.fact}
    out = [
        Annotation(
            kind="marker",
            start=m.start,
            end=m.end,
            label=m.label,
            comment=marker_comment(m),
        )
        for m in draft.locate_markers(facts)
    ]
    if errors:
        for f in draft.findings:
            if f.severity != Severity.ERROR:
                continue
            start, end = max(0, min(f.start, len(text))), max(0, min(f.end, len(text)))
            if not text[start:end].strip("\n"):
                start, end = _line_around(text, start)
            out.append(
                Annotation(
                    kind="finding", start=start, end=end, label=f.code, comment=finding_comment(f)
                )
            )
    return sorted(out, key=lambda a: (a.start, a.end))
