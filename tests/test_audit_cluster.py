"""``fcr audit --scheduler``: the same audit on a Dask LocalCluster gives the same ledger as the
local run, whether the workers read the files themselves or receive their bytes."""
from __future__ import annotations

import json
import os

import pytest

from test_audit import ledger_json, make_corpus

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    # Worker processes, one thread each: the deployment the docs recommend. Starting a cluster
    # writes OMP_NUM_THREADS=1, OPENBLAS_NUM_THREADS=1 … into this process's environment; later
    # tests' subprocesses (fcr train, whose model bytes depend on BLAS threading) must not
    # inherit them.
    saved = dict(os.environ)
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=50) as c:
            yield c
    finally:
        os.environ.clear()
        os.environ.update(saved)


def comparable(ledger: dict) -> tuple:
    """The ledger without what differs between two runs by design (ids, times, run ids)."""
    docs = sorted((d["path"], d["sha256"], d["status"], d["error"], d["findings"], d["doc_type"])
                  for d in ledger["documents"])
    finds = sorted((f["path"], f["rule_id"], f["status"], f["clause"], json.dumps(f["location"], sort_keys=True),
                    f["confidence"]) for f in ledger["findings"])
    return docs, finds


@pytest.mark.parametrize("send_files", [False, True], ids=["shared-paths", "send-files"])
def test_dask_run_matches_the_local_run(run_fcr, tmp_path, cluster, send_files):
    make_corpus(tmp_path / "docs", 40)
    (tmp_path / "docs" / "broken.docx").write_bytes(b"not a zip archive" * 20)
    local = run_fcr("audit", "docs", "--workers", "2", "--db", "local.sqlite", cwd=tmp_path)
    assert local.returncode == 1, local.stderr.decode()
    extra = ["--send-files"] if send_files else []
    p = run_fcr("audit", "docs", "--scheduler", cluster.scheduler_address, "--db", "dask.sqlite", *extra, cwd=tmp_path)
    assert p.returncode == 1, p.stderr.decode()
    out = p.stdout.decode()
    assert "共 41 个；本次检查 40 个，未变更跳过 0 个，无法读取 1 个" in out
    a = ledger_json(run_fcr, tmp_path, "local.sqlite")
    b = ledger_json(run_fcr, tmp_path, "dask.sqlite")
    assert len(a["findings"]) > 40
    assert comparable(a) == comparable(b)
    # Incremental on the cluster too: nothing changed, nothing is sent.
    again = run_fcr("audit", "docs", "--scheduler", cluster.scheduler_address, "--db", "dask.sqlite", cwd=tmp_path)
    assert "本次检查 0 个，未变更跳过 41 个" in again.stdout.decode()


def _hide_from_worker(prefix: str | None) -> None:
    """Run on each worker: files below ``prefix`` become unreadable there (None: undo), as on a
    cluster whose machines do not share the coordinator's file system."""
    from checker.jobs import work

    if not hasattr(work, "_real_read_and_hash"):
        work._real_read_and_hash, work._real_readable = work.read_and_hash, work.readable
    if prefix is None:
        work.read_and_hash, work.readable = work._real_read_and_hash, work._real_readable
        return
    work.read_and_hash = lambda p: None if p.startswith(prefix) else work._real_read_and_hash(p)
    work.readable = lambda p: False if p.startswith(prefix) else work._real_readable(p)


def test_workers_that_cannot_read_the_files_are_sent_their_bytes(run_fcr, tmp_path, cluster):
    make_corpus(tmp_path / "docs", 12)
    local = run_fcr("audit", "docs", "--workers", "1", "--db", "local.sqlite", cwd=tmp_path)
    assert local.returncode == 1, local.stderr.decode()
    with distributed.Client(cluster.scheduler_address) as client:
        client.run(_hide_from_worker, str(tmp_path))
        try:
            p = run_fcr("audit", "docs", "--scheduler", cluster.scheduler_address, "--db", "dask.sqlite", cwd=tmp_path)
        finally:
            client.run(_hide_from_worker, None)
    assert "本次检查 12 个，未变更跳过 0 个，无法读取 0 个" in p.stdout.decode(), p.stderr.decode()
    assert comparable(ledger_json(run_fcr, tmp_path, "local.sqlite")) == \
        comparable(ledger_json(run_fcr, tmp_path, "dask.sqlite"))


def test_unreachable_scheduler_is_a_clear_error(run_fcr, tmp_path):
    make_corpus(tmp_path / "docs", 2)
    p = run_fcr("audit", "docs", "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert p.returncode == 2
    assert "无法连接 Dask 调度器 tcp://127.0.0.1:9" in p.stderr.decode()
    p = run_fcr("audit", "docs", "--send-files", cwd=tmp_path)
    assert p.returncode == 2 and "--send-files 只能与 --scheduler 一起使用" in p.stderr.decode()
