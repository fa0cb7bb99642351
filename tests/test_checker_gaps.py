"""Placeholder gaps, silent gaps and broken set phrases: positive and negative cases per rule."""

from __future__ import annotations

import re

import pytest

from pipeline.checker import apply_fixes, check_text


def found(text: str, *, include_info: bool = False) -> list[tuple[str, str]]:
    """(code, excerpt) of every finding but style notes."""
    return [
        (f.code, f.excerpt)
        for f in check_text(text).findings
        if (include_info or f.severity != "info") and not f.code.startswith("style.")
    ]


def codes(text: str) -> set[str]:
    return {code for code, _ in found(text)}


# ----------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("全年开展x次主题党日活动。", "x"),
        ("在xx的正确领导下，各项工作稳步推进。", "xx"),
        ("X街道各项工作稳步推进。", "X"),
        ("于20XX年完成。", "XX"),
        ("参加××单位组织的培训。", "××"),
        ("○○同志作了发言。", "○○"),
        ("填写□□□。", "□□□"),
        ("共参加□人。", "□"),
        ("以******关于意识形态工作的重要论述为指导。", "******"),
        ("共**次。", "**"),
        ("于20__年实施。", "__"),
        ("印发〔20__〕5号文件。", "__"),
        ("参加人数：＿＿人。", "＿＿"),
        ("学习（ ）精神。", "（ ）"),
        ("落实【】要求。", "【】"),
        ("阅读《》一书。", "《》"),
        ("开展“”活动。", "“”"),
        ('开展""活动。', '""'),
        ('推进"双减"，开展""活动。', '""'),
        ("学习[ ]精神。", "[ ]"),
        ("由某某同志负责。", "某某"),
        ("数据待核实。", "待核实"),
        ("人数待填写。", "待填写"),
        ("TODO 补充数据。", "TODO"),
        ("{{ school_name }}召开会议。", "{{ school_name }}"),
    ],
)
def test_explicit_placeholders_are_errors(text: str, excerpt: str):
    report = check_text(text)
    hits = [f for f in report.findings if f.code == "gap.placeholder"]
    assert [f.excerpt for f in hits] == [excerpt]
    assert hits[0].severity == "error"
    assert text[hits[0].start : hits[0].end] == excerpt


@pytest.mark.parametrize(
    "text",
    [
        "2020年拍摄X光片。",
        "纸张规格为210×297毫米。",
        "二〇〇八年建成教学楼。",
        "重点是**加强学习**，不断提高。",
        "- [ ] 完成任务",
        "* 要点一",
        "变量 snake_case_name 的值",
        "完成时间待定。",
        "学习《习近平谈治国理政》。",
        "Word 2019 and Excel",
        "三是人才引进留用机制有待完善。",
        "制度体系亟待完善，部分数据尚待核实。",
        '其中"80后""90后"干部占比41%。',
        "完成“1+X”证书制度试点，推行“5＋X”培养模式。",
        "是否完成隐患排查：□是　□否\n□同意 □不同意",  # the check boxes of a 回执
        "# 标题\n\n正文。\n\n***\n\n内容。\n\n___\n\n内容。",  # Markdown thematic breaks
    ],
)
def test_no_placeholder_where_there_is_none(text: str):
    assert "gap.placeholder" not in codes(text)


def test_marker_is_a_warning_and_nothing_else():
    text = "全年开展中心组学习【待补充：中心组学习次数】次。"
    report = check_text(text)
    assert [(f.code, f.severity) for f in report.findings] == [("gap.marker", "warning")]
    assert report.findings[0].excerpt == "【待补充：中心组学习次数】"
    assert report.ok


# ----------------------------------------------------------------------------- silent gaps


