"""Linter-style text: ``path:line: [RULE-ID] message``, one finding a line, Chinese labels."""
from __future__ import annotations

from ..document import Location
from ..findings import Finding, Note, RunResult
from .common import explanation_zh

_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_COLORS = {"high": "\033[31m", "medium": "\033[33m", "low": "\033[36m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def location_label(loc: Location) -> str:
    parts = []
    if loc.page is not None:
        parts.append(f"第{loc.page}页")
    if loc.table is not None:
        parts.append(f"表{loc.table}" + (f"第{loc.row}行" if loc.row is not None else ""))
    elif loc.paragraph is not None and loc.line is None:
        parts.append(f"第{loc.paragraph + 1}段")
    if loc.article:
        parts.append(loc.article)
    return " ".join(parts)


def _line(path: str, f: Finding, explain: bool, color: bool) -> str:
    loc = f.location
    where = f"{path}:{loc.line}" if loc.line is not None else path
    label = location_label(loc)
    sev = _SEVERITY_ZH[f.severity]
    tag = f"[{f.rule_id}]"
    if color:
        tag = f"{_COLORS[f.severity]}{tag}{_RESET}"
    # A citation whose text is not shipped (and so not checked by our citation test) says so.
    basis = "；".join(c.label() + ("（条文未随附，未经核对）" if not c.verified else "") for c in f.legal_basis)
    out = [f"{where}: {tag} {f.title}（{sev}，置信度 {f.confidence:.2f}）" + (f" 〔{label}〕" if label else "")]
    clause = f.clause if len(f.clause) <= 120 else f.clause[:118] + "……"
    out.append(f"    条款：{clause}")
    out.append(f"    问题：{f.message}")
    out.append(f"    依据：{basis}")
    out.append(f"    建议：{f.suggestion}")
    if explain and f.explanation is not None:
        why = "    " + explanation_zh(f.explanation)
        out.append(f"{_DIM}{why}{_RESET}" if color else why)
    return "\n".join(out)


_NOTE_KIND = {"lawful_licence": "依法设定的许可，条款仅予重述", "list_prohibition": "重述市场准入负面清单禁止准入事项"}


def _note_line(path: str, n: Note) -> str:
    where = f"{path}:{n.location.line}" if n.location.line is not None else path
    label = location_label(n.location)
    basis = "；".join(c.label() for c in n.basis) or "未载明"
    clause = n.clause if len(n.clause) <= 120 else n.clause[:118] + "……"
    return (f"{where}: 说明：未列为问题——“{n.licence}”属{_NOTE_KIND.get(n.kind, n.kind)}（依据：{basis}）"
            + (f" 〔{label}〕" if label else "") + f"\n    条款：{clause}")


def render(result: RunResult, *, explain: bool = False, color: bool = False) -> str:
    lines: list[str] = []
    for doc in result.documents:
        if doc.status == "error":
            lines.append(f"{doc.path}: 错误：{doc.error}")
            continue
        for w in doc.warnings:
            lines.append(f"{doc.path}: 警告：{w}")
        for f in doc.findings:
            lines.append(_line(doc.path, f, explain, color))
        if explain:   # what a detector checked and left alone (e.g. a lawful licence restated)
            lines += [_note_line(doc.path, n) for n in doc.notes]
    total = len(result.findings)
    errors = sum(d.status == "error" for d in result.documents)
    summary = f"共检查 {len(result.documents)} 个文件，发现 {total} 处问题"
    if errors:
        summary += f"，{errors} 个文件无法读取"
    lines.append(summary + "。")
    return "\n".join(lines) + "\n"
