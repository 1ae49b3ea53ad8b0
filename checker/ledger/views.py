"""Ledger rows rendered for people: findings rebuilt as ``Finding`` records, the text listing,
the JSON listing of ``fcr ledger list``, the stats table and the xlsx 台账 with the review columns
(责任单位, 整改时限, 状态) filled from the ledger. Reads the ledger, never writes it."""
from __future__ import annotations

import io
import json
import zipfile

from ..document import Location
from ..findings import Citation, DocumentResult, Finding, RunResult
from .store import STATUS_ZH, Ledger

_LOC_FIELDS = ("page", "paragraph", "line", "table", "row", "article")


def row_to_finding(row) -> Finding:
    """A ledger finding row as the frozen ``Finding`` the renderers read."""
    loc = json.loads(row["location"])
    location = Location(**{k: loc.get(k) for k in _LOC_FIELDS}, heading_path=tuple(loc.get("heading_path") or ()))
    basis = tuple(Citation(b["law"], b.get("article"), b.get("item"), b.get("paragraph"), b.get("verified", True))
                  for b in json.loads(row["legal_basis"]))
    return Finding(
        rule_id=row["rule_id"], category=row["category"], severity=row["severity"], title=row["title"],
        message=row["message"], suggestion=row["suggestion"], legal_basis=basis, clause=row["clause"],
        evidence=row["evidence"], location=location, start=loc.get("start") or 0, end=loc.get("end") or 0,
        confidence=row["confidence"], detector=row["detector"],
    )


def finding_record(row) -> dict:
    """One finding of ``fcr ledger list --format json``."""
    return {
        "id": row["id"],
        "path": row["path"],
        "rule_id": row["rule_id"],
        "status": row["status"],
        "clause": row["clause"],
        "location": json.loads(row["location"]),
        "fingerprint": row["fingerprint"],
        "category": row["category"],
        "severity": row["severity"],
        "title": row["title"],
        "message": row["message"],
        "suggestion": row["suggestion"],
        "legal_basis": json.loads(row["legal_basis"]),
        "evidence": row["evidence"],
        "confidence": row["confidence"],
        "detector": row["detector"],
        "owner": row["owner"],
        "deadline": row["deadline"],
        "note": row["note"],
        "first_seen": row["first_seen"],
        "last_seen": row["last_seen"],
    }


def document_record(row) -> dict:
    return {
        "path": row["path"],
        "sha256": row["sha256"],
        "status": row["status"],
        "error": row["error"],
        "checked_at": row["checked_at"],
        "findings": row["n_findings"],
        "doc_type": row["doc_type"],
        "size": row["size"],
        "run_id": row["run_id"],
        "missing_since": row["missing_since"],   # the file was no longer found by an audit
    }


RUN_STATUS_ZH = {"running": "运行中", "done": "完成", "interrupted": "已中断", "killed": "进程被终止"}


def run_record(row) -> dict:
    return {k: row[k] for k in ("id", "started_at", "finished_at", "status", "files", "checked", "skipped",
                                "errors", "new_findings", "resolved_findings", "rules_version", "fcr_version",
                                "host", "pid")} | {"roots": json.loads(row["roots"])}


def runs_text(runs) -> str:
    lines = []
    for r in runs:
        end = (r["finished_at"] or "")[11:19] or "—"
        lines.append(f"第 {r['id']} 次  {r['started_at'][:19].replace('T', ' ')} → {end}  "
                     f"{RUN_STATUS_ZH.get(r['status'], r['status'])}  文件 {r['files']}：检查 {r['checked']}，"
                     f"跳过 {r['skipped']}，无法读取 {r['errors']}；新增问题 {r['new_findings']}，"
                     f"复查已整改 {r['resolved_findings']}  {'、'.join(json.loads(r['roots']))}")
    if not lines:
        lines.append("台账中还没有审计运行记录。")
    return "\n".join(lines) + "\n"


def selection(ledger: Ledger, status: str | None, path_glob: str | None):
    """(documents, findings) that ``fcr ledger list`` shows for these filters.

    ``--status ok|error`` selects documents (and their findings); a finding status selects
    findings, and the documents that have at least one of them.
    """
    if status in ("ok", "error"):
        docs = ledger.documents(path_glob, status)
        finds = ledger.findings(path_glob=path_glob, document_ids=[d["id"] for d in docs]) if docs else []
        return docs, finds
    docs = ledger.documents(path_glob)
    if status is None:
        return docs, ledger.findings(path_glob=path_glob)
    finds = ledger.findings(status=status, path_glob=path_glob)
    have = {f["document_id"] for f in finds}
    return [d for d in docs if d["id"] in have], finds


def list_json(docs, finds) -> str:
    return json.dumps({"documents": [document_record(d) for d in docs],
                       "findings": [finding_record(f) for f in finds]}, ensure_ascii=False, indent=2) + "\n"


