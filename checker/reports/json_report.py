"""The JSON contract of ``fcr check --format json`` (see DESIGN.md): stable, fields only added."""
from __future__ import annotations

import json

from ..findings import RunResult


def render(result: RunResult, *, explain: bool = False, color: bool = False) -> str:
    return json.dumps(result.to_record(explain=explain), ensure_ascii=False, indent=2) + "\n"
