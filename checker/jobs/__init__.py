"""Jobs: long-running work built on the engine (``audit``: folder trees into the ledger)."""
