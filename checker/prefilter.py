"""Trigger-word prefilter: one Aho-Corasick pass per clause picks the rules worth running.

Most clauses of a real document are lawful and contain none of a rule's trigger words, so they
never pay for regex matching. pyahocorasick scans a clause once for all triggers of all rules
(thousands of words, place names included) in time linear in the clause length.
"""
from __future__ import annotations

import ahocorasick

from .rulebook import Rule


class TriggerIndex:
    def __init__(self, rules: tuple[Rule, ...]):
        self._automaton = ahocorasick.Automaton()
        owners: dict[str, set[int]] = {}
        for i, rule in enumerate(rules):
            for word in rule.triggers:
                owners.setdefault(word, set()).add(i)
        for word, idx in owners.items():
            self._automaton.add_word(word, frozenset(idx))
        self._empty = not owners
        if not self._empty:
            self._automaton.make_automaton()

    def candidates(self, text: str) -> set[int]:
        if self._empty:
            return set()
        found: set[int] = set()
        for _end, idx in self._automaton.iter(text):
            found |= idx
        return found
