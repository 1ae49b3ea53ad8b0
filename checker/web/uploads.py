"""Receive a multipart upload into the app's private folder, enforcing the size limit while reading.

FastAPI's ``UploadFile`` is not used on purpose: Starlette parses the whole body before the
handler runs and spools each file to the *system* temporary directory. Here the request body is
read chunk by chunk, each file part goes straight into a fresh sub-folder (0700) of the app's
private temporary folder, and reading stops with 413 as soon as the content passes the limit, so
a 5 GB upload costs one network chunk of memory and at most ``limit`` bytes of disk.

The client's file name is kept only as a label (it becomes ``path`` in the JSON, as ``fcr check``
prints the name it was given); the file on disk gets a neutral name (``001.docx``), so no name a
client sends can point outside the folder.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FILES = 100
MAX_FIELDS = 50
MAX_FIELD_BYTES = 64 * 1024            # small form fields (doc_type, folder, …)
TEXT_FIELDS = frozenset({"text"})      # pasted text: counted against the upload limit instead
# Multipart framing (boundaries, part headers) on top of the content; generous for 100 parts.
FRAMING_ALLOWANCE = 256 * 1024
_EXT = re.compile(r"\.[A-Za-z0-9]{1,10}$")
_FILENAME_STAR = re.compile(rb"filename\*\s*=\s*([^;]+)", re.IGNORECASE)


class UploadError(Exception):
    """An upload or form the server refuses; ``status`` is the HTTP status (4xx), ``message`` the
    Chinese reason shown to the reviewer (the pages' small forms raise it too)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def human_size(n: int) -> str:
    """50 MB, 1.5 MB, 200 KB: limits as a reviewer reads them."""
    if n >= 1024 * 1024:
        v = n / (1024 * 1024)
        return f"{v:.0f} MB" if v == int(v) else f"{v:.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} 字节"


def too_large(limit: int) -> UploadError:
    return UploadError(413, f"上传内容超过 {human_size(limit)} 的上限，未做检查。请拆分文件或分批上传。")


@dataclass
class UploadedFile:
    field: str
    filename: str          # as the client gave it: a label, never opened as a path
    path: Path             # the bytes, inside the upload's private folder
    size: int = 0

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class Upload:
    folder: Path
    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def named(self, name: str) -> list[UploadedFile]:
        return [f for f in self.files if f.field == name]

    def discard(self) -> None:
        """Delete the uploaded files (after checking, unless they were saved to the ledger)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def new_folder(root: Path) -> Path:
    """A fresh private sub-folder of the app's temporary folder for one request's files."""
    folder = root / secrets.token_hex(8)
    folder.mkdir(mode=0o700)
    return folder


class _Receiver:
    """python-multipart callbacks: one part at a time, file data written as it arrives."""

    def __init__(self, folder: Path, limit: int):
        self.upload = Upload(folder)
        self.limit = limit
        self.content = 0            # bytes of part data so far, all parts
        self._headers: list[tuple[bytes, bytes]] = []
        self._name = b""
        self._value = b""
        self._field = ""
        self._file: UploadedFile | None = None
        self._fh = None
        self._data = bytearray()
        self._fields = 0

    # -- headers of a part ------------------------------------------------------------------
    def on_part_begin(self) -> None:
        self._headers, self._file, self._data = [], None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers.append((self._name.lower(), self._value))
        self._name, self._value = b"", b""

    def on_headers_finished(self) -> None:
        disposition = next((v for k, v in self._headers if k == b"content-disposition"), b"")
        _, options = parse_options_header(disposition)
        if b"name" not in options:
            raise UploadError(400, "上传数据格式错误：表单字段缺少名称")
        self._field = _decode(options[b"name"])
        filename = _filename(disposition, options)
        if filename is None:
            self._fields += 1
            if self._fields > MAX_FIELDS:
                raise UploadError(400, f"表单字段过多（至多 {MAX_FIELDS} 个）")
            return
        if len(self.upload.files) >= MAX_FILES:
            raise UploadError(400, f"一次至多上传 {MAX_FILES} 个文件，请分批上传")
        n = len(self.upload.files) + 1
        m = _EXT.search(filename)
        path = self.upload.folder / f"{n:03d}{m.group(0).lower() if m else ''}"
        # Open across parser callbacks; closed in on_part_end (or close() on error).
        self._fh = open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")  # noqa: SIM115
        self._file = UploadedFile(self._field, filename, path)

    # -- data -------------------------------------------------------------------------------
    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        self.content += size
        if self.content > self.limit:
            raise too_large(self.limit)
        if self._file is not None:
            # A plain write: chunks are at most one network read (64 KiB), local disk.
            self._fh.write(data[start:end])
            self._file.size += size
            return
        if self._field not in TEXT_FIELDS and len(self._data) + size > MAX_FIELD_BYTES:
            raise UploadError(400, f"表单字段 {self._field} 过长")
        self._data += data[start:end]

    def on_part_end(self) -> None:
        if self._file is not None:
            self._fh.close()
            self._fh = None
            # A form submitted without choosing a file sends an empty part with filename="".
            if self._file.filename or self._file.size:
                self.upload.files.append(self._file)
            else:
                self._file.path.unlink(missing_ok=True)
            self._file = None
            return
        self.upload.fields[self._field] = self._data.decode("utf-8", errors="replace")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    def callbacks(self) -> dict:
        return {name: getattr(self, name) for name in (
            "on_part_begin", "on_part_data", "on_part_end", "on_header_field", "on_header_value",
            "on_header_end", "on_headers_finished")}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")   # old Windows clients


def _filename(disposition: bytes, options: dict) -> str | None:
    """The part's file name, RFC 5987 ``filename*=UTF-8''…`` first; None for a plain field."""
    star = _FILENAME_STAR.search(disposition)
    if star:
        value = star.group(1).strip().strip(b'"')
        charset, _, rest = value.partition(b"'")
        _, _, encoded = rest.partition(b"'")
        try:
            return unquote(encoded.decode("ascii"), encoding=charset.decode("ascii") or "utf-8")
        except (LookupError, UnicodeDecodeError):
            pass
    if b"filename" in options:
        return _decode(options[b"filename"])
    return None


async def receive_upload(request, root: Path, limit: int) -> Upload:
    """Parse ``request``'s multipart body into ``root``/<random>/; raises :class:`UploadError`."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    urlencoded = ctype == b"application/x-www-form-urlencoded"    # pasted text without a file
    if not urlencoded and (ctype != b"multipart/form-data" or b"boundary" not in params):
        raise UploadError(415, "请以 multipart/form-data 表单上传文件（字段 file）")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + FRAMING_ALLOWANCE:
        raise too_large(limit)          # refused before reading a byte
    folder = new_folder(root)
    if urlencoded:
        return await _receive_urlencoded(request, folder, limit)
    receiver = _Receiver(folder, limit)
    received = 0
    try:
        parser = MultipartParser(params[b"boundary"], receiver.callbacks())
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + FRAMING_ALLOWANCE:
                raise too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except UploadError:
        receiver.close()
        receiver.upload.discard()
        raise
    except Exception as e:  # noqa: BLE001 - python-multipart raises several error types
        receiver.close()
        receiver.upload.discard()
        raise UploadError(400, f"上传数据格式错误，无法解析（{type(e).__name__}）") from None
    receiver.close()
    return receiver.upload


async def _receive_urlencoded(request, folder: Path, limit: int) -> Upload:
    """A form without files (pasted text): fields only, read up to the same limit."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + FRAMING_ALLOWANCE:
            shutil.rmtree(folder, ignore_errors=True)
            raise too_large(limit)
    fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return Upload(folder, [], fields)