@pytest.mark.parametrize(
    ("text", "code", "excerpt"),
    [
        ("学校共开展中心组学习 次。", "gap.silent-number", "学习 次"),
        ("围绕建国 周年等重大活动。", "gap.silent-number", "建国 周年"),
        ("现将 年以来工作总结如下。", "gap.silent-number", "现将 年"),
        ("党员占全校教师的 %。", "gap.silent-number", "师的 %"),
        ("共发展党员 名。", "gap.silent-number", "党员 名"),
        ("学习党的 大精神。", "gap.silent-ordinal", "党的 大"),
        ("学习党的十 大精神。", "gap.silent-ordinal", "的十 大"),  # part of the ordinal cut
        ("学习党的 九大精神。", "gap.silent-ordinal", "党的 九大"),
        ("召开第 次党员大会。", "gap.silent-ordinal", "开第 次"),
        ("学习十九届 中全会精神。", "gap.silent-ordinal", "九届 中全会"),
        ("按照 县教委的通知。", "gap.silent-name", "按照 县"),
        ("《 县教育系统责任书》", "gap.silent-name", "《 县"),
        ("学习领会 关于意识形态工作的论述。", "gap.silent-name", "领会 关于"),
        ("党的十九大精神、 系列讲话。", "gap.silent-name", "神、 系列讲话"),
        ("会上， 同志作了动员讲话。", "gap.silent-name", "上， 同志"),
        ("教育是国之大计。 总书记强调，要坚持为党育人。", "gap.silent-name", "计。 总书记"),
        ("会议结束！ 同志作总结讲话。", "gap.silent-name", "束！ 同志"),
        ("全面凝聚起 、团结一心。", "gap.empty-item", "聚起 、"),
        ("加强组织、、制度建设。", "gap.empty-item", "、"),
        ("以习近平新时代中国特色社.主义思想为指导。", "gap.stray-mark", "."),
        ("坚持以人民为*中心。", "gap.stray-mark", "*"),
        # cut out with no blank left where a number must stand
        ("同比增长%，完成率100%。", "gap.silent-number", "增长%"),
        ("学习贯彻党的大精神。", "gap.silent-ordinal", "党的大"),
        ("围绕庆祝建党周年开展活动。", "gap.silent-number", "建党周年"),
        # a number or percentage cut before the punctuation after its lead
        ("完成投资4.2亿元，占年度计划的 。", "gap.silent-number", "占年度计划的 。"),
        ("完成投资4.2亿元，占年度计划的。", "gap.silent-number", "占年度计划的。"),
        ("完成投资4.2亿元占年度计划的；", "gap.silent-number", "占年度计划的；"),
        ("参保率达到。", "gap.silent-number", "参保率达到。"),
        ("中小企业合同金额占比达到 ，较上年提高。", "gap.silent-number", "金额占比达到 ，"),
        ("全年任务完成率为，", "gap.silent-number", "完成率为，"),
        # a rate cut after 同比增长 that opens a clause after its figure
        ("实现收入52.7亿元，同比增长 。", "gap.silent-number", "元，同比增长 。"),
        ("实现收入52.7亿元，同比下降。", "gap.silent-number", "元，同比下降。"),
        ("上半年共受理刑事案件 起，破获41起。", "gap.silent-number", "案件 起"),  # 起, of cases
        # a report in traditional characters
        ("舉辦大型活動 場。", "gap.silent-number", "活動 場"),
        ("新增會員 個，服務長者3000餘戶。", "gap.silent-number", "會員 個"),
        # a 通知's contact fields with the value cut out
        ("请于7月5日前报送县安委办，联系人：李强，电话：。", "gap.silent-number", "电话："),
        ("报送县安委办，联系人：，联系电话：0735-8812345。", "gap.silent-name", "联系人："),
    ],
)
def test_silent_gaps(text: str, code: str, excerpt: str):
    hits = [f for f in check_text(text).findings if f.code == code]
    assert [f.excerpt for f in hits] == [excerpt], found(text)
    assert hits[0].severity == "error"


