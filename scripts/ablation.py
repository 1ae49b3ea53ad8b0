"""Print the ablation table of docs/model.md: rules alone, model alone, combined.

Labelled clause sets go through ``checker.evaluate`` (the pipeline of ``fcr eval``, which agrees
with ../shared/tools/eval_cases.py); whole documents are read and checked as ``fcr check`` does,
and scored against the line labels like ../shared/tools/eval_docs.py.

    python scripts/ablation.py [--shared ../shared]
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from checker.classifier import default_model  # noqa: E402
from checker.engine import Analyzer, Options  # noqa: E402
from checker.evaluate import evaluate, load_labelled  # noqa: E402
from checker.ingest import read_document  # noqa: E402
from checker.rulebook import default_rulebook  # noqa: E402

MODES = ("rules", "model", "combined")


def docs_figures(folder: Path, labels_path: Path, analyzer: Analyzer) -> str:
    labels = {(r["file"], int(r["line"])): r for r in csv.DictReader(open(labels_path, encoding="utf-8"), delimiter="\t")}
    chars, flagged = 0, set()
    for path in sorted(folder.glob("*.txt")):
        result = analyzer.check(read_document(str(path)))
        chars += result.chars
        flagged |= {(path.name, f.location.line) for f in result.findings}
    high = [k for k, r in labels.items() if r["label"] == "flag" and r["confidence"] == "high"]
    every = [k for k, r in labels.items() if r["label"] == "flag"]
    false = [k for k in flagged if labels.get(k, {}).get("label") != "flag"]
    return (f"{sum(k in flagged for k in high) / len(high):.2f} / {sum(k in flagged for k in every) / len(every):.2f} / "
            f"{10000 * len(false) / chars:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    a = ap.parse_args()
    shared = Path(a.shared)
    book, model = default_rulebook(), default_model()
    sets = [
        ("dev cases (real, shared)", shared / "corpora/dev_cases.jsonl"),
        ("catalog_r1 (ours, tuned on)", REPO / "corpora/labelled/catalog_r1.jsonl"),
        ("blind_r2 (ours)", REPO / "corpora/labelled/blind_r2.jsonl"),
        ("blind_r3 (ours, tuned on)", REPO / "corpora/labelled/blind_r3.jsonl"),
        ("blind_r4 (ours, tuned on)", REPO / "corpora/labelled/blind_r4.jsonl"),
        ("blind_r5 (ours, tuned on)", REPO / "corpora/labelled/blind_r5.jsonl"),
        ("blind_r6 (ours, tuned on)", REPO / "corpora/labelled/blind_r6.jsonl"),
        ("blind_r7 (ours, tuned on)", REPO / "corpora/labelled/blind_r7.jsonl"),
    ]
    print("| set | " + " | ".join(MODES) + " |")
    print("|---|" + "---|" * len(MODES))
    for name, path in sets:
        if not path.exists():
            continue
        rows = load_labelled(path)
        cells = []
        for mode in MODES:
            m = evaluate(rows, book, Options(detectors=mode), model).overall.metrics(digits=None)
            cells.append(f"R {m['recall']:.3f} / P {m['precision']:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    docs = shared / "corpora/docs"
    if docs.is_dir():
        cells = [docs_figures(docs, shared / "corpora/docs_labels.tsv", Analyzer(book, Options(detectors=m), model))
                 for m in MODES]
        print("| whole documents: recall high / all / false flags per 10k chars | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
