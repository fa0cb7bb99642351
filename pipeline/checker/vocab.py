"""Word lists the gap and number rules share: measure words and units, and what needs a name.

These are facts of the language rather than of a document type, so they live in code; the
political set phrases, which change with the times, live in `schemas/lexicon/`.
"""

from __future__ import annotations

import re

from pipeline.lazy_re import lazy_pattern
from pipeline.type_words import POSTS

UNITS: tuple[str, ...] = (
    "周年", "人次", "场次", "课时", "学时", "小时", "分钟", "个月", "学年", "年级", "万元",
    "亿元", "平方米", "公里", "千米", "余人", "余次", "余项", "余场",
    "年", "月", "日", "天", "周", "次", "个", "人", "名", "位", "项", "场", "期", "篇", "件",
    "家", "所", "批", "届", "条", "份", "册", "本", "台", "套", "辆", "户", "间", "座", "处",
    "节", "岁", "支", "类", "种", "轮", "组", "亩", "米", "元", "万", "亿", "倍", "余", "多",
    "班", "堂", "门", "层", "栋", "起", "%", "％",
)  # fmt: skip
"""Measure words and units a number stands before (longest first where one contains another)."""
UNITS += (
    "週年", "場次", "課時", "學時", "小時", "分鐘", "個月", "學年", "年級", "萬元", "億元",
    "餘人", "餘次", "餘項", "餘場", "個", "項", "場", "屆", "條", "冊", "臺", "輛", "戶",
    "間", "處", "節", "歲", "類", "種", "輪", "組", "畝", "餘", "萬", "億", "門", "層",
)  # fmt: skip
"""The same in traditional characters (a report from Hong Kong, Macao or Taiwan)."""

MEASURE_WORDS = frozenset(
    """个 次 人 名 位 项 场 期 篇 件 家 所 批 届 条 份 册 本 台 套 辆 户 间 座 处 节 支 类 种
    轮 组 班 堂 门 层 栋 起 人次 场次 個 項 場 屆 條 冊 臺 輛 戶 間 處 節 類 種 輪 組 門 層""".split()  # noqa: SIM905
)
"""The units of `UNITS` that count things (个, 次, 项…), not time, money or measures."""

NOT_UNITS = frozenset(
    """人民 人员 人才 人生 人物 人们 人心 人事 人大 人均 人口 人文 人格 个人 个别 个性 个体
    名单 名称 名义 名誉 项目 场所 场地 场馆 期间 期末 期中 期待 期望 次要 次序 家长 家庭 家风
    家访 家园 家乡 所以 所有 所在 所属 所谓 位置 条件 条例 届时 年轻 年代
    天气 天然 元旦 多种 多样 多元 多方 多措 多次 多项 余下 组织 组长 组建 组成 批评 批准 批示
    支部 支持 支援 支撑 类别 类似 种植 种类 台阶 台账 套餐 户籍 间隔 座谈 处理 处置 处室 节约
    节日 节点 本站 本单位 本年 门口 门户 层面 层级 层次 周边 周密 周到 米饭 班子 班级 班主任
    堂课 月度 日常 日益 日趋 万一 倍加 期刊 名师 条款 批次 场景
    起来 起到 起草 起步 起点 起码 起诉 起源 起伏 起始 起因 起见 起飞 起床 起居 起身 起用
    人員 人們 個人 個別 個性 個體 名單 名稱 名義 名譽 項目 場所 場地 場館 家長 家風 家訪 家園
    家鄉 所屬 所謂 條件 條例 屆時 年輕 多種 多樣 多項 餘下 組織 組長 組建 組成 批評 支撐 類別
    類似 種植 種類 臺階 臺賬 戶籍 間隔 座談 處理 處置 處室 節約 節日 節點 本單位 門口 門戶 層面
    層級 層次 週邊 米飯 班級 堂課 日趨 萬一""".split()  # noqa: SIM905
)
"""Words that begin with a measure word but are not one (人民, 组织, 期间 …)."""

