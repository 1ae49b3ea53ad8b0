"""Immutable finding and result records; ``to_record()`` is the one serialisation every format uses."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .document import Document, Location


@dataclass(frozen=True)
class Citation:
    law: str
    article: str | None = None
    item: str | None = None
    paragraph: str | None = None
    verified: bool = True

    def to_record(self) -> dict:
        rec = {"law": self.law, "article": self.article, "item": self.item}
        if self.paragraph:
            rec["paragraph"] = self.paragraph
        if not self.verified:
            rec["verified"] = False
        return rec

    def label(self) -> str:
        return f"《{self.law}》" + "".join(p for p in (self.article, self.paragraph, self.item) if p)


@dataclass(frozen=True)
class Explanation:
    """Why a finding fired: the check, the matched words, the context words that moved confidence."""

    check: str
    pattern: str
    matched: tuple[str, ...]
    raised_by: tuple[str, ...] = ()
    lowered_by: tuple[str, ...] = ()
    related_rules: tuple[str, ...] = ()
    model_probability: float | None = None       # P(violation) from the classifier, if it ran
    model_category: str | None = None
    model_category_probability: float | None = None

    def to_record(self) -> dict:
        return asdict(self) | {
            "matched": list(self.matched),
            "raised_by": list(self.raised_by),
            "lowered_by": list(self.lowered_by),
            "related_rules": list(self.related_rules),
        }


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: str
    severity: str
    title: str
    message: str
    suggestion: str
    legal_basis: tuple[Citation, ...]
    clause: str
    evidence: str
    location: Location
    start: int                 # clause offsets inside its block
    end: int
    confidence: float
    detector: str = "rule"
    explanation: Explanation | None = None

    def to_record(self, explain: bool = False) -> dict:
        loc = self.location
        rec = {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "title": self.title,
            "message": self.message,
            "suggestion": self.suggestion,
            "legal_basis": [c.to_record() for c in self.legal_basis],
            "clause": self.clause,
            "evidence": self.evidence,
            "location": {
                "paragraph": loc.paragraph,
                "line": loc.line,
                "page": loc.page,
                "table": loc.table,
                "row": loc.row,
                "article": loc.article,
                "heading_path": list(loc.heading_path),
                "start": self.start,
                "end": self.end,
            },
            "confidence": round(self.confidence, 3),
            "detector": self.detector,
        }
        if explain and self.explanation is not None:
            rec["explanation"] = self.explanation.to_record()
        return rec


@dataclass(frozen=True)
class Note:
    """Something a detector checked and deliberately left alone, e.g. a lawful licence restated
    (``kind: lawful_licence``): reviewers see why a clause that looks like an access condition
    passed. Shown in JSON always, in text output with ``--explain``."""

    kind: str
    clause: str
    location: Location
    licence: str
    basis: tuple[Citation, ...] = ()

    def to_record(self) -> dict:
        return {
            "kind": self.kind,
            "line": self.location.line,
            "paragraph": self.location.paragraph,
            "page": self.location.page,
            "clause": self.clause,
            "licence": self.licence,
            "basis": [c.to_record() for c in self.basis],
        }


@dataclass(frozen=True)
class DocumentResult:
    path: str
    status: str                      # ok | error
    doc_type: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    chars: int = 0
    clauses: int = 0
    findings: tuple[Finding, ...] = field(default=())
    notes: tuple[Note, ...] = field(default=())      # additive: see Note
    # The document as read, for renderers that show findings in their surrounding text (HTML,
    # annotated Word copy). Never serialised; None for documents that could not be read.
    document: "Document | None" = field(default=None, repr=False, compare=False)

    def to_record(self, explain: bool = False) -> dict:
        return {
            "path": self.path,
            "doc_type": self.doc_type,
            "status": self.status,
            "error": self.error,
            "warnings": list(self.warnings),
            "chars": self.chars,
            "clauses": self.clauses,
            "findings": [f.to_record(explain) for f in self.findings],
            "notes": [n.to_record() for n in self.notes],
        }


@dataclass(frozen=True)
class RunResult:
    documents: tuple[DocumentResult, ...]
    version: str
    rules_version: str

    @property
    def findings(self) -> list[Finding]:
        return [f for d in self.documents for f in d.findings]

    def to_record(self, explain: bool = False) -> dict:
        by_category: dict[str, int] = {}
        by_severity: dict[str, int] = {}
        for f in self.findings:
            by_category[f.category] = by_category.get(f.category, 0) + 1
            by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
        return {
            "tool": {"name": "fcr", "version": self.version, "rules_version": self.rules_version},
            "documents": [d.to_record(explain) for d in self.documents],
            "summary": {
                "documents": len(self.documents),
                "errors": sum(d.status == "error" for d in self.documents),
                "findings": len(self.findings),
                "by_category": by_category,
                "by_severity": by_severity,
            },
        }
