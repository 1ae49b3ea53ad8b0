"""Term classes for the rules: places (gazetteer), local deixis, ownership, scale.

Data lives in ``corpora/`` (see :mod:`checker.resources`):

* ``corpora/gazetteer/regions.tsv`` - administrative divisions (code, name,
  short, level, parent_code), built by ``scripts/build_gazetteer.py``;
* ``corpora/gazetteer/ambiguous_names.txt`` - full names that are ordinary
  words (城区, 郊区 ...), kept in the gazetteer but never matched in text;
* ``corpora/lexicon/{deixis,deixis_weak,ownership,scale}.txt`` - term lists;
* ``corpora/userdict.txt`` - jieba user dictionary of domain terms.

Everything is loaded lazily and cached (``functools.lru_cache``).

Regex strategy for ``term_class_regex``: PLACE has ~5,950 surface forms.
Measured on the project machine (2 cores, Python 3.11.7), 10,000 clauses of
~60 characters, ``pattern.search`` on each (timings for the whole batch):

    pattern                               compile   search   findall
    plain alternation, longest first        34 ms  1029 ms   1274 ms
    plain alternation + masked forms        26 ms  3248 ms   4661 ms
    trie regex                              35 ms   396 ms    493 ms
    trie + masked, literal-first (used)     56 ms   350 ms    546 ms
    须在{PLACE}(?:注册|设立)                 61 ms    10 ms     11 ms
    find_places() (Aho-Corasick + masked)      -      215 ms (all matches)

Python's ``re`` tries the branches of an alternation one after another at
every position; the trie factors shared prefixes so only one branch per first
character remains, and keeping every top-level branch literal-first (the
masked forms are split per first character too) lets ``re`` build a
first-character set and skip positions that cannot start a match.  A rule
with a literal before the macro (须在{PLACE}) is cheap to search; the cost
that remains is compiling: ~60 ms for each distinct rule regex that embeds
{PLACE}.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, NamedTuple

from .resources import data_path

LEVELS = ("province", "city", "county")
_LEVEL_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}

# Letter-masked places as printed in published cases: S省, X市, XX县, ××区, *市,
# 某区, Ａ市.  Not after a Latin letter (ISO市?), and 市场/区域/区别 are words.
_MASK_CHARS = "A-ZＡ-Ｚ×✕＊*Xx某"
_MASK_SUFFIX = r"(?:省|市(?!场)|区(?![域别间])|县|州|旗|盟)"
MASKED_PLACE = rf"(?<![A-Za-z])[{_MASK_CHARS}]{{1,3}}{_MASK_SUFFIX}"


def _masked_branches() -> list[str]:
    """MASKED_PLACE split into literal-first alternatives (same language)."""
    firsts = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    firsts += [chr(c) for c in range(ord("Ａ"), ord("Ｚ") + 1)]
    firsts += ["×", "✕", "＊", "*", "x", "某"]
    return [re.escape(ch) + r"(?<![A-Za-z].)" + rf"[{_MASK_CHARS}]{{0,2}}{_MASK_SUFFIX}"
            for ch in firsts]


_MASK_LEVEL = {"省": "province", "市": "city", "州": "city", "盟": "city",
               "区": "county", "县": "county", "旗": "county"}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short: str
    level: str
    parent_code: str


class PlaceMatch(NamedTuple):
    start: int
    end: int
    name: str   # the text matched (增城, 增城区, S省); see lookup_place()
    level: str  # province | city | county (highest level if the form is shared)


# --------------------------------------------------------------------------- data

def _read_list(*parts: str) -> tuple[str, ...]:
    """One term per line; '#' starts a comment; blank lines ignored; order kept."""
    path = data_path("corpora", *parts)
    out: dict[str, None] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            term = line.split("#", 1)[0].strip()
            if term:
                out[term] = None
    return tuple(out)


@lru_cache(maxsize=None)
def regions() -> tuple[Region, ...]:
    path = data_path("corpora", "gazetteer", "regions.tsv")
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return tuple(Region(r["code"], r["name"], r["short"] or "", r["level"], r["parent_code"] or "")
                     for r in rows)


@lru_cache(maxsize=None)
def regions_by_code() -> dict[str, Region]:
    return {r.code: r for r in regions()}


@lru_cache(maxsize=None)
def ambiguous_names() -> frozenset[str]:
    return frozenset(_read_list("gazetteer", "ambiguous_names.txt"))


@lru_cache(maxsize=None)
def _place_forms() -> dict[str, tuple[Region, ...]]:
    """Surface form (full name or kept short form) -> regions it can denote."""
    skip = ambiguous_names()
    forms: dict[str, list[Region]] = {}
    for r in regions():
        if r.name not in skip:
            forms.setdefault(r.name, []).append(r)
        if r.short and r.short != r.name:
            forms.setdefault(r.short, []).append(r)
    return {k: tuple(v) for k, v in forms.items()}


def lookup_place(form: str) -> tuple[Region, ...]:
    """Regions a surface form can denote (增城 -> (增城区,); 朝阳 -> 4 regions)."""
    return _place_forms().get(form, ())


def _longest_first(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(terms), key=lambda t: (-len(t), t)))


def _places_of_level(level: str | None) -> tuple[str, ...]:
    return _longest_first(f for f, regs in _place_forms().items()
                          if level is None or any(r.level == level for r in regs))


_CLASS_LOADERS: dict[str, Callable[[], tuple[str, ...]]] = {
    "PLACE": lambda: _places_of_level(None),
    "PLACE_PROVINCE": lambda: _places_of_level("province"),
    "PLACE_CITY": lambda: _places_of_level("city"),
    "PLACE_COUNTY": lambda: _places_of_level("county"),
    "DEIXIS": lambda: _longest_first(_read_list("lexicon", "deixis.txt")),
    "DEIXIS_WEAK": lambda: _longest_first(_read_list("lexicon", "deixis_weak.txt")),
    "OWNERSHIP": lambda: _longest_first(_read_list("lexicon", "ownership.txt")),
    "SCALE": lambda: _longest_first(_read_list("lexicon", "scale.txt")),
}
CLASS_NAMES = tuple(_CLASS_LOADERS)


@lru_cache(maxsize=None)
def term_class(name: str) -> tuple[str, ...]:
    """All terms of a class, longest first (ties in code-point order).

    PLACE* classes hold plain names only; the masked forms (S省, XX市) are
    regex-only, see ``term_class_regex`` / ``MASKED_PLACE``.
    """
    try:
        loader = _CLASS_LOADERS[name]
    except KeyError:
        raise KeyError(f"unknown term class {name!r}; known: {', '.join(CLASS_NAMES)}") from None
    return loader()


# --------------------------------------------------------------------------- regex

def _trie(words: Iterable[str]) -> dict:
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True
    return trie


def _trie_node_regex(node: dict) -> str:
    """Regex for the continuations below ``node`` ('' when it is a leaf)."""
    end = "" in node
    children = sorted(k for k in node if k)
    if not children:
        return ""
    branches, singles = [], []
    for ch in children:
        sub = _trie_node_regex(node[ch])
        if sub:
            branches.append(re.escape(ch) + sub)
        else:
            singles.append(re.escape(ch))
    if singles:
        branches.append(singles[0] if len(singles) == 1 else "[" + "".join(singles) + "]")
    if len(branches) == 1 and not end:
        return branches[0]
    body = "(?:" + "|".join(branches) + ")"
    # greedy '?': the longer continuation is tried first, ending here is the fallback
    return body + "?" if end else body


def _trie_root_branches(words: Iterable[str]) -> list[str]:
    """Top-level alternatives of the trie regex, each starting with a literal.

    Keeping every top-level alternative literal-first lets ``re`` build a
    first-character set for the whole pattern and skip positions that cannot
    start a match - the main reason the trie form is fast.
    """
    root = _trie(words)
    return [re.escape(ch) + _trie_node_regex(root[ch]) for ch in sorted(k for k in root if k)]


def trie_regex(words: Iterable[str]) -> str:
    """A regex (one non-capturing group) matching exactly ``words``.

    Common prefixes are factored into a trie; at each node longer
    continuations are tried before stopping, so - like a longest-first
    alternation - the longest word wins.  Only escaped literals, character
    classes and non-capturing groups are used, so it embeds anywhere.
    """
    branches = _trie_root_branches(words)
    return "(?:" + "|".join(branches) + ")" if branches else "(?!)"


@lru_cache(maxsize=None)
def term_class_regex(name: str) -> str:
    """Regex (one non-capturing group) matching any term of the class.

    For PLACE (and PLACE_PROVINCE/CITY/COUNTY) the masked forms are included:
    ``[A-Z×＊*Xx某]{1,3}`` + 省/市/区/县/州/旗/盟 (S省, XX市, ××县, 某区).
    """
    branches = _trie_root_branches(term_class(name))
    if name.startswith("PLACE"):
        branches += _masked_branches()
    return "(?:" + "|".join(branches) + ")"


# --------------------------------------------------------------------------- scanning

@lru_cache(maxsize=None)
def _place_automaton():
    import ahocorasick

    forms = _place_forms()
    auto = ahocorasick.Automaton()
    for form, regs in forms.items():
        level = min((r.level for r in regs), key=_LEVEL_RANK.__getitem__)
        auto.add_word(form, (len(form), form, level))
    auto.make_automaton()
    return auto


_MASKED_RE = re.compile(MASKED_PLACE)


def find_places(text: str, masked: bool = True) -> list[PlaceMatch]:
    """Place mentions in ``text``: leftmost-longest, non-overlapping, in order.

    Each item is ``(start, end, name, level)`` with ``text[start:end] == name``.
    ``level`` is the highest level the form can denote (吉林 -> province).
    With ``masked`` the letter-masked forms (S省, XX市, 某区) are included,
    their level read from the suffix.
    """
    cands: list[tuple[int, int, str, str]] = []
    if text:
        for end_idx, (length, form, level) in _place_automaton().iter(text):
            start = end_idx - length + 1
            cands.append((start, end_idx + 1, form, level))
        if masked:
            for m in _MASKED_RE.finditer(text):
                cands.append((m.start(), m.end(), m.group(), _MASK_LEVEL[m.group()[-1]]))
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[PlaceMatch] = []
    last_end = 0
    for c in cands:
        if c[0] >= last_end:
            out.append(PlaceMatch(*c))
            last_end = c[1]
    return out


# --------------------------------------------------------------------------- segmentation

_REGION_FREQ = 2000  # enough to keep 增城区 / 黔东南苗族侗族自治州 whole


def _load_dictionaries(tok) -> None:
    """User dict (domain terms) + gazetteer names into a jieba Tokenizer.

    Region full names are added so that 增城区 is not cut as 增/城区; kept
    short forms are added only when jieba does not know them yet (增城), with
    a modest frequency so they do not swallow ordinary words.
    """
    tok.load_userdict(str(data_path("corpora", "userdict.txt")))
    skip = ambiguous_names()
    for r in regions():
        if r.name not in skip and len(r.name) >= 2:
            tok.add_word(r.name, max(_REGION_FREQ, tok.FREQ.get(r.name, 0) or 0), "ns")
    for r in regions():
        if r.short and not tok.FREQ.get(r.short):
            tok.add_word(r.short, 300, "ns")


def _quiet_jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=None)
def _private_tokenizer():
    jieba = _quiet_jieba()
    # jieba ships its dictionary (jieba/dict.txt) and never downloads anything;
    # the only side effect is a prefix-dict cache file in the temp directory.
    tok = jieba.Tokenizer()
    tok.initialize()
    _load_dictionaries(tok)
    return tok


def segmenter() -> Callable[[str], list[str]]:
    """``tokenize(text) -> list[str]`` with the domain user dictionary loaded.

    Uses a private ``jieba.Tokenizer`` (the global one is left alone here;
    see ``spacy_nlp`` for that).  Precise mode, HMM on.
    """
    tok = _private_tokenizer()

    def tokenize(text: str) -> list[str]:
        return [w for w in tok.cut(text, cut_all=False, HMM=True) if w]

    return tokenize


@lru_cache(maxsize=None)
def load_global_jieba_dictionaries():
    """Load the same dictionaries into jieba's global tokenizer ``jieba.dt``.

    spaCy's ``ChineseTokenizer`` (segmenter "jieba") calls the *module*
    function ``jieba.cut`` which uses the global ``jieba.dt``, so this is how
    the user dictionary reaches spaCy.  Idempotent (cached).
    """
    jieba = _quiet_jieba()
    jieba.dt.initialize()
    _load_dictionaries(jieba.dt)
    return jieba


@lru_cache(maxsize=None)
def spacy_nlp():
    """A blank spaCy "zh" pipeline that segments with jieba + our dictionaries.

    Returns ``None`` when spaCy is not installed.
    """
    try:
        import spacy
    except ImportError:  # pragma: no cover - spaCy is optional
        return None
    load_global_jieba_dictionaries()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
