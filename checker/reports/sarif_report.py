"""SARIF 2.1.0 (``fcr check --format sarif``) for document repositories kept in git.

One run: ``tool.driver`` lists the rules that fired (title, message, suggestion, category and
legal basis); each finding is a result whose ``level`` is mapped from the severity (high → error,
medium → warning, low → note) while the original severity, confidence, detector and the
document-level location (article, page, table, row) stay in ``properties``. ``artifactLocation.uri``
is the input path as given (relative paths stay relative; characters outside URI syntax, such as
Chinese, are percent-encoded as RFC 3986 requires — the path exactly as given is kept in the
artifact's ``properties.path``). ``region.startLine`` is the line for text input, else 1, and
``region.snippet`` is the clause. Files that could not be read are ``toolExecutionNotifications``.
"""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from ..findings import DocumentResult, Finding, RunResult
from ..rulebook import CATEGORIES

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"high": "error", "medium": "warning", "low": "note"}
READ_ERROR = "FCR-READ-ERROR"
READ_WARNING = "FCR-READ-WARNING"
_MIME = {
    ".txt": "text/plain", ".md": "text/markdown", ".pdf": "application/pdf", ".ofd": "application/ofd",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_URI_SAFE = "/:@!$&'()*+,;=-._~"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def path_uri(path: str) -> str:
    """A URI reference for an input path: relative stays relative, Windows drives become file URIs."""
    p = path.replace("\\", "/")
    if _WINDOWS_DRIVE.match(path):
        return "file:///" + quote(p, safe=_URI_SAFE)
    # A first segment with a colon would read as a URI scheme: make it explicitly relative.
    if ":" in p.split("/", 1)[0]:
        p = "./" + p
    return quote(p, safe=_URI_SAFE)


def _mime(path: str) -> str | None:
    dot = path.rfind(".")
    return _MIME.get(path[dot:].lower()) if dot > 0 else None


def _rules(findings: list[Finding]) -> tuple[list[dict], dict[str, int]]:
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.rule_id, f)
    rules, index = [], {}
    for rid in sorted(first):
        f = first[rid]
        index[rid] = len(rules)
        rules.append({
            "id": rid,
            "shortDescription": {"text": f.title},
            "fullDescription": {"text": f.message},
            "help": {"text": f.suggestion},
            "defaultConfiguration": {"level": LEVELS.get(f.severity, "warning")},
            "properties": {
                "category": f.category,
                "categoryName": CATEGORIES.get(f.category, f.category),
                "severity": f.severity,
                "legalBasis": [c.to_record() | {"label": c.label()} for c in f.legal_basis],
                "tags": [f.category],
            },
        })
    return rules, index


def _fingerprint(f: Finding) -> str:
    """Stable across runs and line moves: the rule and the clause text, not the position."""
    return hashlib.sha256(f"{f.rule_id}\n{f.clause}".encode("utf-8")).hexdigest()[:32]


def _result(doc: DocumentResult, art: int, f: Finding, rule_index: int, explain: bool) -> dict:
    loc = f.location
    region: dict = {"startLine": loc.line if loc.line is not None else 1}
    # No columns: readers strip lines and rewrite Markdown table rows, so clause offsets are not
    # columns of the file's line.
    region["snippet"] = {"text": f.clause}
    props: dict = {
        "severity": f.severity,
        "category": f.category,
        "confidence": round(f.confidence, 3),
        "detector": f.detector,
        "article": loc.article,
        "page": loc.page,
        "table": loc.table,
        "row": loc.row,
        "paragraph": loc.paragraph,
        "headingPath": list(loc.heading_path),
        "evidence": f.evidence,
        "suggestion": f.suggestion,
        "legalBasis": [c.label() for c in f.legal_basis],
    }
    if explain and f.explanation is not None:
        props["explanation"] = f.explanation.to_record()
    return {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": path_uri(doc.path), "index": art},
                "region": region,
            },
        }],
        "partialFingerprints": {"fcrClause/v1": _fingerprint(f)},
        "properties": props,
    }


def _artifact(doc: DocumentResult) -> dict:
    art: dict = {"location": {"uri": path_uri(doc.path)}}
    mime = _mime(doc.path)
    if mime:
        art["mimeType"] = mime
    art["properties"] = {
        "path": doc.path,
        "status": doc.status,
        "docType": doc.doc_type,
        "chars": doc.chars,
        "clauses": doc.clauses,
        "findings": len(doc.findings),
    }
    return art


def _notification(doc: DocumentResult, art: int, level: str, text: str, descriptor: str) -> dict:
    return {
        "level": level,
        "message": {"text": text},
        "descriptor": {"id": descriptor, "index": 0 if descriptor == READ_ERROR else 1},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": path_uri(doc.path), "index": art}}}],
    }


def sarif_log(result: RunResult, *, explain: bool = False) -> dict:
    findings = result.findings
    rules, rule_index = _rules(findings)
    results, notifications = [], []
    for art, doc in enumerate(result.documents):
        if doc.status == "error":
            notifications.append(_notification(doc, art, "error", f"无法读取 {doc.path}：{doc.error}", READ_ERROR))
            continue
        for w in doc.warnings:
            notifications.append(_notification(doc, art, "warning", f"{doc.path}：{w}", READ_WARNING))
        results += [_result(doc, art, f, rule_index[f.rule_id], explain) for f in doc.findings]
    docs = result.documents
    invocation: dict = {
        # The run succeeds when at least one document was read (as the CLI's exit status says).
        "executionSuccessful": not docs or any(d.status == "ok" for d in docs),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    driver = {
        "name": "fcr",
        "version": result.version,
        "semanticVersion": result.version,
        "language": "zh-CN",
        "notifications": [
            {"id": READ_ERROR, "name": "ReadError", "shortDescription": {"text": "文件无法读取，未经检查"},
             "defaultConfiguration": {"level": "error"}},
            {"id": READ_WARNING, "name": "ReadWarning", "shortDescription": {"text": "文件部分内容无法读取"},
             "defaultConfiguration": {"level": "warning"}},
        ],
        "rules": rules,
        "properties": {"rulesVersion": result.rules_version},
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": driver},
            "invocations": [invocation],
            "language": "zh-CN",
            "artifacts": [_artifact(d) for d in docs],
            "results": results,
            "properties": {
                "summary": {
                    "documents": len(docs),
                    "errors": sum(d.status == "error" for d in docs),
                    "findings": len(findings),
                },
            },
        }],
    }


def render(result: RunResult, *, explain: bool = False, color: bool = False) -> str:
    return json.dumps(sarif_log(result, explain=explain), ensure_ascii=False, indent=2) + "\n"