@pytest.mark.parametrize(
    "text",
    [
        "学校 2020 年工作总结",  # blanks beside digits: extraction spacing
        "建立微信群、qq 群。",
        "纳入党建工作责任制, 纳入领导班子目标管理。",  # a blank after punctuation
        "共开展学习12次。",
        "党的十九大精神。",
        "学习党的十九 大精神。",  # whole: a stray blank inside
        "学习党的二 十大精神。",
        "按照青山县教委的通知。",
        "深化市场改革，人民群众满意。",
        "开展了多次活动。",
        "各位领导、 同志们：",  # the address of a speech: no name goes before 同志们
        "联系人：李强，联系电话：0735-8812345。",
        "本會 個人會員增加，組織 場所建設。",  # 個人, 場所: words, not measure words
        "坚持党的大政方针，增长十%，达到百分之十，建党100周年。",
        "填报单位：　　　　联系人：　　　　联系电话：",  # a form to fill in (回执)
        "完成投资4.2亿元，占年度计划的108%。占比达到78%，完成率为百分之百。",
        "对违规占地的，依法查处；对占道经营的，及时劝离。",  # 占 a verb, not a share
        "抢占宣传舆论的制高点，占领舆论阵地的，予以表扬。",
        "预期目标全部达到。各项指标完成率为：",
        "营业收入实现同比增长。各项指标同比增长，",  # no figure before: it grew, no more
        "一起研究，起到作用，起草文件。",
    ],
)
def test_no_silent_gap_where_nothing_is_missing(text: str):
    assert not [c for c in codes(text) if c.startswith("gap.") and c != "gap.suspect-space"]


@pytest.mark.parametrize(
    "text",
    [
        "# 市第一人民医院2025年工作要点\n\n正文。",  # the blank a Markdown mark needs
        "## 县委巡察反馈问题整改情况\n\n正文。",
        "- 门急诊人次增长5%。\n- 人员培训12次。",
        "* 门诊量达到48.6万人次。",
        "1. 门诊量达到48.6万人次。\n2. 次均费用下降3%。",
        "> 县委书记强调，要抓好落实。",
    ],
)
def test_the_blank_after_a_markdown_mark_is_no_gap(text: str):
    assert [f for f in check_text(text).findings if f.family in ("gap", "noise")] == []


def test_a_gap_in_a_markdown_list_item_is_still_found():
    report = check_text("# 标题\n\n- 总投资 亿元，年度计划投资4.3亿元。")
    assert [(f.code, f.excerpt, f.line, f.column) for f in report.findings] == [
        ("gap.silent-number", "投资 亿元", 3, 4)
    ]


def test_a_label_spaced_out_in_a_signature_block_is_no_gap():
    text = "正文。\n\n联 系 人：陈　静\n签 发 人：王　明\n　　述 职 人：张 华"
    assert [f for f in check_text(text).findings if f.severity != "info"] == []
    # a cut number right before the same measure word is still one
    assert found("共培训 人：其中党员12人。") == [("gap.silent-number", "培训 人")]


def test_a_blank_between_characters_is_only_suspected():
    hits = [f for f in check_text("坚持正面宣传为主，尊重舆论 宣传规律。").findings]
    assert [(f.code, f.severity) for f in hits] == [("gap.suspect-space", "info")]


def test_a_blank_after_a_sentence_end_is_joined_unless_a_name_was_cut():
    text = "会议结束。 关于下一步工作，要抓好落实。 总书记强调，要坚持为党育人。"
    report = check_text(text)
    assert [(f.code, f.line, f.column) for f in report.findings] == [
        ("noise.stray-space", 1, 6),
        ("gap.silent-name", 1, 19),
    ]
    assert apply_fixes(text, report.findings) == (
        "会议结束。关于下一步工作，要抓好落实。 总书记强调，要坚持为党育人。"
    )


def test_blanks_beside_digits_are_info_notes_the_fix_joins():
    report = check_text("学校 2020 年工作总结")
    assert {(f.code, f.severity, f.replacement) for f in report.findings} == {
        ("noise.stray-space", "info", "")
    }


# ----------------------------------------------------------------------------- set phrases


