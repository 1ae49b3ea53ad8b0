"""``fcr serve``: the reviewers' web page and its JSON API (FastAPI, server-rendered, plain JS).

Layers: the web app sits beside the audit job (DESIGN.md): it calls the same engine call the
CLI's ``check`` makes (``Analyzer.check_path``), renders with the same report modules and keeps
decisions in the same SQLite ledger as ``fcr audit``. Nothing here is imported by ``fcr check``:
the CLI imports this package only for ``fcr serve``.

Modules, one job each:

- ``app``       — ``create_app(db=..., token=..., max_upload=...)``: settings, lifespan, wiring.
- ``security``  — token (Bearer / cookie / ``?token=``), Host and Origin checks, response headers.
- ``uploads``   — streaming multipart parser: size limit while reading, files only in the
                  app's private temporary folder.
- ``checking``  — the engine call and the JSON of ``fcr check --format json``.
- ``results``   — unsaved results, kept in memory (bounded, expiring) for the page and downloads.
- ``saving``    — saving checked uploads to the ledger, loading saved documents, decisions.
- ``view``      — the document with findings highlighted in place, and the finding cards.
- ``downloads`` — HTML report, xlsx ledger, annotated .docx and review-form draft as responses.
- ``api`` / ``pages`` — the routes; ``server`` runs uvicorn for ``fcr serve``.
"""
from .app import create_app

__all__ = ["create_app"]
