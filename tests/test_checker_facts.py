"""Facts rules: every number backed by a fact; plans year, must-mention, unit and county."""

from __future__ import annotations

import json

import pytest

from pipeline.checker import check_section, check_text
from pipeline.checker.numbers import find_numbers
from pipeline.facts import load_facts, validate_facts
from tests.conftest import EXAMPLES, run_cli


@pytest.fixture(scope="module")
def school():
    return load_facts(EXAMPLES / "school-ideology-summary.yaml")


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("draft") / "draft.md"
    home = tmp_path_factory.mktemp("home")
    done = run_cli(
        "run",
        EXAMPLES / "school-ideology-summary.yaml",
        "-o",
        out,
        env={"DRAFTSMITH_HOME": str(home)},
    )
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def facts_findings(text: str, spec, facts) -> list[tuple[str, str]]:
    return [
        (f.code, f.excerpt)
        for f in check_text(text, spec=spec, facts=facts).findings
        if f.family == "facts"
    ]


def test_the_complete_draft_is_backed(school, draft):
    spec, facts = school
    assert facts_findings(draft, spec, facts) == []


@pytest.mark.parametrize(
    ("old", "new", "excerpt"),
    [
        ("中心组学习12次", "中心组学习15次", "15次"),  # a changed count
        ("党的十九大精神和", "党的二十大精神和", "二十"),  # a wrong congress
        ("召开学习座谈交流会", "召开学习座谈交流会三次", "三次"),  # an invented count
        ("新中国成立71周年", "新中国成立七十周年", "七十周年"),  # a Chinese numeral
        ("占领舆论阵地。", "占领舆论阵地，覆盖率达95%。", "95%"),  # a percentage
        ("2021年1月15日", "2021年1月16日", "2021年1月16日"),  # a date
        ("加强学习、提高素质。", "加强学习、提高素质，开展第三次集中培训。", "三次"),  # 第N次
        ("现将2020年以来", "现将2019年以来", "2019年"),  # a year
        ("现将2020年以来", "现将二〇一九年以来", "二〇一九年"),  # a year in Chinese numerals
        ("2021年1月15日", "二〇二一年二月十五日", "二〇二一年二月十五日"),  # a date in them
    ],
)
def test_unsupported_numbers(school, draft, old, new, excerpt):
    spec, facts = school
    assert old in draft
    changed = draft.replace(old, new, 1)
    found = [
        f
        for f in check_text(changed, spec=spec, facts=facts).findings
        if f.code == "facts.unsupported-number"
    ]
    assert [f.excerpt for f in found] == [excerpt]
    assert found[0].severity == "error"


@pytest.mark.parametrize(
    "addition",
    [
        "三番五次强调，千方百计落实。",  # idioms
        "深入开展“两学一做”学习教育，增强“四个意识”，践行“三严三实”。",  # set phrases
        "一是加强学习，二是改进作风。",  # points of a series
        "开展一次专题学习，一年来取得一定成绩。",  # the indefinite 一
        "推进九年义务教育均衡发展。",
    ],
)
def test_numbers_that_are_not_facts(school, draft, addition):
    spec, facts = school
    changed = draft.replace("占领舆论阵地。", "占领舆论阵地。" + addition, 1)
    assert facts_findings(changed, spec, facts) == []


@pytest.mark.parametrize("gap", ["20__年", "20XX年", "20××年"])
def test_the_digits_left_beside_a_placeholder_are_part_of_the_gap(school, draft, gap):
    """20__年 is one gap (the placeholder rule's), not also an unsupported number “20”."""
    spec, facts = school
    changed = draft.replace("现将2020年以来", f"现将{gap}以来", 1)
    codes = [f.code for f in check_text(changed, spec=spec, facts=facts).findings]
    assert "gap.placeholder" in codes and "facts.unsupported-number" not in codes


@pytest.mark.parametrize(
    ("plenum", "flagged"),
    [("十九届四中全会", []), ("十九届五中全会", []), ("十九届六中全会", ["六"])],
)
def test_a_plenum_is_backed_when_it_was_held_by_the_reports_year(school, draft, plenum, flagged):
    """The lexicon's calendar of plenums: a 2020 report may cite the fifth (2020), not the
    sixth (2021), which a model would have invented."""
    spec, facts = school
    changed = draft.replace("党的十九大精神和", f"党的十九大和{plenum}精神和", 1)
    assert changed != draft
    assert [e for c, e in facts_findings(changed, spec, facts)] == flagged


_BUREAU = (
    "青山县自然资源局2023年工作总结\n\n2023年，我局全面贯彻党的{congress}精神，"
    "内设股室9个，在职干部职工86人。\n\n青山县自然资源局\n2024年1月10日\n"
)


def _unsupported(tmp_path, text: str) -> list[str]:
    """The excerpts `draft check --facts` of the bureau's example flags as not in the facts."""
    path = tmp_path / "summary.txt"
    path.write_text(text, encoding="utf-8")
    done = run_cli(
        "check", path, "--facts", EXAMPLES / "annual-work-summary.yaml", "--format", "json"
    )
    found = json.loads(done.stdout)["findings"]
    return [f["excerpt"] for f in found if f["code"] == "facts.unsupported-number"]


@pytest.mark.parametrize(
    ("congress", "flagged"),
    [
        ("二十大", []),
        ("二十大和二十届二中全会", []),
        ("十八大以来的决策部署和二十大", []),  # an earlier congress: held long ago
        ("二十一大", ["二十一"]),  # not held by 2023: invented
        ("二十大和二十届四中全会", ["四"]),
    ],
)
def test_a_congress_held_by_the_reports_year_needs_no_fact(tmp_path, congress, flagged):
    """`check --facts` of a 2023 annual summary said “the number 二十 is not in the facts” on
    党的二十大, which that document type has no fact for: a congress is now backed by the
    lexicon's calendar, as a plenum is."""
    assert _unsupported(tmp_path, _BUREAU.format(congress=congress)) == flagged


