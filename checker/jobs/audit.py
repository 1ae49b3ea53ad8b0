"""``fcr audit``: check folder trees and keep the ledger.

Layers: the job calls the same engine as ``fcr check`` (built from the same
:class:`~checker.engine_spec.EngineSpec`, so ``fcr.toml`` and ``--rules`` apply) and writes
through :class:`checker.ledger.Ledger`; the engine knows no database.

Flow::

    discover(roots) ─▶ coordinator: a file already in the ledger with this results version?
                         hash it here; same sha256 ─▶ skipped, never sent anywhere
                       ─▶ Task(path, abs_path, known sha256) ─▶ backend (workers: read, hash,
                                                                 Analyzer.check_path)
    coordinator ◀── Outcome(path, sha256, size, DocumentResult) ◀──┘
        └─▶ Ledger.record(...): one transaction per document, as results arrive (single writer)
    end of a complete run ─▶ documents below the roots that no longer exist get missing_since

Incremental and resumable by the same rule: a run killed with ``kill -9`` lost only the
documents in flight (never committed, so never half-written); the same command again skips
everything committed — by hashing in the coordinator, without starting a single worker when
nothing changed — and checks the rest. The killed run is marked ``killed`` in ``runs``.

Backends (``checker.jobs.backends``, ``checker.jobs.dask_backend``) run the checks: in this
process, in local worker processes, or on a Dask cluster; the job only calls
``imap_unordered`` and ``close``.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..engine_spec import EngineSpec, results_version
from ..findings import DocumentResult, RunResult
from .backends import InlineBackend, LocalBackend
from .discover import discover  # noqa: F401 - re-exported: the CLI's entry point for walking trees
from .work import Task, read_and_hash


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
    missing: int = 0                 # files recorded earlier that no longer exist
    killed_runs: list[int] = field(default_factory=list)   # earlier runs found killed
    seconds: float = 0.0
    interrupted: bool = False
    error_paths: list[tuple[str, str]] = field(default_factory=list)
    results: list[DocumentResult] = field(default_factory=list)   # when collecting for reports

    @property
    def done(self) -> int:
        return self.checked + self.skipped + self.errors

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


def make_backend(spec: EngineSpec, n_tasks: int, workers: int = 1, scheduler: str | None = None,
                 send_files: bool | None = None):
    if scheduler:
        from .dask_backend import DaskBackend

        return DaskBackend(spec, scheduler, send_files=send_files)
    if workers <= 1 or n_tasks <= 1:
        return InlineBackend(spec)
    return LocalBackend(spec, min(workers, n_tasks))


def run_audit(ledger, files: list[str], *, roots: list[str], spec: EngineSpec = EngineSpec(), workers: int = 1,
              scheduler: str | None = None, send_files: bool | None = None, collect: bool = False,
              progress=None, backend=None, version: str | None = None) -> AuditSummary:
    """Check ``files`` (paths as given) and record them in ``ledger``; returns the summary.

    ``collect`` keeps the checked documents' results (for the run's xlsx / HTML reports).
    ``progress`` is called with the summary after each file. KeyboardInterrupt stops the run;
    everything committed so far stays (the summary says ``interrupted``). ``backend`` overrides
    the choice made from ``workers`` / ``scheduler``.
    """
    from .. import __version__

    version = version or results_version(spec)
    killed = ledger.close_stale_runs()
    known = ledger.known_hashes(version)
    run_id = ledger.start_run(roots, version, __version__, len(files))
    summary = AuditSummary(run_id=run_id, files=len(files), killed_runs=killed)
    t0 = time.perf_counter()
    abs_paths = [os.path.abspath(p) for p in files]

    def tick() -> None:
        summary.seconds = time.perf_counter() - t0
        if progress is not None:
            progress(summary)

    try:
        to_check = []
        for p, ap in zip(files, abs_paths):
            sha = known.get(ap)
            if sha is not None:
                got = read_and_hash(p)
                if got is not None and got[1] == sha:
                    summary.skipped += 1
                    tick()
                    continue
            to_check.append(Task(p, ap, sha))
        if to_check:
            backend = backend or make_backend(spec, len(to_check), workers, scheduler, send_files)
            try:
                for out in backend.imap_unordered(to_check):
                    _record(ledger, run_id, version, out, summary, collect)
                    tick()
            finally:
                backend.close()
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        summary.seconds = time.perf_counter() - t0
        summary.open = ledger.count_open(abs_paths)
        ledger.finish_run(run_id, "interrupted" if summary.interrupted else "done",
                          checked=summary.checked, skipped=summary.skipped, errors=summary.errors,
                          new_findings=summary.new, resolved_findings=summary.resolved)
    if not summary.interrupted:
        folders = [os.path.abspath(r) for r in roots if os.path.isdir(r)]
        summary.missing = ledger.sync_presence(folders, abs_paths)[0] if folders else 0
    return summary


def _record(ledger, run_id: int, version: str, out, summary: AuditSummary, collect: bool) -> None:
    if out.unchanged:   # a worker found the file unchanged after all (hashing raced an edit)
        summary.skipped += 1
        return
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
        done = s.done
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
    if s.missing:
        lines.append(f"  台账中有 {s.missing} 个文件已不存在，已标记（其问题保留；如属废止，请复核后用 fcr ledger set 更新状态）")
    if s.killed_runs:
        runs = "、".join(f"第 {i} 次" for i in s.killed_runs)
        lines.append(f"  上次运行（{runs}）未正常结束（进程已终止），已标记为 killed；其已保存的结果本次直接沿用")
    if s.interrupted:
        lines.append(f"  已保存 {s.done} 个文件的结果；再次运行同一命令即可继续，不会重复计数。")
    for path, err in s.error_paths[:20]:
        lines.append(f"  无法读取：{path}：{err}")
    if len(s.error_paths) > 20:
        lines.append(f"  ……另有 {len(s.error_paths) - 20} 个文件无法读取（fcr ledger list --status error）")
    return "\n".join(lines) + "\n"
