"""The audit ledger (整改台账) in SQLite: documents, findings with their review status, history.

One file (default ``./fcr-ledger.sqlite``), WAL mode, created on first use with a versioned
schema (table ``meta``, key ``schema_version``). A single writer — the audit coordinator or a
``fcr ledger set`` — commits one transaction per document or per command, so a killed run
leaves every committed document whole and nothing half-written.

Identity:

- a **document** is its absolute path (``abs_path``, unique); ``path`` keeps the path as it was
  given to ``fcr audit`` (``docs/a.txt`` when called with ``docs``) and is what users see.
- a **finding** is its document plus a stable **fingerprint**: sha256 of the rule id and the
  clause text normalised by :func:`checker.normalize.normalize` with all whitespace removed.
  It does not depend on line numbers, so moving a clause keeps its finding (and its decision).
  The n-th repeat (n ≥ 2) of the same rule on the same clause text in one document gets
  ``#n`` appended before hashing, so identical clauses stay separate problems.

Reconciliation when a changed file is re-checked (:meth:`Ledger.record`):

- a fingerprint seen again keeps its status and decision (owner, deadline, note); its text and
  location are refreshed. Exception: a finding that was ``resolved`` or ``closed`` and occurs
  again is reopened (``open``, why "复查再次发现"): the rectification did not hold.
- a fingerprint no longer found becomes ``resolved`` (by ``fcr``, why "复查未再发现") when it
  was open / confirmed / rectifying; dismissed, resolved and closed ones keep their status.
- a new fingerprint is ``open``.
- a file that can no longer be read is recorded as ``error``; its findings are left as they
  were (nothing could be verified).

Every status change, including a finding's creation, is a row in ``history``.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import socket
import sqlite3
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterable

from ..errors import FcrError
from ..normalize import normalize

SCHEMA_VERSION = 2
DEFAULT_DB = "fcr-ledger.sqlite"
FINDING_STATUSES = ("open", "confirmed", "dismissed", "rectifying", "resolved", "closed")
SETTABLE_STATUSES = FINDING_STATUSES[1:]
STATUS_ZH = {
    "open": "待确认", "confirmed": "已确认", "dismissed": "不予整改", "rectifying": "整改中",
    "resolved": "已整改", "closed": "已销号",
}
SYSTEM_ACTOR = "fcr"
WHY_NEW = "审计首次发现"
WHY_GONE = "复查未再发现"
WHY_BACK = "复查再次发现"
_STILL_OPEN = ("open", "confirmed", "rectifying")   # problems a re-check can verify as fixed
_REOPEN = ("resolved", "closed")                    # fixed problems that must not come back

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',          -- running | done | interrupted | killed
    roots TEXT NOT NULL,                            -- JSON list of the folders given
    rules_version TEXT NOT NULL,
    fcr_version TEXT NOT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    checked INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    new_findings INTEGER NOT NULL DEFAULT 0,
    resolved_findings INTEGER NOT NULL DEFAULT 0,
    pid INTEGER,                                    -- the coordinator, to tell a killed run
    host TEXT
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,                             -- as given to fcr audit
    abs_path TEXT NOT NULL UNIQUE,
    sha256 TEXT,
    size INTEGER,
    doc_type TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',            -- JSON list
    chars INTEGER NOT NULL DEFAULT 0,
    clauses INTEGER NOT NULL DEFAULT 0,
    rules_version TEXT NOT NULL,                    -- rules (and model) the check ran with
    checked_at TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    missing_since TEXT                              -- set when an audit of its folder no longer finds it
);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    fingerprint TEXT NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0,                 -- order in the document at its last check
    rule_id TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    legal_basis TEXT NOT NULL,                      -- JSON list of citations
    clause TEXT NOT NULL,
    evidence TEXT NOT NULL,
    location TEXT NOT NULL,                         -- JSON, as in fcr check --format json
    confidence REAL NOT NULL,
    detector TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ({", ".join(repr(s) for s in FINDING_STATUSES)})),
    owner TEXT,
    deadline TEXT,
    note TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    UNIQUE (document_id, fingerprint)
);
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    why TEXT
);
CREATE INDEX findings_status ON findings(status);
CREATE INDEX history_finding ON history(finding_id);
CREATE INDEX documents_run ON documents(run_id);
"""


