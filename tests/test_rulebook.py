"""Rule packs load strictly: every malformed shape fails with a message naming file and key."""
from pathlib import Path

import pytest
import yaml

from checker.errors import RulePackError
from checker.rulebook import default_rulebook, load_rulebook

GOOD = {
    "id": "TEST-LOCAL-01",
    "title": "测试规则",
    "category": "free_flow",
    "severity": "high",
    "applies_to": ["policy"],
    "legal_basis": [{"law": "公平竞争审查条例", "article": "第九条", "item": "（二）"}],
    "message": "要求在本地设立机构。",
    "suggestion": "删除该要求。",
    "triggers": ["设立"],
    "match": {"kind": "pattern", "patterns": ["须在本地设立"]},
    "examples": {
        "violating": ["企业须在本地设立分公司。", "须在本地设立办事处方可申报。", "投标人须在本地设立网点。"],
        "lawful": ["企业可自主设立分公司。", "设立基金。", "依法设立的企业均可申报。"],
    },
}


def write_pack(tmp_path: Path, rule: dict, name: str | None = None) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    (pack / f"{name or rule.get('id', 'X')}.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    return pack


def test_rulebook_loads_a_good_rule(tmp_path):
    book = load_rulebook([write_pack(tmp_path, GOOD)])
    assert [r.id for r in book.rules] == ["TEST-LOCAL-01"]


@pytest.mark.parametrize(
    "change,key,words",
    [
        ({"legal_basic": []}, "legal_basic", "未知字段"),
        ({"legal_basis": []}, "legal_basis", ""),
        ({"match": {"kind": "pattern", "patterns": ["须在(本地"]}}, "match.patterns[0]", "正则表达式无效"),
        ({"match": {"kind": "fuzzy", "patterns": ["x"]}}, "match", ""),
        ({"category": "nonsense"}, "category", "未知类别"),
        ({"severity": "critical"}, "severity", ""),
        ({"examples": {"violating": ["a"], "lawful": ["b", "c", "d"]}}, "examples.violating", ""),
        ({"id": "bad id"}, "id", "规则编号"),
        ({"unless": ["(?P<x"]}, "unless[0]", "正则表达式无效"),
        ({"triggers": ["{NOSUCHCLASS}"]}, "triggers", "未知词类"),
    ],
)
def test_rulebook_rejects_malformed_rule_naming_file_and_key(tmp_path, change, key, words):
    rule = {**GOOD, **change}
    pack = write_pack(tmp_path, rule, name="TEST-LOCAL-01" if change.get("id") else None)
    with pytest.raises(RulePackError) as err:
        load_rulebook([pack])
    message = str(err.value)
    assert "TEST-LOCAL-01.yaml" in message or "X.yaml" in message
    assert err.value.key.startswith(key)
    assert words in message


def test_rulebook_rejects_missing_basis_field(tmp_path):
    rule = {k: v for k, v in GOOD.items() if k != "legal_basis"}
    with pytest.raises(RulePackError) as err:
        load_rulebook([write_pack(tmp_path, rule)])
    assert err.value.key == "legal_basis" and "缺少必填字段" in str(err.value)


def test_rulebook_rejects_yaml_syntax_error(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "TEST-LOCAL-01.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="YAML 语法错误"):
        load_rulebook([pack])


def test_rulebook_rejects_duplicate_ids_and_wrong_file_name(tmp_path):
    pack = write_pack(tmp_path, GOOD)
    sub = pack / "sub"
    sub.mkdir()
    (sub / "TEST-LOCAL-01.yaml").write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulePackError, match="重复"):
        load_rulebook([pack])
    other = tmp_path / "other"
    other.mkdir()
    (other / "WRONG-NAME-01.yaml").write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulePackError, match="文件名应与规则编号一致"):
        load_rulebook([other])


def test_rulebook_missing_folder_is_an_error(tmp_path):
    with pytest.raises(RulePackError, match="规则目录不存在"):
        load_rulebook([tmp_path / "nope"])


def test_default_rulebook_covers_every_category_and_both_doc_types():
    book = default_rulebook()
    assert len(book.rules) >= 40
    policy = {r.spec.category for r in book.rules if "policy" in r.spec.applies_to}
    procurement = {r.spec.category for r in book.rules if "procurement" in r.spec.applies_to}
    assert {"entry_exit", "free_flow", "cost", "conduct", "negative_list", "exception"} <= policy
    assert {"region", "ownership_scale", "qualification", "brand_spec", "performance_award", "scoring", "process"} <= procurement
