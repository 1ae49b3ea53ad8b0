"""Load rule packs (YAML data) and validate them strictly.

A rule pack is a folder of ``<RULE-ID>.yaml`` files, one rule each. Validation is strict on
purpose (see STYLE.md, "silent failure"): an unknown key, a regex that does not compile, a rule
without a legal basis or without examples fails the load with an error naming file and key.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import RulePackError
from .patterns import compile_pattern, expand_literals

CATEGORIES = {
    # policy measures (公平竞争审查条例第八条–第十二条, negative list)
    "entry_exit": "市场准入和退出",
    "free_flow": "商品和要素自由流动",
    "cost": "影响生产经营成本",
    "conduct": "影响生产经营行为",
    "negative_list": "市场准入负面清单",
    "exception": "例外规定适用",
    "other": "其他",
    # procurement and tender files
    "region": "地域限制",
    "ownership_scale": "所有制与规模限制",
    "qualification": "不合理资格条件",
    "brand_spec": "指定品牌或特定供应商",
    "performance_award": "业绩与奖项限制",
    "scoring": "评分因素设置",
    "process": "程序与信息",
}
PROCUREMENT_CATEGORIES = frozenset(
    {"region", "ownership_scale", "qualification", "brand_spec", "performance_award", "scoring", "process"}
)
POLICY_CATEGORIES = frozenset(set(CATEGORIES) - PROCUREMENT_CATEGORIES)
SEVERITIES = ("low", "medium", "high")
DOC_TYPES = ("policy", "procurement")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(_Strict):
    law: str                      # short title as in the shipped texts: 公平竞争审查条例
    article: str | None = None    # 第九条
    item: str | None = None       # （二）
    paragraph: str | None = None  # 第二款
    verified: bool = True         # False: cited from the catalog only, the text is not shipped

    def label(self) -> str:
        return f"《{self.law}》" + "".join(p for p in (self.article, self.paragraph, self.item) if p)


class PatternCheck(_Strict):
    """Fires when any regex matches the clause."""

    kind: Literal["pattern"]
    patterns: list[str] = Field(min_length=1)


class CooccurCheck(_Strict):
    """Fires when every group has a match, in order-free fashion, within ``window`` characters."""

    kind: Literal["cooccur"]
    all: list[list[str]] = Field(min_length=2)
    window: int | None = Field(default=None, gt=0)


class ThresholdCheck(_Strict):
    """Fires when a regex with a named group ``n`` matches and the number passes ``min``.

    ``units`` maps a captured ``unit`` group to a multiplier (万元: 1, 亿元: 10000) so one rule
    handles 注册资本不低于500万元 and 注册资本1亿元以上 alike.
    """

    kind: Literal["threshold"]
    patterns: list[str] = Field(min_length=1)
    min: float = 0
    units: dict[str, float] = {}


class TokensCheck(_Strict):
    """Fires when a sequence of whole words occurs: each item is a regex that must match one
    jieba token entirely, with at most ``max_gap`` other tokens between neighbours.

    Word boundaries are what regexes cannot see: ``限`` as a word (限本市企业参加) is a
    restriction, ``限`` inside 期限 or 限额 is not.
    """

    kind: Literal["tokens"]
    sequences: list[list[str]] = Field(min_length=1)
    max_gap: int = Field(default=0, ge=0, le=10)


Check = Union[PatternCheck, CooccurCheck, ThresholdCheck, TokensCheck]


class Examples(_Strict):
    violating: list[str] = Field(min_length=3)
    lawful: list[str] = Field(min_length=3)


class Context(_Strict):
    raise_: list[str] = Field(default=[], alias="raise")
    lower: list[str] = []


class RuleSpec(_Strict):
    id: str
    title: str
    category: str
    severity: Literal["low", "medium", "high"]
    applies_to: list[Literal["policy", "procurement"]] = Field(min_length=1)
    legal_basis: list[LegalBasis] = Field(min_length=1)
    message: str
    suggestion: str
    triggers: list[str] = Field(min_length=1)
    match: Check = Field(discriminator="kind")
    near: list[str] = []           # one must match the clause, its table header or heading path
    unless: list[str] = []         # any match suppresses the finding (lawful look-alike)
    context: Context = Context()
    confidence: float = Field(default=0.8, ge=0.05, le=1.0)
    global_exceptions: bool = True
    examples: Examples
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not RULE_ID.match(v):
            raise ValueError("规则编号须为大写字母、数字和连字符，如 FLOW-LOCAL-01")
        return v

    @field_validator("category")
    @classmethod
    def _known_category(cls, v: str) -> str:
        if v not in CATEGORIES:
            raise ValueError(f"未知类别 {v}，可选：{', '.join(CATEGORIES)}")
        return v


class GlobalExceptions(_Strict):
    """``rules/exceptions.yaml``: lawful look-alike shapes that silence every rule."""

    unless: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class Rule:
    """A validated rule with its regexes compiled once."""

    spec: RuleSpec
    source: str
    triggers: tuple[str, ...]
    match: tuple
    near: tuple[re.Pattern, ...]
    unless: tuple[re.Pattern, ...]
    raise_: tuple[re.Pattern, ...]
    lower: tuple[re.Pattern, ...]

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    global_unless: tuple[re.Pattern, ...]
    sources: tuple[str, ...]

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _compile_all(path: str, key: str, patterns: list[str]) -> tuple[re.Pattern, ...]:
    out = []
    for i, p in enumerate(patterns):
        try:
            out.append(compile_pattern(p))
        except (re.error, KeyError) as e:
            raise RulePackError(path, f"{key}[{i}]", f"正则表达式无效（{e}）：{p}") from None
    return tuple(out)


def _compile_match(path: str, check) -> tuple:
    if check.kind == "cooccur":
        return tuple(_compile_all(path, f"match.all[{i}]", g) for i, g in enumerate(check.all))
    if check.kind == "tokens":
        return tuple(_compile_all(path, f"match.sequences[{i}]", seq) for i, seq in enumerate(check.sequences))
    return _compile_all(path, "match.patterns", check.patterns)


def _format_validation(path: str, err: ValidationError) -> RulePackError:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(顶层)"
    kind = first["type"]
    if kind == "extra_forbidden":
        reason = "未知字段（拼写错误？）"
    elif kind == "missing":
        reason = "缺少必填字段"
    else:
        reason = first["msg"]
    return RulePackError(path, key, reason)


# libyaml's C loader when PyYAML was built with it: the 135 rule files parse in about a tenth
# of the pure-Python loader's time, which is most of fcr's start-up. Same safe subset.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except yaml.YAMLError as e:
        raise RulePackError(str(path), "(YAML)", f"YAML 语法错误：{e}") from None
    except UnicodeDecodeError:
        raise RulePackError(str(path), "(文件)", "不是 UTF-8 文本") from None
    if not isinstance(data, dict):
        raise RulePackError(str(path), "(顶层)", "应为键值映射")
    return data


def load_rule(path: Path) -> Rule:
    data = _read_yaml(path)
    try:
        spec = RuleSpec.model_validate(data)
    except ValidationError as e:
        raise _format_validation(str(path), e) from None
    if path.stem != spec.id:
        raise RulePackError(str(path), "id", f"文件名应与规则编号一致（{spec.id}.yaml）")
    try:
        triggers = expand_literals(spec.triggers)
    except KeyError as e:
        raise RulePackError(str(path), "triggers", f"未知词类 {e}") from None
    return Rule(
        spec=spec,
        source=str(path),
        triggers=triggers,
        match=_compile_match(str(path), spec.match),
        near=_compile_all(str(path), "near", spec.near),
        unless=_compile_all(str(path), "unless", spec.unless),
        raise_=_compile_all(str(path), "context.raise", spec.context.raise_),
        lower=_compile_all(str(path), "context.lower", spec.context.lower),
    )


def _load_exceptions(path: Path) -> tuple[re.Pattern, ...]:
    try:
        spec = GlobalExceptions.model_validate(_read_yaml(path))
    except ValidationError as e:
        raise _format_validation(str(path), e) from None
    return _compile_all(str(path), "unless", spec.unless)


def load_rulebook(dirs: list[Path], builtin_exceptions: bool = True) -> Rulebook:
    """Load every ``*.yaml`` rule below the given folders; ``exceptions.yaml`` is global.

    The built-in ``rules/exceptions.yaml`` applies to user packs too (a lawful equal-treatment
    clause is lawful whoever wrote the rule), unless ``builtin_exceptions`` is False.
    """
    from .resources import data_path

    rules: list[Rule] = []
    global_unless: list[re.Pattern] = []
    seen: dict[str, str] = {}
    builtin = data_path("rules")
    if builtin_exceptions and (builtin / "exceptions.yaml").is_file() and not any(
        Path(d).resolve() == builtin.resolve() for d in dirs
    ):
        global_unless += _load_exceptions(builtin / "exceptions.yaml")
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            raise RulePackError(str(d), "(目录)", "规则目录不存在")
        for path in sorted(d.rglob("*.yaml")):
            if path.name == "exceptions.yaml":
                global_unless += _load_exceptions(path)
                continue
            rule = load_rule(path)
            if rule.id in seen:
                raise RulePackError(str(path), "id", f"规则编号重复，已在 {seen[rule.id]} 中定义")
            seen[rule.id] = str(path)
            rules.append(rule)
    return Rulebook(tuple(rules), tuple(global_unless), tuple(str(d) for d in dirs))


def rules_version(book: Rulebook) -> str:
    """The ``rules_version`` of fcr's JSON: the number of rules and a digest of their specs."""
    h = hashlib.sha256()
    for rule in sorted(book.rules, key=lambda r: r.id):
        h.update(rule.spec.model_dump_json().encode())
    return f"{len(book.rules)}-{h.hexdigest()[:12]}"


@lru_cache(maxsize=4)
def default_rulebook() -> Rulebook:
    from .resources import data_path

    return load_rulebook([data_path("rules")])
