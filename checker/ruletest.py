"""Run every rule's own examples: each violating example must fire the rule, no lawful one may.

Used by ``fcr rules test`` and by pytest, so a user's own rule pack is tested the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from .document import Clause, Location
from .engine import Analyzer, Options
from .rulebook import Rule, Rulebook


@dataclass(frozen=True)
class CaseResult:
    rule_id: str
    kind: str          # violating | lawful
    text: str
    passed: bool
    fired: tuple[str, ...]


def _clause(text: str) -> Clause:
    return Clause(text=text, block_index=0, start=0, end=len(text), location=Location())


def run_rule_examples(rulebook: Rulebook, rule: Rule) -> list[CaseResult]:
    """Check one rule's examples in isolation (only this rule enabled), through the prefilter."""
    solo = Analyzer(Rulebook((rule,), rulebook.global_unless, rulebook.sources), Options(min_confidence=0.0))
    results = []
    for kind, texts in (("violating", rule.spec.examples.violating), ("lawful", rule.spec.examples.lawful)):
        for text in texts:
            fired = set()
            for doc_type in rule.spec.applies_to:
                fired |= {f.rule_id for f in solo.clause_findings(_clause(text), doc_type)}
            passed = bool(fired) if kind == "violating" else not fired
            results.append(CaseResult(rule.id, kind, text, passed, tuple(sorted(fired))))
    return results


def run_all(rulebook: Rulebook) -> list[CaseResult]:
    return [r for rule in rulebook.rules for r in run_rule_examples(rulebook, rule)]
