"""The checking service behind the API and the pages: the engine call ``fcr check`` makes.

``POST /api/check`` must answer exactly what ``fcr check --format json FILE`` prints, so this
module builds nothing of its own: the analyzer comes from ``checker.engine_spec`` as ``fcr check``
builds it (default rules, the shipped classifier, ``--doc-type``), each document goes through
``Analyzer.check_path(name, data)`` (the name labels the document, as the path does on the
command line), the run is a ``RunResult`` with ``rulebook.rules_version(book)``, and the JSON is
the ``json`` renderer's output, byte for byte.

Checks run in worker threads (the event loop keeps serving pages), at most ``workers`` at a
time so that a burst of uploads does not hold a burst of parsed documents in memory.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

import anyio

from .. import __version__
from ..engine import Analyzer
from ..findings import DocumentResult, RunResult

DOC_TYPES = ("auto", "policy", "procurement")
log = logging.getLogger("fcr.web")


@dataclass(frozen=True)
class Checked:
    """One uploaded document after checking: its label, its bytes and its result."""

    name: str
    data: bytes
    result: DocumentResult


class CheckService:
    def __init__(self, detectors: str = "combined", workers: int | None = None):
        from ..engine_spec import EngineSpec, load_book
        from ..rulebook import rules_version

        self.detectors = detectors
        self.book = load_book(EngineSpec(detectors=detectors))
        self.model = None
        if detectors != "rules":
            from .. import classifier

            self.model = classifier.default_model()
            if self.model is None:
                log.warning("分类模型不可用，仅使用规则检查（%s）", classifier.default_model_error)
        self.rules_version = rules_version(self.book)          # tool.rules_version of fcr check
        self._analyzers: dict[str, Analyzer] = {}
        self._lock = threading.Lock()
        self.limiter = anyio.CapacityLimiter(workers or min(4, os.cpu_count() or 1))

    def spec(self, doc_type: str = "auto"):
        """The engine spec ``fcr check --doc-type DOC_TYPE`` (no fcr.toml) builds its analyzer from."""
        from ..engine_spec import EngineSpec

        return EngineSpec(detectors=self.detectors, doc_type=doc_type)

    def analyzer(self, doc_type: str = "auto") -> Analyzer:
        """One Analyzer per document-type option (``--doc-type``), built once."""
        from ..engine_spec import build_analyzer

        with self._lock:
            a = self._analyzers.get(doc_type)
            if a is None:
                a = build_analyzer(self.spec(doc_type), self.model, self.book)
                self._analyzers[doc_type] = a
            return a

    def ledger_version(self, doc_type: str = "auto") -> str:
        """What ``fcr audit`` records as a result's version for the same rules and options."""
        from ..engine_spec import results_version

        return results_version(self.spec(doc_type), self.book)

    def check_bytes(self, name: str, data: bytes, doc_type: str = "auto") -> DocumentResult:
        return self._check(name, data, doc_type)

    def check_file(self, path: str, doc_type: str = "auto") -> DocumentResult:
        """A file on disk (a saved ledger document), read by the engine itself."""
        return self._check(path, None, doc_type)

    def _check(self, name: str, data: bytes | None, doc_type: str) -> DocumentResult:
        try:
            return self.analyzer(doc_type).check_path(name, data)
        except Exception as e:
            log.exception("checking %s failed", name)
            return DocumentResult(path=name, status="error", error=f"检查时出错（{type(e).__name__}: {e}）")

    def run(self, results) -> RunResult:
        return RunResult(tuple(results), __version__, self.rules_version)

    async def check_uploads(self, files, doc_type: str = "auto") -> list[Checked]:
        """Check uploaded files (``uploads.UploadedFile``) in a worker thread, in upload order."""
        def work() -> list[Checked]:
            out = []
            for f in files:
                data = f.read_bytes()
                out.append(Checked(f.filename, data, self.check_bytes(f.filename, data, doc_type)))
            return out

        return await anyio.to_thread.run_sync(work, limiter=self.limiter)


def json_text(run: RunResult, explain: bool = False) -> str:
    """``fcr check --format json`` output for ``run``, byte for byte."""
    from ..reports import render

    return render("json", run, explain=explain)


def all_unreadable(run: RunResult) -> bool:
    """Mirrors the CLI's exit status 2: every document failed to read."""
    return bool(run.documents) and all(d.status == "error" for d in run.documents)


def rule_record(rule) -> dict:
    """One rule as ``fcr rules list --format json`` prints it."""
    return {
        "id": rule.id, "title": rule.spec.title, "category": rule.spec.category,
        "severity": rule.spec.severity, "applies_to": rule.spec.applies_to,
        "legal_basis": [b.model_dump() for b in rule.spec.legal_basis], "source": rule.source,
    }