@pytest.mark.parametrize(
    ("text", "excerpt", "canonical"),
    [
        (
            "深入学习贯彻 新时代中国特色社会主义思想。",
            " 新时代中国特色社会主义思想",
            "习近平新时代中国特色社会主义思想",
        ),
        (
            "深入学习贯彻新时代中国特色社会主义思想。",
            "新时代中国特色社会主义思想",
            "习近平新时代中国特色社会主义思想",
        ),
        ("以习新时代中国特色社会主义思想为指导。", "习新时代", "习近平新时代中国特色社会主义思想"),
        ("全面凝聚起 、牢记使命的强大力量。", " 、牢记使命", "不忘初心、牢记使命"),
        ("要“两手两手硬”。", "两手两手硬", "两手抓、两手都要硬"),
        (
            "增强政治意识、大局意识、看齐意识。",
            "政治意识、大局意识、看齐意识",
            "政治意识、大局意识、核心意识、看齐意识",
        ),
        ("按照守土有责、守土尽责的要求。", "守土有责、守土尽责", "守土有责、守土负责、守土尽责"),
        ("坚持 同志为核心的党中央。", " 同志为核心的党中央", "以习近平同志为核心的党中央"),
        ("全体党员增强“个意识”。", "增强“个意识”", "四个意识"),  # the numeral cut out
        ("坚定“个自信”。", "坚定“个自信”", "四个自信"),
        ("做到“个维护”。", "做到“个维护”", "两个维护"),
        (
            "坚持学史明理、学史崇德、学史力行。",
            "学史明理、学史崇德、学史力行",
            "学史明理、学史增信、学史崇德、学史力行",
        ),
        (
            "按照学思想、强党性、建新功的总要求。",
            "学思想、强党性、建新功",
            "学思想、强党性、重实践、建新功",
        ),
        (
            "推动理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题。",
            "理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题",
            "理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题、清正廉洁作表率",
        ),
        ("坚持立德树人根本务。", "立德树人根本", "立德树人根本任务"),
        ("全面落实 根本任务。", "落实 根本任务", "立德树人根本任务"),  # 立德树人 cut out
        ("全面落实根本任务。", "落实根本任务", "立德树人根本任务"),
        (
            "争做有理想信念、有道德情操、有仁爱之心的好老师。",
            "有理想信念、有道德情操、有仁爱之心",
            "有理想信念、有道德情操、有扎实学识、有仁爱之心",
        ),
        ("坚持“共建 共享”的社会治理格局。", "“共建 共享”", "共建共治共享"),
        ("坚持全面从严管党 警。", "全面从严管党 警", "全面从严管党治警"),
        ("坚持以文塑旅、 彰文。", "以文塑旅、 彰文", "以文塑旅、以旅彰文"),
        # a wrap space inside the head left before the cut
        ("坚持预防 为主、 并重的方针。", "预防 为主、 并重", "预防为主、中西医并重"),
    ],
)
def test_broken_set_phrases(text: str, excerpt: str, canonical: str):
    hits = [f for f in check_text(text).findings if f.code == "gap.broken-phrase"]
    assert [f.excerpt for f in hits] == [excerpt]
    assert canonical in hits[0].message and canonical in hits[0].hint


@pytest.mark.parametrize(
    "text",
    [
        "坚持以习近平新时代中国特色社会主义思想为指导。",
        "坚持和发展新时代中国特色社会主义。",
        "不忘初心、牢记使命，砥砺前行。",
        "不忘初心，牢记使命。",
        "增强“四个意识”、坚定“四个自信”、做到“两个维护”。",
        "增强政治意识、大局意识、核心意识、看齐意识。",
        "坚持守土有责、守土负责、守土尽责。",
        "力戒形式主义、官僚主义。",  # two of the four winds, said in part on purpose
        "在理论武装上要两手抓、两手都要硬。",
        "牢牢掌握意识形态工作领导权和话语权。",
        "坚持学史明理、学史增信、学史崇德、学史力行。",
        "按照学思想、强党性、重实践、建新功的总要求。",
        "做有理想信念、有道德情操、有扎实学识、有仁爱之心的好老师。",
        "全面落实立德树人根本任务。",
        "坚持立德树人根本任务，聚焦立德树人根本任务，践行立德树人根本任务。",
        # a blank inside a whole form, where a later part of it could be read as a cut's tail
        "充分发挥党支部战斗堡垒 作用和党员先锋模范作用。",
        "弘扬劳模精神、劳动 精神、工匠精神。",
    ],
)
def test_complete_set_phrases_pass(text: str):
    assert "gap.broken-phrase" not in codes(text)


