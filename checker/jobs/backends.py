"""Where an audit's checks run. A backend has ``imap_unordered(tasks) -> Iterator[Outcome]`` and
``close()``; the job (``checker.jobs.audit``) knows nothing else about it.

- :class:`InlineBackend` (``--workers 1``): checks in the coordinator's process.
- :class:`LocalBackend` (``--workers N``): a process pool, each process with its own Analyzer.
- :class:`checker.jobs.dask_backend.DaskBackend` (``--scheduler ADDRESS``): a Dask cluster.

Every backend keeps a bounded number of tasks in flight, so the coordinator's memory does not
grow with the size of the tree.
"""
from __future__ import annotations

import itertools
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Iterable, Iterator

from ..engine_spec import EngineSpec
from .work import Outcome, Task, check_batch, check_task, init_worker


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
    """Local worker processes; at most ``window`` batches of ``batch`` files in flight. Batches
    halve the coordinator's share of the CPU (one pickled task and one wake-up per batch rather
    than per file), which on a 2-core machine is what 2 workers compete with."""

    def __init__(self, spec: EngineSpec, workers: int, window: int | None = None, batch: int = 4):
        self.workers = workers
        self.batch = max(1, batch)
        self.window = window or workers * 3
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(),
                                        initializer=init_worker, initargs=(spec,))

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        batches = batched(tasks, self.batch)
        pending = {self.pool.submit(check_batch, b) for b in itertools.islice(batches, self.window)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                nxt = next(batches, None)
                if nxt is not None:     # keep the workers busy while the coordinator records
                    pending.add(self.pool.submit(check_batch, nxt))
                yield from fut.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def batched(items: Iterable[Task], n: int) -> Iterator[list[Task]]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch
