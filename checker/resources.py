"""Locate the data that ships with the checker (term lists, gazetteer, rule packs).

An installed wheel carries the data inside the package (``checker/corpora``,
``checker/rules``); an editable checkout keeps it at the repository root
(``corpora/``, ``rules/``).  ``data_path`` looks in that order.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

KINDS = ("corpora", "rules")

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent


@lru_cache(maxsize=None)
def data_root(kind: str) -> Path:
    """The directory holding data of ``kind`` ("corpora" or "rules")."""
    if kind not in KINDS:
        raise ValueError(f"unknown data kind {kind!r}; expected one of {KINDS}")
    packaged = _PACKAGE_DIR / kind
    if packaged.is_dir():
        return packaged
    return _REPO_ROOT / kind


def data_path(kind: str, *parts: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("corpora", "lexicon", "deixis.txt")``.

    With no ``parts`` the directory itself is returned.  The path is not
    required to exist (callers report missing files with their own context).
    """
    return data_root(kind).joinpath(*parts)
