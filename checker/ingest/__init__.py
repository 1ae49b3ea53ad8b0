"""Ingest: turn one file into a ``Document`` (blocks in reading order with their locations).

``read_document(path, data=None)`` picks a reader by extension; each reader module
(text, docx, pdf, ofd) exposes ``read(data: bytes, path: str) -> RawRead`` and
``structure.annotate`` adds paragraph index, article label and heading path.
Every failure is an ``IngestError(path, reason)`` with a specific Chinese reason.
"""
from __future__ import annotations

import os

from checker.document import Document
from checker.errors import IngestError
from checker.ingest import structure
from checker.ingest.base import RawRead

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".docx", ".pdf", ".txt", ".md", ".ofd")
_TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".text")
_OLD_FORMATS = {
    ".doc": "旧版 Word 格式（.doc）不支持，请另存为 .docx 后再检查",
    ".wps": "旧版 WPS 文字格式（.wps）不支持，请另存为 .docx 后再检查",
    ".dot": "旧版 Word 模板格式（.dot）不支持，请另存为 .docx 后再检查",
}
STDIN = "-"


def _reader(ext: str):
    if ext in _TEXT_EXTENSIONS:
        from checker.ingest import text
        return text
    if ext in (".docx", ".docm", ".dotx"):
        from checker.ingest import docx
        return docx
    if ext == ".pdf":
        from checker.ingest import pdf
        return pdf
    if ext == ".ofd":
        from checker.ingest import ofd
        return ofd
    return None


def _unsupported(ext: str) -> str:
    shown = ext if ext else "（无扩展名）"
    return f"不支持的文件类型 {shown}（支持 .docx、.pdf、.txt、.md、.ofd）"


def read_document(path: str, data: bytes | None = None) -> Document:
    """Read ``path`` (or ``data`` if given; ``path == "-"`` means standard input, read as text)."""
    if path == STDIN:
        if data is None:
            raise IngestError(path, "标准输入没有内容")
        ext = ".txt"
    else:
        ext = os.path.splitext(path)[1].lower()
    if data is None:
        if not os.path.exists(path):
            raise IngestError(path, "文件不存在")
        if os.path.isdir(path):
            raise IngestError(path, "是一个目录，不是文件")
        if ext not in _OLD_FORMATS and _reader(ext) is None:
            raise IngestError(path, _unsupported(ext))
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except PermissionError:
            raise IngestError(path, "没有读取权限")
        except OSError as e:
            raise IngestError(path, f"无法读取文件（{e.strerror or e}）")
    if ext in _OLD_FORMATS:
        if data[:2] == b"PK":      # a .docx saved with the wrong extension: read it anyway
            ext = ".docx"
        else:
            raise IngestError(path, _OLD_FORMATS[ext])
    reader = _reader(ext)
    if reader is None:
        raise IngestError(path, _unsupported(ext))
    if not data or (ext in _TEXT_EXTENSIONS and not data.strip()):
        raise IngestError(path, "文件为空")
    raw: RawRead = reader.read(data, path)
    blocks = structure.annotate(raw.blocks)
    if not blocks:
        if ext in _TEXT_EXTENSIONS:
            raise IngestError(path, "文件为空")
        if not raw.warnings:
            raise IngestError(path, "文件中没有可检查的文字")
    return Document(path=path, blocks=blocks, warnings=tuple(raw.warnings), title=raw.title)