@pytest.mark.parametrize(
    ("plenum", "flagged"),
    [
        ("二十大和二十届二中全会", []),
        ("二十大和二十届一中、二中全会", []),
        ("二十大和二十届二中、四中全会", ["四"]),  # the fourth was held in 2025
        ("二十大和十九届中央委员会第六次全体会议", []),
        ("二十大和二十届中央委员会第四次全体会议", ["四次"]),
    ],
)
def test_plenums_written_together_or_in_full_are_checked_by_the_calendar(tmp_path, plenum, flagged):
    """`check --facts` of a 2023 summary said “the number 二十 is not in the facts” of
    二十届一中、二中全会 and “六次” of 十九届中央委员会第六次全体会议, both held by then:
    the calendar read a plenum only as 二十届二中全会. It now reads both forms, so one held
    later than the report's year is still flagged."""
    assert _unsupported(tmp_path, _BUREAU.format(congress=plenum)) == flagged


@pytest.mark.parametrize(
    "sentence",
    [
        "认真落实十四届全国人大二次会议、省第十二次党代会和市第十三次党代会部署。",
        "贯彻县十七届人大三次会议和政协第十四届全国委员会第二次会议精神。",
        "贯彻十四届全国政协二次会议、县政协十届三次会议和市委十三届七次全会精神。",
        "落实市十五届人大常委会第十二次会议决定，服务第十四届全国人民代表大会代表。",
        "学习共青团第十九次全国代表大会和党的第二十次全国代表大会精神。",
    ],
)
def test_the_ordinal_of_a_meeting_is_a_name(tmp_path, sentence):
    """`check --facts` of a 2023 summary said “the number 十三次 is not in the facts” of
    市第十三次党代会, and the same of 十四届全国人大二次会议 and every local session: the
    repair loop then asked the model to remove them. A meeting's ordinal is its name."""
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + sentence) == []


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("落实市第五次党代会部署，120名代表参会。", ["120名"]),
        ("落实市第五次党代会部署，培训120人次，投入110万元。", ["120人次", "110万元"]),
        ("贯彻县十七届人大三次会议精神，增长12%。", ["12%"]),
        ("贯彻中国共产党第二十一次全国代表大会精神。", ["二十一次"]),  # not held by 2023
        ("举办第五届创新创业大赛。", ["五"]),  # an edition, not a meeting
    ],
)
def test_a_meeting_hides_no_count_beside_it(tmp_path, sentence, flagged):
    """A meeting's name exempts its own ordinals only: a count after it is still held to the
    facts, and the Party's own congress to the lexicon's calendar."""
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + sentence) == flagged


@pytest.mark.parametrize(
    "sentence",
    [
        "落实省委1号文件部署。",
        "畅通12345热线诉求办理渠道。",
        "在“3·15”期间开展宣传。",
        "依托5G网络开通“掌上办”服务。",
        "第2季度完成卫片执法检查，4季度开展“回头看”。",
        "落实“十四五”规划和2035年远景目标纲要。",
        "锚定二〇三五年远景目标。",
        "助力5A景区和4A级旅游景区创建，依托4K高清影像推进G20相关合作。",
        "毕业生考入985、211高校，推行24小时不打烊服务，实施三年行动。",
    ],
)
def test_digits_in_names_are_no_facts(tmp_path, sentence):
    """`check --facts` of a 2023 summary reported the 1 of 省委1号文件, the 12345 of the
    hotline, the 15 of “3·15”, the 5 of 5G, the quarter of 第2季度, the 5 of 5A景区, the
    20 of G20, the 985 and 211 of universities and the 三年 of 三年行动 as numbers not in
    the facts: they are names, as the lexicon's number words are."""
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + sentence) == []
    # the same digits as a count are still held to the facts
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + "新建5G基站15个。") == [
        "15个"
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "根据县委办公室《关于做好年度总结的通知》（青办发〔2024〕12号）要求。",
        "认真贯彻中发〔2021〕7号文件精神，落实县政府[2022]3号文件。",
        "严格执行《土地管理法》第十二条、《实施条例》第3条第二款和第五十条规定。",
        "严格执行2021年修订的《土地管理法实施条例》，详见附表第2页。",
        "服务热线0791-86751234，手机13812345678，电话：86751234，邮编330000。",
        "为申请人360123199001011234办理了登记。",
        "联系地址：青山县人民路88号，建设大道188-2号。",
        "详见附件2。\n\n　　附件：1. 耕地保护目标责任考核表\n　　　　　2. 不动产登记业务统计表\n",
    ],
)
def test_references_are_no_facts(tmp_path, sentence):
    """`check --facts` of a 2023 summary reported the year and number of every 文号
    (青办发〔2024〕12号), the article of a law (第十二条), a law's edition (2021年修订), a page,
    a telephone, a post code and an ID number as numbers not in the facts: they name a
    document, an article or a line, and no fact can back them."""
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + sentence) == []
    # counts, amounts and percentages beside them are still held to the facts
    counts = "依据第十二条规定开展执法检查15次，投入资金300万元，满意率达98％，师生比1:15。"
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + counts) == [
        "15次",
        "300万元",
        "98％",
        "1",
        "15",
    ]


def test_a_time_of_day_is_a_fact_held_whole(tmp_path):
    """A time of day states when something happens, as a count states how often: one the
    facts do not write is reported, once for the whole time (not for its hour and minutes)."""
    text = _BUREAU.format(congress="二十大") + "窗口每日14:30开始受理，周六上午9：00照常办公。"
    assert _unsupported(tmp_path, text) == ["14:30", "上午9：00"]


