"""PDF reader (pdfplumber on top of pdfminer.six).

Per page: ruled tables are found with ``find_tables`` (only on pages that draw lines or
rectangles, which keeps big files fast); the text outside the tables is read line by line and
hard-wrapped lines are joined back into paragraphs, so a clause is never cut in two at a line
end. Tables become ``table_row`` blocks like in Word files (header row as context, a table
continued on the next page inherits the header). Every block carries its 1-based page.

Page furniture is dropped: bare page numbers ("- 12 -", "第 3 页 共 100 页") and lines that
repeat at the top or bottom of most pages (running headers with the project name). They are
not clauses, and left in they would be glued into the paragraphs that run over a page break.

Pages without a text layer (scans) and pages whose text layer is garbled (fonts without a
Unicode map: "(cid:123)" or private-use characters) are skipped with a warning; a file with
no readable page at all raises ``IngestError``.
"""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from checker.document import Location
from checker.errors import IngestError
from checker.ingest.base import (RawBlock, RawRead, is_header_like, is_plain_header, join_cells, map_symbols,
                                 range_warning, squeeze_cjk_spaces)
from checker.ingest.structure import fixed_heading, looks_like_heading, match_label

CORRUPT = "不是有效的 PDF 文件（文件损坏或格式不符）"
ENCRYPTED = "PDF 已加密，无法读取文字"
NO_TEXT = "无文字层（可能为扫描件），未能检查"
ALL_GARBLED = "文字层乱码（字体缺少编码映射），未能检查"
SCAN_WARNING = "无文字层（可能为扫描件），未检查"
GARBLED_WARNING = "文字层乱码，未检查"
BROKEN_WARNING = "无法解析（页面数据损坏），未检查"

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~·\s]*\d{1,4}[-—–－~·\s]*"
    r"|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|Page|PAGE)\s*\d+(?:\s*(?:of|/)\s*\d+)?)$"
)
_TERMINAL = "。；;！!？?：:"
_BULLETS = "●•■□◆◇▲△★☆※√→➢►▶"


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    left: float = 0.0          # body margins of its page
    right: float = 0.0
    size: float = 10.0


@dataclass
class _Table:
    page: int
    top: float
    rows: list[list[str]]


def _is_encryption_error(exc: BaseException) -> bool:
    seen = 0
    while exc is not None and seen < 5:
        name = type(exc).__name__
        if "Password" in name or "Encryption" in name:
            return True
        if exc.args and isinstance(exc.args[0], BaseException):
            exc = exc.args[0]
        else:
            exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def read(data: bytes, path: str) -> RawRead:
    if b"%PDF" not in data[:1024]:
        raise IngestError(path, CORRUPT)
    import pdfplumber
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:
        if _is_encryption_error(e):
            raise IngestError(path, ENCRYPTED)
        raise IngestError(path, CORRUPT)
    try:
        with pdf:
            return _read_pages(pdf, path)
    except IngestError:
        raise
    except Exception as e:
        if _is_encryption_error(e):
            raise IngestError(path, ENCRYPTED)
        raise IngestError(path, CORRUPT + f"（{type(e).__name__}）")


def _garbled(chars: list[dict]) -> bool:
    if len(chars) < 10:
        return False
    bad = 0
    for c in chars:
        t = c.get("text") or ""
        if t.startswith("(cid:") or (t and 0xE000 <= ord(t[0]) <= 0xF8FF) or t == "\ufffd":
            bad += 1
    return bad / len(chars) >= 0.3


def _inside(obj: dict, boxes: list[tuple]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for (x0, top, x1, bottom) in boxes)


def _clean_cell(c) -> str:
    if c is None:
        return ""
    c = re.sub(r"(?<=[A-Za-z0-9,.])\n(?=[A-Za-z0-9])", " ", str(c))
    c = map_symbols(c.replace("\n", ""))
    return squeeze_cjk_spaces(re.sub(r"[ \t\u3000]+", " ", c).strip())


