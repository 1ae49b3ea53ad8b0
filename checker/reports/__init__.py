"""Output formats: one module per format behind one small interface.

Every renderer is ``render(result: RunResult, *, explain: bool = False, color: bool = False)
-> str | bytes`` and only reads the frozen finding records (and, where it shows findings in
their surrounding text, ``DocumentResult.document``). The CLI looks the name up here; no
renderer is chosen by an if/elif ladder. Modules are imported on first use, so a plain
``fcr check`` does not pay for openpyxl or python-docx output code.
"""
from __future__ import annotations

from importlib import import_module
from typing import Callable

from ..findings import RunResult

RENDERERS: dict[str, str] = {
    "text": "text_report",
    "json": "json_report",
    "html": "html_report",
    "md": "md_report",
    "xlsx": "xlsx_report",
    "sarif": "sarif_report",
}
BINARY_FORMATS = frozenset({"xlsx"})


def renderer(name: str) -> Callable[..., str | bytes]:
    return import_module(f"{__name__}.{RENDERERS[name]}").render


def render(name: str, result: RunResult, *, explain: bool = False, color: bool = False) -> str | bytes:
    return renderer(name)(result, explain=explain, color=color)
