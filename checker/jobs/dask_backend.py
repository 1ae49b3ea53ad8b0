"""``fcr audit --scheduler ADDRESS``: the same audit on a Dask distributed cluster.

The coordinator (walking the tree, hashing unchanged files, writing the ledger, progress) stays
on this machine; only the checks run on the cluster's workers, through
:func:`checker.jobs.work.run_batch_on_worker`, a few files per task (a Dask task costs
milliseconds of messages, as much as checking a short file). Workers need fcr installed (the same version: results
must not depend on which machine checked a file). Start them with one thread each — a check is
pure Python, so threads in one worker add nothing under the GIL::

    dask scheduler                                  # on one machine
    dask worker tcp://HOST:8786 --nworkers 8 --nthreads 1    # on each worker machine

Files reach the workers in one of two ways, chosen on the first task: when every worker can
read the coordinator's absolute path (a shared file system), they read it themselves; otherwise
the coordinator sends each file's bytes with its task (``--send-files`` forces this).
"""
from __future__ import annotations

import itertools
import os
from typing import Iterable, Iterator

from ..engine_spec import EngineSpec
from ..errors import SchedulerError
from ..findings import DocumentResult
from .backends import batched
from .work import Outcome, Task, read_and_hash, run_batch_on_worker


def worker_probe(abs_path: str) -> dict:
    """Run on every worker before the job: its fcr version and whether it can read our paths."""
    from .. import __version__
    from . import work

    return {"version": __version__, "can_read": work.readable(abs_path)}


class DaskBackend:
    def __init__(self, spec: EngineSpec, address: str, *, send_files: bool | None = None,
                 batch: int = 8, window: int | None = None, connect_timeout: float = 30):
        try:
            from distributed import Client
        except ImportError:
            raise SchedulerError("使用 --scheduler 需要安装 Dask distributed：pip install 'fcr[cluster]'") from None
        target = ({"scheduler_file": address} if address.endswith(".json") and os.path.isfile(address)
                  else {"address": address})
        try:
            self.client = Client(**target, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise SchedulerError(f"无法连接 Dask 调度器 {address}（{e}）") from None
        self.address = address
        self.spec = spec
        self.send_files = send_files
        self.batch = max(1, batch)
        self.window = window            # batches in flight; default 2 per worker thread
        self._tasks: dict[str, list[Task]] = {}

    def _check_workers(self, probe_path: str) -> None:
        from .. import __version__

        try:
            self.client.wait_for_workers(1, timeout=30)
            answers = self.client.run(worker_probe, probe_path)
        except Exception as e:  # noqa: BLE001 - any failure here means the cluster cannot do the job
            raise SchedulerError(f"Dask 集群 {self.address} 的工作节点不可用（{type(e).__name__}: {e}）；"
                                 "各工作节点须安装与本机相同版本的 fcr") from None
        wrong = sorted(w for w, a in answers.items() if a["version"] != __version__)
        if wrong:
            raise SchedulerError(f"Dask 工作节点 {', '.join(wrong)} 的 fcr 版本与本机（{__version__}）不同，"
                                 "检查结果会不一致，请统一版本")
        if self.send_files is None:
            self.send_files = not all(a["can_read"] for a in answers.values())

    def _submit(self, tasks: list[Task]):
        data: list[bytes | None] = [None] * len(tasks)
        if self.send_files:
            for i, task in enumerate(tasks):
                got = read_and_hash(task.abs_path)
                data[i] = got[0] if got else None   # unreadable here: the worker reports the reason
        fut = self.client.submit(run_batch_on_worker, self.spec, tasks, data, pure=False)
        self._tasks[fut.key] = tasks
        return fut

    def _outcomes(self, fut) -> list[Outcome]:
        tasks = self._tasks.pop(fut.key)
        try:
            return fut.result()
        except Exception as e:  # noqa: BLE001 - a worker lost on this batch: record it, go on
            reason = f"集群工作节点处理失败（{type(e).__name__}: {e}）"
            return [Outcome(t.path, t.abs_path, None, None, result=DocumentResult(path=t.path, status="error", error=reason))
                    for t in tasks]
        finally:
            fut.release()

    def imap_unordered(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        from distributed import as_completed

        it = iter(tasks)
        first = next(it, None)
        if first is None:
            return
        self._check_workers(first.abs_path)
        batches = batched(itertools.chain([first], it), self.batch)
        window = self.window or 2 * max(1, sum(self.client.nthreads().values()))
        pending = as_completed(loop=self.client.loop)
        for batch in itertools.islice(batches, window):
            pending.add(self._submit(batch))
        for fut in pending:
            yield from self._outcomes(fut)
            nxt = next(batches, None)
            if nxt is not None:
                pending.add(self._submit(nxt))

    def close(self) -> None:
        self.client.close()

