"""Unsaved results: kept in this process's memory only, bounded and expiring.

An upload that is not saved to the ledger is deleted from disk right after checking; the page
and its downloads (annotated copy, reports) still need the result and, for the annotated Word
copy or a later "save to ledger", the original bytes. They live here, in memory: at most
``max_batches`` uploads and ``max_bytes`` of original files, each for ``ttl`` seconds, oldest
dropped first. Nothing of it reaches the disk; stopping the server forgets it all.

A batch id is 128 random bits: result pages cannot be enumerated by guessing.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from .checking import Checked

DEFAULT_TTL = 3600.0
DEFAULT_MAX_BATCHES = 32
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


@dataclass
class Batch:
    id: str
    entries: list[Checked]
    doc_type: str
    created: float
    saved: dict[int, int] = field(default_factory=dict)     # entry number (1-based) → ledger document id

    @property
    def size(self) -> int:
        return sum(len(e.data) for e in self.entries)

    def entry(self, n: int) -> Checked | None:
        return self.entries[n - 1] if 1 <= n <= len(self.entries) else None


class ResultStore:
    def __init__(self, ttl: float = DEFAULT_TTL, max_batches: int = DEFAULT_MAX_BATCHES,
                 max_bytes: int = DEFAULT_MAX_BYTES):
        self.ttl = ttl
        self.max_batches = max_batches
        self.max_bytes = max_bytes
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, entries: list[Checked], doc_type: str) -> Batch:
        batch = Batch(secrets.token_urlsafe(16), list(entries), doc_type, time.monotonic())
        with self._lock:
            self._batches[batch.id] = batch
            self._evict()
        return batch

    def get(self, batch_id: str) -> Batch | None:
        with self._lock:
            self._evict()
            return self._batches.get(batch_id)

    def clear(self) -> None:
        with self._lock:
            self._batches.clear()

    def __len__(self) -> int:
        return len(self._batches)

    def _evict(self) -> None:
        now = time.monotonic()
        for bid in [b.id for b in self._batches.values() if now - b.created > self.ttl]:
            del self._batches[bid]
        total = sum(b.size for b in self._batches.values())
        # Oldest first, but never the batch just added (it is last): its page must open.
        while len(self._batches) > 1 and (len(self._batches) > self.max_batches or total > self.max_bytes):
            _, old = self._batches.popitem(last=False)
            total -= old.size
