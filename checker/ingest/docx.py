"""Word (.docx) reader, python-docx for the package plus direct walking of the body XML.

* Body paragraphs and tables are read in reading order (children of w:body: w:p, w:tbl, and the
  content of w:sdt content controls). Empty paragraphs are skipped.
* Word auto-numbering is not part of the paragraph text: the visible label ("1.", "（一）",
  "第一条") is rebuilt from numbering.xml (numId/ilvl → abstractNum lvl numFmt + lvlText, one
  counter set per numId, deeper levels reset) and prepended to the text (kind "list_item").
* Each table row is one block (kind "table_row"): cell texts joined by " | ", a cell spanning
  several grid columns (gridSpan) appears once. ``context`` is the header row (the first row;
  or, for a table whose first row is not header-like and that has the same column count as the
  previous table, the previous table's header: scoring tables split over several Word tables).
* Vertically merged cells: a continuation cell (w:vMerge without "restart") is left out of the
  row text, so the same (possibly long) text is never repeated on every row and a detector hit
  in it is reported once, on the first row. Its value is added to ``context`` instead (a second
  context line "上方合并单元格：…"), so the row still reads sensibly.
* A row made of a single cell (a framed box used for layout) is emitted paragraph by paragraph,
  so long boxed text keeps its article structure; such blocks keep the table / row location.
* Nested tables are flattened after the row that contains them, with their own table number.
* Headers, footers, footnotes, comments and text boxes are ignored: they hold page furniture
  (page numbers, file names, logos) or side notes, not the clauses being reviewed, and reading
  text boxes would also duplicate text (Word stores them twice, in mc:Choice and mc:Fallback).
"""
from __future__ import annotations

import io
import re

from checker.document import Location
from checker.errors import IngestError
from checker.ingest.base import (RawBlock, RawRead, is_header_like, is_plain_header, join_cells, map_symbols,
                                 squeeze_cjk_spaces)
from checker.ingest.structure import looks_like_heading

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def qn(tag: str) -> str:
    prefix, name = tag.split(":")
    assert prefix == "w"
    return f"{{{W_NS}}}{name}"


