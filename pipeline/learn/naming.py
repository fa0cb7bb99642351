"""ASCII identifiers for learned facts, sections and document types, from Chinese labels.

Common terms map to English words (中心组 → central_group); anything else becomes pinyin
(pypinyin), so 中心组学习次数 → central_group_study_count and 文体活动 → wenti_activity.
"""

from __future__ import annotations

import re

TERMS: dict[str, str] = {
    # documents and units
    "意识形态": "ideology",
    "工作总结": "work_summary",
    "总结": "summary",
    "报告": "report",
    "述职": "duty",
    "计划": "plan",
    "方案": "plan",
    "汇报": "report",
    "学校": "school",
    "单位": "unit",
    "公司": "company",
    "医院": "hospital",
    "社区": "community",
    "街道": "street",
    "党支部": "party_branch",
    "党委": "party_committee",
    "党组": "party_group",
    "党建": "party_building",
    "县": "county",
    "区": "district",
    "市": "city",
    "省": "province",
    "镇": "town",
    "乡": "township",
    # sections
    "组织领导": "organization",
    "责任制": "responsibility",
    "理论学习": "theory_study",
    "舆论": "public_opinion",
    "宣传": "publicity",
    "文明": "civic",
    "核心价值观": "core_values",
    "不足": "shortcomings",
    "存在问题": "problems",
    "问题": "problems",
    "打算": "plans",
    "安排": "arrangements",
    "措施": "measures",
    "基本情况": "basic",
    "成绩": "achievements",
    "成效": "achievements",
    "主要做法": "practices",
    "做法": "practices",
    "经验": "experience",
    "安全": "safety",
    "教学": "teaching",
    "教育": "education",
    "队伍": "staff",
    "师资": "teachers",
    "廉政": "integrity",
    "作风": "conduct",
    "制度": "system",
    "阵地": "position",
    "网络": "online",
    "培训": "training",
    "服务": "service",
    "管理": "management",
    # facts
    "中心组": "central_group",
    "学习": "study",
    "次数": "count",
    "人数": "people",
    "人次": "visits",
    "场次": "events",
    "篇数": "articles",
    "期数": "issues",
    "数量": "count",
    "金额": "amount",
    "比例": "rate",
    "天数": "days",
    "时长": "hours",
    "周年数": "anniversary",
    "周年": "anniversary",
    "建国": "founding",
    "新中国成立": "prc_founding",
    "建党": "party_founding",
    "党的全国代表大会届次": "party_congress",
    "全国代表大会": "congress",
    "届次": "session",
    "总结年度": "report_year",
    "年度": "year",
    "年份": "year",
    "日期": "date",
    "成文日期": "report_date",
    "截止日期": "deadline",
    "报送": "submission",
    "单位名称": "unit_name",
    "学校名称": "school_name",
    "名称": "name",
    "县名": "county",
    "市名": "city",
    "区名": "district",
    "省名": "province",
    "镇名": "town",
    "讲话人": "speaker",
    "教师": "teachers",
    "学生": "students",
    "党员": "party_members",
    "干部": "cadres",
    "活动": "activity",
    "会议": "meeting",
    "讲座": "lecture",
    "党课": "party_lecture",
    "微党课": "micro_lecture",
    "主题": "theme",
    "评选": "selection",
    "志愿": "volunteer",
    "检查": "inspection",
    "督查": "supervision",
    "稿件": "articles",
    "信息": "news",
    "新闻": "news",
    "专题": "special",
    "座谈": "forum",
    "调研": "survey",
    "家访": "home_visit",
    "资助": "aid",
    "捐款": "donation",
    "经费": "funds",
    "投入": "investment",
    "培训班": "class",
    "工作": "work",
    "舆论引导": "public_opinion",
    "社会文明": "civic_culture",
    "竞赛": "contest",
    "比赛": "contest",
    "获奖": "awards",
    "课题": "project",
}
_BY_LENGTH = sorted((t for t in TERMS if len(t) >= 2), key=len, reverse=True)
"""Terms of two characters or more: a single character (县) is too often part of a word."""
_MAX_ID = 40
_STOPWORDS = set("的和与及之等了在对把")
_SECTION_KINDS = [
    (re.compile(r"不足|问题|差距|短板"), "shortcomings"),
    (re.compile(r"打算|计划|安排|思路|展望|下一步"), "plans"),
]
_ARRANGEMENTS = re.compile(r"安排")
"""A notice's 时间安排, 活动安排, 工作安排: what it arranges for its own work, not plans."""
_PLANS = re.compile(r"打算|计划|思路|展望|下一步")


