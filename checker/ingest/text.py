"""Plain text (.txt) and Markdown (.md) reader.

Every non-empty line is one block whose ``location.line`` is its 1-based line number in the file,
blank lines included (evaluation scripts match findings to these line numbers). Only leading and
trailing whitespace is removed from ``Block.text``; clause offsets are relative to that text.
"""
from __future__ import annotations

import re

from checker.errors import IngestError
from checker.document import Location
from checker.ingest.base import CELL_SEP, RawBlock, RawRead
from checker.ingest.structure import looks_like_heading

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0 control characters that never occur in a real text file (tab, LF, VT, FF, CR and ESC-free)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def decode(data: bytes, path: str) -> str:
    """Bytes -> str: BOM, then UTF-8 strict, then GB18030 strict, then charset-normalizer."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc.replace("-sig", ""))
            except UnicodeDecodeError:
                raise IngestError(path, f"文本编码无法识别（文件以 {enc.upper()} 标记开头，但内容不是有效的 {enc.upper()}）")
            _check_binary(text, path)
            return text
    if b"\x00" in data:
        raise IngestError(path, "不是文本文件（含二进制内容）")
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        _check_binary(text, path)
        return text
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - library failure
        best = None
    if best is None:
        if _looks_binary_bytes(data):
            raise IngestError(path, "不是文本文件（含二进制内容）")
        raise IngestError(path, "文本编码无法识别（支持 UTF-8、GB18030/GBK、带 BOM 的 UTF-16），请另存为 UTF-8 后再检查")
    text = str(best)
    _check_binary(text, path)
    return text


def _looks_binary_bytes(data: bytes) -> bool:
    sample = data[:8192]
    bad = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return bad > max(1, len(sample) // 100)


def _check_binary(text: str, path: str) -> None:
    sample = text[:20000]
    bad = len(_CONTROL.findall(sample))
    if bad and bad > max(2, len(sample) // 200):
        raise IngestError(path, "不是文本文件（含二进制内容）")


def split_lines(text: str) -> list[str]:
    """Split on CRLF / CR / LF only (not on the other Unicode line separators str.splitlines
    knows), so line numbers match what editors and grep report."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read(data: bytes, path: str) -> RawRead:
    text = decode(data, path)
    markdown = path.lower().endswith((".md", ".markdown"))
    return read_text(text, markdown=markdown)


_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_MD_BULLET = re.compile(r"^(?:[-*+]|>)[ \t]+")
_MD_TABLE_SEP = re.compile(r"^\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?$")
_TITLE_META = re.compile(r"^#\s*title\s*[:：]\s*(.+)$", re.I)


def read_text(text: str, markdown: bool = False) -> RawRead:
    out = RawRead()
    table_no = 0
    in_table = False
    header: str | None = None
    row_no = 0
    for lineno, line in enumerate(split_lines(text), start=1):
        s = line.strip()
        if not s:
            in_table = False
            continue
        if not markdown:
            if out.title is None and lineno <= 5:
                m = _TITLE_META.match(s)
                if m:
                    out.title = m.group(1).strip()
            kind = "heading" if looks_like_heading(s) else "paragraph"
            out.blocks.append(RawBlock(s, kind, Location(line=lineno)))
            continue
        # --- markdown ---
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            if _MD_TABLE_SEP.match(s):
                continue
            cells = [c.strip().replace("**", "") for c in s[1:-1].split("|")]
            if not in_table:
                in_table = True
                table_no += 1
                row_no = 0
                header = None
            row_no += 1
            row_text = CELL_SEP.join(c for c in cells if c)
            if not row_text:
                continue
            if row_no == 1:
                # the first markdown row is the header by syntax
                header = row_text
                out.blocks.append(RawBlock(row_text, "table_row", Location(line=lineno, table=table_no, row=row_no)))
            else:
                out.blocks.append(RawBlock(row_text, "table_row", Location(line=lineno, table=table_no, row=row_no),
                                           context=header))
            continue
        in_table = False
        m = _MD_HEADING.match(s)
        if m:
            body = m.group(2).replace("**", "").strip()
            if body:
                if out.title is None and len(m.group(1)) == 1:
                    out.title = body
                out.blocks.append(RawBlock(body, "heading", Location(line=lineno), level=len(m.group(1))))
            continue
        kind = "paragraph"
        b = _MD_BULLET.match(s)
        if b:
            s = s[b.end():].strip()
            kind = "list_item"
        s = s.replace("**", "").strip()
        if not s:
            continue
        if kind == "paragraph" and looks_like_heading(s):
            kind = "heading"
        out.blocks.append(RawBlock(s, kind, Location(line=lineno)))
    return out
