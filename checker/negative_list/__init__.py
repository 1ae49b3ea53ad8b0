"""The market-access negative list (市场准入负面清单) as a third detector.

* ``store``: ``fcr negative-list import`` reads the official list (xlsx or csv), validates it and
  stores it versioned in the user's data directory; ``show`` reports the version in use.
* ``licences``: the built-in table of licences and qualifications set by national laws and
  administrative regulations (``corpora/negative_list/licences.tsv``) and one Aho-Corasick
  matcher over the licence forms and the imported list items.
* ``detector``: what the engine calls for every document (cite, flag abolished licences, note
  lawful restatements).
"""
from __future__ import annotations

from .store import NegativeListError

__all__ = ["NegativeListError"]
