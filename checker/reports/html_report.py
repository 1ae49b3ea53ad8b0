"""``fcr check --format html``: one self-contained Chinese HTML page for reviewers.

No network and no script: the CSS is inline and the fonts are the reader's own (system CJK
fonts). Every text that comes from a document, a rule or a law is escaped. Each finding shows the whole block its clause sits in, the
clause marked and the evidence emphasised inside it, and the text of every cited article that
ships in ``corpora/laws`` (``checker.citations.article_text``).

The page is deterministic: the only date shown is ``$FCR_REPORT_DATE`` when set, else today.
Layout: one column that fits a 390 px phone without horizontal scrolling; print CSS drops the
navigation, starts each document on a new page and keeps the severity colours. Where a citation
names an item, the item is quoted and the whole article sits in a collapsed ``<details>`` (left
out of print).
"""
from __future__ import annotations

import re
from html import escape

from ..citations import article_text
from ..document import Location
from ..findings import Citation, DocumentResult, Finding, Note, RunResult
from ..rulebook import CATEGORIES, SEVERITIES
from .text_report import location_label
from .common import report_date

SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_SEV_ORDER = tuple(reversed(SEVERITIES))            # high, medium, low
DOC_TYPE_ZH = {"policy": "政策措施", "procurement": "招标采购文件"}
STATUS_ZH = {"ok": "已检查", "error": "无法读取"}
DETECTOR_ZH = {"rule": "规则匹配", "model": "分类模型", "negative_list": "市场准入负面清单比对"}
CHECK_ZH = {"pattern": "正则匹配", "cooccur": "共现匹配", "threshold": "数值阈值", "tokens": "分词匹配"}
NOTE_KIND_ZH = {
    "lawful_licence": "依法设定的许可，条款仅予重述",
    "list_prohibition": "重述市场准入负面清单禁止准入事项",
}
NOT_SHIPPED = "（未附条文）"


def _e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def _cat(category: str) -> str:
    return CATEGORIES.get(category, category)


def location_text(loc: Location) -> str:
    """Chinese location: 第12行 第二条, 表1第3行, 第2页 第4段 …"""
    label = location_label(loc)
    if loc.line is not None:
        label = f"第{loc.line}行" + (f" {label}" if label else "")
    return label or "—"


# -- the clause in its block -------------------------------------------------------------------

def _block_text(doc: DocumentResult, f: Finding) -> tuple[str, str | None, int, int]:
    """(block text, block context, clause start, clause end) — falls back to the clause alone."""
    document = doc.document
    idx = f.location.paragraph
    if document is not None and idx is not None and 0 <= idx < len(document.blocks):
        block = document.blocks[idx]
        text = block.text
        if text[f.start:f.end] == f.clause:
            return text, block.context, f.start, f.end
        at = text.find(f.clause) if f.clause else -1
        if at >= 0:
            return text, block.context, at, at + len(f.clause)
    return f.clause, None, 0, len(f.clause)


def highlighted_block(doc: DocumentResult, f: Finding) -> str:
    text, context, start, end = _block_text(doc, f)
    clause = text[start:end]
    ev = f.evidence or ""
    at = clause.find(ev) if ev and ev != clause else -1
    if at >= 0:
        inner = (_e(clause[:at]) + f'<strong class="ev">{_e(ev)}</strong>' + _e(clause[at + len(ev):]))
    else:
        inner = _e(clause)
    body = _e(text[:start]) + f'<mark class="clause">{inner}</mark>' + _e(text[end:])
    ctx = f'<div class="ctx">表头：{_e(context)}</div>' if context else ""
    return f'{ctx}<div class="block">{body}</div>'


# -- legal basis ---------------------------------------------------------------------------------

_ITEM = re.compile(r"^（[一二三四五六七八九十]+）")
_NUMERALS = "一二三四五六七八九十"


def _fullwidth(s: str) -> str:
    return s.replace("(", "（").replace(")", "）")


