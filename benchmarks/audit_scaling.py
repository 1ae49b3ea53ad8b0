"""``fcr audit`` at archive scale: documents/s with 1 and 2 local workers and on a Dask
LocalCluster, the coordinator's peak memory, and the cost of an unchanged rerun.

Builds a corpus of ``--docs`` documents (default 10,000) from the real published documents in
../shared/corpora/docs, with variations so no two are alike: each is a run of consecutive
paragraphs of one source document (4–40 of them, as archives hold short notices and long
measures alike), with its numbers and years changed, a place name swapped, and its own title and
document number; one in ten is written as .docx. The corpus lives in a temporary folder (or
``--corpus``), never in the repository.

Then, in the same run, each as the real command line (``fcr audit … --db FRESH``) in a child
process whose peak resident memory (VmHWM of the coordinator process alone, polled from /proc)
is recorded:

  1. ``--workers 1``           (baseline)
  2. ``--workers 2``           → scaling ratio = docs/s(2) / docs/s(1)   target ≥ 1.7
  3. ``--scheduler`` on a Dask LocalCluster of 2 single-thread worker processes
  4. ``--workers 2`` again on ledger 2, nothing changed → rerun time / first run  target < 0.10

    python benchmarks/audit_scaling.py [--docs 10000] [--corpus DIR] [--keep]

Targets (issue 6): 2 workers ≥ 1.7× one worker; coordinator peak < 500 MB at 10,000 documents;
unchanged rerun < 10% of the first run.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DOCS = REPO.parent / "shared" / "corpora" / "docs"
PLACES = ["杭州市", "宁波市", "温州市", "合肥市", "芜湖市", "南昌市", "赣州市", "长沙市", "株洲市", "贵阳市",
          "遵义市", "昆明市", "曲靖市", "南宁市", "柳州市", "太原市", "大同市", "兰州市", "天水市", "银川市"]
_PLACE_RE = re.compile("|".join(PLACES))


def vary(paragraphs: list[str], rnd: random.Random, n: int) -> str:
    start = rnd.randrange(len(paragraphs))
    take = paragraphs[start:start + rnd.randint(4, 40)]
    place = rnd.choice(PLACES)
    body = "\n".join(take)
    body = re.sub(r"\d", lambda m: str(rnd.randint(0, 9)) if rnd.random() < 0.3 else m.group(0), body)
    body = _PLACE_RE.sub(place, body)
    title = f"{place}关于印发第{n}号文件的通知\n（{place[:2]}政办〔20{rnd.randint(15, 25)}〕{n}号）\n"
    return title + body + "\n"


def build_corpus(out: Path, count: int, seed: int = 2026) -> int:
    """Write ``count`` documents under ``out`` in 100 folders; returns the bytes written."""
    from docx import Document

    sources = []
    for p in sorted(SHARED_DOCS.glob("*.txt")):
        paras = [line.strip() for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        if len(paras) >= 4:
            sources.append(paras)
    if not sources:
        raise SystemExit(f"no documents in {SHARED_DOCS}")
    rnd = random.Random(seed)
    total = 0
    for n in range(count):
        text = vary(sources[n % len(sources)], rnd, n)
        folder = out / f"区县{n % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % 10 == 9:
            doc = Document()
            for line in text.splitlines():
                doc.add_paragraph(line)
            path = folder / f"文件{n:05d}.docx"
            doc.save(path)
        else:
            path = folder / f"文件{n:05d}.txt"
            path.write_text(text, encoding="utf-8")
        total += path.stat().st_size
    return total


def peak_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of one process (not its children)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    seconds: float
    peak_mb: float        # the coordinator process alone
    cpu: float            # the coordinator's CPU seconds: what it takes from the workers' cores
    summary: str


def run_audit(corpus: Path, db: Path, *args: str) -> Run:
    """One ``fcr audit`` run as a child process, watched from /proc until it exits."""
    cmd = [sys.executable, "-m", "checker", "audit", str(corpus), "--db", str(db), *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak, cpu = 0, 0.0
    while proc.poll() is None:
        peak = max(peak, peak_kib(proc.pid) or 0)
        cpu = cpu_seconds(proc.pid) or cpu
        time.sleep(0.05)
    seconds = time.perf_counter() - t0
    out = proc.stdout.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fcr audit failed ({proc.returncode}): {' '.join(cmd)}\n{out}")
    return Run(seconds, peak / 1024, cpu, out)


def line(name: str, docs: int, run: Run, note: str = "") -> str:
    head = " | ".join(x.strip() for x in run.summary.splitlines()[1:3])
    return (f"{name:>10}: {run.seconds:7.1f} s  {docs / run.seconds:6.1f} docs/s{note}  coordinator: peak "
            f"{run.peak_mb:4.0f} MB, CPU {run.cpu:5.1f} s   [{head}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--corpus", type=Path, help="where to build the corpus (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and ledgers")
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fcr-audit-bench-"))
    corpus = args.corpus or work / "archive"
    try:
        t = time.perf_counter()
        size = build_corpus(corpus, args.docs)
        print(f"corpus: {args.docs} documents, {size / 1e6:.1f} MB, built in {time.perf_counter() - t:.0f} s "
              f"({corpus})", flush=True)
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

        results: dict[str, Run] = {}
        for name, extra in (("1 worker", ["--workers", "1"]), ("2 workers", ["--workers", "2"])):
            results[name] = run_audit(corpus, work / f"{name[0]}.sqlite", *extra)
            print(line(name, args.docs, results[name]), flush=True)
        if not args.skip_dask:
            from distributed import LocalCluster

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                              silence_logs=50) as cluster:
                results["dask"] = run_audit(corpus, work / "dask.sqlite", "--scheduler", cluster.scheduler_address)
            print(line("dask 2x1", args.docs, results["dask"]), flush=True)
        rerun = run_audit(corpus, work / "2.sqlite", "--workers", "2")
        print(line("rerun", args.docs, rerun, " (unchanged, ledger of the 2-worker run)"))

        one, two = results["1 worker"].seconds, results["2 workers"].seconds
        print(f"\nscaling 2 workers / 1 worker: {one / two:.2f}x   (target >= 1.7)")
        if "dask" in results:
            print(f"dask LocalCluster (2 workers; scheduler in this process) / 1 local worker: "
                  f"{one / results['dask'].seconds:.2f}x")
        print(f"coordinator peak memory, largest: {max(r.peak_mb for r in results.values()):.0f} MB   (target < 500)")
        print(f"unchanged rerun / first run (2 workers): {rerun.seconds / two:.3f}   (target < 0.10)")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
