"""Literal corrections of a sample's numbering, as edits: a mixed 一要/三是 series unified, a
skipped heading level filled in, and numbered lines with nothing under them ended as list
items (；, the last 。)."""

from __future__ import annotations

from pipeline.learn.outline import Outline
from pipeline.learn.registry import Edit

_END_PUNCT = "。；;！？!?：:，,"


def unify_points(outline: Outline, edits: list[Edit]) -> None:
    """A point series that mixes 一要/二要/三是 takes its most common form throughout."""
    for block in [b for b in [outline.opening, *outline.sections] if b is not None]:
        forms = [p.form for p in block.points]
        if len(set(forms)) <= 1:
            continue
        majority = max(dict.fromkeys(forms), key=forms.count)
        for p in block.points:
            if p.form != majority:
                edits.append(
                    Edit(
                        start=p.end - 1,
                        end=p.end,
                        replacement=majority,
                        reason=f"point series unified: {p.form} → {majority} "
                        f"(the section mixes {'/'.join(dict.fromkeys(forms))})",
                    )
                )


_LEVEL_FORMS = {2: "（{cn}）", 3: "{n}.", 4: "（{n}）"}


def fill_skipped_levels(text: str, outline: Outline, edits: list[Edit]) -> None:
    """Subheadings that skip a level (一、 then 1. with no （一）) move up to the level below
    their section's, renumbered in order: 一、 → （一） → 1. → （1）, never skipped."""
    from pipeline.template_filters import cn

    for block in outline.sections:
        levels = sorted({m.level for m in block.sub_markers})
        wanted = {old: outline.top_level + 1 + i for i, old in enumerate(levels)}
        if all(old == new for old, new in wanted.items()):
            continue
        counters: dict[int, int] = {}
        for m in block.sub_markers:
            new = wanted[m.level]
            counters[new] = counters.get(new, 0) + 1
            for deeper in [lv for lv in counters if lv > new]:
                counters.pop(deeper)
            form = _LEVEL_FORMS.get(new)
            if form is None:
                continue
            number = counters[new]
            replacement = form.format(cn=cn(number), n=number)
            edits.append(
                Edit(
                    start=m.start,
                    end=m.end,
                    replacement=replacement,
                    reason=f"heading level filled in: {text[m.start : m.end]} → {replacement} "
                    "(numbering levels are never skipped)",
                )
            )


def end_list_items(text: str, outline: Outline, edits: list[Edit]) -> None:
    """Numbered lines with nothing under them (a Word list: 1.规范党费收缴 / 2.完善党员档案)
    are items, not headings, which would be empty sections in every draft: they end with
    ；, the last of a run with 。."""
    for block in outline.sections:
        levels = {m.start: m.level for m in block.sub_markers}
        lines = block.paragraphs
        items = []
        for i, line in enumerate(lines):
            if line.start not in levels or text[line.end - 1] in _END_PUNCT:
                continue
            after = lines[i + 1] if i + 1 < len(lines) else None
            if after is None or levels.get(after.start, 99) <= levels[line.start]:
                items.append(i)
        for i in items:
            line = lines[i]
            mark = "；" if i + 1 in items else "。"
            edits.append(
                Edit(
                    start=line.end - 1,
                    end=line.end,
                    replacement=text[line.end - 1] + mark,
                    reason=f"numbered item with no text under it ended with {mark}: "
                    f"{text[line.start : line.end]} (a heading there would be an empty section)",
                )
            )