@pytest.mark.parametrize(
    "sentence",
    [
        "畅通12345热线、110、120、119联动渠道，群众拨打110报警、120急救响应及时。",
        "严格执行GB/T 9704-2012《党政机关公文格式》，通过ISO 9001:2015质量管理体系认证。",
        "落实DB33/T 2340-2021和GB 50016—2014标准，推进ISO/IEC 27001认证。",
        "实施耕地保护三年行动（2023—2025年），落实国土空间总体规划（2021—2035年）。",
    ],
)
def test_standards_emergency_lines_and_programme_periods_are_no_facts(tmp_path, sentence):
    """`check --facts` of a model's 2023 summary said the 110, 120 and 119 of an emergency
    line, the 9704 and 2012 of GB/T 9704-2012, the 9001 of ISO 9001 and the 2025 of
    三年行动（2023—2025年） were not in the facts: they name a line, a standard or a
    programme, which no fact can back, and the repair loop asked the model to remove them."""
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + sentence) == []
    # the same numbers as counts, amounts or years are still held to the facts
    counts = "培训120人次，投入110万元，投入2025万元，增长12%，2026年完成，在（2023—2025年）期间。"
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + counts) == [
        "120人次",
        "110万元",
        "2025万元",
        "12%",
        "2026年",
        "2025年",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "推进第三次全国国土调查成果应用，配合第七次全国人口普查和第五次全国经济普查。",
        "落实《中华人民共和国土地管理法实施条例》（2021年7月2日国务院令第743号修订）。",
        "落实《土地管理法》（2019年8月26日第十三届全国人民代表大会常务委员会第十二次会议修正）。",
        "落实“1+N”政策体系和“1+3+N”工作机制，推行1+X证书制度。",
    ],
)
def test_censuses_decrees_edition_notes_and_frameworks_are_no_facts(tmp_path, sentence):
    """`check --facts` of a model's 2024 summary said the 四次 of 第四次全国农业普查, the
    date and the 743 of a law's edition note （2021年7月2日国务院令第743号修订） and the 1 of
    “1+N”政策体系 were not in the facts: they name a census, an edition or a framework."""
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + sentence) == []
    # the unit's own dates and counts are still held to the facts
    counts = "于2024年3月完成修订，组织开展5次全国性调查，完成第四次调查。"
    assert _unsupported(tmp_path, _BUREAU.format(congress="二十大") + counts) == [
        "2024年3月",
        "5次",
        "四次",
    ]


def test_a_date_fact_backs_the_date_in_chinese_numerals(school, draft):
    """A 落款 written 二〇二一年一月十五日 is the report date, not three stray numbers."""
    spec, facts = school
    changed = draft.replace("2021年1月15日", "二〇二一年一月十五日", 1)
    assert changed != draft and facts_findings(changed, spec, facts) == []


def test_numbers_inside_fact_texts_are_backed(school):
    spec, facts = school
    # 2020 comes only from the responsibility document's title; 第三卷 from a study topic
    body = "按照《青山县2020年教育系统意识形态工作责任书》要求，学习《习近平谈治国理政》第三卷。"
    found = check_section(body, section=spec.section("opening"), spec=spec, facts=facts)
    assert not [f for f in found if f.code == "facts.unsupported-number"]


@pytest.mark.parametrize(
    ("fact", "written"),
    [
        ("全年新增补充耕地1.2万亩", "新增补充耕地12000亩"),
        ("全年新增补充耕地1.2万亩", "新增补充耕地一万二千亩"),
        ("全年新增补充耕地12000亩", "新增补充耕地1.2万亩"),
        ("完成投资1.5亿元", "完成投资150000000元"),
        ("完成投资2.5万元", "完成投资25000元"),
        ("完成投资0.57万元", "完成投资5700元"),  # 5699.99… in floating point
    ],
)
def test_an_amount_in_wan_backs_the_same_amount_written_out(fact, written):
    """A clerk writes 1.2万亩 in the facts, a model 12000亩 in the draft: the same amount."""
    spec, _ = load_facts(EXAMPLES / "annual-work-summary.yaml")
    facts = validate_facts(
        {
            "doctype": spec.id,
            "unit_name": "青山县自然资源局",
            "report_year": 2023,
            "work_items": [{"title": "强化耕地保护", "summary": "严格落实责任制", "result": fact}],
        },
        spec,
    )
    found = check_section(
        f"全年{written}。", section=spec.section("achievements"), spec=spec, facts=facts
    )
    assert [f.excerpt for f in found if f.code == "facts.unsupported-number"] == []
    wrong = written.replace("2", "3", 1).replace("二", "三", 1).replace("5", "6", 1)
    found = check_section(
        f"全年{wrong}。", section=spec.section("achievements"), spec=spec, facts=facts
    )
    assert [f.code for f in found if f.code == "facts.unsupported-number"]


@pytest.mark.parametrize(
    ("fact", "written", "wrong"),
    [
        ("项目于2020年12月28日通过验收", "2020年12月28日，项目通过验收", "2020年12月27日"),
        ("项目于2020.12.28通过验收", "2020年12月28日，项目通过验收", "2020年12月27日"),
        ("项目于2020/12/28通过验收", "2020年12月28日，项目通过验收", "2020年12月27日"),
        (
            "项目于二〇二〇年十二月二十八日通过验收",
            "2020年12月28日，项目通过验收",
            "2020年12月27日",
        ),
        ("项目于12月28日通过验收", "12月28日，项目通过验收", "12月27日"),
        ("项目于2020年9月启动", "2020年9月，项目启动", "2020年8月"),
    ],
)
def test_a_date_inside_a_fact_text_backs_that_date(fact, written, wrong):
    """A date the clerk wrote inside a fact's text backs it wherever the draft puts it."""
    spec, _ = load_facts(EXAMPLES / "annual-work-summary.yaml")
    facts = validate_facts(
        {
            "doctype": spec.id,
            "unit_name": "青山县自然资源局",
            "report_year": 2020,
            "work_items": [{"title": "强化耕地保护", "summary": fact}],
        },
        spec,
    )
    section = spec.section("achievements")
    found = check_section(f"{written}。", section=section, spec=spec, facts=facts)
    assert [f.excerpt for f in found if f.code == "facts.unsupported-number"] == []
    changed = f"{written.replace(written.split('，')[0], wrong)}。"
    found = check_section(changed, section=section, spec=spec, facts=facts)
    assert [f.excerpt for f in found if f.code == "facts.unsupported-number"] == [wrong]