W_P, W_TBL, W_SDT, W_SDTCONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
W_TR, W_TC, W_T, W_TAB, W_BR, W_CR = qn("w:tr"), qn("w:tc"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
W_VAL = qn("w:val")
W_SYM = qn("w:sym")
W_TXBX = qn("w:txbxContent")
W_CUSTOMXML = qn("w:customXml")

CORRUPT = "不是有效的 Word 文档（文件损坏或格式不符）"
OLD_DOC = "旧版 Word 格式（.doc）不支持，请另存为 .docx 后再检查"
ENCRYPTED = "Word 文档已加密（设有打开密码），无法读取"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- number formats ------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def chinese_number(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    if n <= 0:
        return str(n)
    if n >= 10000:
        return str(n)
    parts = []
    s = str(n)
    zero = False
    for i, ch in enumerate(s):
        d = int(ch)
        pos = len(s) - i - 1
        if d == 0:
            zero = True
            continue
        if zero and parts:
            parts.append(digits[0])
        zero = False
        parts.append(digits[d] + (units[pos - 1] if pos > 0 else ""))
    out = "".join(parts)
    if 10 <= n < 20 and out.startswith(digits[1] + units[0]):
        out = out[1:]              # 十一, not 一十一
    return out


def _roman(n: int) -> str:
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
            (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _letters(n: int) -> str:
    # Word: a..z, aa..zz, aaa..
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting"):
        return chinese_number(n)
    if fmt in ("chineseLegalSimplified",):
        return chinese_number(n, _LEGAL_DIGITS, "拾佰仟")
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(c)) for c in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)                     # decimal and anything unknown


class Numbering:
    """numbering.xml: numId → levels, with counters per numId."""

    def __init__(self, numbering_el, styles_el):
        self.levels: dict[str, dict[int, dict]] = {}     # numId -> ilvl -> {fmt,text,start,lgl}
        self.counters: dict[str, dict[int, int]] = {}
        self.style_numpr: dict[str, tuple[str | None, int | None, str | None]] = {}
        self.style_info: dict[str, dict] = {}
        if numbering_el is not None:
            self._parse_numbering(numbering_el)
        if styles_el is not None:
            self._parse_styles(styles_el)

    @staticmethod
    def _lvl(lvl_el) -> dict:
        def val(tag, default=None):
            el = lvl_el.find(qn(tag))
            return el.get(W_VAL) if el is not None and el.get(W_VAL) is not None else default
        return {
            "fmt": val("w:numFmt", "decimal"),
            "text": val("w:lvlText", None),
            "start": int(val("w:start", "1") or 1),
            "lgl": lvl_el.find(qn("w:isLgl")) is not None,
            "suff": val("w:suff", "tab"),
        }

    def _parse_numbering(self, root) -> None:
        abstracts: dict[str, dict[int, dict]] = {}
        for an in root.findall(qn("w:abstractNum")):
            lv = {}
            for lvl in an.findall(qn("w:lvl")):
                try:
                    lv[int(lvl.get(qn("w:ilvl"), "0"))] = self._lvl(lvl)
                except ValueError:
                    continue
            abstracts[an.get(qn("w:abstractNumId"))] = lv
        for num in root.findall(qn("w:num")):
            nid = num.get(qn("w:numId"))
            ref = num.find(qn("w:abstractNumId"))
            base = abstracts.get(ref.get(W_VAL) if ref is not None else None, {})
            levels = {k: dict(v) for k, v in base.items()}
            for ov in num.findall(qn("w:lvlOverride")):
                try:
                    il = int(ov.get(qn("w:ilvl"), "0"))
                except ValueError:
                    continue
                lvl = ov.find(qn("w:lvl"))
                if lvl is not None:
                    levels[il] = self._lvl(lvl)
                so = ov.find(qn("w:startOverride"))
                if so is not None and il in levels:
                    try:
                        levels[il]["start"] = int(so.get(W_VAL))
                    except (TypeError, ValueError):
                        pass
            self.levels[nid] = levels

    def _parse_styles(self, root) -> None:
        for st in root.findall(qn("w:style")):
            sid = st.get(qn("w:styleId"))
            info: dict = {}
            name = st.find(qn("w:name"))
            info["name"] = (name.get(W_VAL) if name is not None else sid) or ""
            based = st.find(qn("w:basedOn"))
            info["based"] = based.get(W_VAL) if based is not None else None
            ppr = st.find(qn("w:pPr"))
            if ppr is not None:
                numpr = ppr.find(qn("w:numPr"))
                if numpr is not None:
                    n = numpr.find(qn("w:numId"))
                    i = numpr.find(qn("w:ilvl"))
                    info["numId"] = n.get(W_VAL) if n is not None else None
                    info["ilvl"] = int(i.get(W_VAL)) if i is not None and (i.get(W_VAL) or "").isdigit() else None
                ol = ppr.find(qn("w:outlineLvl"))
                if ol is not None and (ol.get(W_VAL) or "").isdigit():
                    info["outline"] = int(ol.get(W_VAL))
            rpr = st.find(qn("w:rPr"))
            if rpr is not None:
                b = rpr.find(qn("w:b"))
                if b is not None and b.get(W_VAL) not in ("0", "false", "off"):
                    info["bold"] = True
            self.style_info[sid] = info

    def style_attr(self, sid: str | None, key: str):
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            info = self.style_info.get(sid)
            if info is None:
                return None
            if key in info:
                return info[key]
            sid = info.get("based")
        return None

    def label(self, num_id: str | None, ilvl: int) -> str | None:
        """Advance the counter for (numId, ilvl) and return the visible label, or None."""
        if not num_id or num_id == "0" or num_id not in self.levels:
            return None
        levels = self.levels[num_id]
        lvl = levels.get(ilvl)
        if lvl is None:
            return None
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, lvl["start"] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = lvl["text"]
        if lvl["fmt"] == "bullet" or not text:
            return None
        if lvl["fmt"] == "none":
            return text if "%" not in text else None

        def sub(m):
            k = int(m.group(1)) - 1
            lv = levels.get(k, {"fmt": "decimal", "start": 1})
            n = counters.get(k, lv.get("start", 1))
            fmt = "decimal" if (lvl["lgl"] and k != ilvl) or not lv.get("fmt") else lv["fmt"]
            return format_number(n, fmt)

        out = re.sub(r"%([1-9])", sub, text).strip()
        return out or None

    def suffix(self, num_id: str, ilvl: int, label: str) -> str:
        lvl = self.levels.get(num_id, {}).get(ilvl, {})
        if lvl.get("suff") == "nothing":
            return ""
        if label and label[-1] in "、）)】].．.：:":
            return ""
        return " "


# --- reading -------------------------------------------------------------------------------

def _sniff(data: bytes, path: str) -> None:
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data[:200000] or b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00" in data[:200000]:
            raise IngestError(path, ENCRYPTED)
        raise IngestError(path, "文件实际是旧版 Word 格式（.doc），不支持，请另存为 .docx 后再检查")
    if not data.startswith(b"PK"):
        raise IngestError(path, CORRUPT)


def read(data: bytes, path: str) -> RawRead:
    _sniff(data, path)
    try:
        import docx  # python-docx
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except IngestError:
        raise
    except Exception:
        # BadZipFile, KeyError (no word/document.xml), PackageNotFoundError, ValueError
        # ("not a Word file", e.g. an .xlsx renamed), lxml XMLSyntaxError
        raise IngestError(path, CORRUPT)
    try:
        numbering_el = document.part.numbering_part.element
    except Exception:  # no numbering part
        numbering_el = None
    try:
        styles_el = document.part.styles.element
    except Exception:
        styles_el = None
    reader = _Reader(Numbering(numbering_el, styles_el))
    try:
        reader.walk(body)
    except RecursionError:  # pathological nesting
        raise IngestError(path, CORRUPT)
    out = reader.out
    # docProps/core.xml titles are often left over from a template, so they are not used
    out.title = reader.title
    return out


_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def symbol_char(el) -> str | None:
    """The character of a ``w:sym`` element (symbol fonts use the private area F000–F0FF),
    or None when its code is unreadable."""
    code = el.get(qn("w:char")) or ""
    try:
        ch = chr(int(code, 16))
    except ValueError:
        return None
    return chr(0xF000 + ord(ch)) if ch < "\uf000" else ch


class _Reader:
    def __init__(self, numbering: Numbering):
        self.num = numbering
        self.out = RawRead()
        self.table_no = 0
        self.title: str | None = None
        self.prev_table: tuple[int, str | None] | None = None   # (columns, header text)
        self.paragraphs_seen = 0

    # -- traversal
    def walk(self, container) -> None:
        for child in container.iterchildren():
            tag = child.tag
            if tag == W_P:
                self.paragraph(child)
            elif tag == W_TBL:
                self.table(child)
            elif tag in (W_SDT, W_CUSTOMXML):
                content = child.find(W_SDTCONTENT) if tag == W_SDT else child
                if content is not None:
                    self.walk(content)

    # -- paragraphs
    @staticmethod
    def para_text(p) -> str:
        parts: list[str] = []
        has_box = p.find(".//" + W_TXBX) is not None
        for el in p.iter(W_T, W_TAB, W_BR, W_CR, W_SYM):
            if has_box and any(a.tag == W_TXBX for a in el.iterancestors()):
                continue
            if el.tag == W_T:
                parts.append(el.text or "")
            elif el.tag == W_SYM:
                ch = symbol_char(el)
                if ch is None:
                    continue
                parts.append(map_symbols(ch) if map_symbols(ch) != ch else "")
            elif el.tag == W_BR and el.get(qn("w:type")) == "page":
                continue
            else:
                parts.append(" ")
        text = re.sub(r"[ \t\u00a0\u3000]+", " ", map_symbols("".join(parts))).strip()
        return squeeze_cjk_spaces(text)

    def _ppr_info(self, p):
        ppr = p.find(qn("w:pPr"))
        style_id = None
        num_id = ilvl = None
        outline = None
        center = False
        if ppr is not None:
            ps = ppr.find(qn("w:pStyle"))
            style_id = ps.get(W_VAL) if ps is not None else None
            numpr = ppr.find(qn("w:numPr"))
            if numpr is not None:
                n = numpr.find(qn("w:numId"))
                i = numpr.find(qn("w:ilvl"))
                num_id = n.get(W_VAL) if n is not None else None
                if i is not None and (i.get(W_VAL) or "").isdigit():
                    ilvl = int(i.get(W_VAL))
            ol = ppr.find(qn("w:outlineLvl"))
            if ol is not None and (ol.get(W_VAL) or "").isdigit():
                outline = int(ol.get(W_VAL))
            jc = ppr.find(qn("w:jc"))
            center = jc is not None and jc.get(W_VAL) == "center"
        if num_id is None and style_id:
            num_id = self.num.style_attr(style_id, "numId")
        if num_id is not None and ilvl is None and style_id:
            ilvl = self.num.style_attr(style_id, "ilvl")
        if outline is None and style_id:
            outline = self.num.style_attr(style_id, "outline")
        return style_id, num_id, ilvl or 0, outline, center

    def _all_bold(self, p, style_id) -> bool:
        runs = [r for r in p.iter(qn("w:r")) if r.find(W_T) is not None and (r.find(W_T).text or "").strip()]
        if not runs:
            return False
        style_bold = bool(self.num.style_attr(style_id, "bold")) if style_id else False
        for r in runs:
            rpr = r.find(qn("w:rPr"))
            b = rpr.find(qn("w:b")) if rpr is not None else None
            if b is None:
                if not style_bold:
                    return False
            elif b.get(W_VAL) in ("0", "false", "off"):
                return False
        return True

    def paragraph_block(self, p, loc: Location) -> RawBlock | None:
        style_id, num_id, ilvl, outline, center = self._ppr_info(p)
        text = self.para_text(p)
        label = self.num.label(num_id, ilvl) if num_id else None   # counters advance even if empty? only when text
        if not text:
            return None
        kind = "paragraph"
        level = None
        if label:
            text = label + self.num.suffix(num_id, ilvl, label) + text
            kind = "list_item"
        style_name = (self.num.style_attr(style_id, "name") or "") if style_id else ""
        m = _HEADING_STYLE.match(style_name.strip())
        if style_name.lower() in ("title", "标题") and self.title is None:
            self.title = text
            kind = "heading"
            level = 0
        elif m:
            kind, level = "heading", int(m.group(1))
        elif outline is not None and outline < 9:
            kind, level = "heading", outline + 1
        elif looks_like_heading(text):
            kind = "heading"
        elif (kind == "paragraph" and len(text) <= 30 and text[-1] not in "。；;，,：:"
              and len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2 and self._all_bold(p, style_id)):
            kind = "heading"
        self.paragraphs_seen += 1
        if (self.title is None and self.paragraphs_seen <= 3 and center and 8 <= len(text) <= 80
                and "。" not in text and kind != "list_item"):
            self.title = text
            if kind == "heading":
                level = 0          # the document title: not part of any heading path
        return RawBlock(text, kind, loc, level=level)

    def paragraph(self, p, loc: Location | None = None) -> None:
        b = self.paragraph_block(p, loc or Location())
        if b is not None:
            self.out.blocks.append(b)

    # -- tables
    @staticmethod
    def _rows(tbl):
        for child in tbl.iterchildren():
            if child.tag == W_TR:
                yield child
            elif child.tag in (W_SDT, W_CUSTOMXML):
                content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
                if content is not None:
                    yield from (r for r in content.iterchildren() if r.tag == W_TR)

    @staticmethod
    def _cells(tr):
        for child in tr.iterchildren():
            if child.tag == W_TC:
                yield child
            elif child.tag in (W_SDT, W_CUSTOMXML):
                content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
                if content is not None:
                    yield from (c for c in content.iterchildren() if c.tag == W_TC)

    @staticmethod
    def _columns(tbl, rows) -> int:
        grid = tbl.find(qn("w:tblGrid"))
        if grid is not None:
            n = len(grid.findall(qn("w:gridCol")))
            if n:
                return n
        return max((sum(1 for _ in _Reader._cells(r)) for r in rows), default=0)

    def cell_text(self, tc, nested: list) -> str:
        parts = []
        for child in tc.iterchildren():
            if child.tag == W_P:
                style_id, num_id, ilvl, _, _ = self._ppr_info(child)
                label = self.num.label(num_id, ilvl) if num_id else None
                t = self.para_text(child)
                if t:
                    parts.append((label + self.num.suffix(num_id, ilvl, label) if label else "") + t)
            elif child.tag == W_TBL:
                nested.append(child)
            elif child.tag in (W_SDT, W_CUSTOMXML):
                content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
                if content is not None:
                    parts.append(self.cell_text(content, nested))
        return " ".join(p for p in parts if p)

    def table(self, tbl) -> None:
        self.table_no += 1
        table_no = self.table_no
        rows = list(self._rows(tbl))
        ncols = self._columns(tbl, rows)
        header: str | None = None
        header_done = False       # the first multi-cell row decides the header
        grid_prev: list[tuple[int, int, str]] = []   # (grid start, span, text) of the previous row
        for r_idx, tr in enumerate(rows, start=1):
            loc = Location(table=table_no, row=r_idx)
            tcs = list(self._cells(tr))
            if len(tcs) == 1 and not self._vmerge_continue(tcs[0]):
                # a framed box, or a row spanning the whole table (a sub-heading such as
                # "商务部分" or a note): keep its paragraphs separate so numbering and article
                # labels survive; the blocks keep the table / row location.
                nested = []
                for child in tcs[0].iterchildren():
                    if child.tag == W_P:
                        self.paragraph(child, loc)
                    elif child.tag == W_TBL:
                        nested.append(child)
                    elif child.tag in (W_SDT, W_CUSTOMXML):
                        content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
                        if content is not None:
                            for c in content.iterchildren():
                                if c.tag == W_P:
                                    self.paragraph(c, loc)
                for n in nested:
                    self.table(n)
                grid_prev = [(0, ncols, "")]
                continue
            nested = []
            cells: list[str] = []
            merged_above: list[str] = []
            grid_row: list[tuple[int, int, str]] = []
            col = 0
            trpr = tr.find(qn("w:trPr"))
            if trpr is not None:
                gb = trpr.find(qn("w:gridBefore"))
                if gb is not None and (gb.get(W_VAL) or "").isdigit():
                    col = int(gb.get(W_VAL))
            for tc in tcs:
                tcpr = tc.find(qn("w:tcPr"))
                span = 1
                hmerge_continue = False
                if tcpr is not None:
                    gs = tcpr.find(qn("w:gridSpan"))
                    if gs is not None and (gs.get(W_VAL) or "").isdigit():
                        span = max(1, int(gs.get(W_VAL)))
                    hm = tcpr.find(qn("w:hMerge"))
                    if hm is not None and hm.get(W_VAL) in (None, "continue"):
                        hmerge_continue = True
                if self._vmerge_continue(tc):
                    above = next((t for (start, _, t) in grid_prev if start == col), "")
                    if above:
                        merged_above.append(above)
                    grid_row.append((col, span, above))
                    cells.append("")
                elif hmerge_continue:       # legacy horizontal merge: counted once
                    grid_row.append((col, span, ""))
                else:
                    t = self.cell_text(tc, nested)
                    cells.append(t)
                    grid_row.append((col, span, t))
                col += span
            grid_prev = grid_row
            row_text = join_cells(cells)
            is_header_row = False
            if not header_done:
                header_done = True
                prev = self.prev_table
                if is_header_like(cells):
                    header, is_header_row = row_text or None, True
                elif r_idx == 1 and prev is not None and prev[1] and prev[0] == ncols:
                    header = prev[1]                    # continuation of a split table
                elif r_idx == 1 and is_plain_header(cells):
                    header, is_header_row = row_text or None, True
                # else: a table that opens with long text (key/value layout) has no header
            ctx_parts = []
            if header and not is_header_row:
                ctx_parts.append(header)
            if merged_above:
                ctx_parts.append("上方合并单元格：" + join_cells(merged_above))
            if row_text:
                self.out.blocks.append(RawBlock(row_text, "table_row", loc,
                                                context="\n".join(ctx_parts) or None))
            for n in nested:
                self.table(n)
        if header_done and ncols > 1:
            self.prev_table = (ncols, header)

    @staticmethod
    def _vmerge_continue(tc) -> bool:
        tcpr = tc.find(qn("w:tcPr"))
        if tcpr is None:
            return False
        vm = tcpr.find(qn("w:vMerge"))
        return vm is not None and vm.get(W_VAL) in (None, "continue")
