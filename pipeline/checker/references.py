"""Numbers that name rather than count: 文号, articles, pages, telephones, post codes, times.

A report cites 青办发〔2023〕12号, 《土地管理法》第十二条, 第2页, a hotline 0791-86751234 and
a time 14:30; none of these states a fact about the unit, so the facts rule does not ask the
facts to back them. A count (12次), an amount (1200万元) or a percentage (98％) is still one.
"""

from __future__ import annotations

import re

_REFERENCES = re.compile(
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
    # a post code
    r"|(?:邮编|邮政编码)[：:]?[ \t]*\d{6}(?!\d)"
    # a time of day: 14:30, 上午9：00 (not a ratio, 1:10)
    r"|(?<![\d.:：])(?:[01]\d|2[0-3]|(?<=[午晚早晨上下])\d)[:：][0-5]\d(?![\d:：])"
    # an identifier: a 身份证 or 统一社会信用代码-like run of 15 or more digits
    r"|(?<![\d.])\d{15,}[\dXx]?(?![\d.])"
)


def reference_spans(text: str) -> list[tuple[int, int]]:
    """The spans of `text` whose numbers name a document, an article, a page, a telephone, a
    post code, a time of day or an identifier."""
    return [m.span() for m in _REFERENCES.finditer(text)]
