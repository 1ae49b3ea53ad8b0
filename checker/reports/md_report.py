"""Markdown report (``fcr check --format md``): a summary table, then one section per document
with each finding's location, the clause as a quote (matched words in bold), the problem, the
legal basis and the suggested fix, and at the end the text of every cited article that fcr ships.

Plain CommonMark/GFM, readable as text and on any git host. Deterministic: the only date shown
comes from ``FCR_REPORT_DATE`` when set.
"""
from __future__ import annotations

import re
import unicodedata

from ..citations import article_text
from ..findings import Citation, DocumentResult, Finding, RunResult
from ..rulebook import CATEGORIES
from .text_report import location_label
from .common import explanation_zh
from .xlsx_report import (
    DETECTOR_ZH, DOC_TYPE_ZH, SEVERITY_ORDER, SEVERITY_ZH, STATUS_ZH, basis_text, report_date, where,
)

_NOTE_KIND = {"lawful_licence": "依法设定的许可，条款仅予重述", "list_prohibition": "重述市场准入负面清单禁止准入事项"}
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)(>|(?:[#+\-=]|\d+[.)])(?=\s|$))")


def md_escape(text: str) -> str:
    """Escape Markdown inline syntax so clause text shows exactly as written."""
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def _escape_line_start(line: str) -> str:
    # "1. 投标人…" inside a quote would become a list item and lose its number: escape it.
    m = _LINE_START.match(line)
    if not m:
        return line
    lead, mark = m.groups()
    if mark[0].isdigit():
        return lead + mark[:-1] + "\\" + mark[-1] + line[m.end():]
    return lead + "\\" + line[len(lead):]


def cell(text) -> str:
    """A table cell: escaped, one line."""
    return md_escape("" if text is None else str(text)).replace("\n", "<br>")


def quote_clause(f: Finding) -> str:
    """The clause as a block quote with the matched words (``evidence``) in bold."""
    clause = f.clause
    # CommonMark only opens/closes ** next to punctuation in some cases (“**引号**”): bold the
    # evidence without the punctuation at its ends so the emphasis always renders.
    ev = (f.evidence or "").strip()
    while ev and unicodedata.category(ev[0]).startswith("P"):
        ev = ev[1:]
    while ev and unicodedata.category(ev[-1]).startswith("P"):
        ev = ev[:-1]
    at = clause.find(ev) if ev else -1
    if at >= 0:
        body = md_escape(clause[:at]) + "**" + md_escape(ev) + "**" + md_escape(clause[at + len(ev):])
    else:
        body = md_escape(clause)
    lines = [_escape_line_start(line) for line in body.split("\n")]
    return "\n".join("> " + line if line else ">" for line in lines)


def _table(header: list[str], rows: list[list], align: str) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def _sev_counts(findings) -> list[int]:
    return [sum(f.severity == s for f in findings) for s in SEVERITY_ORDER]


def _summary(result: RunResult) -> list[str]:
    rows = []
    for i, d in enumerate(result.documents, 1):
        rows.append([i, d.path, DOC_TYPE_ZH.get(d.doc_type or "", d.doc_type or "—"),
                     STATUS_ZH.get(d.status, d.status), len(d.findings), *_sev_counts(d.findings)])
    rows.append(["", "合计", "", "", len(result.findings), *_sev_counts(result.findings)])
    out = _table(["序号", "文件", "文件类型", "状态", "问题数", "高", "中", "低"], rows, "rlllrrrr")
    by_cat: dict[str, list] = {}
    for f in result.findings:
        by_cat.setdefault(f.category, []).append(f)
    if by_cat:
        order = {c: i for i, c in enumerate(CATEGORIES)}
        cats = sorted(by_cat, key=lambda c: (order.get(c, len(order)), c))
        out += ["", "按问题类型：", ""]
        out += _table(["问题类型", "高", "中", "低", "合计"],
                      [[CATEGORIES.get(c, c), *_sev_counts(by_cat[c]), len(by_cat[c])] for c in cats], "lrrrr")
    return out


def _finding(n: str, f: Finding, explain: bool) -> list[str]:
    out = [f"### {n} {md_escape(f.title)}", ""]
    out.append(f"- 位置：{md_escape(where(f))}")
    out.append(f"- 问题类型：{md_escape(CATEGORIES.get(f.category, f.category))}（规则 `{f.rule_id}`）")
    out.append(f"- 严重程度：{SEVERITY_ZH.get(f.severity, f.severity)}；置信度：{f.confidence:.2f}；"
               f"检测方式：{DETECTOR_ZH.get(f.detector, f.detector)}")
    out += ["", "条款原文：", "", quote_clause(f), ""]
    out.append(f"**问题**：{md_escape(f.message)}")
    out.append("")
    out.append(f"**依据**：{md_escape(basis_text(f, '；')) or '未载明'}")
    out.append("")
    out.append(f"**修改建议**：{md_escape(f.suggestion)}")
    if explain and f.explanation is not None:
        out += ["", f"*判断过程*：{md_escape(explanation_zh(f.explanation))}"]
    out.append("")
    return out


def _document(i: int, d: DocumentResult, explain: bool) -> list[str]:
    out = [f"## {i}. {md_escape(d.path)}", ""]
    if d.status == "error":
        out += [f"**无法读取**：{md_escape(d.error or '原因不明')}。本文件未经检查，请转换格式或提供可读取的版本后重新检查。", ""]
        return out
    kind = DOC_TYPE_ZH.get(d.doc_type or "", d.doc_type or "未识别")
    out.append(f"文件类型：{kind}；共 {d.clauses} 个条款，发现 {len(d.findings)} 处问题。")
    out.append("")
    for w in d.warnings:
        out += [f"> 注意：{md_escape(w)}", ""]
    if not d.findings:
        out += ["未发现违反公平竞争审查标准的条款。", ""]
    for j, f in enumerate(d.findings, 1):
        out += _finding(f"{i}.{j}", f, explain)
    if explain and d.notes:
        out += ["未列为问题的条款：", ""]
        for note in d.notes:
            basis = "；".join(c.label() for c in note.basis) or "未载明"
            out.append(f"- {md_escape(where_note(note))}：“{md_escape(note.licence)}”属"
                       f"{_NOTE_KIND.get(note.kind, note.kind)}（依据：{md_escape(basis)}）——{md_escape(note.clause)}")
        out.append("")
    return out


def where_note(note) -> str:
    loc = note.location
    parts = [f"第{loc.line}行"] if loc.line is not None else []
    label = location_label(loc)
    return " ".join(parts + ([label] if label else [])) or "全文"


def _cited(result: RunResult) -> list[Citation]:
    seen: dict[tuple[str, str], Citation] = {}
    for f in result.findings:
        for c in f.legal_basis:
            if c.article and (c.law, c.article) not in seen:
                seen[(c.law, c.article)] = c
    return list(seen.values())


def _appendix(result: RunResult) -> list[str]:
    cited = _cited(result)
    if not cited:
        return []
    out = ["## 附：引用条文", ""]
    for c in cited:
        text = article_text(c.law, c.article) if c.verified else None
        out.append(f"### 《{md_escape(c.law)}》{md_escape(c.article)}")
        out.append("")
        if text:
            lines = [_escape_line_start(md_escape(line.strip())) for line in text.splitlines() if line.strip()]
            out.append("\n>\n".join("> " + line for line in lines))
        else:
            out.append("（本工具未附该条文原文，请查阅正式文本。）")
        out.append("")
    return out


def render(result: RunResult, *, explain: bool = False, color: bool = False) -> str:
    docs = result.documents
    errors = sum(d.status == "error" for d in docs)
    out = ["# 公平竞争审查报告", ""]
    out.append(f"生成工具：fcr {result.version}（规则版本 {result.rules_version}）；生成日期：{report_date()}。")
    out.append("")
    line = f"共检查 {len(docs)} 个文件，发现 {len(result.findings)} 处问题"
    if errors:
        line += f"，{errors} 个文件无法读取"
    out += [line + "。以下为工具初筛意见，是否构成违规以审查机构的结论为准。", ""]
    out += ["## 汇总", ""]
    out += _summary(result)
    out.append("")
    for i, d in enumerate(docs, 1):
        out += _document(i, d, explain)
    out += _appendix(result)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