ADMIN_SUFFIXES = ("街道", "社区", "县", "市", "区", "镇", "乡", "村", "省", "州", "旗")
"""Suffixes of place names: a blank right before one is a missing place name."""

not_a_place_stem = lazy_pattern(
    r"[我你他们局委府厅办院校司]|^[各该其此这每]"
    r"|(?:[在于向对由与及从经将把被为到赴给报]|配合|落实|按照|根据|得到|服从|接受|围绕|协助|参加|报送|上报|抄送)$"
)
"""What no place name's stem (the words before 县/区/市) has: a pronoun, a determiner or an
office word (我局在县委 is 我局 + 在 + 县委), or a preposition or verb right before the level
word (配合县政府). 和 and 同 end real names (平和县, 大同市), so they are not in the list."""


NEEDS_NAME = (
    "关于", "同志", "总书记", "系列讲话", "系列重要讲话", "重要讲话", "重要指示", "重要论述",
)  # fmt: skip
"""Words a name must come before: a blank right before one is a missing name."""

NO_NAME_BEFORE = ("同志们",)
"""Words that begin with one of `NEEDS_NAME` but take no name (各位领导、同志们：)."""

SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛"
    "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农卓古吉缪简车项连麦褚娄窦戚岑景党宫费卜冷晏席"
    "卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝"
)
"""Common single-character surnames: a blank after one inside a two-character name pads it
to the width of three-character names (陈　静)."""

COMPOUND_SURNAMES = frozenset(
    """欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 司徒 夏侯 长孙 宇文 端木 南宫 独孤
    轩辕 呼延 钟离 闻人 万俟 澹台 公冶 太史 申屠 百里 东郭 西门 拓跋""".split()  # noqa: SIM905
)
"""Two-character surnames (欧阳　娜娜)."""

NOT_GIVEN = frozenset(
    """单位 高度 全面 及时 全体 全程 亲自 带头 牵头 任务 任期 成员 成效 成果 安全 方面 方案
    常务 同志 同时 向前 于是 应当 严格 文件 周密 周边 关于 关心 关注 管理 文化 安排 成立 成为
    常态 常规 方法 方式 方向 路线 车辆 金额 党建 党员 党总 项目 师生 林业 陈述 尚未""".split()  # noqa: SIM905
)
"""Words that begin with a surname and may follow a post, but are no name (组长单位,
支部书记党建工作: 党建 begins no name; 党总支书记, 听取校长陈述)."""


def a_person_name(word: str) -> bool:
    """Whether `word` reads as a person's name: a known surname (王, 欧阳) and one or two
    characters more, and not a word that merely begins with a surname (单位, 高度)."""
    for surname_len in (2, 1):
        surname, given = word[:surname_len], word[surname_len:]
        known = SURNAMES if surname_len == 1 else COMPOUND_SURNAMES
        if surname in known and 1 <= len(given) <= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", given):
            return word[:2] not in NOT_GIVEN and not re.search(rf"{POSTS}|组|员|们|人|者", given)
    return False


CONGRESS_AFTER = re.compile(r"大(?:精神|会议|报告|以来|代表|胜利|召开|的)|大$|大[，。、]")
"""What follows the ordinal in 党的十九大…: a blank before it is a missing ordinal."""

CN_NUMERAL_CHARS = frozenset("〇零一二三四五六七八九十百千万亿两几数")
"""Characters of a Chinese numeral (and 几/数, which stand for one)."""


_UNITS_BY_FIRST: dict[str, list[str]] = {}
for _unit in sorted(UNITS, key=len, reverse=True):
    _UNITS_BY_FIRST.setdefault(_unit[0], []).append(_unit)


def unit_at(text: str, pos: int) -> str | None:
    """The measure word or unit starting at `pos`, unless the word there is not one (人民)."""
    if pos >= len(text):
        return None
    for unit in _UNITS_BY_FIRST.get(text[pos], ()):
        if text.startswith(unit, pos):
            if text[pos : pos + 2] in NOT_UNITS or text[pos : pos + 3] in NOT_UNITS:
                return None
            return unit
    return None
