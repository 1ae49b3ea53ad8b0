"""Format-independent structure: paragraph index, article / item label and heading path.

Readers give blocks in reading order; ``annotate`` walks them once:

* ``article`` is the innermost label the block sits under, i.e. the most recent label seen at
  the start of a (non-table) block: 第五条, 一、, （三）, 1., 3.2, （1）, ①. A chapter-like
  heading (第X章 / 第X节 / 第X部分 / 第X编) starts afresh (no label until the next one).
  Table rows never set a label (their first cell is usually a row number) but inherit one.
* ``heading_path`` is the tuple of headings enclosing the block (not the block itself).
  Chapter-like headings have fixed ranks (编/部分 > 章 > 节); other heading styles are ranked by
  first appearance: a heading of a style already on the stack closes everything opened after it,
  a new style nests under the current one. Numeric levels (markdown '#', Word "Heading N") of
  the same family compare by number.
"""
from __future__ import annotations

import re

from checker.document import Block
from checker.ingest.base import RawBlock

CN = "一二三四五六七八九十百千零〇两"
_WS = r"[\s\u3000]*"

_FIXED = [  # (style, rank, regex)
    ("part", 0, re.compile(rf"^第{_WS}[{CN}\d]+{_WS}(?:部分|编|篇|卷)")),
    ("chapter", 1, re.compile(rf"^第{_WS}[{CN}\d]+{_WS}章")),
    ("section", 2, re.compile(rf"^第{_WS}[{CN}\d]+{_WS}节")),
    # an annex starts a new document inside the file: 附件1：资格审查表 / 附件二
    ("annex", 1.5, re.compile(rf"^附\s*件{_WS}[{CN}\d]*{_WS}(?:[：:]|$|[-—]|\s)")),
]
_ARTICLE = re.compile(rf"^第{_WS}([{CN}\d]+){_WS}条(?![款件例])")
_CN_ITEM = re.compile(rf"^([{CN}]{{1,4}}){_WS}[、．.](?!\d)")
_PAREN_CN = re.compile(rf"^[（(]{_WS}([{CN}]{{1,4}}){_WS}[）)]")
_PAREN_DEC = re.compile(rf"^[（(]{_WS}(\d{{1,3}}){_WS}[）)]")
_DEC_PAREN = re.compile(r"^(\d{1,3})[)）]")
_MULTI = re.compile(r"^(\d{1,2}(?:[.．]\d{1,3}){1,4})[.．、]?")
_DEC = re.compile(r"^(\d{1,3})[.．、](?![\d.．])")
_CIRCLED = re.compile(r"^([\u2460-\u2473\u3251-\u325f])")
# after a bare number like 1.5 these mean an amount, not a label
_NOT_LABEL_AFTER = set("0123456789%％万亿千百元倍米年月日个项次人分小时天")

SENTENCE_END = "。；;！!？?"
# a table-of-contents entry: "第一章 招标公告 ........ 3" / "第二章 投标人须知 6"
_TOC_LINE = re.compile(r"(?:[.…·．_\-—]{2,}|\s)\s*\d{1,4}$")


def match_label(text: str) -> tuple[str, str] | None:
    """Return (style, label) if the text starts with an article / item label."""
    s = text.lstrip(" \t\u3000")
    m = _ARTICLE.match(s)
    if m:
        return "article", f"第{m.group(1)}条"
    m = _PAREN_CN.match(s)
    if m:
        return "paren_cn", f"（{m.group(1)}）"
    m = _CN_ITEM.match(s)
    if m:
        return "cn_item", f"{m.group(1)}、"
    m = _PAREN_DEC.match(s)
    if m:
        return "paren_dec", f"（{m.group(1)}）"
    m = _MULTI.match(s)
    if m:
        nxt = s[m.end():m.end() + 1]
        if not nxt or nxt not in _NOT_LABEL_AFTER:
            label = m.group(1).replace("．", ".")
            return f"dec{label.count('.') + 1}", label
        return None
    m = _DEC.match(s)
    if m:
        nxt = s[m.end():m.end() + 1]
        if not (nxt and nxt in "%％"):
            return "dec1", s[: m.end()].replace("．", ".")
    m = _DEC_PAREN.match(s)
    if m:
        return "dec_paren", f"{m.group(1)}）"
    m = _CIRCLED.match(s)
    if m:
        return "circled", m.group(1)
    return None


def fixed_heading(text: str) -> tuple[str, int] | None:
    s = text.lstrip(" \t\u3000")
    for style, rank, rx in _FIXED:
        if rx.match(s):
            return style, rank
    return None


def looks_like_heading(text: str) -> bool:
    """Obvious heading lines in plain text / PDF: 第一章 总则, 一、总体要求, （二）资格条件."""
    s = text.strip()
    if not s or s[-1] in SENTENCE_END or "。" in s:
        return False
    if _TOC_LINE.search(s):
        return False
    if fixed_heading(s):
        return len(s) <= 40
    lab = match_label(s)
    if lab and lab[0] in ("cn_item", "paren_cn"):
        # "一、项目编号：0873-01" is a key/value line, "五、磋商保证金：" is a heading
        if re.search(r"[：:].", s):
            return False
        return len(s) <= 30 and not any(p in s for p in "，,；;")
    return False


def annotate(raw: list[RawBlock]) -> tuple[Block, ...]:
    out: list[Block] = []
    article: str | None = None
    # heading stack entries: (key, rank_or_None, text); key is a style string or (family, n)
    stack: list[tuple[object, float | None, str]] = []
    for i, rb in enumerate(raw):
        text = rb.text
        is_table = rb.kind == "table_row"
        fixed = None if is_table else fixed_heading(text)
        if fixed:
            article = None
        elif not is_table:
            lab = match_label(text)
            if lab:
                article = lab[1]
        path = tuple(t for _, _, t in stack)
        out.append(Block(
            text=text,
            kind=rb.kind,
            location=rb.location.with_(paragraph=i, article=article, heading_path=path),
            context=rb.context,
        ))
        if rb.kind == "heading" and rb.level != 0:     # level 0 = the document title
            _push_heading(stack, rb, fixed)
    return tuple(out)


def _push_heading(stack: list, rb: RawBlock, fixed: tuple[str, int] | None) -> None:
    text = rb.text.strip()
    if fixed:
        _, rank = fixed
        while stack and (stack[-1][1] is None or stack[-1][1] >= rank):
            stack.pop()
        stack.append((fixed[0], rank, text))
        return
    if rb.level is not None:
        key: object = ("level", rb.level)
    else:
        lab = match_label(text)
        key = lab[0] if lab else "plain"
    # find the lowest entry this heading closes
    cut = None
    for idx, (k, rank, _) in enumerate(stack):
        if rank is not None:
            continue
        if k == key or (isinstance(k, tuple) and isinstance(key, tuple) and k[1] >= key[1]):
            cut = idx
            break
    if cut is not None:
        del stack[cut:]
    stack.append((key, None, text))
