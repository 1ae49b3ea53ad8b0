"""The audit ledger: SQLite record of audited documents, their findings and review decisions.

See :mod:`checker.ledger.store` for the schema and reconciliation rules and
:mod:`checker.ledger.views` for the list / stats / xlsx renderings the CLI prints.
"""
from .store import (  # noqa: F401
    DEFAULT_DB, FINDING_STATUSES, SCHEMA_VERSION, SETTABLE_STATUSES, STATUS_ZH, Ledger, LedgerError,
    Reconciled, fingerprint, fingerprints,
)
