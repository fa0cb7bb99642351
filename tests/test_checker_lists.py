"""`numbers.list-count`: a counted list whose count is not its items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.checker import check_text

DATA = Path(__file__).parent / "data"


def list_counts(text: str) -> list[tuple[str, str, str, str]]:
    return [
        (f.excerpt, f.message, f.hint, f.severity)
        for f in check_text(text).findings
        if f.code == "numbers.list-count"
    ]


@pytest.mark.parametrize(
    ("text", "excerpt", "message", "hint"),
    [
        (
            "医院全年开设了疼痛科、老年病科3个专科。",
            "疼痛科、老年病科3个",
            "the list names 2 items (“疼痛科”、“老年病科”) but its count says “3个”",
            "write 2, name the missing items, or add 等 if the list is not complete",
        ),
        (
            "支部开展主题党日、专题讲座、志愿服务等两项活动，参与党员86人次。",
            "主题党日、专题讲座、志愿服务等两项",
            "the list names 3 items (“主题党日”、“专题讲座”、“志愿服务”) but its count says “两项”",
            "write 3, or drop the items “两项” does not count"
            " (with “等” the count is at least the items listed)",
        ),
        (
            "新设疼痛科、老年病科和康复科共4个专科。",
            "疼痛科、老年病科和康复科共4个",
            "the list names 3 items (“疼痛科”、“老年病科”、“康复科”) but its count says “4个”",
            "write 3, name the missing items, or add 等 if the list is not complete",
        ),
        (
            "组织了“三会一课”、主题党日及志愿服务2项。",
            "“三会一课”、主题党日及志愿服务2项",
            "the list names 3 items (“三会一课”、“主题党日”、“志愿服务”) but its count says “2项”",
            "write 3, or drop the items “2项” does not count",
        ),
        (
            "包括疼痛科、老年病科、康复科在内的二个专科",
            "疼痛科、老年病科、康复科在内的二个",
            "the list names 3 items (“疼痛科”、“老年病科”、“康复科”) but its count says “二个”",
            "write 3, or drop the items “二个” does not count"
            " (with “在内的” the count is at least the items listed)",
        ),
    ],
)
def test_a_count_that_is_not_its_list_is_named(text, excerpt, message, hint):
    assert list_counts(text) == [(excerpt, message, hint, "warning")]


@pytest.mark.parametrize(
    "text",
    [
        "组织了“三会一课”、主题党日2项。",  # two items, two counted
        "开设了疼痛科、老年病科和康复科3个专科，开展主题党日、专题讲座、志愿服务等十二项活动。",
        "深入开展“不忘初心、牢记使命”主题教育3次。",  # a 、 inside quotes
        "坚持（理论学习、实践锻炼）2个，开展学习、培训，共5项。",  # brackets; another clause
        "制定、修订制度15项，新建、改建公厕3个。",  # verbs sharing their object: a total
        "获得省、市级荣誉3项，覆盖城区、乡镇12个社区，走访企业、合作社30个。",
        "完善安全管理制度23项、岗位安全操作规程56项。",  # items with counts of their own
        "帮助解决用工、融资等问题37个，开设科技、艺术、体育等社团28个。",
        "培训教师、班主任120人，举办党史、法治讲座4场。",  # people and events: totals
        "开设了疼痛科、老年病科一个个专科。",  # 一个个 is no count
        "开设疼痛科、老年病科、康复科专科3个。",  # the count not right after the last item
        "全年累计为辖区群众新开设了疼痛科、老年病科3个专科。",  # first item too long to tell
    ],
)
def test_no_list_count_where_the_count_matches_or_counts_something_else(text):
    assert list_counts(text) == []


def test_clean_reports_and_the_shared_sample_have_no_list_count():
    texts = [p.read_text("utf-8") for p in sorted((DATA / "realworld").glob("*.[mt][dx]*"))]
    texts += [p.read_text("utf-8") for p in sorted(DATA.glob("*.txt"))]
    texts += [p.read_text("utf-8") for p in sorted((DATA / "samples").glob("*.txt"))]
    assert len(texts) >= 10
    assert [t[:20] for t in texts if list_counts(t)] == []


def test_draft_check_warns_of_a_list_count_and_exits_0(cli, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(
        "县人民医院2023年工作总结\n\n　　全年开设了疼痛科、老年病科3个专科，门诊量稳步增长。\n",
        encoding="utf-8",
    )
    done = cli("check", report, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    hits = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "numbers.list-count"]
    assert [(f["severity"], f["line"], f["excerpt"]) for f in hits] == [
        ("warning", 3, "疼痛科、老年病科3个")
    ]
    text = cli("check", report)
    assert f"{report}:3:8: numbers.list-count [warning]" in text.stdout