@pytest.mark.parametrize("text", ["于2020-12-28.", "于2020.12.28。", "于2020/12/28，"])
def test_a_date_written_with_dots_slashes_or_dashes_is_one_date(text):
    assert [t.date for t in find_numbers(text)] == [(2020, 12, 28)]


def test_allowed_numbers_from_the_spec(school):
    spec, facts = school
    rules = spec.rules.model_copy(update={"allowed_numbers": ["100", "百年大计"]})
    relaxed = spec.model_copy(update={"rules": rules})
    body = "学校建校100周年，教育是百年大计。"
    strict = check_section(body, section=spec.section("opening"), spec=spec, facts=facts)
    loose = check_section(body, section=spec.section("opening"), spec=relaxed, facts=facts)
    assert {f.excerpt for f in strict if f.code == "facts.unsupported-number"} == {"100周年"}
    assert not [f for f in loose if f.code == "facts.unsupported-number"]


def test_next_year_is_backed_only_in_the_plans(school):
    spec, facts = school
    plans = check_section(
        "2021年，学校将继续加强学习。", section=spec.section("plans"), spec=spec, facts=facts
    )
    other = check_section(
        "2021年，学校将继续加强学习。", section=spec.section("opening"), spec=spec, facts=facts
    )
    assert not [f for f in plans if f.family == "facts"]
    assert [f.excerpt for f in other if f.code == "facts.unsupported-number"] == ["2021年"]


def test_plans_year(school, draft):
    spec, facts = school
    wrong = draft.replace("六、2021年工作打算", "六、2020年工作打算", 1)
    assert facts_findings(wrong, spec, facts) == [("facts.plans-year", "2020年")]
    body = "2020年，学校将重点抓好以下工作：一要加强学习。二要加强领导，巩固2020年成果。"
    found = check_section(body, section=spec.section("plans"), spec=spec, facts=facts)
    assert [(f.code, f.excerpt) for f in found if f.family == "facts"] == [
        ("facts.plans-year", "2020年")
    ]
    # without facts, the report year comes from the title
    sample_like = "学校2020年意识形态工作总结\n一、甲\n正文。\n二、2020年工作打算\n一要加强学习。"
    assert [
        (f.code, f.excerpt) for f in check_text(sample_like).findings if f.family == "facts"
    ] == [("facts.plans-year", "2020年")]


@pytest.mark.parametrize(
    ("date", "flagged"),
    [
        ("2019-12-01", "error"),
        ("2020-01-15", "warning"),
        ("2020-06-30", "warning"),
        ("2020-07-01", None),
        ("2020-12-28", None),
        ("2021-01-15", None),
    ],
)
def test_a_signature_dated_before_the_report_year(school, draft, date, flagged):
    """A 2020 summary signed 2019年12月1日 (a date from another file) is an error; one signed
    2020年1月15日 is the date of last year's report, left in a facts file copied with only
    the year changed: a warning (it was not reported at all)."""
    spec, facts = school
    y, m, d = (int(p) for p in date.split("-"))
    dated = validate_facts(facts.to_json() | {"doctype": spec.id, "report_date": date}, spec)
    text = draft.replace("2021年1月15日", f"{y}年{m}月{d}日")
    found = [f for f in check_text(text, spec=spec, facts=dated).findings if f.family == "facts"]
    assert [(f.code, f.excerpt) for f in found] == (
        [("facts.signature-date", f"{y}年{m}月{d}日")] if flagged else []
    )
    assert [f.severity for f in found] == ([flagged] if flagged else [])


_PLAN = "县财政局{year}年{kind}\n\n一、总体思路\n\n坚持稳中求进。\n\n二、主要任务\n\n一是抓收入。二是保支出。三是防风险。\n\n县财政局\n{signed}\n"


@pytest.mark.parametrize(
    ("kind", "signed", "flagged"),
    [
        ("工作计划", "2023年12月20日", None),  # a plan is written before its year
        ("工作要点", "2024年2月1日", None),  # or as it begins
        ("上半年工作总结", "2024年6月28日", None),  # a half-year report, within its year
        ("第一季度工作总结", "2024年4月2日", None),
        ("上半年工作总结", "2023年12月20日", "error"),  # before its year: still wrong
        ("工作总结", "2024年3月5日", "warning"),  # a year's report, signed as it begins
        ("述职报告", "2024年3月5日", "warning"),
        ("防汛工作的通知", "2024年4月28日", None),  # a notice is dated when it is issued
        ("防汛工作的通知", "2023年12月28日", None),
        ("工作实施方案", "2024年3月5日", None),
    ],
)
def test_plans_and_reports_on_part_of_a_year_are_dated_as_they_are_written(
    tmp_path, kind, signed, flagged
):
    """`check` of a 2024 plan signed 2023年12月20日 said “dated before the year the report
    covers” (an error), and a 上半年 summary signed in June was warned of as last year's
    date: the signature-date rule is for a report on a whole year."""
    path = tmp_path / "report.txt"
    path.write_text(_PLAN.format(year=2024, kind=kind, signed=signed), encoding="utf-8")
    done = run_cli("check", path, "--format", "json")
    found = [f for f in json.loads(done.stdout)["findings"] if f["code"] == "facts.signature-date"]
    assert [f["severity"] for f in found] == ([flagged] if flagged else []), done.stdout


