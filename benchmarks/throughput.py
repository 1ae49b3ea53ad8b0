"""Throughput and peak memory of fcr's whole job against plain ``jieba.lcut`` on the same text.

Builds about 2 MB of real text from the published documents in ../shared/corpora/docs (the
documents repeated in turn), then, in the same run:
  * baseline: ``jieba.lcut`` over every line (dictionary loaded beforehand, not timed);
  * fcr: read the text file (encoding detection, blocks), segment into clauses, run every rule
    through the trigger prefilter and checks, and score the candidate clauses with the classifier
    (as `fcr check` does by default); loading rules and model is not timed, as for jieba's dictionary.
Prints characters per second for both and their ratio (target ≥ 1.0), and the peak resident
memory of this process (target < 1 GB). Each side runs ``--repeat`` times; the best time counts.

    python benchmarks/throughput.py [--mb 2] [--repeat 3] [--docs ../shared/corpora/docs]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def build_corpus(docs: Path, target_bytes: int) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(docs.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"no .txt documents in {docs}")
    parts, size, i = [], 0, 0
    while size < target_bytes:
        t = texts[i % len(texts)]
        parts.append(t)
        size += len(t.encode("utf-8"))
        i += 1
    return "\n".join(parts)


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--docs", default=str(REPO.parent / "shared" / "corpora" / "docs"))
    a = ap.parse_args()

    text = build_corpus(Path(a.docs), int(a.mb * 1024 * 1024))
    lines = text.splitlines()
    chars = len(text)

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    t_jieba = best_of(a.repeat, lambda: [jieba.lcut(line) for line in lines])

    from checker.classifier import default_model
    from checker.engine import Analyzer
    from checker.ingest import read_document
    from checker.rulebook import default_rulebook

    # The default `fcr check`: rules and the classifier's second opinion on candidate clauses.
    analyzer = Analyzer(default_rulebook(), model=default_model())
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "corpus.txt"
        path.write_text(text, encoding="utf-8")
        result = {}

        def whole_job():
            result["r"] = analyzer.check(read_document(str(path)))

        t_fcr = best_of(a.repeat, whole_job)
    r = result["r"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"text: {len(text.encode('utf-8')) / 1e6:.2f} MB, {chars:,} characters, {r.clauses:,} clauses, {len(r.findings):,} findings")
    print(f"jieba.lcut: {t_jieba:.2f} s  {chars / t_jieba / 1e3:,.0f} k chars/s")
    print(f"fcr check:  {t_fcr:.2f} s  {chars / t_fcr / 1e3:,.0f} k chars/s")
    print(f"ratio fcr/jieba throughput: {t_jieba / t_fcr:.2f} (target >= 1.0)")
    print(f"peak memory (RSS): {peak_mb:,.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
