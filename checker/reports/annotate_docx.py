"""``--annotate OUT.docx``: the reviewer's own Word file with a margin comment on each finding.

For a Word input the ORIGINAL file is opened (read only) and one comment is added per finding,
anchored on the evidence words (runs are split where needed, text and run formatting are copied
unchanged), or on the clause when the evidence cannot be isolated, or, when the span cannot be
located exactly, on the whole paragraph / table row with a note saying so. Nothing else in the
document changes: text, styles, numbering and tables stay as they were.

Mapping findings back to the XML: the Word reader (``checker.ingest.docx``) emits blocks in body
order. The body is walked again with the reader's own traversal, recording which ``w:p``
elements each block was read from; the block's characters are then aligned with the characters
of those paragraphs' ``w:t`` elements, ignoring whitespace (the reader collapses it and removes
spaces between CJK characters) and the characters the reader adds itself (auto-numbering labels
such as "1." and the " | " between table cells).

For PDF, OFD or text input a new .docx is written: one paragraph per block (table rows as
paragraphs), headings kept, page (or line, table) labels as small grey headers, and the same
comments.

Comment text (Chinese): the rule id and title, 问题, 违反依据, 修改建议, 置信度. The comment date is
``FCR_REPORT_DATE`` (YYYY-MM-DD) when set, else today; the zip entries carry a fixed timestamp,
so the same input gives the same bytes.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import os
import re
from dataclasses import dataclass

from ..document import Block, Document
from ..findings import DocumentResult, Finding
from ..rulebook import CATEGORIES
from .common import deterministic_zip, report_date

WORD_EXTENSIONS = (".docx", ".docm", ".dotx", ".doc", ".dot", ".wps")
_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

NOTE_PARAGRAPH = "未能在原文中精确定位该条款，批注标在整段上。"
NOTE_ROW = "未能在原文中精确定位该条款，批注标在整个表格行上。"
NOTE_CELL = "未能在原文中精确定位该条款，批注标在所在单元格上。"


# --- comment text ---------------------------------------------------------------------------

def comment_text(f: Finding, note: str | None = None) -> str:
    """The comment for one finding, one line per part (Word shows each as a paragraph)."""
    category = CATEGORIES.get(f.category, f.category)
    severity = _SEVERITY_ZH.get(f.severity, f.severity)
    basis = "；".join(c.label() for c in f.legal_basis) or "未载明"
    lines = [
        f"【{f.rule_id}】{f.title}",
        f"问题：{f.message}",
        f"违反依据：{basis}",
        f"修改建议：{f.suggestion}",
        f"问题类型：{category}；严重程度：{severity}；置信度：{f.confidence:.2f}",
    ]
    if note:
        lines.append(f"说明：{note}条款原文：“{_short(f.clause)}”")
    return _XML_INVALID.sub(" ", "\n".join(lines))


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 2] + "……"


def initials_of(author: str) -> str:
    """Word-style initials: "fcr" -> "FCR", "Zhang Wei" -> "ZW", "张伟" -> "张"."""
    name = author.strip()
    if not name:
        return ""
    if re.search(r"[\u3400-\u9fff]", name):
        return name[0]
    words = re.findall(r"[A-Za-z0-9]+", name)
    if not words:
        return name[0]
    if len(words) == 1:
        return words[0][:3].upper() if len(words[0]) <= 3 else words[0][0].upper()
    return "".join(w[0] for w in words[:3]).upper()


def comment_datetime() -> dt.datetime:
    """Comment timestamps: the report date (``FCR_REPORT_DATE`` or today) at midnight UTC."""
    try:
        day = dt.date.fromisoformat(report_date()[:10])
    except ValueError:
        day = dt.date.today()
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


# --- entry point ----------------------------------------------------------------------------

def annotated_docx(doc_result: DocumentResult, *, author: str = "fcr") -> bytes:
    """The annotated Word file for one checked document, as bytes (the caller writes them)."""
    if doc_result.status != "ok":
        raise ValueError(f"{doc_result.path}: 文件未能读取，无法生成批注版（{doc_result.error}）")
    data = None
    if doc_result.path != "-" and doc_result.path.lower().endswith(WORD_EXTENSIONS):
        with open(doc_result.path, "rb") as fh:       # read only: the input is never written
            data = fh.read()
        if not data.startswith(b"PK"):
            data = None
    if data is not None:
        out = _annotate_word(data, doc_result, author)
    else:
        if doc_result.document is None:
            raise ValueError(f"{doc_result.path}: 没有文档内容，无法生成批注版")
        out = _render_word(doc_result, author)
    return deterministic_zip(out)



def _add_comment(document, first_r, last_r, text: str, author: str, initials: str) -> None:
    from docx.text.run import Run

    if not hasattr(document, "add_comment"):
        raise RuntimeError("生成批注版需要 python-docx 1.2 或更高版本（pip install -U python-docx）")

    comment = document.add_comment([Run(first_r, None), Run(last_r, None)], text=text, author=author,
                                   initials=initials)
    comment._comment_elm.date = comment_datetime()


# --- Word input: comments on the original -----------------------------------------------------

@dataclass
class _Char:
    """One non-whitespace character of a paragraph as stored: its w:t (or w:sym) element."""

    ch: str
    el: object          # w:t or w:sym element
    off: int            # offset inside el.text (0 for w:sym)
    p: object           # the w:p it belongs to


def _source_reader():
    """A subclass of the Word reader that records the w:p elements behind every block."""
    from ..ingest.docx import _Reader

    class _Recorder(list):
        def __init__(self, reader):
            super().__init__()
            self.reader = reader

        def append(self, block):
            self.reader.sources.append(list(self.reader.pending))
            super().append(block)

    class SourceReader(_Reader):
        def __init__(self, numbering):
            super().__init__(numbering)
            self.pending: list = []
            self.sources: list[list] = []
            self.out.blocks = _Recorder(self)

        def para_text(self, p):              # noqa: D102 - called as self.para_text by the reader
            self.pending.append(p)
            return _Reader.para_text(p)

        def paragraph(self, p, loc=None):
            self.pending = []
            super().paragraph(p, loc)

        def _cells(self, tr):                 # called once at the start of every table row
            self.pending = []
            return _Reader._cells(tr)

    return SourceReader


def _paragraph_chars(p) -> list[_Char]:
    """The non-whitespace characters of a paragraph in the order the reader reads them."""
    from ..ingest.base import map_symbols
    from ..ingest.docx import W_SYM, W_T, W_TXBX, symbol_char

    out: list[_Char] = []
    has_box = p.find(".//" + W_TXBX) is not None
    for el in p.iter(W_T, W_SYM):
        if has_box and any(a.tag == W_TXBX for a in el.iterancestors()):
            continue
        if el.tag == W_T:
            for i, ch in enumerate(map_symbols(el.text or "")):
                if not ch.isspace():
                    out.append(_Char(ch, el, i, p))
        else:
            ch = symbol_char(el)
            if ch is None:
                continue
            mapped = map_symbols(ch)
            if mapped != ch and not mapped.isspace():
                out.append(_Char(mapped, el, 0, p))
    return out


def _run_of(el):
    from ..ingest.docx import qn

    r = el.getparent()
    return r if r is not None and r.tag == qn("w:r") else None


def _text_runs(p) -> list:
    """Runs of a paragraph that carry text (outside text boxes), in order."""
    chars = _paragraph_chars(p)
    runs: list = []
    for c in chars:
        r = _run_of(c.el)
        if r is not None and (not runs or runs[-1] is not r):
            runs.append(r)
    return runs


def _split_run(t, k: int) -> None:
    """Split the run holding w:t ``t`` so that t.text[k:] starts a new run (same formatting)."""
    from ..ingest.docx import qn

    r = _run_of(t)
    text = t.text or ""
    if r is None or not 0 < k < len(text):
        return
    children = list(r)
    idx = children.index(t)
    r2 = copy.deepcopy(r)
    children2 = list(r2)
    for c in children[idx + 1:]:
        r.remove(c)
    for c in children2[:idx]:
        if c.tag != qn("w:rPr"):
            r2.remove(c)
    t2 = children2[idx]
    t.text, t2.text = text[:k], text[k:]
    for el in (t, t2):
        if el.text != el.text.strip():
            el.set(_XML_SPACE, "preserve")
    r.addnext(r2)


def _nonspace(text: str, start: int, end: int) -> tuple[list[str], list[int]]:
    chars, pos = [], []
    for i in range(start, end):
        if not text[i].isspace():
            chars.append(text[i])
            pos.append(i)
    return chars, pos


def _target_span(f: Finding) -> tuple[int, int]:
    """Block offsets of what the comment should cover: the evidence inside the clause if it can
    be found there, else the clause."""
    ev = (f.evidence or "").strip().strip("，,。；;：:、")
    if ev:
        i = f.clause.find(ev)
        if i >= 0:
            return f.start + i, f.start + i + len(ev)
    return f.start, f.end


@dataclass
class _Anchor:
    finding: Finding
    paragraphs: list | None = None  # the w:p elements the span was located in
    first: int = -1                 # index of the first covered character in their stream
    last: int = -1
    whole: tuple | None = None      # (first w:r, last w:r) when anchored on a whole paragraph/row
    note: str | None = None


def _locate(block_text: str, chars: list[_Char], start: int, end: int) -> tuple[int, int] | None:
    """Stream indices (first, last) of block_text[start:end] inside ``chars``, or None."""
    bchars, _ = _nonspace(block_text, 0, len(block_text))
    # block index of each non-space char position
    nonspace_index = {}
    n = 0
    for i, ch in enumerate(block_text):
        if not ch.isspace():
            nonspace_index[i] = n
            n += 1
    span = [nonspace_index[i] for i in range(start, min(end, len(block_text))) if i in nonspace_index]
    if not span:
        return None
    stream = [c.ch for c in chars]
    mapping: dict[int, int] = {}
    sm = difflib.SequenceMatcher(None, bchars, stream, autojunk=False)
    for a, b, size in sm.get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    first_matched = min(mapping) if mapping else len(bchars)
    mapped = [mapping[i] for i in span if i in mapping]
    # characters the reader adds itself: the numbering label before the text, cell separators
    added = [i for i in span if i not in mapping and not (i < first_matched or bchars[i] == "|")]
    if mapped and not added and mapped == sorted(mapped) and mapped[-1] - mapped[0] + 1 <= 2 * len(span) + 4:
        return mapped[0], mapped[-1]
    # fall back to a plain search of the span's characters (nearest to where it should be)
    want = "".join(bchars[i] for i in span if bchars[i] != "|" or i in mapping)
    hay = "".join(stream)
    hits = [m.start() for m in re.finditer(re.escape(want), hay)] if want else []
    if hits:
        expect = mapped[0] if mapped else 0
        h = min(hits, key=lambda x: abs(x - expect))
        return h, h + len(want) - 1
    return None


def _annotate_word(data: bytes, doc_result: DocumentResult, author: str) -> bytes:
    import docx

    from ..ingest.docx import Numbering

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    try:
        numbering_el = document.part.numbering_part.element
    except Exception:
        numbering_el = None
    try:
        styles_el = document.part.styles.element
    except Exception:
        styles_el = None
    reader = _source_reader()(Numbering(numbering_el, styles_el))
    reader.walk(body)
    reread = [b.text for b in reader.out.blocks]
    sources = reader.sources
    if len(sources) != len(reread):    # the reader changed how it collects blocks: search instead
        from ..ingest.docx import W_P

        reread, sources = [], [[p] for p in body.iter(W_P)]
    blocks: tuple[Block, ...] = doc_result.document.blocks if doc_result.document is not None else ()

    def sources_for(f: Finding) -> tuple[str, list] | None:
        idx = f.location.paragraph
        if idx is None:
            return None
        if idx < len(blocks):
            text = blocks[idx].text
        else:
            return None
        if idx < len(reread) and reread[idx] == text:
            return text, sources[idx]
        # the file differs from what was checked: the block with the same text nearest idx,
        # else a similar block close to idx (the alignment below copes with small edits)
        same = [i for i, t in enumerate(reread) if t == text]
        if same:
            i = min(same, key=lambda j: abs(j - idx))
            return text, sources[i]
        near = [(difflib.SequenceMatcher(None, text, reread[i], autojunk=False).ratio(), -abs(i - idx), i)
                for i in range(max(0, idx - 3), min(len(reread), idx + 4))]
        best = max(near, default=None)
        if best is not None and best[0] >= 0.6:
            return text, sources[best[2]]
        return None

    all_paragraphs = list(dict.fromkeys(p for src in sources for p in src))
    anchors: list[_Anchor] = []
    for f in doc_result.findings:
        a = _Anchor(f)
        anchors.append(a)
        found = sources_for(f)
        if found is not None:
            text, ps = found
            chars = [c for p in ps for c in _paragraph_chars(p)]
            loc = None
            for s, e in (_target_span(f), (f.start, f.end)):
                loc = _locate(text, chars, s, e)
                if loc is not None:
                    break
            if loc is not None:
                a.paragraphs, (a.first, a.last) = ps, loc
                continue
            runs = [r for p in ps for r in _text_runs(p)]
            if runs:
                a.whole = (runs[0], runs[-1])
                a.note = NOTE_ROW if blocks[f.location.paragraph].kind == "table_row" and len(ps) > 1 \
                    else (NOTE_CELL if f.location.table is not None else NOTE_PARAGRAPH)
                continue
        # last resort: search the clause in every paragraph the reader read, in body order
        _search_everywhere(a, all_paragraphs)

    # Split runs so that every anchor starts and ends on a run boundary. All cut points are
    # taken before any split; per w:t element they are applied from the right, so the smaller
    # offsets stay valid. Splitting changes no character and no order, so afterwards the
    # stream indices still point at the same characters.
    cuts: dict[object, set[int]] = {}
    elements: dict[object, object] = {}
    for a in anchors:
        if a.paragraphs is None:
            continue
        chars = [c for p in a.paragraphs for c in _paragraph_chars(p)]
        for c, k in ((chars[a.first], chars[a.first].off), (chars[a.last], chars[a.last].off + 1)):
            elements[id(c.el)] = c.el
            cuts.setdefault(id(c.el), set()).add(k)
    for key, offs in cuts.items():
        el = elements[key]
        if el.tag.endswith("}sym"):
            continue
        for k in sorted(offs, reverse=True):
            _split_run(el, k)

    initials = initials_of(author)
    for a in anchors:
        text = comment_text(a.finding, a.note)
        if a.paragraphs is not None:
            chars = [c for p in a.paragraphs for c in _paragraph_chars(p)]
            first_r, last_r = _run_of(chars[a.first].el), _run_of(chars[a.last].el)
            if first_r is not None and last_r is not None:
                _add_comment(document, first_r, last_r, text, author, initials)
                continue
            a.whole = (_text_runs(a.paragraphs[0]) or [None])[0], (_text_runs(a.paragraphs[-1]) or [None])[-1]
        if a.whole is not None and a.whole[0] is not None and a.whole[1] is not None:
            _add_comment(document, a.whole[0], a.whole[1], text, author, initials)
            continue
        # nothing to anchor on: the first text run of the document, saying so
        runs = next((r for p in all_paragraphs for r in [_text_runs(p)] if r), None)
        if runs:
            note = "未能在原文中找到该条款，批注标在文件开头。"
            _add_comment(document, runs[0], runs[0], comment_text(a.finding, note), author, initials)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _search_everywhere(a: _Anchor, paragraphs: list) -> None:
    f = a.finding
    for s, e in (_target_span(f), (f.start, f.end)):
        want = "".join(ch for ch in f.clause[s - f.start:e - f.start] if not ch.isspace())
        if not want:
            continue
        for p in paragraphs:
            chars = _paragraph_chars(p)
            i = "".join(c.ch for c in chars).find(want)
            if i >= 0:
                a.paragraphs, a.first, a.last = [p], i, i + len(want) - 1
                return


# --- PDF / text input: a new Word rendering ----------------------------------------------------

LABEL_STYLE = "FCR 位置"
NOTE_STYLE = "FCR 说明"


def _render_word(doc_result: DocumentResult, author: str) -> bytes:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    src: Document = doc_result.document
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "宋体")
    label = document.styles.add_style(LABEL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    label.font.size = Pt(8)
    label.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    label.paragraph_format.space_before = Pt(6)
    label.paragraph_format.space_after = Pt(0)
    label.paragraph_format.keep_with_next = True
    note = document.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9)
    note.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    name = os.path.basename(src.path) if src.path != "-" else "标准输入"
    document.core_properties.title = src.title or name
    document.core_properties.author = author
    document.core_properties.created = comment_datetime()
    document.core_properties.modified = comment_datetime()
    document.core_properties.last_modified_by = author
    document.core_properties.revision = 1
    document.add_paragraph(f"本文件由 fcr 根据“{name}”的文字内容生成，共 {len(doc_result.findings)} 处问题以批注标出；"
                           "小号灰字为原文件中的位置。", style=NOTE_STYLE)

    by_block: dict[int, list[Finding]] = {}
    for f in doc_result.findings:
        if f.location.paragraph is not None:
            by_block.setdefault(f.location.paragraph, []).append(f)

    initials = initials_of(author)
    last_page = last_table = None
    for i, block in enumerate(src.blocks):
        loc = block.location
        header = None
        if loc.page is not None and loc.page != last_page:
            header = f"第{loc.page}页"
        if loc.line is not None:
            header = (header + " " if header else "") + f"第{loc.line}行"
        if loc.table is not None and loc.table != last_table:
            header = (header + " " if header else "") + f"表{loc.table}"
        last_page, last_table = loc.page, loc.table
        if header:
            document.add_paragraph(header, style=LABEL_STYLE)
        findings = by_block.get(i, [])
        spans = [_target_span(f) for f in findings]
        cuts = sorted({0, len(block.text)} | {max(0, min(len(block.text), x)) for s in spans for x in s})
        if block.kind == "heading":
            level = 1 if loc.article is None and not loc.heading_path else min(len(loc.heading_path) + 1, 4)
            para = document.add_heading("", level=level)
        else:
            para = document.add_paragraph()
        runs = []
        text = _XML_INVALID.sub(" ", block.text)     # same length: offsets still hold
        for a, b in zip(cuts, cuts[1:]):
            if a < b:
                runs.append((a, b, para.add_run(text[a:b])))
        for f, (s, e) in zip(findings, spans):
            covered = [r for a, b, r in runs if a < e and b > s] or [r for _, _, r in runs]
            if covered:
                comment = document.add_comment(covered, text=comment_text(f), author=author, initials=initials)
                comment._comment_elm.date = comment_datetime()
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
