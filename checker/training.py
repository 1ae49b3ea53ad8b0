"""``fcr train``: rebuild the shipped clause model from the labelled clauses in ``corpora/``.

Training data: every ``corpora/training/*.jsonl`` file (clauses we wrote, see its README) plus
the violating and lawful examples of every shipped rule. Near-duplicates share a ``group`` (a
family id, or the rule id for rule examples), and cross-validation is grouped on it so that a
paraphrase never sits in the test fold of its own twin.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

from .classifier import MODEL_FORMAT, preprocess, tokenize_words
from .outputs import write_atomic

SEED = 0
TARGET_PRECISION = 0.92        # the threshold is the lowest that reaches this out-of-fold precision
MIN_THRESHOLD = 0.6


@dataclass(frozen=True)
class Example:
    text: str
    label: int                 # 1 violation, 0 compliant
    doc_type: str
    category: str
    group: str


def load_training_rows(corpora: Path, rulebook) -> list[Example]:
    rows: list[Example] = []
    for path in sorted((corpora / "training").glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            rows.append(Example(r["text"], int(r["label"] == "violation"), r["doc_type"],
                                r.get("category") or "none", r.get("group") or f"{path.stem}-{n}"))
    for rule in rulebook.rules:
        spec = rule.spec
        for doc_type in spec.applies_to:
            for text in spec.examples.violating:
                rows.append(Example(text, 1, doc_type, spec.category, spec.id))
            for text in spec.examples.lawful:
                rows.append(Example(text, 0, doc_type, spec.category, spec.id))
    return rows


def data_hash(rows: list[Example]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps([r.text, r.label, r.doc_type, r.category, r.group], ensure_ascii=False).encode())
    return h.hexdigest()


# Word features (jieba uni- and bigrams next to the character n-grams) were measured and dropped:
# on 2026-11-26 they moved grouped-CV recall at 0.5 from 0.907 to 0.919 and blind_r2 combined
# recall from 0.820 to 0.824, but segmenting every scored clause cut fcr's whole-job throughput
# from above jieba's own to 0.67 of it (benchmarks/throughput.py). Set WORD_FEATURES to compare.
WORD_FEATURES = False


def _features():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    parts = [("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                       lowercase=False, dtype=np.float32))]
    if WORD_FEATURES:
        parts.append(("words", TfidfVectorizer(tokenizer=tokenize_words, token_pattern=None, ngram_range=(1, 2),
                                               min_df=2, sublinear_tf=True, lowercase=False, dtype=np.float32)))
    return FeatureUnion(parts)


def _violation_head():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    base = LogisticRegression(C=8.0, class_weight="balanced", max_iter=5000, solver="liblinear", random_state=SEED)
    return CalibratedClassifierCV(base, method="sigmoid", cv=StratifiedKFold(5, shuffle=True, random_state=SEED))


def _category_head():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=8.0, max_iter=5000, random_state=SEED)


def _drop_unreproducible_state(features) -> None:
    # stop_words_ holds the terms min_df pruned: not needed to predict, large, and a set, whose
    # pickled order depends on hash randomisation. Without it the pickle is reproducible.
    # _stop_words_id is an id() (a memory address) cached by sklearn: recomputed when missing.
    for _, vec in features.transformer_list:
        for attr in ("stop_words_", "_stop_words_id"):
            if hasattr(vec, attr):
                delattr(vec, attr)


def cross_validate(rows: list[Example], folds: int = 5) -> dict:
    """Grouped K-fold out-of-fold probabilities → metrics and the reporting threshold."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    texts = [preprocess(r.text, r.doc_type) for r in rows]
    y = np.array([r.label for r in rows])
    groups = np.array([r.group for r in rows])
    oof = np.zeros(len(rows))
    cat_hits = cat_total = 0
    for train, test in GroupKFold(n_splits=folds).split(texts, y, groups):
        feats = _features()
        X_train = feats.fit_transform([texts[i] for i in train])
        X_test = feats.transform([texts[i] for i in test])
        head = _violation_head().fit(X_train, y[train])
        oof[test] = head.predict_proba(X_test)[:, 1]
        pos_train = np.flatnonzero(y[train] == 1)
        cats = _category_head().fit(X_train[pos_train], [rows[train[k]].category for k in pos_train])
        pos_test = [k for k, i in enumerate(test) if y[i] == 1]
        if pos_test:
            pred = cats.predict(X_test[pos_test])
            cat_hits += sum(p == rows[test[k]].category for p, k in zip(pred, pos_test))
            cat_total += len(pos_test)

    def at(t: float) -> dict:
        flagged = oof >= t
        tp = int((flagged & (y == 1)).sum())
        fp = int((flagged & (y == 0)).sum())
        fn = int((~flagged & (y == 1)).sum())
        return {"threshold": round(t, 2), "precision": round(tp / max(1, tp + fp), 4),
                "recall": round(tp / max(1, tp + fn), 4)}

    grid = [at(t / 100) for t in range(50, 100, 2)]
    threshold = next((g["threshold"] for g in grid
                      if g["threshold"] >= MIN_THRESHOLD and g["precision"] >= TARGET_PRECISION), 0.9)
    return {
        "folds": folds,
        "grouped_by": "group (family id; rule id for rule examples)",
        "at_threshold": at(threshold),
        "at_0.5": at(0.5),
        "category_accuracy_on_violations": round(cat_hits / max(1, cat_total), 4),
        "threshold": threshold,
    }


def train(corpora: Path, rulebook, out: Path) -> dict:
    """Fit on everything, write ``out`` (pickle) and ``out.json`` (metadata) atomically."""
    import numpy as np
    from importlib.metadata import version

    rows = load_training_rows(corpora, rulebook)
    cv = cross_validate(rows)
    texts = [preprocess(r.text, r.doc_type) for r in rows]
    y = np.array([r.label for r in rows])
    features = _features()
    X = features.fit_transform(texts)
    violation = _violation_head().fit(X, y)
    pos = np.flatnonzero(y == 1)
    category = _category_head().fit(X[pos], [rows[i].category for i in pos])
    _drop_unreproducible_state(features)
    blob = pickle.dumps((features, violation, category), protocol=4)
    meta = {
        "format": MODEL_FORMAT,
        "registry_name": "checker.tfidf_logreg.v1",
        "threshold": cv["threshold"],
        "training_rows": len(rows),
        "violations": int(y.sum()),
        "compliant": int(len(y) - y.sum()),
        "training_data_sha256": data_hash(rows),
        "model_sha256": hashlib.sha256(blob).hexdigest(),
        "versions": {name: version(name) for name in ("scikit-learn", "numpy", "scipy", "jieba")},
        "seed": SEED,
        "cross_validation": cv,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, blob)
    write_atomic(out.with_suffix(".json"), (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return meta
