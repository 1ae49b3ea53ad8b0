"""The Excel ledger (问题台账) a procurement office or review body keeps: ``fcr check --format xlsx``.

Sheet 台账 has one row per finding with the columns reviewers fill in afterwards (责任单位,
整改时限, 状态); sheet 汇总 counts findings per document and overall, by category and severity,
and lists the files that could not be read. The bytes are reproducible: the workbook's dates come
from ``FCR_REPORT_DATE`` (else today) and the zip entries carry a fixed timestamp.
"""
from __future__ import annotations

import datetime as _dt
import io
import unicodedata
import zipfile

from ..findings import DocumentResult, Finding, RunResult
from ..rulebook import CATEGORIES
from .text_report import location_label
from .common import deterministic_zip, report_date

SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
SEVERITY_ORDER = ("high", "medium", "low")
DOC_TYPE_ZH = {"policy": "政策措施", "procurement": "招标采购文件"}
STATUS_ZH = {"ok": "已检查", "error": "无法读取"}
DETECTOR_ZH = {"rule": "规则", "model": "模型"}

LEDGER_SHEET = "台账"
SUMMARY_SHEET = "汇总"
# The ledger columns the issue names, then two for traceability (what the rule says, which rule).
LEDGER_COLUMNS = (
    "序号", "文件", "位置", "条款原文", "问题类型", "违反依据", "修改建议",
    "严重程度", "置信度", "责任单位", "整改时限", "状态", "问题说明", "规则编号",
)
STATUS_DEFAULT = "待确认"
STATUS_CHOICES = ("待确认", "整改中", "已整改", "无需整改", "误报")
# Widest a column may grow (in Excel character units) before its text wraps instead.
_MAX_WIDTH = {"条款原文": 50, "违反依据": 34, "修改建议": 50, "问题说明": 50, "文件": 30, "位置": 22}
_DEFAULT_MAX = 40
_FILLS = {"high": "FFF4CCCC", "medium": "FFFCE5CD", "low": "FFDDEBF7"}
_HEADER_FILL = "FFD9E1F2"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_LINE_HEIGHT = 15.6   # points per line of 11-point CJK text



def display_width(text: str) -> int:
    """Width of the longest line in Excel character units: East Asian wide characters count two."""
    best = 0
    for line in str(text).split("\n"):
        w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        best = max(best, w)
    return best


