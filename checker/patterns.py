"""Rule regex macros: ``{PLACE}``, ``{DEIXIS}``, ``{LOCAL}``, ``{NUM}`` … expand to term classes.

Rule authors write ``须在{LOCAL}(?:注册|设立)`` instead of pasting thousands of place names.

Place names are not pasted into the regexes. A trie regex over ~6,000 division names costs about
60 ms to compile, and with 80 place-aware patterns fcr took 10 s to start. Instead, a pattern that
uses a place macro runs on a *masked* copy of the clause, where every place mention found by the
Aho-Corasick gazetteer scan (checker.lexicon.find_places) is overwritten, character for
character, by private-use marks: a level mark, continuation marks, and the final 省/市/区/县…
kept as is (增城区 → \ue012\ue001区, 增城 → \ue012\ue001). Offsets are unchanged, so evidence maps
back to the original text, and ``{PLACE}省`` or a look-behind on the suffix still work.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Numbers as drafted in Chinese documents: 500, 5,000, 1.5, 五百, 两千, 三.
NUM = r"(?:[0-9０-９]+(?:[,，][0-9]{3})*(?:[.．][0-9]+)?|[一二两三四五六七八九十百千万零〇]+)"

_LEVEL_MARK = {"province": "\ue010", "city": "\ue011", "county": "\ue012"}
_CONTINUE = "\ue001"
_SUFFIXES = "省市区县州旗盟"
_PLACE_MARKS = {
    "PLACE": "[\ue010-\ue012]",
    "PROVINCE": "\ue010",
    "CITY": "\ue011",
    "COUNTY": "\ue012",
}
_LEXICON_MACROS = {"DEIXIS": "DEIXIS", "DEIXIS_WEAK": "DEIXIS_WEAK", "OWNERSHIP": "OWNERSHIP", "SCALE": "SCALE"}
_TRIGGER_CLASSES = {"PLACE": "PLACE", "PROVINCE": "PLACE_PROVINCE", "CITY": "PLACE_CITY", "COUNTY": "PLACE_COUNTY",
                    **_LEXICON_MACROS}
_MACRO = re.compile(r"\{([A-Z_]+)\}")
_PLACE_MACRO = re.compile(r"\{(?:PLACE|PROVINCE|CITY|COUNTY|LOCAL)\}")

# The reviewer's own jurisdiction names from fcr.toml (临港新片区, 经开区 …) count as local too.
_extra_local: tuple[str, ...] = ()


def set_extra_local(names: tuple[str, ...]) -> None:
    """Add place names to ``{LOCAL}``; rules compiled afterwards see them."""
    global _extra_local
    if tuple(names) != _extra_local:
        _extra_local = tuple(names)
        macro_regex.cache_clear()
        compile_pattern.cache_clear()


@lru_cache(maxsize=None)
def macro_regex(name: str) -> str:
    if name == "NUM":
        return NUM
    if name in _PLACE_MARKS:
        return f"(?:{_PLACE_MARKS[name]}{_CONTINUE}*[{_SUFFIXES}]?)"
    if name == "LOCAL":
        extra = "".join("|" + re.escape(n) for n in sorted(_extra_local, key=len, reverse=True))
        return f"(?:{macro_regex('DEIXIS')}|{macro_regex('PLACE')}{extra})"
    if name not in _LEXICON_MACROS:
        raise KeyError(name)
    from .lexicon import term_class_regex

    return term_class_regex(_LEXICON_MACROS[name])


def expand(pattern: str) -> str:
    # Only ALL-CAPS names in braces are macros, so regex quantifiers such as {2,4} are untouched.
    return _MACRO.sub(lambda m: macro_regex(m.group(1)), pattern)


@lru_cache(maxsize=8192)
def mask_places(text: str) -> str:
    """``text`` with every place mention overwritten by marks of the same length."""
    from .lexicon import find_places

    places = find_places(text)
    if not places:
        return text
    chars = list(text)
    for start, end, _name, level in places:
        keep_suffix = end - start >= 2 and text[end - 1] in _SUFFIXES
        last = end - 1 if keep_suffix else end
        chars[start] = _LEVEL_MARK.get(level, "\ue012")
        for i in range(start + 1, last):
            chars[i] = _CONTINUE
    return "".join(chars)


class _OriginalMatch:
    """A match found in the masked text, reporting the original text's characters."""

    __slots__ = ("_m", "_text")

    def __init__(self, m: re.Match, text: str):
        self._m, self._text = m, text

    def start(self, g=0):
        return self._m.start(g)

    def end(self, g=0):
        return self._m.end(g)

    def span(self, g=0):
        return self._m.span(g)

    def group(self, g=0):
        s, e = self._m.span(g)
        return None if s < 0 else self._text[s:e]

    def groupdict(self):
        return {k: self.group(k) for k in self._m.re.groupindex}


class PlacePattern:
    """A compiled pattern that runs on the place-masked text (same interface as re.Pattern)."""

    def __init__(self, source: str):
        self.pattern = source
        self._re = re.compile(expand(source))
        self.groupindex = self._re.groupindex

    def search(self, text: str, *args):
        m = self._re.search(mask_places(text), *args)
        return _OriginalMatch(m, text) if m else None

    def fullmatch(self, text: str):
        m = self._re.fullmatch(mask_places(text))
        return _OriginalMatch(m, text) if m else None

    def finditer(self, text: str, *args):
        for m in self._re.finditer(mask_places(text), *args):
            yield _OriginalMatch(m, text)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str):
    if _PLACE_MACRO.search(pattern):
        return PlacePattern(pattern)
    return re.compile(expand(pattern))


def expand_literals(triggers: list[str]) -> tuple[str, ...]:
    """Triggers are literal strings; ``{CLASS}`` stands for every term of that class."""
    from .lexicon import term_class

    out: list[str] = []
    for t in triggers:
        m = re.fullmatch(r"\{([A-Z_]+)\}", t)
        if not m:
            out.append(t)
            continue
        name = m.group(1)
        if name == "LOCAL":
            out += term_class("DEIXIS") + term_class("PLACE") + _extra_local
        elif name in _TRIGGER_CLASSES:
            out += term_class(_TRIGGER_CLASSES[name])
        else:
            raise KeyError(name)
    return tuple(dict.fromkeys(out))
