"""The small interface every format reader implements.

A reader is a module with ``read(data: bytes, path: str) -> RawRead``. It returns blocks in
reading order with the locations it knows (page, line, table, row); ``structure.annotate`` then
fills in what is format independent (paragraph index, article label, heading path).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.document import Location


@dataclass
class RawBlock:
    text: str
    kind: str = "paragraph"              # paragraph | heading | list_item | table_row
    location: Location = field(default_factory=Location)
    context: str | None = None
    # Heading hint from the format (docx outline level, markdown '#' count); None = infer from text.
    level: int | None = None


@dataclass
class RawRead:
    blocks: list[RawBlock] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str | None = None


# --- tables, shared by docx and pdf -------------------------------------------------------

CELL_SEP = " | "

_HEADER_WORDS = (
    "评分因素", "评分项目", "评审因素", "评审项目", "评分内容", "评分标准", "评审标准", "分值", "权重",
    "序号", "内容", "要求", "名称", "项目", "条款", "说明", "备注", "数量", "单位", "单价", "金额",
    "类别", "指标", "参数", "规格", "标准", "分数", "得分", "编号", "资格", "条件",
)


def join_cells(cells: list[str]) -> str:
    """Cell texts joined by " | ": empty cells dropped, a cell equal to its left neighbour
    (a horizontally merged cell reported once per grid column) kept once."""
    out: list[str] = []
    for c in cells:
        c = c.strip()
        if not c:
            continue
        if out and out[-1] == c:
            continue
        out.append(c)
    return CELL_SEP.join(out)


def is_header_like(cells: list[str]) -> bool:
    """A header row has short cells and at least one typical column title (评分因素, 分值, 序号…)."""
    cells = [c.strip() for c in cells if c and c.strip()]
    if not cells:
        return False
    if any(len(c) > 20 or any(p in c for p in "。；;") for c in cells):
        return False
    # a body row of a scoring table carries numbers (row number, score): 1 | 业绩 | 10 | …
    if any(re.fullmatch(r"[\d.．、（）()~～\-—分%％\s]+", c) for c in cells):
        return False
    return any(w in c for c in cells for w in _HEADER_WORDS)


def is_plain_header(cells: list[str]) -> bool:
    """Weaker test for the first row of a table with no known column titles: short cells,
    no sentences, no bare numbers (a body row such as "20.1 | 开标时间 | 详见公告。")."""
    cells = [c.strip() for c in cells if c and c.strip()]
    if not cells:
        return False
    return all(len(c) <= 30 and not any(p in c for p in "。；;") and
               not re.fullmatch(r"[\d.．、（）()~～\-—分%％\s]+", c) for c in cells)


# Symbol-font (Wingdings / Wingdings 2) code points that PDFs and Word files carry in the
# private-use area; check boxes matter ("☑不组织□组织" says which option was chosen).
SYMBOLS = {
    "\uf052": "☑", "\uf054": "☒", "\uf0a3": "□", "\uf0fe": "☑", "\uf0fd": "☒", "\uf0a8": "□",
    "\uf06f": "□", "\uf0fc": "√", "\uf0fb": "×", "\uf0b7": "•", "\uf06c": "•", "\uf06e": "■",
    "\uf0d8": "➢", "\uf0a7": "▪", "\uf0b2": "◆", "\uf075": "◆", "\uf0e0": "→",
}
_SYMBOL_RX = re.compile("|".join(SYMBOLS))


def map_symbols(text: str) -> str:
    return _SYMBOL_RX.sub(lambda m: SYMBOLS[m.group(0)], text)


def range_warning(pages: list[int], what: str) -> list[str]:
    """[3, 61, 62, 63] -> ["第3页…", "第61–63页…"]."""
    out: list[str] = []
    pages = sorted(set(pages))
    i = 0
    while i < len(pages):
        j = i
        while j + 1 < len(pages) and pages[j + 1] == pages[j] + 1:
            j += 1
        span = f"第{pages[i]}页" if i == j else f"第{pages[i]}–{pages[j]}页"
        out.append(f"{span}{what}")
        i = j + 1
    return out


# --- whitespace inside CJK text ---------------------------------------------------------------

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}0-9])[ \t\u00a0\u3000]+(?=[{_CJK}])|(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[0-9])")
_LEADING_LABEL = re.compile(
    r"^(?:第[\s\u3000]*[一二三四五六七八九十百千零〇两\d]+[\s\u3000]*(?:条|章|节|编|篇|部分)|"
    r"\d{1,2}(?:[.．]\d{1,3})+|[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]|"
    r"\d{1,3}[.．、])[ \t\u3000]+")


def squeeze_cjk_spaces(text: str) -> str:
    """Remove spaces between CJK characters (and between CJK and digits), which PDF text layers
    and PDF-to-Word conversions scatter inside words ("根 据 财 库", "5 个工作日"), so that
    detectors see the words whole. The space after a leading label (第一条 总则) is kept.
    Only used for docx/pdf: plain-text blocks stay verbatim so line offsets hold."""
    m = _LEADING_LABEL.match(text)
    if m:
        head = re.sub(r"[ \t\u3000]+", "", text[: m.end()])
        if head[-1] not in "、）).．":
            head += " "
        # keep the label's own punctuation, drop the spaces inside it ("第 一 条" -> "第一条")
        return head + _CJK_SPACE.sub("", text[m.end():])
    return _CJK_SPACE.sub("", text)
