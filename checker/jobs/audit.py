"""``fcr audit``: check folder trees in worker processes and keep the ledger.

Layers: this job calls the same engine the CLI's ``check`` calls (``Analyzer.check_path``) and
writes through :class:`checker.ledger.Ledger`; the engine knows no database.

Flow::

    discover(roots)  ──▶  Task(path, abs_path, known sha256)  ──▶  backend (workers)
                                                                    check_task: read bytes,
                                                                    sha256, skip if unchanged,
                                                                    else Analyzer.check_path
    coordinator  ◀──  Outcome(path, sha256, size, DocumentResult | unchanged)  ◀──┘
        └─▶ Ledger.record(...)  one transaction per document, as results arrive (single writer)

Incremental and resumable by the same rule: before dispatch the coordinator reads, for every
document already in the ledger *with the current rules version*, its sha256; the worker hashes
the file and returns ``unchanged`` without checking when the hash matches. A run killed with
``kill -9`` lost only the documents in flight (never committed, so never half-written); running
the same command again skips everything committed and checks the rest.

Backends
--------
A backend is anything with ``imap_unordered(tasks) -> Iterator[Outcome]`` and ``close()``; the
job knows nothing else about it. Two ship here:

- :class:`InlineBackend` (``--workers 1``): checks in the coordinator's process.
- :class:`LocalBackend` (``--workers N``): a ``ProcessPoolExecutor`` whose initializer
  (:func:`init_worker`) builds one ``Analyzer`` per process — rulebook and model load once —
  with a bounded number of tasks in flight, so the coordinator's memory does not grow with the
  tree.

A Dask backend (``--scheduler ADDRESS``, not built yet) fits the same interface::

    class DaskBackend:
        def __init__(self, spec: EngineSpec, address: str):
            self.client = distributed.Client(address)
            # build the Analyzer once per Dask worker: a WorkerPlugin whose setup() calls
            # init_worker(spec) (or client.register_worker_callbacks(partial(init_worker, spec)))
        def imap_unordered(self, tasks):
            # bounded window of client.submit(check_task, task, pure=False) futures, yielding
            # from distributed.as_completed as they finish; when workers cannot read the
            # coordinator's paths, submit check_bytes(task, data) with the file's bytes instead
            # (Task carries abs_path for shared file systems).
        def close(self): self.client.close()

``check_task`` and ``Outcome`` are top-level and picklable for that reason; the coordinator
(ledger writes, progress, summary) stays unchanged.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterable, Iterator

from ..findings import DocumentResult, RunResult

# -- discovery ----------------------------------------------------------------------------------


def _matches(rel: str, pattern: str) -> bool:
    """Glob on the path relative to the given folder ('*' also crosses '/'); a pattern without
    '/' also matches the file name alone; a leading '**/' may match nothing."""
    if fnmatchcase(rel, pattern):
        return True
    if pattern.startswith("**/") and _matches(rel, pattern[3:]):
        return True
    return "/" not in pattern and fnmatchcase(rel.rsplit("/", 1)[-1], pattern)


def discover(roots: list[str], include: list[str] = (), exclude: list[str] = ()) -> tuple[list[str], list[str]]:
    """(files, problems): supported files below each root, paths as given (``docs/a.txt`` for
    ``docs``), sorted per root; a root that is a file is taken as is. ``problems`` names roots
    that do not exist."""
    from ..ingest import SUPPORTED_EXTENSIONS

    files: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()

    def add(p: str) -> None:
        if p not in seen:
            seen.add(p)
            files.append(p)

    for root in roots:
        if os.path.isfile(root):
            add(root)
            continue
        if not os.path.isdir(root):
            problems.append(f"{root}：文件夹不存在")
            continue
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in filenames:
                if os.path.splitext(name)[1].lower() not in SUPPORTED_EXTENSIONS:
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                if include and not any(_matches(rel, g) for g in include):
                    continue
                if any(_matches(rel, g) for g in exclude):
                    continue
                found.append(full)
        for p in sorted(found):
            add(p)
    return files, problems


# -- the work a worker does -----------------------------------------------------------------------


@dataclass(frozen=True)
class EngineSpec:
    """How a worker builds its Analyzer: picklable, so it travels to processes (and Dask)."""

    detectors: str = "combined"      # combined | rules | model
    keep_documents: bool = False     # send the Document back (HTML report) — costs memory


@dataclass(frozen=True)
class Task:
    path: str                        # as given
    abs_path: str
    known_sha256: str | None = None  # in the ledger with the current rules version


@dataclass(frozen=True)
class Outcome:
    path: str
    abs_path: str
    sha256: str | None
    size: int | None
    unchanged: bool = False
    result: DocumentResult | None = None
    seconds: float = 0.0


_ANALYZER = None
_SPEC: EngineSpec | None = None


def build_analyzer(spec: EngineSpec):
    from ..classifier import default_model
    from ..engine import Analyzer, Options
    from ..rulebook import default_rulebook

    model = default_model() if spec.detectors != "rules" else None
    return Analyzer(default_rulebook(), Options(detectors=spec.detectors), model)


def init_worker(spec: EngineSpec) -> None:
    """Process initializer: load rulebook and model once, build the Analyzer."""
    global _ANALYZER, _SPEC
    _SPEC = spec
    _ANALYZER = build_analyzer(spec)


def check_task(task: Task) -> Outcome:
    """Read, hash, and (unless unchanged) check one file. Never raises for a bad file."""
    t0 = time.perf_counter()
    if _ANALYZER is None:
        init_worker(EngineSpec())
    try:
        with open(task.path, "rb") as fh:
            data = fh.read()
    except OSError:
        # The engine's reader gives the specific Chinese reason (missing, permission, directory …).
        result = _ANALYZER.check_path(task.path)
        if result.status == "ok":   # readable after all (a race): treat as a normal check
            return Outcome(task.path, task.abs_path, None, None, result=_slim(result),
                           seconds=time.perf_counter() - t0)
        return Outcome(task.path, task.abs_path, None, None, result=result, seconds=time.perf_counter() - t0)
    sha = hashlib.sha256(data).hexdigest()
    if task.known_sha256 == sha:
        return Outcome(task.path, task.abs_path, sha, len(data), unchanged=True, seconds=time.perf_counter() - t0)
    return check_bytes(task, data, sha, t0)


def check_bytes(task: Task, data: bytes, sha: str | None = None, t0: float | None = None) -> Outcome:
    """Check a file's bytes (also the entry point for workers that cannot read the path)."""
    t0 = time.perf_counter() if t0 is None else t0
    if _ANALYZER is None:
        init_worker(EngineSpec())
    sha = sha or hashlib.sha256(data).hexdigest()
    try:
        result = _ANALYZER.check_path(task.path, data)
    except Exception as e:  # noqa: BLE001 - one broken file must not stop the run
        result = DocumentResult(path=task.path, status="error",
                                error=f"检查时出错（{type(e).__name__}: {e}）")
    return Outcome(task.path, task.abs_path, sha, len(data), result=_slim(result), seconds=time.perf_counter() - t0)


def _slim(result: DocumentResult) -> DocumentResult:
    keep = _SPEC is not None and _SPEC.keep_documents
    return result if keep or result.document is None else replace(result, document=None)


# -- backends -------------------------------------------------------------------------------------


class InlineBackend:
    """Checks in this process (``--workers 1``): no pickling, no process start-up."""

    def __init__(self, spec: EngineSpec):
        init_worker(spec)

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        for t in tasks:
            yield check_task(t)

    def close(self) -> None:
        pass


def _mp_context():
    import multiprocessing as mp

    # fork: workers inherit the coordinator's loaded rulebook (the initializer then finds it
    # cached); elsewhere spawn, and the initializer loads everything itself.
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


class LocalBackend:
    """Local worker processes, each with its own Analyzer; at most ``window`` tasks in flight."""

    def __init__(self, spec: EngineSpec, workers: int, window: int | None = None):
        self.workers = workers
        self.window = window or workers * 4
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(),
                                        initializer=init_worker, initargs=(spec,))

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        it = iter(tasks)
        pending = set()
        for t in it:
            pending.add(self.pool.submit(check_task, t))
            if len(pending) >= self.window:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(self.pool.submit(check_task, nxt))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


# -- the job --------------------------------------------------------------------------------------


def check_version(detectors: str = "combined") -> str:
    """What a recorded result depends on: the rules (as ``fcr check`` reports rules_version) and
    the classifier's sha256 (from its metadata file, without loading the model)."""
    import json

    from ..classifier import default_model_path
    from ..rulebook import default_rulebook

    book = default_rulebook()
    h = hashlib.sha256()
    for rule in sorted(book.rules, key=lambda r: r.id):
        h.update(rule.spec.model_dump_json().encode())
    version = f"{len(book.rules)}-{h.hexdigest()[:12]}"   # = cli.rules_version(book)
    if detectors == "rules":
        return version + "+rules-only"
    try:
        meta = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
        return version + "+model-" + str(meta.get("model_sha256", "?"))[:12]
    except (OSError, ValueError):
        return version + "+no-model"


@dataclass
class AuditSummary:
    run_id: int
    files: int = 0
    checked: int = 0
    skipped: int = 0
    errors: int = 0
    new: int = 0
    resolved: int = 0
    reopened: int = 0
    open: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    error_paths: list[tuple[str, str]] = field(default_factory=list)
    results: list[DocumentResult] = field(default_factory=list)   # when collecting for reports

    @property
    def rate(self) -> float:
        return (self.checked + self.skipped + self.errors) / self.seconds if self.seconds > 0 else 0.0


