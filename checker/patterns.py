"""Rule regex macros: ``{PLACE}``, ``{DEIXIS}``, ``{LOCAL}``, ``{NUM}`` … expand to term classes.

Rule authors write ``须在{LOCAL}(?:注册|设立)`` instead of pasting thousands of place names; the
term classes come from the gazetteers in ``corpora/`` (see checker/lexicon.py).
"""
from __future__ import annotations

import re
from functools import lru_cache

# Numbers as drafted in Chinese documents: 500, 5,000, 1.5, 五百, 两千, 三.
NUM = r"(?:[0-9０-９]+(?:[,，][0-9]{3})*(?:[.．][0-9]+)?|[一二两三四五六七八九十百千万零〇]+)"

_LEXICON_MACROS = {
    "PLACE": "PLACE",
    "PROVINCE": "PLACE_PROVINCE",
    "CITY": "PLACE_CITY",
    "COUNTY": "PLACE_COUNTY",
    "DEIXIS": "DEIXIS",
    "DEIXIS_WEAK": "DEIXIS_WEAK",
    "OWNERSHIP": "OWNERSHIP",
    "SCALE": "SCALE",
}
_MACRO = re.compile(r"\{([A-Z_]+)\}")
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


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern:
    return re.compile(expand(pattern))


def expand_literals(triggers: list[str]) -> tuple[str, ...]:
    """Triggers are literal strings; ``{CLASS}`` stands for every term of that class."""
    out: list[str] = []
    for t in triggers:
        m = re.fullmatch(r"\{([A-Z_]+)\}", t)
        if m:
            name = m.group(1)
            from .lexicon import term_class

            if name == "LOCAL":
                out += term_class("DEIXIS") + term_class("PLACE") + _extra_local
            elif name in _LEXICON_MACROS:
                out += term_class(_LEXICON_MACROS[name])
            else:
                raise KeyError(name)
        else:
            out.append(t)
    return tuple(dict.fromkeys(out))
