"""How a value the user typed reads inside running text: a list item without the number
and the final punctuation users give it (1. 开展……；), as the section templates insert it
and as the checker looks for it; the last item of a series also without its own 等 or
……, which the sentence around a series says itself (A、B等文化设施, not A、B等等)."""

from __future__ import annotations

import re

_CN_ORDINAL = "[一二三四五六七八九十]{1,3}"
_ITEM_NUMBER = re.compile(
    r"^\s*(?:"
    r"\d{1,2}\s*[.．、)）](?!\s*\d)"  # 1. 1、 1) (not 1.2万亩, 1、2月份)
    rf"|{_CN_ORDINAL}\s*[.．、)）](?!\s*[一二三四五六七八九十])"  # 一、 (not 一、二年级)
    rf"|[（(]\s*(?:\d{{1,2}}|{_CN_ORDINAL})\s*[)）]"  # （1） (一)
    r"|[①-⑳]"
    rf"|{_CN_ORDINAL}是(?=\S)"  # 一是
    rf"|第{_CN_ORDINAL}[，,：:]"  # 第一，
    r")\s*"
)
_FINAL_PUNCTUATION = "。；;，,.：:！!、　 "


def clause(text: object) -> str:
    """`text` without a leading item number and its final punctuation, to be continued by
    the sentence around it (1. 脱贫攻坚； → 脱贫攻坚)."""
    return _ITEM_NUMBER.sub("", str(text).strip(), count=1).rstrip(_FINAL_PUNCTUATION)


_SERIES_END = re.compile(r"(?:(?<![平同高初对均中相上优劣次头特])等|……|…+|⋯+|\.{2,})$")
"""An item's own “and so on”: 等 (not the end of 平等, 高等…) or an ellipsis."""


def series_item(text: object) -> str:
    """One item of a series: `clause` without a final 等 or …… (休闲书吧等 → 休闲书吧)."""
    text = clause(text)
    for _ in range(2):  # 等等 is two
        text = _SERIES_END.sub("", text).rstrip(_FINAL_PUNCTUATION)
    return text