def wrapped_lines(text, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (CJK count two)."""
    usable = max(int(width) - 1, 1)
    return sum(max(1, -(-display_width(line) // usable)) for line in str(text).split("\n"))


def where(f: Finding) -> str:
    """Location in Chinese: 第4行 第二条 / 第3段 / 表1第2行 / 第2页 …"""
    loc = f.location
    parts = [f"第{loc.line}行"] if loc.line is not None else []
    label = location_label(loc)
    if label:
        parts.append(label)
    return " ".join(parts) or "全文"


def basis_text(f: Finding, sep: str = "\n") -> str:
    return sep.join(c.label() + ("（未附原文）" if not c.verified else "") for c in f.legal_basis)


def ledger_rows(result: RunResult) -> list[list]:
    """The 台账 rows (without the header), one per finding, in document order."""
    rows: list[list] = []
    for doc in result.documents:
        for f in doc.findings:
            rows.append([
                len(rows) + 1,
                doc.path,
                where(f),
                f.clause,
                CATEGORIES.get(f.category, f.category),
                basis_text(f),
                f.suggestion,
                SEVERITY_ZH.get(f.severity, f.severity),
                round(f.confidence, 2),
                None,
                None,
                STATUS_DEFAULT,
                f.message,
                f.rule_id,
            ])
    return rows


def _counts(findings) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for f in findings:
        out.setdefault(f.category, dict.fromkeys(SEVERITY_ORDER, 0))
        out[f.category][f.severity] = out[f.category].get(f.severity, 0) + 1
    # Categories in the rulebook's order, unknown ones last in name order.
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return dict(sorted(out.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def _category_table(findings) -> list[list]:
    rows = [["问题类型", "高", "中", "低", "合计"]]
    counts = _counts(findings)
    for cat, by_sev in counts.items():
        rows.append([CATEGORIES.get(cat, cat), *(by_sev[s] for s in SEVERITY_ORDER), sum(by_sev.values())])
    rows.append(["合计", *(sum(c[s] for c in counts.values()) for s in SEVERITY_ORDER),
                 sum(sum(c.values()) for c in counts.values())])
    return rows


def _doc_note(doc: DocumentResult) -> str | None:
    if doc.status == "error":
        return doc.error
    return "；".join(doc.warnings) or None


def summary_blocks(result: RunResult) -> list[tuple[str | None, list[list]]]:
    """The 汇总 sheet as (section title, rows; the first row of a table is its header) blocks."""
    docs = result.documents
    findings = result.findings
    errors = [d for d in docs if d.status == "error"]
    sev = {s: sum(f.severity == s for f in findings) for s in SEVERITY_ORDER}
    blocks: list[tuple[str | None, list[list]]] = [
        ("公平竞争审查问题台账汇总", [
            ["生成工具", f"fcr {result.version}"],
            ["规则版本", result.rules_version],
            ["生成日期", report_date()],
            ["检查文件数", len(docs)],
            ["无法读取的文件数", len(errors)],
            ["发现问题数", len(findings)],
            ["其中：高 / 中 / 低", f"{sev['high']} / {sev['medium']} / {sev['low']}"],
        ]),
    ]
    per_doc = [["文件", "文件类型", "状态", "条款数", "问题数", "高", "中", "低", "说明"]]
    for d in docs:
        per_doc.append([
            d.path, DOC_TYPE_ZH.get(d.doc_type or "", d.doc_type), STATUS_ZH.get(d.status, d.status),
            d.clauses if d.status == "ok" else None, len(d.findings),
            *(sum(f.severity == s for f in d.findings) for s in SEVERITY_ORDER), _doc_note(d),
        ])
    blocks.append(("按文件统计", per_doc))
    blocks.append(("全部文件：按问题类型和严重程度", _category_table(findings)))
    for d in docs:
        if d.status == "ok":
            blocks.append((f"文件：{d.path}", _category_table(d.findings)))
    if errors:
        blocks.append(("无法读取的文件", [["文件", "原因"], *([d.path, d.error] for d in errors)]))
    return blocks


def _build(result: RunResult):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    thin = Side(style="thin", color="FFBFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(wrap_text=True, vertical="top", horizontal="center")
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)

    # ---- 台账
    ws = wb.active
    ws.title = LEDGER_SHEET
    rows = ledger_rows(result)
    ws.append(list(LEDGER_COLUMNS))
    for row in rows:
        ws.append(row)
    ncols = len(LEDGER_COLUMNS)
    last_col = get_column_letter(ncols)
    for cell in ws[1]:
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = centre
        cell.border = border
    short = {"序号", "严重程度", "置信度", "状态"}
    sev_col = LEDGER_COLUMNS.index("严重程度") + 1
    for r, row in enumerate(rows, start=2):
        sev = next((k for k, v in SEVERITY_ZH.items() if v == row[sev_col - 1]), None)
        for c, name in enumerate(LEDGER_COLUMNS, start=1):
            cell = ws.cell(row=r, column=c)
            cell.alignment = centre if name in short else wrap_top
            cell.border = border
            if name == "置信度":
                cell.number_format = "0.00"
            if name == "严重程度" and sev in _FILLS:
                cell.fill = PatternFill("solid", fgColor=_FILLS[sev])
    for c, name in enumerate(LEDGER_COLUMNS, start=1):
        values = [name] + [r[c - 1] for r in rows]
        width = max(display_width(v) for v in values if v is not None)
        cap = _MAX_WIDTH.get(name, _DEFAULT_MAX)
        ws.column_dimensions[get_column_letter(c)].width = min(max(width, display_width(name)) + 2, cap + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last_col}{len(rows) + 1}"
    status_col = get_column_letter(LEDGER_COLUMNS.index("状态") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True)
    dv.add(f"{status_col}2:{status_col}{max(len(rows) + 1, 2) + 500}")
    ws.add_data_validation(dv)
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    # Row heights: spreadsheet programs do not all re-measure wrapped text when opening a file,
    # so give each row the height its longest wrapped cell needs.
    col_widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, ncols + 1)]
    for r, row in enumerate(rows, start=2):
        ws.row_dimensions[r].height = _LINE_HEIGHT * max(
            wrapped_lines(v, w) for v, w in zip(row, col_widths) if v is not None)

    # ---- 汇总
    ss = wb.create_sheet(SUMMARY_SHEET)
    blocks = summary_blocks(result)
    span = max(len(t[0]) for _, t in blocks)      # the widest table sets the sheet's columns
    widths: dict[int, int] = {}
    spanned: list[tuple[int, str]] = []           # (row, text) of cells merged to the last column
    r = 1
    for b, (title, table) in enumerate(blocks):
        if title:
            cell = ss.cell(row=r, column=1, value=title)
            cell.font = Font(bold=True, size=13 if b == 0 else 11)
            r += 1
        is_table = b > 0   # the first block is label/value pairs, the others are tables
        two_col = len(table[0]) == 2
        for i, row in enumerate(table):
            header = is_table and i == 0
            for c, value in enumerate(row, start=1):
                cell = ss.cell(row=r, column=c, value=value)
                cell.alignment = wrap_top
                cell.border = border
                if header or (not is_table and c == 1) or (is_table and row[0] == "合计"):
                    cell.font = bold
                if header:
                    cell.fill = header_fill
                if two_col and c == 2:
                    # A label and its text: let the text run across the sheet's other columns.
                    for cc in range(3, span + 1):
                        ss.cell(row=r, column=cc).border = border
                    ss.merge_cells(start_row=r, start_column=2, end_row=r, end_column=span)
                    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
                    spanned.append((r, "" if value is None else str(value)))
                elif value is not None:
                    widths[c] = max(widths.get(c, 0), display_width(value))
            r += 1
        r += 1
    for c, w in widths.items():
        ss.column_dimensions[get_column_letter(c)].width = min(max(w, 4) + 2, 42)
    for row in ss.iter_rows(min_row=2, max_row=ss.max_row, max_col=span):
        lines = [wrapped_lines(cell.value, ss.column_dimensions[cell.column_letter].width)
                 for cell in row if cell.value is not None and cell.column > 1]
        if lines and max(lines) > 1:
            ss.row_dimensions[row[0].row].height = _LINE_HEIGHT * max(lines)
    total = sum(ss.column_dimensions[get_column_letter(c)].width for c in range(2, span + 1))
    for row_no, text in spanned:
        n = wrapped_lines(text, total)
        ss.row_dimensions[row_no].height = _LINE_HEIGHT * n if n > 1 else None
    ss.page_setup.orientation = "landscape"
    ss.page_setup.fitToWidth = 1
    ss.page_setup.fitToHeight = 0
    ss.sheet_properties.pageSetUpPr.fitToPage = True

    try:
        stamp = _dt.datetime.fromisoformat(report_date()[:10])
    except ValueError:   # FCR_REPORT_DATE not an ISO date: it is still printed, the file gets today
        stamp = _dt.datetime.combine(_dt.date.today(), _dt.time())
    wb.properties.creator = "fcr"
    wb.properties.title = "公平竞争审查问题台账"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    return wb



def render(result: RunResult, *, explain: bool = False, color: bool = False) -> bytes:
    from openpyxl.writer.excel import ExcelWriter

    wb = _build(result)
    buf = io.BytesIO()
    # openpyxl's save_workbook stamps "modified" with the current time; write through its
    # ExcelWriter directly so the workbook's own (report) dates are kept.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return deterministic_zip(buf.getvalue())