def test_a_plans_section_headed_without_a_year_is_still_the_plans(cli, tmp_path):
    """A type whose plans heading is “下一步工作打算” (no “{{ report_year + 1 }}”): the next
    year its template writes was “not in the facts” on every correct offline draft, and a
    wrong year there went unreported."""
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "prompts/annual-work-summary", tmp_path / "prompts/annual-work-summary")
    (tmp_path / "schemas").mkdir()
    spec = tmp_path / "schemas/annual-work-summary.yaml"
    text = (REPO / "schemas/annual-work-summary.yaml").read_text(encoding="utf-8")
    heading = '    heading: "{{ report_year + 1 }}年工作打算"\n'
    assert heading in text and " 下一步工作打算," in text
    spec.write_text(
        text.replace(heading, "    heading: 下一步工作打算\n").replace(" 下一步工作打算,", ""),
        encoding="utf-8",
    )
    out = tmp_path / "draft.md"
    facts = EXAMPLES / "annual-work-summary.yaml"
    done = cli("run", facts, "--spec-dir", tmp_path, "-o", out)
    assert done.returncode == 0, done.stderr
    draft = out.read_text(encoding="utf-8")
    assert "下一步工作打算" in draft and "2024年，我们将" in draft
    assert "facts." not in done.stderr
    out.write_text(draft.replace("2024年，我们将", "2025年，我们将"), encoding="utf-8")
    checked = cli(
        "check", out, "--spec-dir", tmp_path, "--doctype", "annual-work-summary", "--facts", facts
    )
    assert checked.returncode == 1
    assert "facts.plans-year [error] the plans are for 2024, not 2025" in checked.stdout


def test_a_plan_is_for_the_year_its_title_names():
    plan = "县财政局2024年工作计划\n一、总体要求\n正文。\n二、2024年重点工作安排\n2024年，我局将抓好以下工作。"
    assert [f for f in check_text(plan).findings if f.family == "facts"] == []
    wrong = plan.replace("二、2024年", "二、2023年")
    assert [
        (f.code, f.excerpt, f.line, f.column)
        for f in check_text(wrong).findings
        if f.family == "facts"
    ] == [("facts.plans-year", "2023年", 4, 3)]


MYTYPES = EXAMPLES.parent / "tests" / "data" / "mytypes"
"""Two document types written from the README alone: a 述职报告 and a 工作计划."""


def test_a_plan_types_own_plans_section_is_for_the_plans_year(cli, tmp_path):
    """A 工作计划 type whose section is headed “{{ plan_year }}年重点工作安排”: its correct
    offline draft failed with “the plans are for 2025, not 2024” (as a summary's plans
    section is for the following year), and a wrong year there went unreported."""
    import shutil

    shutil.copytree(MYTYPES / "prompts", tmp_path / "prompts")
    (tmp_path / "schemas").mkdir()
    spec = (MYTYPES / "schemas/unit-work-plan.yaml").read_text(encoding="utf-8")
    heading = "    heading: 主要措施\n    aliases: [重点工作, 工作措施]\n    facts: [measures]\n"
    assert heading in spec
    spec = spec.replace(
        heading, '    heading: "{{ plan_year }}年重点工作安排"\n    facts: [plan_year, measures]\n'
    )
    (tmp_path / "schemas/unit-work-plan.yaml").write_text(spec, encoding="utf-8")
    template = tmp_path / "prompts/unit-work-plan/measures.j2"
    body = template.read_text(encoding="utf-8")
    template.write_text(body.replace("{% for", "{{ plan_year }}年，重点抓好以下工作：{% for", 1))
    facts = tmp_path / "plan.yaml"
    facts.write_text(
        (MYTYPES / "facts/unit-work-plan.yaml")
        .read_text(encoding="utf-8")
        .replace("doctype: ../schemas/", "doctype: schemas/"),
        encoding="utf-8",
    )
    out = tmp_path / "plan.txt"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "三、2024年重点工作安排" in out.read_text(encoding="utf-8")
    assert "facts." not in done.stderr
    out.write_text(out.read_text(encoding="utf-8").replace("2024年，重点", "2025年，重点"))
    checked = cli("check", out, "--doctype", tmp_path / "schemas/unit-work-plan.yaml")
    assert "facts.plans-year [error] the plans are for 2024, not 2025" in checked.stdout


def test_a_plan_types_signature_before_its_year_is_right_whatever_the_title(cli, tmp_path):
    """A plan for 2024 signed 2023年12月20日 is right; checked with its type, it was “dated
    before the year the report covers” (an error) as soon as its title lost 工作计划."""
    draft = cli("run", MYTYPES / "facts/unit-work-plan.yaml", "--format", "txt").stdout
    assert draft.startswith("青山县自然资源局2024年工作计划\n") and "2023年12月20日" in draft
    path = tmp_path / "plan.txt"
    path.write_text(draft.replace("2024年工作计划\n", "2024年工作\n", 1), encoding="utf-8")
    done = cli(
        "check", path, "--doctype", MYTYPES / "schemas/unit-work-plan.yaml", "--format", "json"
    )
    codes = [f["code"] for f in json.loads(done.stdout)["findings"] if f["severity"] == "error"]
    assert codes == ["structure.title"], done.stdout


def test_a_summary_with_next_years_plan_in_its_title_is_not_a_plan():
    """县财政局2023年工作总结和2024年工作计划: its plans are for 2024, not 2023."""
    text = (
        "县财政局2023年工作总结和2024年工作计划\n一、2023年工作总结\n正文。\n"
        "二、2024年工作计划\n2024年，我局将抓好以下工作。"
    )
    assert [f for f in check_text(text).findings if f.family == "facts"] == []


