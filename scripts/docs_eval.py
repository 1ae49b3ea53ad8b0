"""Quick in-process whole-document measurement for rule authors.

Reads each ``.txt`` of a folder line by line (as the text reader does), runs the engine with
automatic doc-type detection, and compares flagged lines with a labels file (file, line,
flag|pass, category, confidence, reason). Prints recall on high / all violation lines, false-flag
lines per 10k characters, and lists misses and false flags. The authoritative figure is
``../shared/tools/eval_docs.py``, which drives ``fcr check`` from outside.

    python scripts/docs_eval.py ../shared/corpora/docs ../shared/corpora/docs_labels.tsv [--show 40] [--category cost]
"""
from __future__ import annotations

import argparse
import collections
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.document import Block, Document, Location  # noqa: E402
from checker.engine import Analyzer  # noqa: E402
from checker.rulebook import default_rulebook  # noqa: E402


def read_lines(path: Path) -> Document:
    blocks = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            blocks.append(Block(line.strip(), location=Location(line=i, paragraph=len(blocks))))
    return Document(str(path), tuple(blocks))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("labels")
    ap.add_argument("--show", type=int, default=40)
    ap.add_argument("--category", action="append", default=[])
    a = ap.parse_args()
    labels = {}
    for r in csv.DictReader(open(a.labels, encoding="utf-8"), delimiter="\t"):
        labels[(r["file"], int(r["line"]))] = r
    analyzer = Analyzer(default_rulebook())
    chars, flagged, texts = 0, {}, {}
    for path in sorted(Path(a.folder).glob("*.txt")):
        doc = read_lines(path)
        res = analyzer.check(doc)
        chars += res.chars
        for b in doc.blocks:
            texts[(path.name, b.location.line)] = b.text
        for f in res.findings:
            flagged.setdefault((path.name, f.location.line), set()).add(f.rule_id)
    c = collections.Counter()
    misses = []
    for key, r in labels.items():
        if r["label"] != "flag":
            continue
        c[r["confidence"] + "_total"] += 1
        if key in flagged:
            c[r["confidence"] + "_hit"] += 1
        elif not a.category or r["category"] in a.category:
            misses.append((key, r))
    falses = [(k, ids) for k, ids in sorted(flagged.items()) if labels.get(k, {}).get("label") != "flag"]
    rh = c["high_hit"] / max(1, c["high_total"])
    ra = (c["high_hit"] + c["medium_hit"]) / max(1, c["high_total"] + c["medium_total"])
    for (name, ln), r in misses[: a.show]:
        print(f"MISS  {name}:{ln} [{r['category']}/{r['confidence']}] {texts.get((name, ln), '')[:140]}")
    for (name, ln), ids in falses[: a.show]:
        lab = labels.get((name, ln))
        tag = "LOOKALIKE" if lab else "FALSE"
        print(f"{tag:<9} {name}:{ln} {sorted(ids)} {texts.get((name, ln), '')[:140]}")
    print(
        f"recall_high={rh:.2f} ({c['high_hit']}/{c['high_total']}) recall_all={ra:.2f} "
        f"false_flag_lines={len(falses)} ({10000 * len(falses) / max(1, chars):.2f}/10k chars) chars={chars}"
    )


if __name__ == "__main__":
    main()
