"""Small helpers every file-producing renderer shares: the report date and reproducible zips."""
from __future__ import annotations

import datetime as _dt
import io
import os
import zipfile

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def report_date() -> str:
    """The date printed on reports: ``FCR_REPORT_DATE`` when set (tests, reproducible builds),
    else today, as YYYY-MM-DD."""
    return (os.environ.get("FCR_REPORT_DATE") or "").strip() or _dt.date.today().isoformat()


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite an OOXML package (docx, xlsx) with fixed entry timestamps and modes, so the same
    input gives the same bytes (python-docx and openpyxl stamp the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def explanation_zh(e) -> str:
    """``--explain`` in words: what matched, which context words moved confidence, the model."""
    why = f"命中：{'、'.join(e.matched)}（{e.check}）"
    if e.raised_by:
        why += f"；加强语境：{'、'.join(e.raised_by)}"
    if e.lowered_by:
        why += f"；减弱语境：{'、'.join(e.lowered_by)}"
    if e.related_rules:
        why += f"；同类规则：{'、'.join(e.related_rules)}"
    if e.model_probability is not None:
        why += f"；模型违规概率 {e.model_probability:.2f}"
        if e.model_category:
            why += f"（类别 {e.model_category}，{e.model_category_probability:.2f}）"
    return why