def _read_pages(pdf, path: str) -> RawRead:
    out = RawRead()
    scanned: list[int] = []
    garbled: list[int] = []
    pages_items: list[list] = []        # per page: list of _Line | _Table sorted by top
    text_pages = 0
    broken: list[int] = []
    for pno, page in enumerate(pdf.pages, start=1):
        try:
            status, items = _read_page(page, pno)
        except Exception as e:               # one damaged page must not lose the whole file
            if _is_encryption_error(e):
                raise
            status, items = "broken", []
        finally:
            page.flush_cache()               # keep memory flat on long files
        pages_items.append(items)
        if status == "garbled":
            garbled.append(pno)
        elif status == "scanned":
            scanned.append(pno)
        elif status == "broken":
            broken.append(pno)
        elif status == "text":
            text_pages += 1

    if text_pages == 0:
        if broken and not garbled and not scanned:
            raise IngestError(path, CORRUPT)
        if garbled and not scanned:
            raise IngestError(path, ALL_GARBLED)
        raise IngestError(path, NO_TEXT)
    _drop_running_lines(pages_items, pdf)
    out.warnings.extend(range_warning(scanned, SCAN_WARNING))
    out.warnings.extend(range_warning(garbled, GARBLED_WARNING))
    out.warnings.extend(range_warning(broken, BROKEN_WARNING))
    out.blocks = _assemble(pages_items)
    return out


