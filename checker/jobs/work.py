"""The work one audit worker does on one file, wherever the worker runs.

A worker process (local pool or Dask worker) keeps one Analyzer, built on its first check from
the job's :class:`~checker.engine_spec.EngineSpec` — lazily, so a worker that only ever sees
unchanged files never pays the rulebook and model load (1–2 s). Everything here is top-level and
picklable: Dask ships the functions by reference and the Task / Outcome values by pickle.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, replace

from ..engine_spec import EngineSpec, build_analyzer
from ..findings import DocumentResult


@dataclass(frozen=True)
class Task:
    path: str                        # as given
    abs_path: str
    known_sha256: str | None = None  # in the ledger with the current results version


@dataclass(frozen=True)
class Outcome:
    path: str
    abs_path: str
    sha256: str | None
    size: int | None
    unchanged: bool = False
    result: DocumentResult | None = None
    seconds: float = 0.0


_SPEC: EngineSpec | None = None
_ANALYZER = None
# A Dask worker may run several tasks at once in threads; the Analyzer is built once and its
# checks are pure Python (no gain from threads under the GIL), so one lock keeps it simple.
_LOCK = threading.RLock()


def init_worker(spec: EngineSpec) -> None:
    """Process initializer: remember the spec; the Analyzer is built on the first check."""
    global _SPEC, _ANALYZER
    with _LOCK:
        if spec != _SPEC:
            _SPEC, _ANALYZER = spec, None


def _analyzer():
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = build_analyzer(_SPEC or EngineSpec())
    return _ANALYZER


def readable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.R_OK)


def read_and_hash(path: str) -> tuple[bytes, str] | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return data, hashlib.sha256(data).hexdigest()


def check_task(task: Task) -> Outcome:
    """Read, hash, and (unless unchanged) check one file. Never raises for a bad file."""
    t0 = time.perf_counter()
    # The absolute path: a cluster worker's working directory is not the coordinator's.
    got = read_and_hash(task.abs_path)
    if got is None:
        # The engine's reader gives the specific Chinese reason (missing, permission, directory …).
        with _LOCK:
            result = replace(_analyzer().check_path(task.abs_path), path=task.path)
        return Outcome(task.path, task.abs_path, None, None, result=_slim(result), seconds=time.perf_counter() - t0)
    data, sha = got
    if task.known_sha256 == sha:
        return Outcome(task.path, task.abs_path, sha, len(data), unchanged=True, seconds=time.perf_counter() - t0)
    return check_bytes(task, data, sha, t0)


def check_bytes(task: Task, data: bytes, sha: str | None = None, t0: float | None = None) -> Outcome:
    """Check a file's bytes (also the entry point for workers that cannot read the path)."""
    t0 = time.perf_counter() if t0 is None else t0
    sha = sha or hashlib.sha256(data).hexdigest()
    with _LOCK:
        try:
            result = _analyzer().check_path(task.path, data)
        except Exception as e:  # noqa: BLE001 - one broken file must not stop the run
            result = DocumentResult(path=task.path, status="error", error=f"检查时出错（{type(e).__name__}: {e}）")
    return Outcome(task.path, task.abs_path, sha, len(data), result=_slim(result), seconds=time.perf_counter() - t0)


def check_batch(tasks: list[Task]) -> list[Outcome]:
    """Several files in one pool task (local worker processes)."""
    return [check_task(t) for t in tasks]


def run_batch_on_worker(spec: EngineSpec, tasks: list[Task], data: list[bytes | None]) -> list[Outcome]:
    """Entry point on a cluster worker. Several files per task: a task costs the scheduler and the
    worker's event loop a few milliseconds of messages, as much as checking a short file. The
    spec travels with every task (a few hundred bytes), so a worker that joins mid-run, or
    restarts, checks with the right rules."""
    init_worker(spec)
    return [check_task(t) if d is None else check_bytes(t, d) for t, d in zip(tasks, data)]


def _slim(result: DocumentResult) -> DocumentResult:
    keep = _SPEC is not None and _SPEC.keep_documents
    return result if keep or result.document is None else replace(result, document=None)
