"""The closed set of check kinds. Each returns the evidence of a hit, or None.

A check only looks at text: the engine, not the check, attaches rule identity, legal basis,
confidence and exceptions (the yamllint/Vale shape; see STYLE.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    pattern: str
    matched: tuple[str, ...]


def parse_number(s: str) -> float | None:
    """500 / 5,000 / 1.5 / 五百 / 两千 / 十 → float; None when it is not a number."""
    s = s.translate(str.maketrans("０１２３４５６７８９．，", "0123456789.,")).replace(",", "")
    try:
        return float(s)
    except ValueError:
        pass
    total, section, digit = 0, 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + digit) * unit
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
        else:
            return None
    return float(total + section + digit)


def check_pattern(patterns: tuple[re.Pattern, ...], text: str) -> Hit | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return Hit(m.start(), m.end(), p.pattern[:200], (m.group(0),))
    return None


def check_cooccur(groups: tuple[tuple[re.Pattern, ...], ...], text: str, window: int | None) -> Hit | None:
    spans: list[list[tuple[int, int, str]]] = []
    for group in groups:
        found = [(m.start(), m.end(), m.group(0)) for p in group for m in p.finditer(text)]
        if not found:
            return None
        spans.append(found)
    if window is None:
        chosen = [g[0] for g in spans]
    else:
        chosen = _closest(spans, window)
        if chosen is None:
            return None
    start = min(s for s, _, _ in chosen)
    end = max(e for _, e, _ in chosen)
    return Hit(start, end, "cooccur", tuple(w for _, _, w in chosen))


def _closest(spans, window):
    # Anchor on each match of the first group and take the nearest match of every other group.
    for anchor in spans[0]:
        chosen = [anchor]
        for group in spans[1:]:
            best = min(group, key=lambda m: abs(m[0] - anchor[0]))
            chosen.append(best)
        lo = min(s for s, _, _ in chosen)
        hi = max(e for _, e, _ in chosen)
        if hi - lo <= window:
            return chosen
    return None


def check_threshold(patterns: tuple[re.Pattern, ...], text: str, minimum: float, units: dict[str, float]) -> Hit | None:
    for p in patterns:
        for m in p.finditer(text):
            value = parse_number(m.group("n")) if "n" in p.groupindex and m.group("n") else None
            if value is None:
                continue
            unit = m.groupdict().get("unit")
            if unit and units:
                value *= units.get(unit, 1.0)
            if value >= minimum:
                return Hit(m.start(), m.end(), p.pattern[:200], (m.group(0),))
    return None


def check_tokens(
    sequences: tuple[tuple[re.Pattern, ...], ...], tokens: list[tuple[int, str]], max_gap: int
) -> Hit | None:
    """``tokens`` are (offset, word) pairs; each pattern must match one whole word."""
    n = len(tokens)
    for seq in sequences:
        for first in range(n):
            if not seq[0].fullmatch(tokens[first][1]):
                continue
            pos, matched = first, [tokens[first][1]]
            for p in seq[1:]:
                nxt = next(
                    (j for j in range(pos + 1, min(n, pos + 2 + max_gap)) if p.fullmatch(tokens[j][1])),
                    None,
                )
                if nxt is None:
                    break
                pos = nxt
                matched.append(tokens[nxt][1])
            else:
                start = tokens[first][0]
                end = tokens[pos][0] + len(tokens[pos][1])
                return Hit(start, end, "tokens", tuple(matched))
    return None