@pytest.mark.parametrize("joined", ["和", "及", "暨"])
def test_a_report_and_plan_title_plans_the_following_year(tmp_path, joined):
    """`check` of “镇人民政府2023年工作总结和2024年工作思路” took the title for a plan for
    2023 and reported its correct plans heading “三、2024年工作思路” as the wrong year."""
    text = (
        f"镇人民政府2023年工作总结{joined}2024年工作思路\n\n一、2023年工作回顾\n\n"
        "全年新建农村公路23公里。\n\n二、2024年工作思路\n\n2024年，我镇将推进乡村振兴。\n\n"
        "镇人民政府\n2023年12月28日\n"
    )
    path = tmp_path / "summary.txt"
    path.write_text(text, encoding="utf-8")
    done = run_cli("check", path, "--format", "json")
    assert json.loads(done.stdout)["findings"] == [], done.stdout
    path.write_text(text.replace("二、2024年", "二、2023年"), encoding="utf-8")
    done = run_cli("check", path, "--format", "json")
    found = [(f["code"], f["excerpt"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [("facts.plans-year", "2023年")], done.stdout


@pytest.mark.parametrize(
    ("title", "opening", "flagged"),
    [
        ("县第二中学2023年度工作总结", "2022年，我校坚持立德树人。", ["2022年"]),  # last year's
        ("县第二中学2023年度工作总结", "2023年，我校坚持立德树人。", []),
        ("县第二中学2023年度工作总结", "2022年以来，我校坚持立德树人。", []),  # since 2022
        ("县第二中学2023年上半年工作总结", "2023年上半年，我校坚持立德树人。", []),
        ("县第二中学2024年工作计划", "2023年，我校坚持立德树人。", []),  # a plan looks back
        ("关于做好2024年度防汛工作的通知", "2023年，我县发生洪涝灾害。", []),
    ],
)
def test_the_opening_of_a_report_begins_with_its_year(tmp_path, title, opening, flagged):
    """A 2023 summary whose opening still read “2022年，我校坚持…” (last year's report with
    only the title changed) passed `draft check` without facts."""
    path = tmp_path / "report.txt"
    path.write_text(f"{title}\n\n{opening}\n\n一、主要工作\n\n内容。\n", encoding="utf-8")
    done = run_cli("check", path, "--format", "json")
    found = json.loads(done.stdout)["findings"]
    assert [f["excerpt"] for f in found if f["code"] == "facts.report-year"] == flagged
    assert done.returncode == (1 if flagged else 0), done.stdout


@pytest.mark.parametrize(
    ("plans", "flagged"),
    [
        ("三、2023年下半年工作打算\n\n2023年下半年，我局将重点抓好以下工作。", []),
        ("三、2024年工作打算\n\n2024年，我局将重点抓好以下工作。", []),
        ("三、2022年下半年工作打算\n\n2022年下半年，我局将重点抓好以下工作。", ["2022年"]),
    ],
)
def test_a_half_year_report_plans_the_rest_of_its_year(tmp_path, plans, flagged):
    """`check` of 县商务局2023年上半年工作总结及下半年工作打算 said “the plans are for
    2024, not 2023” on its correct heading “三、2023年下半年工作打算”."""
    text = (
        "县商务局2023年上半年工作总结及下半年工作打算\n\n2023年上半年，县商务局稳步推进各项工作。"
        f"\n\n一、上半年工作完成情况\n\n举办促消费活动12场。\n\n{plans}\n\n"
        "县商务局\n2023年7月10日\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    done = run_cli("check", path, "--format", "json")
    found = json.loads(done.stdout)["findings"]
    assert [f["excerpt"] for f in found if f["code"] == "facts.plans-year"] == flagged


def test_must_mention(school, draft):
    spec, facts = school
    dropped = draft.replace("全年学校共开展中心组学习12次，其中专题理论学习8次。", "", 1)
    found = [
        f
        for f in check_text(dropped, spec=spec, facts=facts).findings
        if f.code == "facts.must-mention"
    ]
    assert len(found) == 2 and all(f.section == "theory_study" for f in found)
    assert "中心组学习次数" in found[0].message and "“12”" in found[0].message
    # a finding about a whole section points at its heading line, not into the next line
    assert {f.excerpt for f in found} == {"二、强化理论学习，提高党员政治理论水平"}


def test_a_missing_fact_is_mentioned_by_its_marker():
    spec, facts = load_facts(EXAMPLES / "school-ideology-summary-incomplete.yaml")
    body = "一是学习。二是制度。三是作风。全年开展中心组学习【待补充：中心组学习次数】次，其中理论学习【待补充：中心组理论学习次数】次。"
    found = check_section(body, section=spec.section("theory_study"), spec=spec, facts=facts)
    assert not [f for f in found if f.code == "facts.must-mention"]
    found = check_section(body[:15], section=spec.section("theory_study"), spec=spec, facts=facts)
    assert len([f for f in found if f.code == "facts.must-mention"]) == 2


def test_unit_name_and_county(school, draft):
    spec, facts = school
    other_unit = draft.replace("青山县红星中学  \n2021年1月15日", "青山县绿水中学  \n2021年1月15日")
    assert facts_findings(other_unit, spec, facts) == [("facts.unit-name", "青山县绿水中学")]
    other_county = draft.replace("按照青山县教委", "按照绿水县教委", 1)
    assert facts_findings(other_county, spec, facts) == [("facts.county", "绿水县")]
    # 全县, 本县, 市、县委: not a county's name
    fine = draft.replace("占领舆论阵地。", "占领舆论阵地，在全县、本县和市、县委的指导下。", 1)
    assert facts_findings(fine, spec, facts) == []
    # a verb or preposition before the level word: 配合县政府 names no county “配合县”
    fine = draft.replace("占领舆论阵地。", "占领舆论阵地，积极配合县政府、协助县教委工作。", 1)
    assert facts_findings(fine, spec, facts) == []


def test_a_signature_whose_date_is_the_marker_is_still_the_signature(school, draft):
    """A draft without 成文日期 ends 单位 / 【待补充：成文日期】: the 落款, checked as one."""
    spec, facts = school
    undated = draft.replace(
        "青山县红星中学  \n2021年1月15日", "青山县绿水中学  \n【待补充：成文日期】"
    )
    assert facts_findings(undated, spec, facts) == [("facts.unit-name", "青山县绿水中学")]


def test_without_facts_numbers_are_not_checked(draft):
    assert not [
        f for f in check_text(draft.replace("12次", "99次")).findings if f.family == "facts"
    ]


def test_draft_facts_round_trip(school):
    """Facts as a draft JSON carries them (ISO dates as text) back the same numbers."""
    spec, facts = school
    again = validate_facts(facts.to_json() | {"doctype": spec.id}, spec)
    body = "落款日期为2021年1月15日。"
    found = check_section(body, section=spec.section("opening"), spec=spec, facts=again)
    assert not [f for f in found if f.code == "facts.unsupported-number"]


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("于三月六日召开", [(0, 3, 6)]),
        ("十二月三十一日前", [(0, 12, 31)]),
        ("三月廿三日，四月卅日", [(0, 3, 23), (0, 4, 30)]),
        ("三月六日至七日", [(0, 3, 6), (0, 3, 7)]),
        ("二〇二五年三月六日至七日", [(2025, 3, 6), (2025, 3, 7)]),
        ("十月革命，三月份，三个月，十三月一日，三月三十二日", []),
    ],
)
def test_a_date_without_a_year_in_chinese_numerals_is_one_date(text, dates):
    assert [t.date for t in find_numbers(text) if t.date] == dates


def test_a_date_in_chinese_numerals_is_held_to_the_facts_dates(school):
    spec, facts = school
    opening = spec.section("opening")

    def unsupported(body: str) -> list[str]:
        found = check_section(body, section=opening, spec=spec, facts=facts)
        return [f.message for f in found if f.code == "facts.unsupported-number"]

    assert unsupported("学校于一月十五日召开总结会。") == []  # report_date: 2021-01-15
    assert unsupported("学校于一月十六日召开总结会。") == [
        "the date “一月十六日” is not in the facts"
    ]


def test_number_extraction():
    tokens = find_numbers(
        "共开展15次，占95%，2020年，3,000人，2.5万元，二〇二〇年，七十周年，一是，一次，十九大"
    )
    assert [(t.value, t.kind) for t in tokens] == [
        (15, "arabic"),
        (95, "percent"),
        (2020, "year"),
        (3000, "arabic"),
        (2.5, "arabic"),
        (2020, "year"),
        (70, "cn"),
        (19, "ordinal"),
    ]


@pytest.mark.parametrize(
    "run",
    ["一亿" * 40, "二" * 5000, "〇" * 4400],
    ids=["past a float", "past int digits", "a run of 〇"],
)
def test_an_endless_chinese_numeral_is_no_number_and_no_traceback(tmp_path, run):
    """`draft check --facts` on a text with a long run of numeral characters (pasted twice
    over, or a row of 〇 as a blank) stopped with a traceback: 一亿 forty times is more than
    a float holds, 4,300 digits more than Python converts, and the value took time quadratic
    in the run's length. Such a run is no number."""
    text = tmp_path / "总结.txt"
    text.write_text(f"学校全年共开展中心组学习{run}次。\n", encoding="utf-8")
    done = run_cli("check", text, "--facts", EXAMPLES / "school-ideology-summary.yaml")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "总结.txt:1:" in done.stdout


def test_a_number_filled_over_a_marker_names_the_fact_left_empty(tmp_path):
    """A clerk who fills 【待补充：内设机构数】 in the Markdown, as the marker's hint says, was
    told only “the number 9个 is not in the facts … write 【待补充：名称】” — put the marker
    back. The finding now names the fact the facts file leaves empty, and its id to give."""
    example = (EXAMPLES / "annual-work-summary.yaml").read_text(encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        example.replace("departments: 9\n", "").replace("report_date: 2024-01-10\n", ""),
        encoding="utf-8",
    )
    draft = tmp_path / "总结.md"
    assert run_cli("run", facts, "-o", draft).returncode == 0
    text = draft.read_text(encoding="utf-8")
    filled = (
        text.replace("【待补充：内设机构数】", "9")
        .replace("【待补充：成文日期】", "2024年1月10日")
        .replace("办理不动产登记业务15600件", "办理不动产登记业务15700件")
    )
    assert filled.count("【待补充") == 0
    draft.write_text(filled, encoding="utf-8")

    done = run_cli("check", draft, "--facts", facts, "--format", "json")
    assert done.returncode == 1, done.stderr
    found = {
        f["excerpt"]: (f["message"], f["hint"])
        for f in json.loads(done.stdout)["findings"]
        if f["code"] == "facts.unsupported-number"
    }
    assert set(found) == {"9个", "2024年1月10日", "15700件"}
    message, hint = found["9个"]
    assert "内设机构数" in message and "departments" in hint
    message, hint = found["2024年1月10日"]
    assert "成文日期" in message and "report_date" in hint
    # a count no empty fact could be (件: no fact of that unit is missing) is told as before
    message, hint = found["15700件"]
    assert "left empty" not in message and "【待补充：学习次数】" in hint


INVENTED_NAMES = [
    # (a) an honour, (b) a document, (c) a person by post
    ("学校荣获“省级文明单位”称号。", "荣获“省级文明单位”称号", "“省级文明单位”"),
    ("学校被评为市级先进基层党组织。", "评为市级先进基层党组织", "“市级先进基层党组织”"),
    (
        "认真学习《关于加强新时代意识形态工作的实施意见》。",
        "《关于加强新时代意识形态工作的实施意见》",
        "《关于加强新时代意识形态工作的实施意见》",
    ),
    ("在张建国局长的带领下，学校扎实推进各项工作。", "张建国局长", "“张建国”"),
    ("由李明同志牵头，制定学习计划。", "李明同志", "“李明”"),
]


def _check_json(path, facts) -> tuple[int, list[dict]]:
    done = run_cli("check", path, "--facts", facts, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


@pytest.mark.parametrize(("sentence", "excerpt", "quoted"), INVENTED_NAMES)
def test_an_invented_name_is_an_error(tmp_path, draft, sentence, excerpt, quoted):
    """A name no fact gives — an honour, a document, a person by post — is reported, like an
    invented number: a clerk would sign a report claiming an honour the unit never had."""
    anchor = "抓宣传思想工作，理论武装是关键。"
    assert anchor in draft
    path = tmp_path / "draft.md"
    path.write_text(draft.replace(anchor, anchor + sentence, 1), encoding="utf-8")
    code, findings = _check_json(path, EXAMPLES / "school-ideology-summary.yaml")
    names = [f for f in findings if f["code"] == "facts.unsupported-name"]
    assert code == 1
    assert [(f["excerpt"], f["severity"]) for f in names] == [(excerpt, "error")]
    assert quoted in names[0]["message"] and "not in the facts" in names[0]["message"]
    assert "add it to the facts file" in names[0]["hint"]


def test_names_the_facts_or_the_type_give_are_no_finding(tmp_path, cli):
    """An honour, a person and a document the facts name, a document the school's own text
    names, and a leader in the lexicon's set phrases: none is an invention."""
    facts = tmp_path / "facts.yaml"
    source = (EXAMPLES / "annual-work-summary.yaml").read_text(encoding="utf-8")
    source = source.replace(
        "耕地保有量稳定在上级下达目标以上",
        "耕地保有量稳定在上级下达目标以上，被评为“全省自然资源系统先进集体”；"
        "由局长张建国同志牵头学习《自然资源部关于加强耕地保护的意见》",
    )
    facts.write_text(source, encoding="utf-8")
    out = tmp_path / "draft.md"
    done = cli("run", facts, "-o", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    anchor = "全年新增补充耕地1200亩"
    assert anchor in text
    added = (
        "在张建国局长的带领下，我局荣获“全省自然资源系统先进集体”称号。"
        "认真学习《自然资源部关于加强耕地保护的意见》，"
        "坚持以习近平同志为核心的党中央的领导。"
    )
    out.write_text(text.replace(anchor, added + anchor, 1), encoding="utf-8")
    code, findings = _check_json(out, facts)
    assert [f for f in findings if f["code"] == "facts.unsupported-name"] == []
    assert code == 0, findings
    # the same text against the example's own facts, which lack the names, is faulted
    _, plain = _check_json(out, EXAMPLES / "annual-work-summary.yaml")
    assert {f["excerpt"] for f in plain if f["code"] == "facts.unsupported-name"} >= {
        "张建国局长",
        "荣获“全省自然资源系统先进集体”称号",
        "《自然资源部关于加强耕地保护的意见》",
    }


def _names_flagged(tmp_path, draft: str, added: str, facts=None) -> tuple[int, list[str]]:
    """The exit code and the `facts.unsupported-name` excerpts of `draft check --facts` on the
    school's draft with `added` after its first sentence on theory."""
    anchor = "抓宣传思想工作，理论武装是关键。"
    assert anchor in draft
    path = tmp_path / "draft.md"
    path.write_text(draft.replace(anchor, anchor + added, 1), encoding="utf-8")
    code, findings = _check_json(path, facts or EXAMPLES / "school-ideology-summary.yaml")
    return code, [f["excerpt"] for f in findings if f["code"] == "facts.unsupported-name"]


@pytest.mark.parametrize(
    ("sentence", "excerpt"),
    [
        ("学习计划由副校长王建国负责制定。", "副校长王建国"),
        ("在局长张建国的带领下，学校扎实推进各项工作。", "局长张建国"),
        ("党支部书记李红同志带头讲党课。", "李红同志"),
        ("副校长欧阳娜娜主持召开专题会议。", "副校长欧阳娜娜"),
        ("校长王伟在会上强调，要守好意识形态阵地。", "校长王伟"),
        ("会议由党支部副书记陈静主持。", "副书记陈静"),
    ],
)
def test_a_person_named_after_the_post_is_held_to_the_facts(tmp_path, draft, sentence, excerpt):
    """A model writes the post first as often as last (由副校长王建国负责): a name no fact
    gives is an invention either way, and the finding points at the post and the name."""
    code, flagged = _names_flagged(tmp_path, draft, sentence)
    assert (code, flagged) == (1, [excerpt])


def test_a_post_before_a_word_names_no_one(tmp_path, draft):
    """A post followed by a word — a meeting, a post of its own, an organ, a verb, or 全县 +
    长江 — is no name, though the word may begin with a character that is a surname."""
    added = (
        "学校召开校长办公会研究部署，书记员负责记录，主任科员参加培训。召开局长办公会议，"
        "组长单位牵头落实，党委委员会定期研究。主任医师进校开展讲座，副校长分管德育工作。"
        "成立由校长任组长的领导小组，书记于会上讲话，局长应邀出席，书记曾多次强调。"
        "以党总支书记、校长为组长，书记严把关，全县长江沿岸学校共同参与，听取校长陈述。"
    )
    assert _names_flagged(tmp_path, draft, added)[1] == []


def test_a_person_named_after_the_post_that_the_facts_name_is_no_finding(tmp_path, draft):
    """The same post and name are backed once a fact's text names the person."""
    facts = tmp_path / "facts.yaml"
    source = (EXAMPLES / "school-ideology-summary.yaml").read_text(encoding="utf-8")
    assert "detail: 要求宣传思想工作者" in source
    facts.write_text(
        source.replace(
            "detail: 要求宣传思想工作者", "detail: 由副校长王建国负责，要求宣传思想工作者"
        ),
        encoding="utf-8",
    )
    added = "学习计划由副校长王建国负责制定。"
    assert _names_flagged(tmp_path, draft, added)[1] == ["副校长王建国"]
    assert _names_flagged(tmp_path, draft, added, facts)[1] == []


def test_leaders_named_in_set_phrases_are_no_claimed_names(tmp_path, draft):
    """The Party's leaders as its set phrases name them are in no unit's facts and need none:
    neither an unsupported name nor a broken set phrase, with the facts or without."""
    added = (
        "坚持以马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、"
        "习近平新时代中国特色社会主义思想为指导，学习贯彻习近平总书记重要讲话精神。"
        "以毛泽东同志为主要代表的中国共产党人，以邓小平同志为主要代表的中国共产党人，"
        "以江泽民同志为主要代表的中国共产党人，以胡锦涛同志为主要代表的中国共产党人，"
        "团结带领人民不懈奋斗。毛泽东同志指出，邓小平同志强调，习近平总书记指出，"
        "国家主席习近平强调，要牢牢掌握意识形态工作领导权。"
    )
    code, flagged = _names_flagged(tmp_path, draft, added)
    assert (code, flagged) == (0, [])
    done = run_cli("check", tmp_path / "draft.md")  # set phrases checked without facts too
    assert done.returncode == 0, done.stdout