def _citation(c: Citation) -> str:
    label = f'<div class="cite">{_e(c.label())}</div>'
    body = article_text(c.law, c.article) if c.article else None
    if body is None:
        return f'<div class="basis">{label}<div class="missing">{NOT_SHIPPED}</div></div>'
    paras = [p.strip() for p in body.split("\n") if p.strip()]
    item = _fullwidth(c.item) if c.item else None
    item_line = next((p for p in paras if item and _fullwidth(p).startswith(item)), None)
    marked = item_line
    m = re.fullmatch(r"第([一二三四五六七八九十])款", c.paragraph or "")
    if marked is None and m:    # 第二款: the second paragraph that is not an item （一）（二）…
        plain = [p for p in paras if not _ITEM.match(_fullwidth(p))]
        n = _NUMERALS.index(m.group(1))
        marked = plain[n] if n < len(plain) else None
    rendered = "".join(
        f'<p class="hit">{_e(p)}</p>' if p is marked else f"<p>{_e(p)}</p>" for p in paras
    )
    if item_line is None:
        return f'<div class="basis">{label}<blockquote class="law">{rendered}</blockquote></div>'
    return (f'<div class="basis">{label}<blockquote class="law item"><p>{_e(item_line)}</p></blockquote>'
            f'<details class="law-full"><summary>条文全文</summary><blockquote class="law">{rendered}'
            f"</blockquote></details></div>")


# -- summaries -----------------------------------------------------------------------------------

def _counts(findings) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    by_cat: dict[str, dict[str, int]] = {}
    by_sev = {s: 0 for s in _SEV_ORDER}
    for f in findings:
        by_cat.setdefault(f.category, {s: 0 for s in _SEV_ORDER})[f.severity] += 1
        by_sev[f.severity] += 1
    order = list(CATEGORIES)
    ordered = dict(sorted(by_cat.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])))
    return ordered, by_sev


def _num(n: int, sev: str | None = None) -> str:
    cls = f' class="n sev-{sev}"' if sev and n else ' class="n"'
    return f"<td{cls}>{n}</td>"


def _category_table(findings, caption: str) -> str:
    by_cat, by_sev = _counts(findings)
    if not by_cat:
        return ""
    head = "".join(f'<th class="n">{SEVERITY_ZH[s]}</th>' for s in _SEV_ORDER)
    rows = "".join(
        f"<tr><th scope=\"row\">{_e(_cat(c))}</th>" + "".join(_num(v[s], s) for s in _SEV_ORDER)
        + f'<td class="n total">{sum(v.values())}</td></tr>'
        for c, v in by_cat.items()
    )
    foot = ("<tr class=\"sum\"><th scope=\"row\">合计</th>" + "".join(_num(by_sev[s], s) for s in _SEV_ORDER)
            + f'<td class="n total">{sum(by_sev.values())}</td></tr>')
    return (f'<table class="counts"><caption>{caption}</caption><thead><tr><th>问题类别</th>{head}'
            f'<th class="n">合计</th></tr></thead><tbody>{rows}</tbody><tfoot>{foot}</tfoot></table>')


