"""Numbers that name rather than count: 文号, articles, pages, telephones, post codes, house
numbers, attachments and the ordinals of local and national meetings.

A report cites 青办发〔2023〕12号, 《土地管理法》第十二条, 第2页, a hotline 0791-86751234 or
110, a standard GB/T 9704-2012, a programme's period 三年行动（2023—2025年）, a decree
国务院令第743号, a census 第七次全国人口普查, a framework “1+N” and a meeting 市第十三次党代会
or 县十七届人大三次会议; none of these states a fact about the unit, so the facts rule does
not ask the facts to back them. A count (12次), an amount (1200万元) or a percentage (98％) is
still one, and so is a time of day (14:30), which a notice gives as a fact (`checker.times`).
The Party's own congress
(党的第二十次全国代表大会, 党的二十大) is not a name here: the lexicon's calendar checks it.
"""

from __future__ import annotations

from pipeline.lazy_re import lazy_pattern

_N = r"[\d一二三四五六七八九十百零〇]+"
_ORGAN = (
    r"(?:全国|省|市|县|区|州|盟|旗)?"
    r"(?:人民代表大会|人大|人民政治协商会议|政协|全国委员会|委员会|党委|纪委|委)?"
    r"(?:常务委员会|常委会)?"
)
"""What stands between a 届 and its session: 全国人大, 人大常委会, 全国委员会, 委…"""

_FIRST = r"(?=[〔［\[【（(》法条规办章细准决令第\d一二三四五六七八九十百零〇电热手传联邮GJCHDI])"
"""What every reference begins with: a check that fails fast at most characters of a text."""

_REFERENCES = (
    _FIRST + r"(?:"
    # 发文字号: 青教发〔2023〕12号, 中发〔2021〕7号, [2024]3号 (the year and the number)
    r"[〔［\[【（(][ \t]*\d{4}[ \t]*[〕］\]】）)][ \t]*第?[ \t]*\d{1,4}[ \t]*号"
    # an article of a law or regulation: 《…》第十二条, 条例第3条第二款, 第五条规定
    r"|(?:》|法|条例|规定|办法|章程|细则|准则|规则|决定)[ \t]*"
    r"第[ \t]*[\d一二三四五六七八九十百零〇]+[ \t]*[条章节]"
    r"(?:[ \t]*第[ \t]*[\d一二三四五六七八九十]+[ \t]*[款项])*"
    r"|第[ \t]*[\d一二三四五六七八九十百零〇]+[ \t]*条(?:[ \t]*第[ \t]*[\d一二三四五六七八九十]+"
    r"[ \t]*[款项])*(?=[ \t]*(?:第|之|的)?规定)"
    # a page: 第2页, 第3-5页
    r"|第[ \t]*\d+(?:[-—～~至]\d+)?[ \t]*页"
    # an edition: （2021年修订）, 2019年版
    r"|(?<!\d)\d{4}[ \t]*年[ \t]*(?:修订|修正|修改|版)"
    # a telephone: 0791-86751234, 13812345678, a labelled 86751234 (12345热线 is the lexicon's)
    r"|(?<![\d.])0\d{2,3}[-－—][ \t]*\d{7,8}(?:[-－—]\d{1,5})?(?![\d.])"
    r"|(?<![\d.])1[3-9]\d{9}(?![\d.])"
    r"|(?:电话|热线|手机|传真|联系方式)(?:号码)?(?:[：:为是]|[ \t]+)[ \t]*[\d\-－—()（） \t]{5,20}\d"
    # a national census or survey: 第七次全国人口普查, 第三次全国国土调查
    rf"|第[ \t]*{_N}[ \t]*次[ \t]*全国[\u4e00-\u9fff]{{0,6}}?(?:普查|调查)"
    # a decree: 国务院令第743号; a law's edition note after its title:
    # 《…条例》（2021年7月2日国务院令第743号修订）
    r"|令[ \t]*第[ \t]*\d+[ \t]*号"
    r"|(?<=》)[（(][^（）()\n]{0,60}?(?:修订|修正|公布|施行|通过)[ \t]*[）)]"
    # a policy framework: “1+N”政策体系, “1+3+N”工作机制, 1+X证书
    r"|(?<![\d.])\d+(?:[ \t]*[+＋][ \t]*\d+)*[ \t]*[+＋][ \t]*[NnXx](?![A-Za-z])"
    # an emergency or service line: 110、120、119联动, 拨打12345, 120急救 (not 120人次)
    r"|(?<![\d.])(?:110|119|120|122|12315|12345|12348|12369|12388)(?![\d.])"
    r"(?=[”\"]?(?:[、和及与]|热线|报警|急救|火警|指挥|联动|平台|专线|接处警|服务热线))"
    r"|(?<=拨打)(?:110|119|120|122|12315|12345|12348|12369|12388)(?![\d.])"
    # a standard: GB/T 9704-2012, GB 50016—2014, ISO 9001:2015, ISO/IEC 27001, DB33/T 2340-2021
    r"|(?<![A-Za-z])(?:GB(?:/[TZ])?|GBZ|JGJ|CJJ|HJ|DL/T|JT/T|DB[ \t]*\d{2}(?:/T)?|ISO(?:/IEC)?|IEC)"
    r"[ \t]*\d+(?:\.\d+)*(?:[ \t]*[-—－][ \t]*\d{2,4})?(?:[:：]\d{4})?"
    # a programme's period: 三年行动（2023—2025年）, 规划（2021—2035年）
    r"|(?<=[动划案要程略见标目])[（(][ \t]*\d{4}[ \t]*[—–\-－~～至][ \t]*\d{4}[ \t]*年?[ \t]*[）)]"
    # a post code
    r"|(?:邮编|邮政编码)[：:]?[ \t]*\d{6}(?!\d)"
    # a house number in an address: 人民路88号, 建设大道188-2号
    r"|(?<=[路街巷弄道])[ \t]*\d{1,5}(?:[-－—]\d{1,4})?[ \t]*号"
    # a session of a people's congress, a CPPCC or a committee: 十四届全国人大二次会议,
    # 县十七届人大三次会议, 政协第十四届全国委员会第二次会议, 市委十三届七次全会
    rf"|第?[ \t]*{_N}[ \t]*届[ \t]*{_ORGAN}[ \t]*第?[ \t]*{_N}[ \t]*次[ \t]*"
    r"(?:全体会议|会议|全会)"
    # a term of one: 十四届全国人大, 第十四届全国人民代表大会代表, 县第十七届人大
    rf"|第?[ \t]*{_N}[ \t]*届[ \t]*(?:全国|省|市|县|区|州)?[ \t]*"
    r"(?:人民代表大会|人大|人民政治协商会议|政协|全国委员会)"
    # a local Party congress: 省第十二次党代会, 第五次党员代表大会, 共青团第十九次全国代表大会
    # (not the Party's own: 党的第二十次全国代表大会, which the calendar checks)
    rf"|(?<!党的)(?<!共产党)第[ \t]*{_N}[ \t]*次[ \t]*(?:全国|全省|全市|全县|全区)?[ \t]*"
    r"(?:党代会|党员代表大会|代表大会|团代会|妇代会)"
    # an e-mail address: qsxyjj@163.com, zhangsan2023@qq.com
    # (from its first digit: what comes before it holds no number)
    r"|\d[A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
    r"|(?<=@)\d[A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)+"
    # an identifier: a 身份证 or 统一社会信用代码-like run of 15 or more digits
    r"|(?<![\d.])\d{15,}[\dXx]?(?![\d.])"
    r")"
)