def test_one_finding_per_hole_the_most_specific():
    """A blank that is both a silent gap and a broken set phrase is reported once."""
    hits = [f for f in check_text("全面凝聚起 、牢记使命。").findings if f.family == "gap"]
    assert [f.code for f in hits] == ["gap.broken-phrase"]
    hits = [
        f for f in check_text("学习贯彻 新时代中国特色社会主义思想").findings if f.family == "gap"
    ]
    assert [f.code for f in hits] == ["gap.broken-phrase"]


def test_a_markers_label_is_no_silent_gap():
    """`draft run` of a type learned from the sample, with 建国周年数 left out, wrote
    建国【待补充：建国周年数】周年 and then reported the marker's own label as an error,
    “number missing before 周年” on 建国周年, and exited 1. The marker is the known gap."""
    report = check_text("围绕建国【待补充：建国周年数】周年等重大活动。")
    assert [(f.code, f.excerpt) for f in report.findings] == [
        ("gap.marker", "【待补充：建国周年数】")
    ]
    # the same words cut out in the text itself are still a gap
    report = check_text("【待补充：建国周年数】围绕建国周年等重大活动。")
    assert [f.excerpt for f in report.findings if f.code == "gap.silent-number"] == ["建国周年"]
    # a failed section's marker carries its reason, blanks and all: no stray blank to remove
    failed = "【待补充：强化理论学习（生成失败：500 模型服务内部错误）】\n学校 2020 年。"
    found = [(f.code, f.excerpt) for f in check_text(failed).findings if f.code != "gap.marker"]
    assert found == [("noise.stray-space", " "), ("noise.stray-space", " ")], found


@pytest.mark.parametrize(
    "text",
    [
        "根据青教发〔2020〕 号文件要求。",
        "根据青教发〔2020〕号文件要求。",
        "按照县政府[2020]号文件。",
    ],
)
def test_a_document_number_with_its_serial_cut_out_is_a_gap(text):
    """A 范文 citing 青教发〔2020〕 号 (the serial number cut out by the site) was reported at
    most as a note (a suspect blank, hidden by default), and not at all without the blank."""
    hits = [f for f in check_text(text).findings if f.family == "gap"]
    assert [(f.code, f.severity, f.excerpt[-1]) for f in hits] == [
        ("gap.silent-number", "error", "号")
    ]
    assert check_text(re.sub(r"([〕\]]) ?号", r"\g<1>12号", text)).findings == []


# ----------------------------------------------------------------------------- layout blanks


@pytest.mark.parametrize(
    "text",
    [
        "参会人员：张三丰、陈　静、王志强、欧阳　娜娜、张 伟。",
        "局党组成立领导小组，组长：陈　静，副组长：王　芳、李　强，成员由各股室负责人组成。",
        "正文。\n\n　　　　　　　　　　青山县教育局\n　　　　审核：陈　静\r\n",
        "县应急管理局：吴　天同志任组长。",
    ],
)
def test_a_padded_name_is_no_gap(text):
    """A two-character name padded to three characters' width is layout: not even a note, and
    --fix leaves it."""
    findings = check_text(text).findings
    assert found(text, include_info=True) == []
    assert apply_fixes(text, findings) == text


@pytest.mark.parametrize(
    "text",
    [
        "正文。\n\n　　　　拟稿人：王　芳　　审核：陈　静\r\n",
        "领导小组名单如下：\n　　姓名　　职务\n　　陈　静　局长\n　　王志强　副局长\n　　李　强　安全股股长\n",
        "主题词：教育　安全　检查　通知",
    ],
)
def test_a_table_a_wide_field_separator_and_a_word_list_are_no_gap(text):
    """Table columns, fields set apart by a wide blank and 主题词 are layout: not even a note."""
    findings = check_text(text).findings
    assert found(text, include_info=True) == []
    assert apply_fixes(text, findings) == text