def _documents_table(result: RunResult) -> str:
    head = "".join(f'<th class="n">{SEVERITY_ZH[s]}</th>' for s in _SEV_ORDER)
    rows = []
    for i, d in enumerate(result.documents, 1):
        _, by_sev = _counts(d.findings)
        status = STATUS_ZH.get(d.status, d.status)
        cls = ' class="err"' if d.status == "error" else ""
        cells = ("".join(_num(by_sev[s], s) for s in _SEV_ORDER) + f'<td class="n total">{len(d.findings)}</td>'
                 if d.status == "ok" else '<td class="n" colspan="4">—</td>')
        rows.append(f'<tr{cls}><td class="path"><a href="#doc-{i}">{i}. {_e(d.path)}</a></td>'
                    f"<td>{_e(DOC_TYPE_ZH.get(d.doc_type or '', '—'))}</td><td class=\"st\">{_e(status)}</td>{cells}</tr>")
    return (f'<table class="counts docs"><caption>各文件问题数</caption><thead><tr><th>文件</th><th>类型</th>'
            f'<th>状态</th>{head}<th class="n">合计</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _summary(result: RunResult) -> str:
    docs = result.documents
    errors = sum(d.status == "error" for d in docs)
    findings = result.findings
    _, by_sev = _counts(findings)
    chips = "".join(
        f'<span class="chip sev-{s}">{SEVERITY_ZH[s]} {by_sev[s]}</span>' for s in _SEV_ORDER
    )
    line = f"共检查 {len(docs)} 个文件，发现 {len(findings)} 处问题"
    if errors:
        line += f"，{errors} 个文件无法读取"
    cats = _category_table(findings, "按类别和严重程度（全部文件）") or '<p class="none">未发现问题。</p>'
    return (f'<section class="summary" id="summary"><h2>概要</h2><p class="overall">{line}。</p>'
            f'<p class="chips">严重程度：{chips}</p>{cats}{_documents_table(result)}</section>')


# -- one document --------------------------------------------------------------------------------

def _row(label: str, value: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<div{c}><dt>{label}</dt><dd>{value}</dd></div>"


def _explanation(f: Finding) -> str:
    e = f.explanation
    if e is None:
        return ""
    parts = [f"命中：{_e('、'.join(e.matched) or f.evidence)}（{_e(CHECK_ZH.get(e.check, e.check))}）"]
    if e.raised_by:
        parts.append(f"加强语境：{_e('、'.join(e.raised_by))}")
    if e.lowered_by:
        parts.append(f"减弱语境：{_e('、'.join(e.lowered_by))}")
    if e.related_rules:
        parts.append(f"同类规则：{_e('、'.join(e.related_rules))}")
    if e.model_probability is not None:
        m = f"模型违规概率 {e.model_probability:.2f}"
        if e.model_category:
            m += f"（类别 {_e(_cat(e.model_category))}，{e.model_category_probability or 0:.2f}）"
        parts.append(m)
    return _row("判定过程", "；".join(parts))


def _finding(doc_no: int, no: int, doc: DocumentResult, f: Finding, explain: bool) -> str:
    sev = f.severity
    loc = location_text(f.location)
    heading = " › ".join(f.location.heading_path)
    basis = "".join(_citation(c) for c in f.legal_basis) or f'<div class="missing">{NOT_SHIPPED}</div>'
    rows = [
        _row("位置", _e(loc) + (f'<div class="heading">{_e(heading)}</div>' if heading else "")),
        _row("问题类别", _e(_cat(f.category))),
        _row("问题说明", _e(f.message)),
        _row("法律依据", basis, "basis-row"),
        _row("修改建议", _e(f.suggestion), "suggest"),
        _row("置信度", f"{f.confidence:.2f}"),
        _row("检测方式", _e(DETECTOR_ZH.get(f.detector, f.detector))),
    ]
    if explain:
        rows.append(_explanation(f))
    return (
        f'<article class="finding sev-{sev}" id="doc-{doc_no}-f-{no}">'
        f'<h4><span class="badge sev-{sev}">{SEVERITY_ZH.get(sev, sev)}</span>'
        f'<span class="fno">问题 {no}</span><span class="ftitle">{_e(f.title)}</span></h4>'
        f'<p class="rule">规则 <code>{_e(f.rule_id)}</code></p>'
        f'<div class="excerpt" aria-label="条款原文">{highlighted_block(doc, f)}</div>'
        f'<dl>{"".join(rows)}</dl></article>'
    )


def _note(n: Note) -> str:
    basis = "；".join(c.label() for c in n.basis) or "未载明"
    return (f"<li><span class=\"where\">{_e(location_text(n.location))}</span> “{_e(n.licence)}”属"
            f"{_e(NOTE_KIND_ZH.get(n.kind, n.kind))}（依据：{_e(basis)}）"
            f'<div class="nclause">{_e(n.clause)}</div></li>')


def _document(no: int, doc: DocumentResult, explain: bool) -> str:
    status = STATUS_ZH.get(doc.status, doc.status)
    meta = [
        _row("文件类型", _e(DOC_TYPE_ZH.get(doc.doc_type or "", "未识别"))),
        _row("检查状态", _e(status) + (f"：{_e(doc.error)}" if doc.error else ""),
             "err" if doc.status == "error" else ""),
    ]
    if doc.status == "ok":
        meta.append(_row("文本规模", f"{doc.chars} 字，{doc.clauses} 个条款"))
        meta.append(_row("问题数", f"{len(doc.findings)} 处"))
    if doc.warnings:
        meta.append(_row("警告", "<ul>" + "".join(f"<li>{_e(w)}</li>" for w in doc.warnings) + "</ul>", "warn"))
    out = [f'<section class="doc" id="doc-{no}"><h2><span class="dno">文件 {no}</span>'
           f'<span class="path">{_e(doc.path)}</span></h2><dl class="meta">{"".join(meta)}</dl>']
    if doc.status == "ok":
        out.append(_category_table(doc.findings, "本文件问题分布"))
        if doc.findings:
            out.append('<h3>问题清单</h3>')
            out += [_finding(no, i, doc, f, explain) for i, f in enumerate(doc.findings, 1)]
        else:
            out.append('<p class="none">本文件未发现问题。</p>')
        if doc.notes:
            out.append('<section class="notes"><h3>说明：检查过但未列为问题的条款</h3><ul>'
                       + "".join(_note(n) for n in doc.notes) + "</ul></section>")
    out.append("</section>")
    return "".join(out)


# -- page ----------------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#f4f5f7;color:#1f2328;font:15px/1.7 system-ui,-apple-system,"PingFang SC",
"Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;
overflow-wrap:anywhere;word-break:normal}
main{max-width:960px;margin:0 auto;padding:0 12px 32px}
header.top{background:#1f3a5f;color:#fff;padding:16px 12px}
header.top .in{max-width:960px;margin:0 auto}
h1{font-size:1.35em;margin:0 0 4px;line-height:1.4}
.tool{margin:0;font-size:.85em;opacity:.9}
.tool span{display:inline-block;margin-right:1em}
.disclaimer{font-size:.8em;color:#57606a;margin:10px 0 0}
nav.toc{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:12px 0;font-size:.9em}
nav.toc ol{margin:4px 0 0;padding-left:1.6em}
nav.toc a{color:#0b57d0;text-decoration:none}
section.summary,section.doc{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px;margin:12px 0}
h2{font-size:1.2em;margin:0 0 8px;line-height:1.45}
h3{font-size:1.05em;margin:16px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:2px}
.dno{display:inline-block;background:#1f3a5f;color:#fff;border-radius:4px;padding:0 8px;margin-right:8px;font-size:.85em}
.path{word-break:break-all}
.overall{font-weight:600;margin:0 0 4px}
.chips{margin:0 0 8px}
.chip{display:inline-block;border-radius:10px;padding:0 10px;margin:2px 4px 2px 0;font-size:.9em;font-weight:600}
table.counts{width:100%;border-collapse:collapse;margin:8px 0 12px;font-size:.88em;table-layout:auto}
table.counts caption{text-align:left;font-weight:600;padding:2px 0;color:#1f2328}
table.counts th,table.counts td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
table.counts thead th{background:#eef1f4}
table.counts .n{text-align:center;white-space:nowrap;width:2.6em}
table.counts td.total,table.counts tfoot th{font-weight:700}
table.counts tfoot{background:#f6f8fa}
table.docs td.path a{color:#0b57d0;text-decoration:none}
table.docs tr.err td{color:#9a1c14}
table.docs td.st{white-space:nowrap}
dl{margin:0}
dl>div{display:grid;grid-template-columns:5.5em minmax(0,1fr);gap:0 10px;padding:4px 0;border-top:1px dashed #e1e4e8}
dl>div:first-child{border-top:0}
dt{color:#57606a;font-weight:600}
dd{margin:0;min-width:0}
dd ul{margin:0;padding-left:1.2em}
dl.meta .err dd{color:#9a1c14;font-weight:600}
dl.meta .warn dd{color:#7a4d00}
.heading{color:#57606a;font-size:.85em}
article.finding{border:1px solid #d0d7de;border-left:6px solid #8c959f;border-radius:6px;padding:10px 12px;margin:12px 0}
article.finding h4{margin:0;font-size:1.02em;line-height:1.5}
.badge{display:inline-block;min-width:1.8em;text-align:center;border-radius:4px;padding:0 6px;margin-right:6px;font-weight:700}
.fno{color:#57606a;margin-right:6px;font-weight:600}
.rule{margin:2px 0 8px;font-size:.85em;color:#57606a}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.95em;background:#f6f8fa;
border:1px solid #e1e4e8;border-radius:4px;padding:0 4px;word-break:break-all}
.excerpt{background:#fbfbfc;border:1px solid #e1e4e8;border-radius:4px;padding:8px 10px;margin-bottom:8px}
.excerpt .ctx{font-size:.82em;color:#57606a;margin-bottom:4px}
.block{white-space:pre-wrap}
mark.clause{background:#fff1a8;color:inherit;padding:1px 0;border-bottom:2px solid #e0b400}
strong.ev{color:#a40e26;font-weight:700;text-decoration:underline;text-decoration-thickness:2px;text-underline-offset:3px}
.basis+.basis{margin-top:8px}
.cite{font-weight:600}
blockquote.law{margin:4px 0;padding:4px 10px;border-left:3px solid #9aa5b1;background:#f6f8fa;font-size:.9em;color:#32383f}
blockquote.law p{margin:0 0 2px}
blockquote.law p.hit{background:#e8f0fe;font-weight:600}
details.law-full summary{cursor:pointer;color:#0b57d0;font-size:.85em}
.missing{color:#7a4d00}
.suggest dd{color:#0f5323}
.notes{font-size:.85em;color:#32383f}
.notes ul{padding-left:1.2em;margin:0}
.notes li{margin-bottom:6px}
.notes .where{color:#57606a}
.nclause{color:#57606a}
.none{color:#0f5323;font-weight:600}
.sev-high.badge,.chip.sev-high{background:#b42318;color:#fff}
.sev-medium.badge,.chip.sev-medium{background:#b25e00;color:#fff}
.sev-low.badge,.chip.sev-low{background:#1d5fbf;color:#fff}
article.sev-high{border-left-color:#b42318}
article.sev-medium{border-left-color:#b25e00}
article.sev-low{border-left-color:#1d5fbf}
td.sev-high{color:#b42318;font-weight:700}
td.sev-medium{color:#b25e00;font-weight:700}
td.sev-low{color:#1d5fbf;font-weight:700}
footer{max-width:960px;margin:0 auto;padding:0 12px 24px;font-size:.8em;color:#57606a}
@media (max-width:600px){
body{font-size:14px}
main{padding:0 6px 24px}
section.summary,section.doc{padding:10px 8px}
article.finding{padding:8px}
dl>div{grid-template-columns:4.6em minmax(0,1fr);gap:0 6px}
dt{font-size:.88em;padding-top:1px}
table.counts{font-size:.8em}
table.counts th,table.counts td{padding:2px 3px}
table.counts .n{width:2em}
}
@media print{
@page{size:A4;margin:15mm 12mm}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff;font-size:10.5pt}
nav.toc,details.law-full{display:none}
header.top{background:#fff;color:#000;border-bottom:2px solid #1f3a5f;padding:0 0 6px}
main{max-width:none;padding:0}
section.summary,section.doc{border:0;padding:0;margin:0}
section.doc{break-before:page}
h2,h3,h4,.rule{break-after:avoid}
.excerpt,.basis,dl>div,table.counts tr,.notes li{break-inside:avoid}
dl>div.basis-row{break-inside:auto}
article.finding{margin:10px 0}
a{color:inherit!important;text-decoration:none}
}
"""

def render(result: RunResult, *, explain: bool = False, color: bool = False) -> str:
    docs = result.documents
    toc = "".join(
        f'<li><a href="#doc-{i}">{_e(d.path)}</a>（{_e(STATUS_ZH.get(d.status, d.status))}'
        + (f"，{len(d.findings)} 处问题" if d.status == "ok" else "") + "）</li>"
        for i, d in enumerate(docs, 1)
    )
    body = "".join(_document(i, d, explain) for i, d in enumerate(docs, 1))
    css = _CSS.strip()
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="fcr">\n'
        "<title>公平竞争审查检查报告</title>\n"
        f"<style>\n{css}\n</style>\n</head>\n<body>\n"
        '<header class="top"><div class="in"><h1>公平竞争审查检查报告</h1>'
        f'<p class="tool"><span>工具：fcr {_e(result.version)}</span><span>规则版本：{_e(result.rules_version)}</span>'
        f"<span>生成日期：{_e(report_date())}</span></p></div></header>\n<main>\n"
        '<p class="disclaimer">本报告由 fcr 自动生成，所列问题和修改建议供审查人员参考，须经人工复核后方可作为审查结论。</p>\n'
        f'<nav class="toc" aria-label="目录"><strong>目录</strong><ol><li><a href="#summary">概要</a></li>{toc}</ol></nav>\n'
        f"{_summary(result)}\n{body}\n</main>\n"
        f'<footer>fcr {_e(result.version)} · 规则版本 {_e(result.rules_version)}</footer>\n'
        "</body>\n</html>\n"
    )
