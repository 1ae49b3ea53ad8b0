"""Quick in-process measurement on labelled clauses, for rule authors.

Runs the engine on each labelled clause (no file round trip) and prints recall / precision per
doc type and category, with misses and false alarms. The authoritative figure is
``../shared/tools/eval_cases.py`` (it drives ``fcr check`` from outside); this one is for the
edit-measure loop while writing a rule pack.

    python scripts/dev_eval.py ../shared/corpora/dev_cases.jsonl [--category free_flow] [--show 30]
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.document import Document, Block, Location  # noqa: E402
from checker.engine import Analyzer  # noqa: E402
from checker.rulebook import default_rulebook  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("--category", action="append", default=[])
    ap.add_argument("--doc-type")
    ap.add_argument("--show", type=int, default=20)
    a = ap.parse_args()
    rows = [json.loads(l) for l in open(a.jsonl, encoding="utf-8") if l.strip()]
    analyzer = Analyzer(default_rulebook())
    stats = collections.defaultdict(collections.Counter)
    misses, falses = [], []
    for r in rows:
        if a.category and r.get("category") not in a.category:
            continue
        if a.doc_type and r["doc_type"] != a.doc_type:
            continue
        text = " ".join(r["text"].split())
        doc = Document("x", (Block(text, location=Location(line=1, paragraph=0)),))
        res = analyzer.check(doc, r["doc_type"])
        hit = bool(res.findings)
        pos = r["label"] == "violation"
        key = "tp" if pos and hit else "fn" if pos else "fp" if hit else "tn"
        for k in ("all", r["doc_type"], f"{r['doc_type']}/{r.get('category')}"):
            stats[k][key] += 1
        if key == "fn":
            misses.append(r)
        if key == "fp":
            falses.append((r, sorted({f.rule_id for f in res.findings})))
    for k in sorted(stats, key=lambda k: (k != "all", k)):
        c = stats[k]
        rec = c["tp"] / max(1, c["tp"] + c["fn"])
        pre = c["tp"] / max(1, c["tp"] + c["fp"])
        print(f"{k:<32} recall={rec:.3f} precision={pre:.3f} {dict(c)}")
    for r in misses[: a.show]:
        print(f"MISS  [{r['doc_type']}/{r.get('category')}] {r['text'][:150]}")
    for r, ids in falses[: a.show]:
        print(f"FALSE [{r['doc_type']}/{r.get('category')}] {ids} {r['text'][:150]}")


if __name__ == "__main__":
    main()
