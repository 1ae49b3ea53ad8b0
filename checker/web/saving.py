"""Saved documents: uploads recorded in the ledger ``fcr audit`` keeps, their pages and decisions.

Saving an upload = ``Ledger.record(...)`` exactly as the audit job records a file, with the
file's bytes stored under ``fcr-uploads/<folder>/<name>`` next to the ledger file (0600 files
in 0700 folders). That stored copy is the document's ``abs_path``, so saving the same name in
the same folder again is a re-check: the ledger keeps the decisions of findings seen again and
marks the ones no longer found resolved. The ledger ``path`` is ``<folder>/<name>``, which is
what ``fcr ledger stats --by folder`` groups by.

A saved document's page needs its text (to show findings in place) and each finding's "why",
which the ledger does not keep. Both come from checking the stored file (or, for documents a
``fcr audit`` recorded, the original file) again, cached by path, size and mtime; the findings
themselves, their ids and statuses always come from the ledger. Explanations are matched by the
ledger's own finding fingerprint.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..findings import DocumentResult, Explanation
from ..ledger import Ledger, LedgerError, fingerprints
from ..ledger.views import row_to_finding
from ..outputs import write_atomic
from .checking import Checked, CheckService

UPLOADS_DIR = "fcr-uploads"
DEFAULT_FOLDER = "网页上传"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def folder_of(ledger_path: str) -> str:
    """The folder a ledger path is grouped under (as ``Ledger.stats("folder")`` groups it)."""
    return os.path.dirname(ledger_path) or "."


def uploads_root(db: Path) -> Path:
    return Path(db).resolve().parent / UPLOADS_DIR


def _component(text: str, limit: int = 80) -> str:
    return _UNSAFE.sub("_", text).strip().strip(".").strip()[:limit]


def safe_folder(text: str | None) -> str:
    """A relative folder label for the ledger: no '..', no absolute path, no control characters."""
    parts = [_component(p) for p in re.split(r"[/\\]+", text or "")]
    parts = [p for p in parts if p and p not in (".", "..")][:6]
    return "/".join(parts) or DEFAULT_FOLDER


def safe_name(filename: str) -> str:
    """The base name of an uploaded file, safe to store; keeps the extension (the reader needs it)."""
    base = re.split(r"[/\\]", filename or "")[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = _component(stem, 100) or "未命名文件"
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:10]
    return f"{stem}.{ext.lower()}" if ext else stem


def _store(root: Path, folder: str, name: str, data: bytes, taken: set[Path]) -> Path:
    target = root.joinpath(*folder.split("/"))
    stem, dot, ext = name.rpartition(".")
    dest = target / name
    n = 2
    while dest in taken:                 # two files of one upload with the same name
        dest = target / (f"{stem}（{n}）.{ext}" if dot else f"{name}（{n}）")
        n += 1
    if not dest.resolve().is_relative_to(root.resolve()):
        raise LedgerError(f"文件夹名称无效：{folder}")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomic(dest, data)             # mkstemp + replace: 0600, never half-written
    taken.add(dest)
    return dest


def save_checked(db: Path, service: CheckService, entries: list[tuple[int, Checked]], folder: str | None,
                 doc_type: str = "auto", cache: FreshCache | None = None) -> dict[int, int]:
    """Record the readable ``entries`` (number, checked upload) in the ledger under ``folder``;
    returns number → ledger document id. Unreadable uploads are not saved. The recorded version
    is the one ``fcr audit`` would record for the same rules and ``doc_type``."""
    folder = safe_folder(folder)
    version = service.ledger_version(doc_type)
    root = uploads_root(db)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    readable = [(n, c) for n, c in entries if c.result.status == "ok"]
    saved: dict[int, int] = {}
    taken: set[Path] = set()
    with Ledger(db) as ledger:
        run_id = ledger.start_run([f"{UPLOADS_DIR}/{folder}"], version, __version__, len(readable))
        new = resolved = 0
        try:
            for n, c in readable:
                dest = _store(root, folder, safe_name(c.name), c.data, taken)
                rec = ledger.record(run_id=run_id, path=f"{folder}/{dest.name}", abs_path=str(dest),
                                    sha256=hashlib.sha256(c.data).hexdigest(), size=len(c.data),
                                    result=c.result, rules_version=version)
                new += rec.new
                resolved += rec.resolved
                saved[n] = ledger.db.execute("SELECT id FROM documents WHERE abs_path = ?", (str(dest),)).fetchone()[0]
                if cache is not None:
                    cache.put(dest, c.result)
        finally:
            ledger.finish_run(run_id, "done", checked=len(saved), new_findings=new, resolved_findings=resolved)
    return saved


# -- a saved document for the page -----------------------------------------------------------------


class FreshCache:
    """Recent re-checks of saved files, keyed by path and invalidated by size or mtime."""

    def __init__(self, size: int = 16):
        self.size = size
        self._items: OrderedDict[str, tuple[tuple[int, int], DocumentResult]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def get(self, path: Path) -> DocumentResult | None:
        stamp = self._stamp(path)
        with self._lock:
            hit = self._items.get(str(path))
            if hit is None or stamp is None or hit[0] != stamp:
                return None
            self._items.move_to_end(str(path))
            return hit[1]

    def put(self, path: Path, result: DocumentResult) -> None:
        stamp = self._stamp(path)
        if stamp is None:
            return
        with self._lock:
            self._items[str(path)] = (stamp, result)
            self._items.move_to_end(str(path))
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass
class SavedDocument:
    id: int
    row: object                             # the ledger's documents row
    result: DocumentResult                  # ledger findings; document text from the file, if readable
    rows: list                              # ledger finding rows, in the order of result.findings
    explanations: dict[int, Explanation] = field(default_factory=dict)   # finding id → why
    notice: str | None = None               # the file is gone or changed since it was recorded


def document_row(ledger: Ledger, doc_id: int):
    return ledger.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()


def load_saved(db: Path, service: CheckService, doc_id: int, cache: FreshCache) -> SavedDocument | None:
    with Ledger(db, create=False) as ledger:
        row = document_row(ledger, doc_id)
        if row is None:
            return None
        frows = ledger.findings(document_ids=[doc_id])
    path = Path(row["abs_path"])
    fresh = cache.get(path)
    notice = None
    if fresh is None:
        if path.is_file():
            fresh = service.check_file(str(path), row["doc_type"] or "auto")
            cache.put(path, fresh)
        else:
            notice = f"原文件已不在 {path}：下面只列出台账中的问题，无法在原文中标出。"
    if fresh is not None and row["sha256"] and _sha256(path) != row["sha256"]:
        notice = "文件在登记到台账后已被修改：原文显示的是现在的版本，问题位置可能有偏差。"
    findings = tuple(row_to_finding(r) for r in frows)
    explanations = {}
    if fresh is not None and fresh.status == "ok":
        by_fp = {fp: f.explanation for fp, f in zip(fingerprints(fresh.findings), fresh.findings)
                 if f.explanation is not None}
        explanations = {r["id"]: by_fp[r["fingerprint"]] for r in frows if r["fingerprint"] in by_fp}
    result = DocumentResult(
        path=row["path"], status=row["status"], doc_type=row["doc_type"], error=row["error"],
        warnings=tuple(json.loads(row["warnings"] or "[]")), chars=row["chars"], clauses=row["clauses"],
        findings=findings, document=fresh.document if fresh is not None and fresh.status == "ok" else None)
    return SavedDocument(doc_id, row, result, list(frows), explanations, notice)


def _sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


# -- decisions and the overview --------------------------------------------------------------------


def decide(db: Path, finding_id: int, status: str, *, by: str, note: str | None = None,
           owner: str | None = None, deadline: str | None = None):
    """One reviewer decision through ``Ledger.set_status`` (which insists on a note for dismissals);
    returns the updated finding row. Raises ``LedgerError`` with the Chinese reason."""
    with Ledger(db, create=False) as ledger:
        rows = ledger.set_status([finding_id], status, by=by, note=note or None,
                                 owner=owner or None, deadline=deadline or None)
        return rows[0]


def finding_row(db: Path, finding_id: int):
    with Ledger(db, create=False) as ledger:
        rows = ledger.findings(ids=[finding_id])
        return rows[0] if rows else None


def last_decision(db: Path, finding_id: int):
    with Ledger(db, create=False) as ledger:
        history = ledger.history(finding_id)
        return history[-1] if history else None


@dataclass
class Overview:
    totals: dict
    folders: list[dict]
    documents: list[dict]               # documents row + per-status finding counts
    folder_names: list[str]
    shown_limit: int
    matched: int


def overview(db: Path, folder: str | None = None, status: str | None = None, limit: int = 500) -> Overview | None:
    """Stats by folder and status plus the documents table of the ledger page; None: no ledger yet."""
    if not Path(db).exists():
        return None
    with Ledger(db, create=False) as ledger:
        totals = ledger.stats(None)[0]
        folders = ledger.stats("folder")
        counts: dict[int, dict[str, int]] = {}
        for doc_id, st, n in ledger.db.execute(
                "SELECT document_id, status, count(*) FROM findings GROUP BY document_id, status"):
            counts.setdefault(doc_id, {})[st] = n
        docs = []
        for d in ledger.documents():
            dfolder = folder_of(d["path"])
            by_status = counts.get(d["id"], {})
            if folder and dfolder != folder:
                continue
            if status in ("ok", "error") and d["status"] != status:
                continue
            if status and status not in ("ok", "error") and not by_status.get(status):
                continue
            docs.append({"row": d, "folder": dfolder, "by_status": by_status, "total": sum(by_status.values())})
    return Overview(totals, folders, docs[:limit], [f["group"] for f in folders], limit, len(docs))


def ledger_findings_for(db: Path, doc_id: int):
    """(documents row, finding rows) for the xlsx download of one saved document."""
    with Ledger(db, create=False) as ledger:
        row = ledger.db.execute(
            "SELECT d.*, (SELECT count(*) FROM findings f WHERE f.document_id = d.id) AS n_findings "
            "FROM documents d WHERE d.id = ?", (doc_id,)).fetchone()
        return row, (ledger.findings(document_ids=[doc_id]) if row else [])