def _read_page(page, pno: int) -> tuple[str, list]:
    """-> (status, items): status is text | scanned | garbled | blank."""
    chars = page.chars
    if chars and _garbled(chars):
        return "garbled", []
    tables = []
    if chars and (page.rects or page.lines):
        for t in page.find_tables():
            rows = [[_clean_cell(c) for c in row] for row in t.extract()]
            rows = [r for r in rows if any(r)]
            ncols = max((sum(1 for c in r if c) for r in rows), default=0)
            if not rows or ncols < 2:
                continue            # a frame around text, not a table: read it as text
            tables.append((t.bbox, rows))
    boxes = [b for b, _ in tables]
    src = page.filter(lambda o: not _inside(o, boxes)) if boxes else page
    lines: list[_Line] = []
    if chars:
        for ln in src.extract_text_lines(return_chars=False):
            text = map_symbols(re.sub(r"[ \t\u3000]+", " ", ln["text"]).strip())
            if text:
                lines.append(_Line(pno, ln["top"], ln["bottom"], ln["x0"], ln["x1"], text))
    meaningful = [ln for ln in lines if not _PAGE_NUMBER.match(ln.text)]
    if not meaningful and not tables:
        if not chars and not page.images and not page.curves:
            return "blank", []
        return "scanned", []
    if lines:
        sizes = sorted(ln.bottom - ln.top for ln in lines)
        size = sizes[len(sizes) // 2] or 10.0
        xs0 = sorted(ln.x0 for ln in meaningful or lines)
        xs1 = sorted(ln.x1 for ln in meaningful or lines)
        left = xs0[len(xs0) // 10] if len(xs0) >= 5 else xs0[0]
        right = xs1[-(len(xs1) // 10) - 1] if len(xs1) >= 5 else xs1[-1]
        for ln in lines:
            ln.left, ln.right, ln.size = left, right, size
    items: list = list(lines) + [_Table(pno, b[1], rows) for b, rows in tables]
    items.sort(key=lambda it: it.top)
    return "text", _drop_page_numbers(items, page.height)


def _drop_page_numbers(items: list, height: float) -> list:
    keep = []
    lines = [it for it in items if isinstance(it, _Line)]
    edge = {id(lines[0]), id(lines[-1])} if lines else set()
    for it in items:
        if (isinstance(it, _Line) and id(it) in edge and _PAGE_NUMBER.match(it.text)
                and (it.top < height * 0.15 or it.bottom > height * 0.85)):
            continue
        keep.append(it)
    return keep


def _norm_running(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running_lines(pages_items: list[list], pdf) -> None:
    """Remove lines repeated at the top / bottom (first or last two lines) of most pages."""
    counts: Counter = Counter()
    pages_with_text = 0
    for items in pages_items:
        lines = [it for it in items if isinstance(it, _Line)]
        if not lines:
            continue
        pages_with_text += 1
        edge = {_norm_running(ln.text) for ln in lines[:2] + lines[-2:]}
        counts.update(edge)
    if pages_with_text < 4:
        return
    threshold = max(3, pages_with_text * 0.5)
    running = {t for t, n in counts.items() if n >= threshold and len(t) <= 60}
    if not running:
        return
    for i, items in enumerate(pages_items):
        lines = [it for it in items if isinstance(it, _Line)]
        edge_ids = {id(ln) for ln in lines[:2] + lines[-2:]}
        pages_items[i] = [it for it in items
                          if not (isinstance(it, _Line) and id(it) in edge_ids and _norm_running(it.text) in running)]


def _starts_new(line: _Line) -> bool:
    t = line.text
    return bool(match_label(t) or fixed_heading(t) or t[0] in _BULLETS or t.startswith(("注：", "注:", "附件")))


def _continues(prev: _Line, para_text: str, nxt: _Line) -> bool:
    """Is ``nxt`` the continuation of the paragraph that ``prev`` ends?"""
    if prev.text[-1] in _TERMINAL:
        return False
    if len(para_text) <= 12 and len(nxt.text) <= 2 and len(prev.text) <= 2:
        return True         # vertical text on a cover page, one character per line
    if _starts_new(nxt):
        return False
    if looks_like_heading(para_text):
        return False
    # the previous line stopped well before the right margin: its paragraph ended
    if prev.x1 < prev.right - 2.0 * prev.size:
        return False
    # the next line is indented (Chinese first-line indent of two characters)
    if nxt.x0 > nxt.left + 1.5 * nxt.size:
        return False
    return True


def _join(a: str, b: str) -> str:
    if a and b and re.match(r"[A-Za-z0-9]", a[-1]) and re.match(r"[A-Za-z0-9]", b[0]):
        return a + " " + b
    return a + b


def _assemble(pages_items: list[list]) -> list[RawBlock]:
    blocks: list[RawBlock] = []
    table_no = 0
    prev_table: tuple[int, str | None] | None = None   # (columns, header) of the table just emitted
    para: list[_Line] = []
    para_text = ""

    def flush():
        nonlocal para, para_text
        if para:
            text = squeeze_cjk_spaces(para_text)
            kind = "heading" if looks_like_heading(text) else "paragraph"
            blocks.append(RawBlock(text, kind, Location(page=para[0].page)))
        para, para_text = [], ""

    for items in pages_items:
        for it in items:
            if isinstance(it, _Line):
                if para and _continues(para[-1], para_text, it):
                    para.append(it)
                    para_text = _join(para_text, it.text)
                else:
                    flush()
                    prev_table = None if blocks and blocks[-1].kind != "table_row" else prev_table
                    para, para_text = [it], it.text
                continue
            # a table
            had_text_between = bool(para)
            flush()
            if had_text_between:
                prev_table = None
            table_no += 1
            ncols = max(len(r) for r in it.rows)
            first = it.rows[0]
            header: str | None = None
            body_start = 0
            if is_header_like(first):
                header, body_start = join_cells(first) or None, 1
            elif prev_table is not None and prev_table[0] == ncols and prev_table[1]:
                header = prev_table[1]            # continued from the previous page
            elif is_plain_header(first):
                header, body_start = join_cells(first) or None, 1
            for r_idx, row in enumerate(it.rows, start=1):
                text = join_cells(row)
                if not text:
                    continue
                ctx = header if (header and r_idx > body_start) else None
                blocks.append(RawBlock(text, "table_row", Location(page=it.page, table=table_no, row=r_idx), context=ctx))
            prev_table = (ncols, header)
    flush()
    return blocks