def test_a_tab_table_and_an_aligned_date_are_not_joined_by_fix():
    """--fix joined a tab-separated table's cells (1红星中学12) and the blanks aligning an
    印发 date: they were read as extraction spacing beside digits."""
    text = (
        "抄送：县政府办公室。\n"
        "青山县教育局办公室　　　　　　　　　　2024年2月20日印发\n\n"
        "序号\t学校名称\t隐患数\t整改次数\n1\t红星中学\t12\t12\n2\t青山小学\t8\t7\n"
    )
    findings = check_text(text).findings
    assert found(text, include_info=True) == []
    assert apply_fixes(text, findings) == text


def test_a_blank_beside_a_name_like_word_in_running_text_is_still_suspected():
    """A name is read only between the marks that delimit one: a blank inside running text is
    still a note, and a wide blank before a measure word still a missing number."""
    assert found("对此，高 度重视安全工作。", include_info=True) == [
        ("gap.suspect-space", "，高 度")
    ]
    assert found("重点抓好 下工作：一是加强学习。", include_info=True) == [
        ("gap.suspect-space", "抓好 下")
    ]
    assert found("全年共开展中心组学习　　次。") == [("gap.silent-number", "学习　　次")]


# ------------------------------------------------------------- a marker filled in by hand


@pytest.mark.parametrize(
    ("text", "excerpt", "message", "hint"),
    [
        (
            "单位内设机构9】个，现有干部86人。",
            "】",
            "a stray “】” with no “【” before it: the rest of a marker",
            "delete the 】",
        ),
        (
            "单位内设机构【9】个，现有干部86人。",
            "【9】",
            "a value typed inside a marker's brackets: “9”",
            "delete 【 and 】 around 9, keeping the value alone",
        ),
        (
            "单位内设机构9个个，现有干部86人。",
            "个",
            "the measure word “个” is written twice: “9个个”",
            "delete one 个",
        ),
        (
            "全年开展专题学习12次次，覆盖全体党员。",
            "次",
            "the measure word “次” is written twice: “12次次”",
            "delete one 次",
        ),
        (
            "组织专题培训１２场场，参训300人。",
            "场",
            "the measure word “场” is written twice: “１２场场”",
            "delete one 场",
        ),
        (
            "单位内设机构九个个，现有干部86人。",
            "个",
            "the measure word “个” is written twice: “九个个”",
            "delete one 个",
        ),
        (
            "全年开展专题学习十二次次，覆盖全体党员。",
            "次",
            "the measure word “次” is written twice: “十二次次”",
            "delete one 次",
        ),
        (
            "完成两项项重点改革任务。",
            "项",
            "the measure word “项” is written twice: “两项项”",
            "delete one 项",
        ),
        (
            "组织专题培训一百零五人次人次。",
            "人次",
            "the measure word “人次” is written twice: “一百零五人次人次”",
            "delete one 人次",
        ),
    ],
)
def test_the_debris_of_a_marker_filled_in_by_hand_is_named(text, excerpt, message, hint):
    hits = [f for f in check_text(text).findings if f.code == "gap.marker-debris"]
    assert [(f.excerpt, f.message, f.hint, f.severity) for f in hits] == [
        (excerpt, message, hint, "error")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "【工作亮点】全年开展学习12次。",  # a bracketed label, not a value
        "单位内设机构【待补充：内设机构数】个，现有干部【待补充：人数】人。",
        "参照县政办发【2023】5号、【2023】第12号执行。【一】",  # a 文号's year
        "共有3个人项目获奖，5家家庭参与，3项项目完成，2名名师授课，修订3条条款。",
        "人人参与，个个争先，次次到位，年年如此。",  # doubled words with no number before
        "一个个鲜活案例，一次次走访，一项项举措。",  # 一个个: one after another
        "走进千家家户户，三个个体户、两家家长、十名名单、三所所有。",  # no doubled measure word
        "二〇二〇年年底，三天天气晴好，两两结对。",
        "2023年年度考核优秀，3天天气晴好，5月月底完成。",  # time units are no measure words
        "【会议】共5个【议题】。",
    ],
)
def test_no_marker_debris_where_there_is_none(text):
    assert "gap.marker-debris" not in codes(text), found(text)