def run_audit(ledger, files: list[str], *, roots: list[str], workers: int = 1,
              spec: EngineSpec = EngineSpec(), collect: bool = False, progress=None,
              backend=None) -> AuditSummary:
    """Check ``files`` (paths as given) and record them in ``ledger``; returns the summary.

    ``collect`` keeps the checked documents' results (for the run's xlsx / HTML reports).
    ``progress`` is called with the summary after each file. KeyboardInterrupt stops the run;
    everything committed so far stays (the summary says ``interrupted``).
    """
    from .. import __version__

    version = check_version(spec.detectors)
    known = ledger.known_hashes(version)
    tasks = []
    for p in files:
        ap = os.path.abspath(p)
        tasks.append(Task(p, ap, known.get(ap)))
    run_id = ledger.start_run(roots, version, __version__, len(tasks))
    summary = AuditSummary(run_id=run_id, files=len(tasks))
    t0 = time.perf_counter()
    if backend is None:
        backend = InlineBackend(spec) if workers <= 1 or len(tasks) <= 1 else LocalBackend(spec, workers)
    try:
        for out in backend.imap_unordered(tasks):
            if out.unchanged:
                summary.skipped += 1
            else:
                res = out.result
                rec = ledger.record(run_id=run_id, path=out.path, abs_path=out.abs_path, sha256=out.sha256,
                                    size=out.size, result=res, rules_version=version)
                if res.status == "error":
                    summary.errors += 1
                    summary.error_paths.append((out.path, res.error or ""))
                else:
                    summary.checked += 1
                summary.new += rec.new
                summary.resolved += rec.resolved
                summary.reopened += rec.reopened
                if collect:
                    summary.results.append(res)
            summary.seconds = time.perf_counter() - t0
            if progress is not None:
                progress(summary)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        backend.close()
        summary.seconds = time.perf_counter() - t0
        summary.open = ledger.count_open(t.abs_path for t in tasks)
        ledger.finish_run(run_id, "interrupted" if summary.interrupted else "done",
                          checked=summary.checked, skipped=summary.skipped, errors=summary.errors,
                          new_findings=summary.new, resolved_findings=summary.resolved)
    return summary


def write_reports(summary: AuditSummary, report_dir: str, rules_version: str) -> list[Path]:
    """The run's 台账 (xlsx) and HTML report over the documents checked in this run."""
    from .. import __version__
    from ..outputs import write_atomic
    from ..reports import render

    out_dir = Path(report_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = RunResult(tuple(sorted(summary.results, key=lambda r: r.path)), __version__, rules_version)
    written = []
    for fmt, name in (("xlsx", f"audit-run-{summary.run_id}-台账.xlsx"), ("html", f"audit-run-{summary.run_id}.html")):
        data = render(fmt, run)
        path = out_dir / name
        write_atomic(path, data if isinstance(data, bytes) else data.encode("utf-8"))
        written.append(path)
    return written


# -- progress and summary -------------------------------------------------------------------------


class Progress:
    """A one-line bar on a terminal (\\r, files/s, ETA), plain log lines every ``every`` files
    otherwise. Writes to ``stream`` (stderr)."""

    def __init__(self, total: int, stream=None, tty: bool | None = None, every: int | None = None):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = every or max(1, min(100, -(-total // 10)))
        self._last_draw = 0.0
        self._logged = 0

    def __call__(self, s: AuditSummary) -> None:
        done = s.checked + s.skipped + s.errors
        rate = s.rate
        eta = (self.total - done) / rate if rate > 0 else 0.0
        if self.tty:
            t = time.monotonic()
            if done < self.total and t - self._last_draw < 0.1:
                return
            self._last_draw = t
            width = 28
            filled = int(width * done / self.total) if self.total else width
            bar = "█" * filled + "░" * (width - filled)
            self.stream.write(f"\r{bar} {done}/{self.total} {done * 100 // max(self.total, 1):3d}% "
                              f"{rate:5.1f} 个/秒 剩余 {_clock(eta)}  ")
            if done >= self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif done - self._logged >= self.every or done >= self.total:
            self._logged = done
            self.stream.write(f"fcr audit：已处理 {done}/{self.total}（检查 {s.checked}，未变更跳过 {s.skipped}，"
                              f"无法读取 {s.errors}），{rate:.1f} 个/秒，预计剩余 {_clock(eta)}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def summary_text(s: AuditSummary, db: str) -> str:
    head = "审计已中断" if s.interrupted else "审计完成"
    lines = [
        f"{head}（第 {s.run_id} 次运行，用时 {s.seconds:.1f} 秒，{s.rate:.1f} 个/秒）",
        f"  文件：共 {s.files} 个；本次检查 {s.checked} 个，未变更跳过 {s.skipped} 个，无法读取 {s.errors} 个",
        f"  问题：新增 {s.new} 条，复查已整改 {s.resolved} 条" + (f"，再次出现 {s.reopened} 条" if s.reopened else "")
        + f"，当前待确认 {s.open} 条",
        f"  台账：{db}",
    ]
    if s.interrupted:
        done = s.checked + s.skipped + s.errors
        lines.append(f"  已保存 {done} 个文件的结果；再次运行同一命令即可继续，不会重复计数。")
    for path, err in s.error_paths[:20]:
        lines.append(f"  无法读取：{path}：{err}")
    if len(s.error_paths) > 20:
        lines.append(f"  ……另有 {len(s.error_paths) - 20} 个文件无法读取（fcr ledger list --status error）")
    return "\n".join(lines) + "\n"