class LedgerError(FcrError):
    """The ledger file cannot be used (missing, not a ledger, newer schema) or a bad request."""


def now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def fingerprint(rule_id: str, clause: str, occurrence: int = 1) -> str:
    """Stable id of a finding inside its document: rule + normalised clause, whitespace removed."""
    text = re.sub(r"\s+", "", normalize(clause))
    key = f"{rule_id}\x1f{text}" + (f"#{occurrence}" if occurrence > 1 else "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fingerprints(findings) -> list[str]:
    """Fingerprints of a document's findings in order, repeats numbered (see module docstring)."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        base = (f.rule_id, re.sub(r"\s+", "", normalize(f.clause)))
        seen[base] = seen.get(base, 0) + 1
        out.append(fingerprint(f.rule_id, f.clause, seen[base]))
    return out


@dataclass
class Reconciled:
    """What recording one document changed in the ledger."""

    new: int = 0          # findings opened for the first time
    kept: int = 0         # findings found again, status kept
    reopened: int = 0     # resolved/closed findings found again
    resolved: int = 0     # findings no longer found, marked resolved


class Ledger:
    def __init__(self, path: str | os.PathLike, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise LedgerError(f"台账文件 {self.path} 不存在（先运行 fcr audit 建立台账，或用 --db 指定）")
        try:
            self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 30000")
            mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self.db.execute("PRAGMA synchronous = NORMAL")   # WAL: durable across a killed process
            self.db.execute("PRAGMA foreign_keys = ON")
            self._init_schema()
        except sqlite3.DatabaseError as e:
            raise LedgerError(f"{self.path} 不是可用的台账文件（{e}）") from None
        self.journal_mode = mode

    # -- schema -----------------------------------------------------------------------------
    def _init_schema(self) -> None:
        has_meta = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if not has_meta:
            others = self.db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            if others:
                raise LedgerError(f"{self.path} 是其他程序的 SQLite 数据库，不是 fcr 台账")
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if self.db.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
                    self.db.execute("ROLLBACK")   # another process created it meanwhile
                    return self._init_schema()
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        self.db.execute(stmt)
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?), ('created_at', ?)",
                                (str(SCHEMA_VERSION), now()))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            return
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise LedgerError(f"台账 {self.path} 的结构版本为 {version}，高于本程序支持的 {SCHEMA_VERSION}，请升级 fcr")
        if version < 1:
            raise LedgerError(f"台账 {self.path} 缺少结构版本信息，无法使用")
        if version < 2:
            self._migrate(2, [
                "ALTER TABLE documents ADD COLUMN missing_since TEXT",
                "ALTER TABLE runs ADD COLUMN pid INTEGER",
                "ALTER TABLE runs ADD COLUMN host TEXT",
            ])

    def _migrate(self, to: int, statements: list[str]) -> None:
        """One schema step in one transaction; another process may have done it meanwhile."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if int(self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]) < to:
                for stmt in statements:
                    self.db.execute(stmt)
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(to),))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, roots: list[str], rules_version: str, fcr_version: str, files: int) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started_at, roots, rules_version, fcr_version, files, pid, host) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now(), json.dumps(roots, ensure_ascii=False), rules_version, fcr_version, files, os.getpid(),
             socket.gethostname()))
        return int(cur.lastrowid)

    def close_stale_runs(self) -> list[int]:
        """Mark as ``killed`` the runs still ``running`` whose coordinator process on this host is
        gone (kill -9, power loss); returns their ids. Runs of other hosts are left alone."""
        host = socket.gethostname()
        stale = [r["id"] for r in self.db.execute(
            "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?", (host,))
            if r["pid"] is None or not _process_alive(r["pid"])]
        stale += [r[0] for r in self.db.execute("SELECT id FROM runs WHERE status = 'running' AND host IS NULL")]
        for run_id in stale:
            self.db.execute("UPDATE runs SET status = 'killed' WHERE id = ? AND status = 'running'", (run_id,))
        return sorted(stale)

    def runs(self, limit: int | None = None) -> list[sqlite3.Row]:
        sql = "SELECT * FROM runs ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        return self.db.execute(sql).fetchall()

    def finish_run(self, run_id: int, status: str, **counts: int) -> None:
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.db.execute(f"UPDATE runs SET finished_at = ?, status = ?{', ' if sets else ''}{sets} WHERE id = ?",
                        (now(), status, *counts.values(), run_id))

    def run(self, run_id: int) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()

    # -- documents --------------------------------------------------------------------------
    def known_hashes(self, rules_version: str) -> dict[str, str]:
        """abs_path → sha256 of documents recorded with this rules version (skip if unchanged)."""
        rows = self.db.execute(
            "SELECT abs_path, sha256 FROM documents WHERE rules_version = ? AND sha256 IS NOT NULL",
            (rules_version,))
        return {r[0]: r[1] for r in rows}

    def record(self, *, run_id: int, path: str, abs_path: str, sha256: str | None, size: int | None,
               result, rules_version: str) -> Reconciled:
        """Write one checked document and reconcile its findings, in one transaction."""
        at = now()
        out = Reconciled()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT id FROM documents WHERE abs_path = ?", (abs_path,)).fetchone()
            values = (path, sha256, size, result.doc_type, result.status, result.error,
                      json.dumps(list(result.warnings), ensure_ascii=False), result.chars, result.clauses,
                      rules_version, at, run_id)
            if row is None:
                doc_id = db.execute(
                    "INSERT INTO documents (path, sha256, size, doc_type, status, error, warnings, chars, "
                    "clauses, rules_version, checked_at, run_id, abs_path) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*values, abs_path)).lastrowid
            else:
                doc_id = row[0]
                db.execute(
                    "UPDATE documents SET path=?, sha256=?, size=?, doc_type=?, status=?, error=?, warnings=?, "
                    "chars=?, clauses=?, rules_version=?, checked_at=?, run_id=? WHERE id=?", (*values, doc_id))
            db.execute("UPDATE documents SET missing_since = NULL WHERE id = ?", (doc_id,))
            if result.status == "ok":
                self._reconcile(doc_id, result.findings, at, out)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return out

    def sync_presence(self, roots: Iterable[str], present: Iterable[str]) -> tuple[int, int]:
        """After a complete audit of ``roots`` (absolute): documents below them that no longer
        exist get ``missing_since`` (their findings are kept: a deleted file may have been
        moved, or the measure repealed, which a reviewer confirms); documents seen again lose
        it. Returns (newly missing, back again)."""
        roots = [r.rstrip(os.sep) for r in roots]
        present = set(present)
        at = now()
        gone = back = 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for row in self.db.execute("SELECT id, abs_path, missing_since FROM documents").fetchall():
                p = row["abs_path"]
                if not any(p == r or p.startswith(r + os.sep) for r in roots):
                    continue
                if p in present or os.path.exists(p):
                    if row["missing_since"] is not None and p in present:
                        self.db.execute("UPDATE documents SET missing_since = NULL WHERE id = ?", (row["id"],))
                        back += 1
                elif row["missing_since"] is None:
                    self.db.execute("UPDATE documents SET missing_since = ? WHERE id = ?", (at, row["id"]))
                    gone += 1
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return gone, back

    def _reconcile(self, doc_id: int, findings, at: str, out: Reconciled) -> None:
        db = self.db
        existing = {r["fingerprint"]: r for r in db.execute(
            "SELECT id, fingerprint, status FROM findings WHERE document_id = ?", (doc_id,))}
        seen = set()
        for seq, (fp, f) in enumerate(zip(fingerprints(findings), findings)):
            seen.add(fp)
            rec = f.to_record()
            data = (seq, rec["rule_id"], rec["category"], rec["severity"], rec["title"], rec["message"],
                    rec["suggestion"], json.dumps(rec["legal_basis"], ensure_ascii=False), rec["clause"],
                    rec["evidence"], json.dumps(rec["location"], ensure_ascii=False), rec["confidence"],
                    rec["detector"], at)
            old = existing.get(fp)
            if old is None:
                fid = db.execute(
                    "INSERT INTO findings (seq, rule_id, category, severity, title, message, suggestion, "
                    "legal_basis, clause, evidence, location, confidence, detector, last_seen, "
                    "document_id, fingerprint, status, first_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*data, doc_id, fp, "open", at)).lastrowid
                self._history(fid, None, "open", SYSTEM_ACTOR, at, WHY_NEW)
                out.new += 1
                continue
            db.execute(
                "UPDATE findings SET seq=?, rule_id=?, category=?, severity=?, title=?, message=?, suggestion=?, "
                "legal_basis=?, clause=?, evidence=?, location=?, confidence=?, detector=?, last_seen=? "
                "WHERE id=?", (*data, old["id"]))
            if old["status"] in _REOPEN:
                db.execute("UPDATE findings SET status='open' WHERE id=?", (old["id"],))
                self._history(old["id"], old["status"], "open", SYSTEM_ACTOR, at, WHY_BACK)
                out.reopened += 1
            else:
                out.kept += 1
        for fp, old in existing.items():
            if fp not in seen and old["status"] in _STILL_OPEN:
                db.execute("UPDATE findings SET status='resolved' WHERE id=?", (old["id"],))
                self._history(old["id"], old["status"], "resolved", SYSTEM_ACTOR, at, WHY_GONE)
                out.resolved += 1

    def _history(self, fid: int, frm: str | None, to: str, by: str, at: str, why: str | None) -> None:
        self.db.execute("INSERT INTO history (finding_id, from_status, to_status, by, at, why) VALUES (?,?,?,?,?,?)",
                        (fid, frm, to, by, at, why))

    # -- workflow ---------------------------------------------------------------------------
    def set_status(self, ids: Iterable[int], status: str, *, by: str, note: str | None = None,
                   deadline: str | None = None, owner: str | None = None) -> list[sqlite3.Row]:
        """Change the status (and owner / deadline / note) of findings; all or none.

        A dismissal needs a note: a suppressed finding must say why, for whoever audits later.
        """
        ids = list(dict.fromkeys(int(i) for i in ids))
        if status not in SETTABLE_STATUSES:
            raise LedgerError(f"状态 {status} 无效，可选：{'、'.join(SETTABLE_STATUSES)}")
        if status == "dismissed" and not (note and note.strip()):
            raise LedgerError("将问题标记为 dismissed（不予整改/误报）必须用 --note 写明理由，以备核查")
        if deadline is not None:
            deadline = check_date(deadline)
        at = now()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = {r["id"]: r for r in db.execute(
                f"SELECT id, status, owner, deadline, note FROM findings WHERE id IN ({','.join('?' * len(ids))})",
                ids)} if ids else {}
            missing = [i for i in ids if i not in rows]
            if missing:
                raise LedgerError(f"台账中没有编号为 {'、'.join(map(str, missing))} 的问题，未做任何修改")
            for i in ids:
                old = rows[i]
                changes = []
                if owner is not None and owner != old["owner"]:
                    changes.append(f"责任单位：{owner}")
                if deadline is not None and deadline != old["deadline"]:
                    changes.append(f"整改时限：{deadline}")
                why = "；".join(filter(None, [note and note.strip(), *changes])) or None
                db.execute(
                    "UPDATE findings SET status=?, owner=coalesce(?, owner), deadline=coalesce(?, deadline), "
                    "note=coalesce(?, note) WHERE id=?", (status, owner, deadline, note, i))
                self._history(i, old["status"], status, by, at, why)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return self.findings(ids=ids)

    # -- queries ----------------------------------------------------------------------------
    def documents(self, path_glob: str | None = None, status: str | None = None) -> list[sqlite3.Row]:
        rows = self.db.execute(
            "SELECT d.*, (SELECT count(*) FROM findings f WHERE f.document_id = d.id) AS n_findings "
            "FROM documents d ORDER BY d.path").fetchall()
        return [r for r in rows if (path_glob is None or match_path(r["path"], path_glob))
                and (status is None or r["status"] == status)]

    def findings(self, *, status: str | None = None, path_glob: str | None = None,
                 ids: list[int] | None = None, document_ids: Iterable[int] | None = None) -> list[sqlite3.Row]:
        sql = ("SELECT f.*, d.path AS path, d.doc_type AS doc_type FROM findings f "
               "JOIN documents d ON d.id = f.document_id")
        where, args = [], []
        if status is not None:
            where.append("f.status = ?")
            args.append(status)
        if ids is not None:
            where.append(f"f.id IN ({','.join('?' * len(ids))})")
            args += ids
        if document_ids is not None:
            document_ids = list(document_ids)
            where.append(f"f.document_id IN ({','.join('?' * len(document_ids))})")
            args += document_ids
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY d.path, f.seq, f.id"
        rows = self.db.execute(sql, args).fetchall()
        return [r for r in rows if path_glob is None or match_path(r["path"], path_glob)]

    def history(self, finding_id: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM history WHERE finding_id = ? ORDER BY id", (finding_id,)).fetchall()

    def count_open(self, abs_paths: Iterable[str] | None = None) -> int:
        if abs_paths is None:
            return self.db.execute("SELECT count(*) FROM findings WHERE status='open'").fetchone()[0]
        wanted = set(abs_paths)
        rows = self.db.execute(
            "SELECT d.abs_path, count(*) FROM findings f JOIN documents d ON d.id=f.document_id "
            "WHERE f.status='open' GROUP BY d.abs_path")
        return sum(n for p, n in rows if p in wanted)

    def stats(self, by: str | None = None) -> list[dict]:
        """Totals (``by`` None) or one row per folder / doc_type / rule; see :func:`stat_row`."""
        docs = self.db.execute("SELECT id, path, doc_type, status FROM documents").fetchall()
        finds = self.db.execute(
            "SELECT f.document_id, f.rule_id, f.status, d.path, d.doc_type FROM findings f "
            "JOIN documents d ON d.id = f.document_id").fetchall()
        key_doc = {
            None: lambda d: "全部",
            "folder": lambda d: os.path.dirname(d["path"]) or ".",
            "doc_type": lambda d: d["doc_type"] or "未识别",
        }
        groups: dict[str, dict] = {}

        def group(k):
            return groups.setdefault(k, {"documents": set(), "errors": set(), "statuses": {}})

        if by == "rule":
            for f in finds:
                g = group(f["rule_id"])
                g["documents"].add(f["document_id"])
                g["statuses"][f["status"]] = g["statuses"].get(f["status"], 0) + 1
        else:
            if by not in key_doc:
                raise LedgerError(f"--by {by} 无效，可选：folder、doc_type、rule")
            kf = key_doc[by]
            for d in docs:
                g = group(kf(d))
                g["documents"].add(d["id"])
                if d["status"] == "error":
                    g["errors"].add(d["id"])
            for f in finds:
                g = group(kf(f))
                g["statuses"][f["status"]] = g["statuses"].get(f["status"], 0) + 1
            if by is None and not groups:
                group("全部")
        return [stat_row(k, g) for k, g in sorted(groups.items(), key=lambda kv: kv[0])]


def stat_row(key: str, g: dict) -> dict:
    s = g["statuses"]
    total = sum(s.values())
    done = s.get("resolved", 0) + s.get("closed", 0)
    base = total - s.get("dismissed", 0)
    return {
        "group": key,
        "documents": len(g["documents"]),
        "errors": len(g["errors"]),
        "findings": total,
        "open": s.get("open", 0),
        "closed": s.get("closed", 0),
        "by_status": {st: s.get(st, 0) for st in FINDING_STATUSES},
        "rectification_rate": round(done / base, 4) if base else None,
    }


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # alive, owned by someone else
        return True
    return True


def match_path(path: str, pattern: str) -> bool:
    """Glob on a ledger path; a pattern without '/' also matches the file name alone."""
    p = path.replace(os.sep, "/")
    return fnmatchcase(p, pattern) or ("/" not in pattern and fnmatchcase(p.rsplit("/", 1)[-1], pattern))


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_date(text: str) -> str:
    try:
        if not _DATE.match(text):
            raise ValueError
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise LedgerError(f"整改时限 {text} 不是有效日期，请写成 YYYY-MM-DD（如 2025-06-30）") from None
