"""Every shipped rule's own examples: violating ones fire the rule, lawful ones do not.

Parametrized per example with ids ``<RULE-ID>_<kind>_<n>`` so ``pytest -k FLOW-LOCAL`` works.
"""
import pytest

from checker.citations import citation_problem
from checker.rulebook import default_rulebook
from checker.ruletest import run_rule_examples

BOOK = default_rulebook()
CASES = [
    (rule, kind, n)
    for rule in BOOK.rules
    for kind, texts in (("violating", rule.spec.examples.violating), ("lawful", rule.spec.examples.lawful))
    for n in range(len(texts))
]


_RESULTS: dict[str, list] = {}


def _results(rule):
    # One run per rule serves all its parametrized cases.
    if rule.id not in _RESULTS:
        _RESULTS[rule.id] = run_rule_examples(BOOK, rule)
    return _RESULTS[rule.id]


@pytest.mark.parametrize("rule,kind,n", CASES, ids=[f"{r.id}_{k}_{n}" for r, k, n in CASES])
def test_rule_example(rule, kind, n):
    result = [r for r in _results(rule) if r.kind == kind][n]
    assert result.passed, f"{rule.id} {kind}: {result.text} → fired {result.fired}"


@pytest.mark.parametrize("rule", BOOK.rules, ids=[r.id for r in BOOK.rules])
def test_rule_citations_exist_in_shipped_law_texts(rule):
    for basis in rule.spec.legal_basis:
        if basis.verified:
            problem = citation_problem(basis.law, basis.article, basis.item, basis.paragraph)
            assert problem is None, f"{rule.id}: {problem}"


def test_citation_checker_rejects_wrong_articles():
    assert citation_problem("公平竞争审查条例", "第九条", "（二）", None) is None
    assert "没有第九十九条" in citation_problem("公平竞争审查条例", "第九十九条", None, None)
    assert "没有（九）项" in citation_problem("公平竞争审查条例", "第九条", "（九）", None)
    assert "未附带" in citation_problem("不存在的法", "第一条", None, None)
