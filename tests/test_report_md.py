"""Markdown report: golden file for a fixed run over a policy .txt, a tender .docx and an unreadable
file, plus the Markdown details (quoted clauses, escaping, the error section)."""
from __future__ import annotations

import dataclasses

import pytest

from sample_report_run import REPORT_DATE, build_run, check_golden


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return build_run(tmp_path_factory.mktemp("md_inputs"))


@pytest.fixture(autouse=True)
def _date(monkeypatch):
    monkeypatch.setenv("FCR_REPORT_DATE", REPORT_DATE)


def render(run, **kw) -> str:
    from checker.reports import render as render_any

    out = render_any("md", run, **kw)
    assert isinstance(out, str)
    return out


def test_md_report_matches_golden(run):
    check_golden("report.md", render(run))


def test_md_report_has_a_section_per_document_and_every_finding(run):
    out = render(run)
    assert out.startswith("# 公平竞争审查报告\n")
    assert f"生成日期：{REPORT_DATE}" in out
    for i, doc in enumerate(run.documents, 1):
        assert f"\n## {i}. {doc.path}\n" in out
    for f in run.findings:
        assert f"规则 `{f.rule_id}`" in out
        assert f.suggestion in out
    assert out.count("\n### ") >= len(run.findings)
    # Counts in the summary table add up.
    total = len(run.findings)
    assert f"|  | 合计 |  |  | {total} |" in out


def test_md_quotes_the_clause_with_the_evidence_in_bold(run):
    out = render(run)
    f = run.documents[0].findings[0]
    assert f"**{f.evidence}**" in out
    quoted = [line for line in out.splitlines() if line.startswith("> ") and f.evidence in line]
    assert quoted and quoted[0].replace("**", "") == "> " + f.clause


def test_md_escapes_table_pipes_and_list_numbers(run):
    out = render(run)
    row = next(f for f in run.documents[1].findings if f.location.table is not None)
    assert " \\| " in next(line for line in out.splitlines() if line.startswith("> ") and row.evidence in line)
    from checker.reports.md_report import _escape_line_start, md_escape

    assert _escape_line_start("1. 投标人") == "1\\. 投标人"
    assert _escape_line_start("# 标题") == "\\# 标题"
    assert md_escape("a*b_c<d>") == "a\\*b\\_c\\<d\\>"


def test_md_reports_unreadable_files_with_the_reason(run):
    out = render(run)
    bad = run.documents[2]
    assert bad.status == "error"
    assert f"**无法读取**：{bad.error}" in out
    assert "1 个文件无法读取" in out


def test_md_explain_adds_why_a_finding_fired(run):
    plain, explained = render(run), render(run, explain=True)
    assert "判断过程" not in plain
    assert all(f.explanation is not None for f in run.findings)
    assert explained.count("*判断过程*：命中：") == len(run.findings)


def test_md_report_of_a_clean_document(run):
    clean = dataclasses.replace(run.documents[0], findings=())
    out = render(dataclasses.replace(run, documents=(clean,)))
    assert "未发现违反公平竞争审查标准的条款。" in out
    assert "附：引用条文" not in out


def test_md_report_through_the_cli(run_fcr, tmp_path):
    from sample_report_run import POLICY_NAME, write_inputs

    write_inputs(tmp_path)
    out = tmp_path / "report.md"
    p = run_fcr("check", "--detectors", "rules", "--format", "md", "-o", str(out), POLICY_NAME, cwd=tmp_path)
    assert p.returncode == 1, p.stderr.decode()
    text = out.read_text(encoding="utf-8")
    assert f"## 1. {POLICY_NAME}" in text and "**依据**：《公平竞争审查条例》" in text