_references = lazy_pattern(_REFERENCES)
"""The pattern, compiled the first time a text's numbers are checked against facts
(10 ms: `draft check` without `--facts` never pays for it)."""
_attachment_head = lazy_pattern(r"附件[ \t\u3000]*(?:[：:][ \t\u3000]*)?(\d{1,2})(?!\d)")
"""The number after 附件： (or of 附件2)."""
_attachment_item = lazy_pattern(r"[ \t\u3000]*(\d{1,2})[.．、]")
"""An attachment item's number at a line's start."""
_glued_year = lazy_pattern(r"[.．]\d{4}年")
"""A name starting with a year right after its item's number, 1.2025年…汇总表 (GB/T 9704 sets
no blank there), which reads as the decimal 1.2025: the year is the name's, not a fact."""


def _item_number(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """An attachment's number, with the year of its name when that is glued to it."""
    glued = _glued_year().match(text, span[1])
    return (span[0], glued.end()) if glued else span


def _next_line(text: str, pos: int) -> int:
    """The start of the first non-blank line after the one holding `pos` (0 when none): a
    Markdown file sets a blank line between the items of an attachment note."""
    line = text.find("\n", pos) + 1
    while line:
        end = text.find("\n", line)
        if text[line : end if end != -1 else len(text)].strip():
            return line
        line = end + 1
    return 0


def _attachment_numbers(text: str) -> list[tuple[int, int]]:
    """The numbers of attachments: 附件：1. …, the items under it (　　　　　2. …) and 附件2."""
    out: list[tuple[int, int]] = []
    pos = text.find("附件")
    if pos == -1:
        return out
    head, item = _attachment_head(), _attachment_item()
    while pos != -1:
        m = head.match(text, pos)
        if m is not None:
            out.append(_item_number(text, m.span(1)))
            if text.startswith((".", "．", "、"), m.end()):
                line = _next_line(text, m.end())
                while line and (n := item.match(text, line)) is not None:
                    out.append(_item_number(text, n.span(1)))
                    line = _next_line(text, n.end())
        pos = text.find("附件", pos + 2)
    return out


def reference_spans(text: str) -> list[tuple[int, int]]:
    """The spans of `text` whose numbers name a document, an article, a page, a telephone, a
    standard, a programme's period, a meeting, a post code, a house number, an
    identifier or an attachment."""
    return [m.span() for m in _references().finditer(text)] + _attachment_numbers(text)
