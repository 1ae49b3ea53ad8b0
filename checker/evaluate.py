"""``fcr eval``: recall, precision, F1 and false-positive rate on labelled clauses.

Runs exactly the pipeline ``fcr check`` runs, the way ../shared/tools/eval_cases.py drives it
from outside: the clauses of one doc type become the lines of one plain-text document (a blank
line between clauses), the document is read by the text reader and checked with that doc type,
and a clause counts as flagged when a finding starts on its line. So the two figures agree.
"""
from __future__ import annotations

import collections
import json
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Analyzer, Options
from .ingest import read_document
from .rulebook import Rulebook


def _round(x: float, digits: int | None) -> float:
    return x if digits is None else round(x, digits)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, positive: bool, flagged: bool) -> None:
        if positive:
            self.tp += flagged
            self.fn += not flagged
        else:
            self.fp += flagged
            self.tn += not flagged

    def metrics(self, digits: int | None = 4) -> dict:
        recall = self.tp / max(1, self.tp + self.fn)
        precision = self.tp / max(1, self.tp + self.fp)
        f1 = 2 * recall * precision / max(1e-9, recall + precision)
        fpr = self.fp / max(1, self.fp + self.tn)
        return {
            "n": self.tp + self.fp + self.tn + self.fn,
            "violations": self.tp + self.fn,
            "compliant": self.fp + self.tn,
            "recall": _round(recall, digits),
            "precision": _round(precision, digits),
            "f1": _round(f1, digits),
            "fp_rate": _round(fpr, digits),
            "tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn,
        }


@dataclass
class EvalResult:
    overall: Counts = field(default_factory=Counts)
    by_doc_type: dict[str, Counts] = field(default_factory=lambda: collections.defaultdict(Counts))
    by_category: dict[str, Counts] = field(default_factory=lambda: collections.defaultdict(Counts))
    misses: list[dict] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)

    def to_record(self) -> dict:
        return {
            "overall": self.overall.metrics(),
            "by_doc_type": {k: v.metrics() for k, v in sorted(self.by_doc_type.items())},
            "by_category": {k: v.metrics() for k, v in sorted(self.by_category.items())},
        }


def load_labelled(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: 不是有效的 JSON（{e.msg}）") from None
            if not isinstance(row, dict) or "text" not in row or row.get("label") not in ("violation", "compliant"):
                raise ValueError(f"{path}:{n}: 每行须含 text 和 label（violation 或 compliant）")
            rows.append(row)
    return rows


def evaluate(rows: list[dict], rulebook: Rulebook, options: Options | None = None, model=None) -> EvalResult:
    analyzer = Analyzer(rulebook, options or Options(), model)
    result = EvalResult()
    by_type: dict[str, list[dict]] = collections.defaultdict(list)
    for r in rows:
        by_type[r.get("doc_type", "policy")].append(r)
    for doc_type, group in sorted(by_type.items()):
        lines, line_of = [], []
        for r in group:
            line_of.append(len(lines) + 1)
            lines += [" ".join(r["text"].split()), ""]
        document = read_document("-", "\n".join(lines).encode("utf-8"))
        checked = analyzer.check(document, doc_type)
        fired: dict[int, set[str]] = collections.defaultdict(set)
        for f in checked.findings:
            fired[f.location.line].add(f.rule_id)
        for r, ln in zip(group, line_of):
            positive = r["label"] == "violation"
            flagged = ln in fired
            result.overall.add(positive, flagged)
            result.by_doc_type[doc_type].add(positive, flagged)
            result.by_category[f"{doc_type}/{r.get('category') or 'none'}"].add(positive, flagged)
            if positive and not flagged:
                result.misses.append(r)
            elif flagged and not positive:
                result.false_alarms.append({**r, "rules": sorted(fired[ln])})
    return result


def render_text(result: EvalResult, show_errors: int = 0) -> str:
    def row(name: str, c: Counts) -> str:
        m = c.metrics(digits=None)  # unrounded, so the printed figure matches eval_cases.py
        return (f"{name:<32} n={m['n']:<4} 召回率 recall={m['recall']:.3f}  精确率 precision={m['precision']:.3f}  "
                f"F1={m['f1']:.3f}  误报率 fp_rate={m['fp_rate']:.3f}")

    out = [row("总体 overall", result.overall)]
    out += [row(k, v) for k, v in sorted(result.by_doc_type.items())]
    out += [row(k, v) for k, v in sorted(result.by_category.items())]
    for r in result.misses[:show_errors]:
        out.append(f"漏报 MISS  [{r.get('doc_type')}/{r.get('category')}] {r['text'][:120]}")
    for r in result.false_alarms[:show_errors]:
        out.append(f"误报 FALSE [{r.get('doc_type')}/{r.get('category')}] {','.join(r['rules'])} {r['text'][:120]}")
    return "\n".join(out) + "\n"
