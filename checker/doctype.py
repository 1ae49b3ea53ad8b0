"""Tell a policy measure from a procurement / tender file by title and vocabulary."""
from __future__ import annotations

import re

from .document import Document

_PROCUREMENT_TITLE = re.compile(r"招标|采购|磋商|谈判|询价|投标|比选|遴选.*(?:公告|文件)|评标|中标|成交")
_POLICY_TITLE = re.compile(r"若干|措施|办法|意见|规定|细则|通知|方案|政策|决定|条例|规划|指引")
_PROCUREMENT_WORDS = re.compile(
    r"投标人|供应商|招标人|采购人|投标文件|响应文件|磋商文件|招标文件|采购文件|评标|评审|中标|成交|"
    r"评分|分值|报价|保证金|资格审查|采购代理|项目编号|采购预算|最高限价"
)
_POLICY_WORDS = re.compile(
    r"扶持|奖励|补贴|补助|支持|鼓励|政策|企业|产业|招商|引进|给予|申报|认定|本办法|本措施|本意见|财政"
)


def detect_doc_type(document: Document) -> str:
    """Return ``procurement`` or ``policy``; ties and empty documents count as policy."""
    head = " ".join(b.text for b in document.blocks[:5])
    title = document.title or head[:80]
    body = " ".join(b.text for b in document.blocks[:400])
    proc = len(_PROCUREMENT_WORDS.findall(body))
    pol = len(_POLICY_WORDS.findall(body))
    if _PROCUREMENT_TITLE.search(title):
        proc += 10 + proc // 2
    elif _POLICY_TITLE.search(title):
        pol += 10 + pol // 2
    return "procurement" if proc > pol else "policy"