def list_text(docs, finds) -> str:
    from ..reports.xlsx_report import where

    lines = []
    for f in finds:
        clause = f["clause"].replace("\n", " ")
        if len(clause) > 60:
            clause = clause[:59] + "…"
        extra = "".join(f"；{label}：{f[k]}" for k, label in (("owner", "责任单位"), ("deadline", "整改时限")) if f[k])
        lines.append(f"#{f['id']} [{STATUS_ZH.get(f['status'], f['status'])}] {f['path']} {where(row_to_finding(f))} "
                     f"{f['rule_id']} {f['title']}{extra}\n    {clause}")
    errors = [d for d in docs if d["status"] == "error"]
    for d in errors:
        lines.append(f"[无法读取] {d['path']}：{d['error']}")
    missing = [d for d in docs if d["missing_since"]]
    for d in missing:
        lines.append(f"[文件已不存在] {d['path']}（{d['missing_since'][:10]} 起未找到；其问题仍保留在台账中）")
    lines.append(f"共 {len(docs)} 个文件（无法读取 {len(errors)} 个" + (f"，已不存在 {len(missing)} 个" if missing else "")
                 + f"），{len(finds)} 条问题。")
    return "\n".join(lines) + "\n"


_STATS_COLUMNS = ("documents", "findings", "open", "closed")


def stats_text(rows: list[dict], by: str | None) -> str:
    head = {"folder": "文件夹", "doc_type": "文件类型", "rule": "规则", None: "范围"}[by]
    out = [f"{head}\t文件数\t问题数\t待确认\t已销号\t整改率"]
    for r in rows:
        rate = "—" if r["rectification_rate"] is None else f"{r['rectification_rate'] * 100:.1f}%"
        out.append("\t".join([str(r["group"]), *(str(r[k]) for k in _STATS_COLUMNS), rate]))
    if by is None and rows:
        r = rows[0]
        by_status = "，".join(f"{STATUS_ZH[s]} {n}" for s, n in r["by_status"].items())
        out.append(f"问题状态：{by_status}；无法读取的文件 {r['errors']} 个。")
    out.append("整改率 =（已整改 + 已销号）/（全部问题 − 不予整改）。")
    return "\n".join(out) + "\n"


# -- the xlsx 台账 ----------------------------------------------------------------------------

LEDGER_ID_COLUMN = "台账编号"


def ledger_xlsx(ledger: Ledger, docs, finds) -> bytes:
    """The 台账 workbook of ``fcr check --format xlsx`` over the ledger's findings, with 责任单位,
    整改时限 and 状态 filled from the ledger and a 台账编号 column (the id ``fcr ledger set`` takes)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    from ..reports import xlsx_report as xr
    from ..reports.common import deterministic_zip

    by_doc: dict[int, list] = {}
    for f in finds:
        by_doc.setdefault(f["document_id"], []).append(f)
    documents, ordered = [], []
    for d in docs:
        rows = by_doc.get(d["id"], [])
        ordered += rows
        documents.append(DocumentResult(
            path=d["path"], status=d["status"], doc_type=d["doc_type"], error=d["error"],
            warnings=tuple(json.loads(d["warnings"] or "[]")), chars=d["chars"], clauses=d["clauses"],
            findings=tuple(row_to_finding(r) for r in rows)))
    versions = {d["rules_version"] for d in docs}
    from .. import __version__

    run = RunResult(tuple(documents), __version__, "、".join(sorted(versions)) or "—")
    wb = xr._build(run)
    ws = wb[xr.LEDGER_SHEET]
    cols = {name: i + 1 for i, name in enumerate(xr.LEDGER_COLUMNS)}
    id_col = len(xr.LEDGER_COLUMNS) + 1
    header = ws.cell(row=1, column=cols["序号"])
    cell = ws.cell(row=1, column=id_col, value=LEDGER_ID_COLUMN)
    cell._style = header._style
    for r, f in enumerate(ordered, start=2):
        ws.cell(row=r, column=cols["责任单位"], value=f["owner"])
        ws.cell(row=r, column=cols["整改时限"], value=f["deadline"])
        ws.cell(row=r, column=cols["状态"], value=STATUS_ZH.get(f["status"], f["status"]))
        c = ws.cell(row=r, column=id_col, value=f["id"])
        c._style = ws.cell(row=r, column=cols["序号"])._style
    ws.column_dimensions[get_column_letter(id_col)].width = 10
    ws.auto_filter.ref = f"A1:{get_column_letter(id_col)}{len(ordered) + 1}"
    for dv in ws.data_validations.dataValidation:   # the 状态 choices are the ledger's statuses
        dv.formula1 = '"' + ",".join(STATUS_ZH.values()) + '"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return deterministic_zip(buf.getvalue())
