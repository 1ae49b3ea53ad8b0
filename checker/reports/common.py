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
