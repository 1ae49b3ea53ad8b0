"""Length-preserving text normalisation applied before rules match a clause.

Rules are written in simplified Chinese with full-width punctuation. Published documents also
come in traditional characters (Hong Kong, Macao, Taiwan-style typing, some OCR) and with ASCII
punctuation from PDF text layers. Each character is mapped to exactly one character, so offsets
into the normalised text are offsets into the original, and evidence is always quoted from the
original.
"""
from __future__ import annotations

from functools import lru_cache

from .resources import data_path

_PUNCTUATION = {",": "，", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table = {ord(k): v for k, v in _PUNCTUATION.items()}
    path = data_path("corpora", "lexicon", "t2s_chars.tsv")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            table[ord(trad)] = simp
    return table


def normalize(text: str) -> str:
    """Traditional → simplified characters and ASCII → full-width punctuation, same length."""
    out = text.translate(_table())
    # A simplified form outside the BMP would still be one code point; assert the invariant
    # rather than trust the data file blindly, because every offset depends on it.
    if len(out) != len(text):  # pragma: no cover - guarded by the build script
        raise ValueError("normalisation changed the text length")
    return out
