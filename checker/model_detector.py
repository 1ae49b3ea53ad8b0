"""The classifier as a detector: model-only findings and model-adjusted rule confidence.

The engine hands over every candidate clause of a document (a clause with at least one rule
trigger word) together with the rule findings on it; the model scores them in one batch.
* A rule finding keeps its place; its confidence moves with the model's opinion
  (``MODEL_WEIGHT`` × (p − 0.5)), and the probability is recorded for ``--explain``.
* A clause no rule flagged becomes a finding (detector ``model``) when P(violation) reaches the
  model's threshold; the category it names picks the standard and the wording from
  ``corpora/model_findings.yaml``.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .classifier import ClauseModel
from .document import Clause
from .findings import Citation, Explanation, Finding
from .normalize import normalize
from .patterns import compile_pattern
from .rulebook import LegalBasis

MODEL_WEIGHT = 0.3
MIN_MODEL_CLAUSE = 8           # characters: shorter scraps carry too little for the model


class CategoryFinding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A model-only finding in this category needs at least this probability (None: the model's
    # own threshold). Measured on real documents, not only on the training folds: see
    # docs/model.md for why some categories are stricter than others.
    min_probability: float | None = Field(default=None, ge=0.5, le=1.0)
    evidence: str                    # regex (macros allowed) naming what the clause restricts
    title: str
    severity: str = Field(pattern="^(low|medium|high)$")
    message: str
    suggestion: str
    legal_basis: list[LegalBasis] = Field(min_length=1)


class ModelFindings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_probability: float = Field(ge=0.5, le=1.0)
    categories: dict[str, CategoryFinding]


@lru_cache(maxsize=1)
def model_findings() -> ModelFindings:
    from .resources import data_path

    data = yaml.safe_load(data_path("corpora", "model_findings.yaml").read_text(encoding="utf-8"))
    return ModelFindings.model_validate(data)


def category_findings() -> dict[str, CategoryFinding]:
    return model_findings().categories


def second_opinion(
    model: ClauseModel,
    entries: list[tuple[Clause, list[Finding]]],
    doc_type: str,
    threshold: float | None = None,
    lawful: tuple = (),
) -> list[Finding]:
    """Rule findings re-weighted by the model, plus model-only findings, in clause order.

    ``threshold`` overrides every reporting floor for model-only findings (``--model-threshold``).
    ``lawful``: the rulebook's global exceptions (不再实行备案, 不得额外设置…, 投诉事项不成立 …).
    A model-only finding has no evidence span to scope them to, so one anywhere in the clause
    keeps the model quiet: it speaks where no rule did, and must not where a rule author wrote
    the clause down as lawful.
    """
    # Score a clause only if the model's opinion can matter: it re-weights a rule finding, or the
    # clause could pass the model-only gates (cheap regexes, checked before the costly features).
    scored = [(c, f) for c, f in entries if (f and len(c.text) >= MIN_MODEL_CLAUSE) or _could_report(c.text)]
    predictions = model.predict([c.text for c, _ in scored], doc_type)
    by_clause = {id(c): p for (c, _), p in zip(scored, predictions)}
    specs = category_findings()
    out: list[Finding] = []
    for clause, findings in entries:
        pred = by_clause.get(id(clause))
        if pred is None:
            out += findings
            continue
        if findings:
            for f in findings:
                conf = min(0.99, max(0.05, f.confidence + MODEL_WEIGHT * (pred.probability - 0.5)))
                expl = f.explanation and replace(f.explanation, model_probability=round(pred.probability, 3))
                out.append(replace(f, confidence=conf, explanation=expl))
        elif pred.category in specs and _reportable(
            clause.text, pred, specs[pred.category], _floor(specs[pred.category], model, threshold), lawful
        ):
            out.append(_model_finding(clause, pred, specs[pred.category], model))
    return out


# A clause that restricts says so: a modal or limiting word. Headings (（三）总部经济奖励) and
# descriptions without one are not findings however the model scores their vocabulary.
# 应 and 需 only as modals: not inside 响应, 供应, 相应, 应税, 应用, 需求 (an address line "递交响应
#文件地点：某市…" is no restriction).
_RESTRICTION_CUE = re.compile(
    r"须|必须|(?<![供响相对适回反效感])应(?![用商答税收])|(?<![无不])需(?!求)要?|仅|只(?:能|限|有)|限(?:于|定|制|本)|方可|才能|不得|不予|不能|禁止|优先|指定|统一|"
    r"原则上|唯一|独家|加分|得分|为准|认可|同意|审批|审核|备案|准入|办理"
)
MIN_MODEL_ONLY_CLAUSE = 15
# Facts about the project, not conditions on suppliers, however many place names they hold:
# where the work is done or bids are handed in (会议地点 with a street address, 采购人指定的其他
# 地点), and where copies of the contract go (一份送某区财政局备案).
_PLACE_OF_PERFORMANCE = re.compile(
    r"(?:地点|地址)[^。；]*[路街道巷里弄]\s*\d+\s*号|[路街道巷里弄]\s*\d+\s*号[^。；]*(?:地点|地址)"
    r"|指定的?[^，。；]{0,4}(?:地点|场所|位置|地址)"
    r"|(?:[一二三四五六两壹贰叁肆]|\d+)份(?:送|报|交|留)")


@lru_cache(maxsize=1)
def _any_evidence():
    specs = category_findings().values()
    return compile_pattern("|".join(f"(?:{s.evidence})" for s in specs))


def _could_report(text: str) -> bool:
    plain = normalize(text)
    return (
        len(plain) >= MIN_MODEL_ONLY_CLAUSE
        and _RESTRICTION_CUE.search(plain) is not None
        and _any_evidence().search(plain) is not None
    )


def _floor(spec: CategoryFinding, model: ClauseModel, explicit: float | None) -> float:
    """An explicit threshold (``--model-threshold``) applies to every category; otherwise the
    category's own floor, never below the model's calibrated threshold."""
    if explicit is not None:
        return explicit
    return max(model.threshold, model_findings().min_probability, spec.min_probability or 0.0)


def _reportable(text: str, pred, spec: CategoryFinding, floor: float, lawful: tuple = ()) -> bool:
    plain = normalize(text)
    return (
        pred.probability >= floor
        and len(plain) >= MIN_MODEL_ONLY_CLAUSE
        and _RESTRICTION_CUE.search(plain) is not None
        and compile_pattern(spec.evidence).search(plain) is not None
        and _PLACE_OF_PERFORMANCE.search(plain) is None
        and not any(p.search(plain) for p in lawful)
    )


def _model_finding(clause: Clause, pred, spec: CategoryFinding, model: ClauseModel) -> Finding:
    return Finding(
        rule_id=f"MODEL-{pred.category.upper().replace('_', '-')}",
        category=pred.category,
        severity=spec.severity,
        title=spec.title,
        message=spec.message,
        suggestion=spec.suggestion,
        legal_basis=tuple(Citation(b.law, b.article, b.item, b.paragraph, b.verified) for b in spec.legal_basis),
        clause=clause.text,
        evidence=clause.text,
        location=clause.location,
        start=clause.start,
        end=clause.end,
        confidence=round(pred.probability, 3),
        detector="model",
        explanation=Explanation(
            check="model",
            pattern=model.meta.get("registry_name", "model"),
            matched=(),
            model_probability=round(pred.probability, 3),
            model_category=pred.category,
            model_category_probability=round(pred.category_probability, 3),
        ),
    )
