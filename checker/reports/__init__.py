"""Output formats: one module per format, each with ``render(result, *, explain, color) -> str``.

The CLI only looks a name up here; no renderer is chosen by an if/elif ladder.
"""
from __future__ import annotations

from typing import Callable

from ..findings import RunResult
from . import json_report, text_report

Renderer = Callable[..., str]

RENDERERS: dict[str, Renderer] = {
    "text": text_report.render,
    "json": json_report.render,
}


def render(name: str, result: RunResult, *, explain: bool = False, color: bool = False) -> str:
    return RENDERERS[name](result, explain=explain, color=color)
