"""The learned second opinion: a calibrated linear model over clause text.

Rules are precise but brittle; the model generalises over wording. Features are TF-IDF over
character 1–3-grams and jieba words (uni- and bigrams) of the clause after normalisation
(traditional → simplified) and place masking (every administrative division becomes one mark,
so the model learns "a place + 注册 as a condition", not "增城"). Two heads:

* ``violation``: logistic regression, class-balanced, with sigmoid calibration (5-fold), giving
  P(violation);
* ``category``: multinomial logistic regression over the categories, trained on violations,
  restricted at prediction time to the categories of the document type.

Training is deterministic (fixed seeds, single-threaded liblinear/lbfgs); the model file records
the training data's hash, the library versions and the grouped cross-validated metrics.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .normalize import normalize
from .patterns import mask_places

MODEL_FORMAT = 1
DOC_TYPE_TAG = {"policy": "〔政策文件〕", "procurement": "〔采购文件〕"}
_PLACE_RUN = re.compile("[\ue010-\ue012]\ue001*")


def preprocess(text: str, doc_type: str) -> str:
    """Normalise, collapse every place mention to one mark and tag the document type."""
    masked = _PLACE_RUN.sub("\ue010", mask_places(normalize(" ".join(text.split()))))
    return f"{DOC_TYPE_TAG.get(doc_type, '')}{masked}"


def tokenize_words(text: str) -> list[str]:
    """jieba words with our dictionary; module-level so the pickled vectoriser can find it."""
    from .lexicon import segmenter

    return [w for w in segmenter()(text) if w.strip()]


@dataclass(frozen=True)
class Prediction:
    probability: float          # calibrated P(violation)
    category: str               # most likely category for the document type
    category_probability: float


class ModelError(Exception):
    """The model file is missing, corrupt or built with an incompatible library."""


class ClauseModel:
    def __init__(self, features, violation, category, meta: dict):
        self.features = features
        self.violation = violation
        self.category = category
        self.meta = meta

    @property
    def threshold(self) -> float:
        return float(self.meta["threshold"])

    def predict(self, texts: list[str], doc_type: str) -> list[Prediction]:
        if not texts:
            return []
        from .rulebook import PROCUREMENT_CATEGORIES

        X = self.features.transform([preprocess(t, doc_type) for t in texts])
        p_violation = self.violation.predict_proba(X)[:, list(self.violation.classes_).index(1)]
        p_category = self.category.predict_proba(X)
        classes = list(self.category.classes_)
        allowed = [i for i, c in enumerate(classes)
                   if (c in PROCUREMENT_CATEGORIES) == (doc_type == "procurement")]
        out = []
        for pv, row in zip(p_violation, p_category):
            best = max(allowed, key=lambda i: row[i]) if allowed else int(row.argmax())
            total = sum(row[i] for i in allowed) or 1.0
            out.append(Prediction(float(pv), classes[best], float(row[best] / total)))
        return out


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _major_minor(v: str) -> tuple[str, ...]:
    return tuple(v.split(".")[:2])


def load_model(path: Path) -> ClauseModel:
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"模型说明文件 {meta_path} 不存在，请运行 fcr train") from None
    except json.JSONDecodeError as e:
        raise ModelError(f"模型说明文件 {meta_path} 已损坏（{e.msg}）") from None
    if meta.get("format") != MODEL_FORMAT:
        raise ModelError(f"模型格式版本 {meta.get('format')} 与本程序（{MODEL_FORMAT}）不符，请运行 fcr train 重建")
    built, here = meta.get("versions", {}).get("scikit-learn", "?"), _version("scikit-learn")
    if _major_minor(built) != _major_minor(here):
        raise ModelError(
            f"模型由 scikit-learn {built} 训练，当前安装的是 {here}，二者不兼容；请运行 fcr train 重建模型"
        )
    try:
        with open(path, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            features, violation, category = pickle.load(f)
    except FileNotFoundError:
        raise ModelError(f"模型文件 {path} 不存在，请运行 fcr train") from None
    except Exception as e:  # noqa: BLE001 - any unpickling failure means the file is unusable
        raise ModelError(f"模型文件 {path} 无法加载（{type(e).__name__}），请运行 fcr train 重建") from None
    if hashlib.sha256(path.read_bytes()).hexdigest() != meta.get("model_sha256"):
        raise ModelError(f"模型文件 {path} 与说明文件中的校验值不符（文件被改动？），请运行 fcr train")
    return ClauseModel(features, violation, category, meta)


def default_model_path() -> Path:
    from .resources import data_path

    return data_path("corpora", "models", "clause_model.pkl")


@lru_cache(maxsize=2)
def default_model() -> ClauseModel | None:
    """The shipped model, or None with the reason kept in ``default_model_error``."""
    global default_model_error
    try:
        return load_model(default_model_path())
    except ModelError as e:
        default_model_error = str(e)
        return None


default_model_error: str | None = None