def _pinyin(run: str) -> list[str]:
    """Pinyin of a run of hanzi, two syllables to a word (中心组 → zhongxin, zu)."""
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(run)
    return ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]


def words(text: str) -> list[str]:
    """ASCII words for a Chinese text: mapped terms, else pinyin; Latin words kept."""
    out: list[str] = []
    pending = ""

    def flush() -> None:
        nonlocal pending
        if pending:
            out.extend(_pinyin(pending))
            pending = ""

    i = 0
    while i < len(text):
        term = next((t for t in _BY_LENGTH if text.startswith(t, i)), None)
        if term:
            flush()
            out.append(TERMS[term])
            i += len(term)
            continue
        ch = text[i]
        if "\u4e00" <= ch <= "\u9fff" and ch not in _STOPWORDS:
            pending += ch
            i += 1
            continue
        flush()
        latin = re.match(r"[A-Za-z0-9]+", text[i:])
        if latin:
            out.append(latin.group(0).lower())
            i += latin.end()
        else:
            i += 1
    flush()
    merged: list[str] = []
    for w in out:
        w = re.sub(r"[^a-z0-9_]", "", w.lower())
        if w and (not merged or merged[-1] != w):
            merged.append(w)
    return merged


def identifier(
    text: str, *, taken: set[str] | None = None, fallback: str = "fact", sep: str = "_"
) -> str:
    """A valid, unused identifier (`^[a-z][a-z0-9_]*$`, or with `-` for doctype ids)."""
    parts = words(text)
    ident = ""
    for part in parts:
        candidate = f"{ident}{sep}{part}" if ident else part
        if len(candidate) > _MAX_ID:
            break
        ident = candidate
    ident = ident.replace("_", sep)
    if not ident or not ident[0].isalpha():
        ident = f"{fallback}{sep}{ident}" if ident else fallback
    taken = taken if taken is not None else set()
    unique, n = ident, 2
    while unique in taken:
        unique = f"{ident}{sep}{n}"
        n += 1
    taken.add(unique)
    return unique


_LEAD_VERBS = re.compile(
    r"^(?:加强|强化|抓好|抓实|弘扬|坚持|推进|落实|提高|提升|做好|深化|狠抓|突出|注重|健全|完善|"
    r"打造|推动|全面|扎实|积极|切实|持续|不断|着力|聚焦|围绕|严格|规范)+"
)


def section_identifier(heading: str, *, taken: set[str], notice: bool = False) -> str:
    """A section id from its heading: the first clause, lead verbs dropped (加强组织领导 → organization).

    In a `notice` (a 通知), a 安排 that speaks of no plans (时间安排, 工作安排) is `arrangements`:
    what the notice arranges, where a report's 下一步工作安排 is its `plans`."""
    arranges = notice and _ARRANGEMENTS.search(heading) and not _PLANS.search(heading)
    if arranges and "arrangements" not in taken:
        taken.add("arrangements")
        return "arrangements"
    for pattern, kind in _SECTION_KINDS:
        if pattern.search(heading) and kind not in taken:
            taken.add(kind)
            return kind
    clause = re.split(r"[，,。；;：:、]", heading, maxsplit=1)[0]
    core = _LEAD_VERBS.sub("", clause) or clause
    core = re.sub(r"^\d{4}年", "", core)
    short = "_".join(words(core)[:3])
    return identifier(short.replace("_", " ") if short else core, taken=taken, fallback="section")
