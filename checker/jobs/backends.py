"""Where an audit's checks run. A backend has ``imap_unordered(tasks) -> Iterator[Outcome]`` and
``close()``; the job (``checker.jobs.audit``) knows nothing else about it.

- :class:`InlineBackend` (``--workers 1``): checks in the coordinator's process.
- :class:`LocalBackend` (``--workers N``): a process pool, each process with its own Analyzer.
- :class:`checker.jobs.dask_backend.DaskBackend` (``--scheduler ADDRESS``): a Dask cluster.

Every backend keeps a bounded number of tasks in flight, so the coordinator's memory does not
grow with the size of the tree.
"""
from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Iterable, Iterator

from ..engine_spec import EngineSpec
from .work import Outcome, Task, check_task, init_worker


class InlineBackend:
    """Checks in this process: no pickling, no process start-up."""

    def __init__(self, spec: EngineSpec):
        init_worker(spec)

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        for t in tasks:
            yield check_task(t)

    def close(self) -> None:
        pass


def _mp_context():
    import multiprocessing as mp

    # fork: workers inherit the coordinator's imported modules and loaded rulebook; elsewhere
    # spawn, and each worker loads everything itself on its first check.
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


class LocalBackend:
    """Local worker processes; at most ``window`` tasks in flight."""

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
