"""Excel ledger: the cell values of both sheets are golden-tested (read back with openpyxl; zip
bytes are not compared with a file), plus the sheet set-up reviewers rely on."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest

from sample_report_run import REPORT_DATE, build_run, check_golden

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["序号", "文件", "位置", "条款原文", "问题类型", "违反依据", "修改建议",
          "严重程度", "置信度", "责任单位", "整改时限", "状态"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return build_run(tmp_path_factory.mktemp("xlsx_inputs"))


@pytest.fixture(autouse=True)
def _date(monkeypatch):
    monkeypatch.setenv("FCR_REPORT_DATE", REPORT_DATE)


def render(run) -> bytes:
    from checker.reports import render as render_any

    out = render_any("xlsx", run)
    assert isinstance(out, bytes) and out[:2] == b"PK"
    return out


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _trim(row) -> list:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row


def snapshot(wb) -> dict:
    """What the golden file records: every cell value, and the sheet set-up."""
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {
            "freeze_panes": ws.freeze_panes,
            "auto_filter": ws.auto_filter.ref,
            "column_widths": {k: v.width for k, v in sorted(ws.column_dimensions.items())},
            "rows": [_trim(r) for r in ws.iter_rows(values_only=True)],
        }
    return out


def test_xlsx_cell_values_match_golden(run):
    snap = snapshot(load(render(run)))
    check_golden("report_xlsx.json", json.dumps(snap, ensure_ascii=False, indent=1) + "\n")


def test_xlsx_ledger_has_one_row_per_finding(run):
    wb = load(render(run))
    assert wb.sheetnames == ["台账", "汇总"]
    ws = wb["台账"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0][:12]) == HEADER
    body = rows[1:]
    assert len(body) == len(run.findings) == 12
    sev_zh = {"high": "高", "medium": "中", "low": "低"}
    findings = [(d.path, f) for d in run.documents for f in d.findings]
    for i, (row, (path, f)) in enumerate(zip(body, findings), 1):
        rec = dict(zip(rows[0], row))
        assert rec["序号"] == i and rec["文件"] == path and rec["条款原文"] == f.clause
        assert rec["严重程度"] == sev_zh[f.severity]
        assert rec["责任单位"] is None and rec["整改时限"] is None and rec["状态"] == "待确认"
        assert rec["修改建议"] == f.suggestion and rec["规则编号"] == f.rule_id
        assert rec["违反依据"].startswith(f.legal_basis[0].label())
        assert rec["置信度"] == round(f.confidence, 2)
    # The text input carries its line, the tender table row its table and row.
    assert body[0][2].startswith("第4行")
    assert any(r[2].startswith("表1第") for r in body)
    assert {r[7] for r in body} == {"高", "中", "低"}


def test_xlsx_sheet_setup_frozen_header_filter_wrap_and_widths(run):
    wb = load(render(run))
    ws = wb["台账"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:N{len(run.findings) + 1}"
    assert ws["D2"].alignment.wrap_text and ws["G2"].alignment.wrap_text
    assert ws["A1"].font.bold
    from checker.reports.xlsx_report import display_width

    assert display_width("条款原文") == 8 and display_width("ab中") == 4
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJKL"}
    # Chinese text counts double: the 文件 column fits the longest (Chinese) file name.
    longest_name = max(display_width(d.path) for d in run.documents if d.findings)
    assert widths["B"] >= longest_name
    # Long text columns are capped and wrap instead of running off the screen.
    assert 40 <= widths["D"] <= 60 and 40 <= widths["G"] <= 60
    # Header-only columns still fit their Chinese header.
    assert widths["J"] >= display_width("责任单位")


def test_xlsx_summary_counts_per_document_and_lists_unreadable_files(run):
    ws = load(render(run))["汇总"]
    rows = [_trim(r) for r in ws.iter_rows(values_only=True)]
    flat = {r[0]: r[1:] for r in rows if r}
    assert flat["检查文件数"] == [3] and flat["无法读取的文件数"] == [1] and flat["发现问题数"] == [12]
    assert flat["生成日期"] == [REPORT_DATE]
    per_doc = rows[rows.index(["按文件统计"]) + 2: rows.index(["按文件统计"]) + 5]
    assert rows[rows.index(["按文件统计"]) + 1][:5] == ["文件", "文件类型", "状态", "条款数", "问题数"]
    assert [r[0] for r in per_doc] == [d.path for d in run.documents]
    assert [r[4] for r in per_doc] == [len(d.findings) for d in run.documents]
    bad = run.documents[2]
    assert per_doc[2][2] == "无法读取" and per_doc[2][-1] == bad.error
    assert [bad.path, bad.error] in rows
    # Every per-document table ends in a 合计 row equal to that document's finding count.
    totals = [r for r in rows if r and r[0] == "合计"]
    assert [t[-1] for t in totals] == [12, 4, 8]


def test_xlsx_bytes_are_reproducible(run):
    assert render(run) == render(run)


def test_xlsx_with_no_findings_has_the_header_only(run):
    clean = dataclasses.replace(run.documents[0], findings=())
    wb = load(render(dataclasses.replace(run, documents=(clean,))))
    ws = wb["台账"]
    assert ws.max_row == 1 and ws.auto_filter.ref == "A1:N1"


def test_xlsx_report_through_the_cli(run_fcr, tmp_path):
    from sample_report_run import write_inputs

    names = write_inputs(tmp_path)
    out = tmp_path / "台账.xlsx"
    p = run_fcr("check", "--detectors", "rules", "--format", "xlsx", "-o", str(out), *names, cwd=tmp_path)
    assert p.returncode == 1, p.stderr.decode()
    ws = load(out.read_bytes())["台账"]
    assert ws.max_row - 1 == 12
