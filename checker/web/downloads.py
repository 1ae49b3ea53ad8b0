"""The page's downloads, made by the report modules ``fcr check`` uses: the HTML report, the xlsx
ledger, the annotated Word copy and the review-form draft.

Decisions shape what is downloaded: a finding the reviewer dismissed (排除) is left out of the
HTML report, the annotated copy and the review-form draft — they go back to the drafting unit —
while the xlsx ledger of a saved document lists every finding with its status, owner, deadline
and 台账编号 (``checker.ledger.views.ledger_xlsx``, as ``fcr ledger export`` writes it).
"""
from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from fastapi.responses import Response

from ..findings import DocumentResult, RunResult

KINDS = {
    # kind: (file-name suffix, media type, label on the page)
    "html": ("检查报告.html", "text/html; charset=utf-8", "HTML 报告"),
    "xlsx": ("台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "台账 xlsx"),
    "docx": ("批注.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "批注版 Word"),
    "review": ("审查结论草稿.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "审查结论草稿"),
}
_ASCII_NAMES = {"html": "fcr-report.html", "xlsx": "fcr-ledger.xlsx", "docx": "fcr-annotated.docx",
                "review": "fcr-review-form.docx"}


class DownloadError(Exception):
    """A download that cannot be made (e.g. the original Word file is gone); Chinese message."""


def stem(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")) or "文件"
    return os.path.splitext(base)[0] or base


def attachment(kind: str, data: bytes | str, name_stem: str) -> Response:
    suffix, media, _ = KINDS[kind]
    body = data.encode("utf-8") if isinstance(data, str) else data
    filename = f"{name_stem}-{suffix}"
    disposition = f"attachment; filename=\"{_ASCII_NAMES[kind]}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def without_dismissed(result: DocumentResult, statuses: list[str | None]) -> DocumentResult:
    """The document as the reviewer decided it: dismissed findings dropped."""
    kept = tuple(f for f, s in zip(result.findings, statuses) if s != "dismissed")
    return dataclasses.replace(result, findings=kept)


def report(kind: str, run: RunResult) -> bytes | str:
    """HTML report, xlsx ledger (of an unsaved run) or review-form draft for ``run``."""
    if kind == "review":
        from ..reports.review_form import render_review_form

        return render_review_form(run)
    from ..reports import render

    return render(kind, run)


def annotated(result: DocumentResult, *, original: bytes | None = None, source: Path | None = None,
              workdir: Path | None = None) -> bytes:
    """The annotated Word copy. The annotator reads a Word original from ``result.path``: for a
    saved document that is ``source`` (the stored file); for an unsaved one the bytes are
    written for the moment into the private ``workdir`` and deleted right after."""
    from ..reports.annotate_docx import WORD_EXTENSIONS, annotated_docx

    if result.status != "ok":
        raise DownloadError(f"文件未能读取，无法生成批注版（{result.error}）")
    is_word = result.path.lower().endswith(WORD_EXTENSIONS)
    if not is_word:
        if result.document is None:
            raise DownloadError("没有可用的原文，无法生成批注版")
        return annotated_docx(result)
    if source is not None:
        if not source.is_file():
            raise DownloadError(f"原文件已不在 {source}，无法生成批注版")
        return annotated_docx(dataclasses.replace(result, path=str(source)))
    if original is None or workdir is None:
        raise DownloadError("原文件已不在内存中（结果已过期），请重新上传")
    tmp = workdir / f"annotate-{secrets.token_hex(8)}{os.path.splitext(result.path)[1].lower()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(original)
        return annotated_docx(dataclasses.replace(result, path=str(tmp)))
    finally:
        tmp.unlink(missing_ok=True)
