"""The words for types of document (文种) that a title ends with: 工作总结, 述职报告, 通知…"""

from __future__ import annotations

DOC_TYPE_WORDS = (
    "工作总结", "工作报告", "工作计划", "工作要点", "实施方案", "述职报告", "总结", "报告",
    "计划", "要点", "方案", "汇报", "意见", "通知", "请示", "纪要",
)  # fmt: skip
"""Longest first, so that a name ending in 述职报告 is a 述职报告, not a 报告."""


UNIT_ENDINGS = (
    "政府|局|委|委员会|公司|学校|中学|小学|医院|党支部|支部|党委"
    "|中心|办公室|镇|乡|街道|社区|村|院|所|部|处|科|厅|馆|站|队|会"
)
"""How a unit's name ends (青山县卫生健康局, 城关社区党支部), as a regex alternation: a 落款
line ending so names a unit."""

POSTS = (
    "副校长|校长|副书记|书记|副主任|主任|副局长|局长|副科长|科长|副组长|组长|副镇长|镇长"
    "|副乡长|乡长|副县长|县长|副区长|区长|副市长|市长|副院长|院长|副所长|所长|站长|部长"
    "|处长|队长|村长|社长|园长|馆长|股长|行长|会长|秘书长|总经理|经理|主席|委员|支书"
    "|干事|专干|民警|辅导员|班主任"
)
"""Posts a report writes right before or after a person's name (由副校长王建国负责,
在张建国局长的带领下), as a regex alternation."""

SIGNER_WORDS = ("述职人", "报告人", "汇报人", "总结人", "发言人")
"""The words a person signing a report writes before the name: 述职人：张明."""


def type_word(name: str) -> str | None:
    """The type a name ends in (个人年度述职报告 → 述职报告), None for none."""
    return next((word for word in DOC_TYPE_WORDS if name.endswith(word)), None)
