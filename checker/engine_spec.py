"""How to build an :class:`~checker.engine.Analyzer`, as data that can travel.

``fcr check`` builds its analyzer in-process; ``fcr audit`` builds one in every worker process,
local or on a Dask cluster. Both start from an :class:`EngineSpec`, made once from the command
line and ``fcr.toml`` (:func:`spec_from`), so a worker checks with exactly the rules, options and
place names the user asked for. The spec is a frozen dataclass of strings and tuples: it pickles
to any worker.

:func:`results_version` names what a recorded result depends on (rules, options, model); the
ledger re-checks a document whose recorded version differs.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .rulebook import Rulebook, rules_version


@dataclass(frozen=True)
class EngineSpec:
    detectors: str = "combined"            # combined | rules | model
    rule_dirs: tuple[str, ...] = ()        # extra rule folders (absolute), from --rules / fcr.toml
    default_rules: bool = True             # load the built-in packs
    doc_type: str = "auto"
    min_severity: str = "low"
    enabled: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    jurisdiction: tuple[str, ...] = ()     # the user's own place names count as "local"
    keep_documents: bool = False           # audit only: send the Document back (HTML report)

    @property
    def uses_defaults_only(self) -> bool:
        return self.default_rules and not self.rule_dirs and not self.jurisdiction


def spec_from(args, config, *, keep_documents: bool = False) -> EngineSpec:
    """The spec for parsed ``fcr check``/``fcr audit`` arguments and an optional ``Config``.
    Command-line values win over the config file's."""
    dirs = [str(Path(p).resolve()) for p in (config.rules if config else ())]
    dirs += [str(Path(p).resolve()) for p in getattr(args, "rules", [])]
    return EngineSpec(
        detectors=args.detectors,
        rule_dirs=tuple(dirs),
        default_rules=not getattr(args, "no_default_rules", False),
        doc_type=getattr(args, "doc_type", None) or (config.doc_type if config and config.doc_type else "auto"),
        min_severity=getattr(args, "min_severity", None)
        or (config.min_severity if config and config.min_severity else "low"),
        enabled=tuple(config.enable) if config else (),
        disabled=tuple(config.disable) if config else (),
        jurisdiction=tuple(config.jurisdiction) if config else (),
        keep_documents=keep_documents,
    )


def load_book(spec: EngineSpec) -> Rulebook:
    """The rulebook the spec asks for. The built-in packs alone come from the process-wide cache;
    anything else (extra folders, the user's place names, which change how ``{LOCAL}`` compiles)
    is loaded fresh after the place names are set."""
    from .patterns import set_extra_local
    from .resources import data_path
    from .rulebook import default_rulebook, load_rulebook

    set_extra_local(spec.jurisdiction)
    if spec.uses_defaults_only:
        return default_rulebook()
    dirs = ([data_path("rules")] if spec.default_rules else []) + [Path(d) for d in spec.rule_dirs]
    return load_rulebook(dirs)


def options(spec: EngineSpec):
    from .engine import Options

    return Options(doc_type=spec.doc_type, min_severity=spec.min_severity, enabled=frozenset(spec.enabled),
                   disabled=frozenset(spec.disabled), detectors=spec.detectors)


def build_analyzer(spec: EngineSpec, model=None, book: Rulebook | None = None):
    """An Analyzer for the spec; ``model`` None with detectors other than ``rules`` loads the
    shipped classifier (None again when it cannot be loaded: rules only)."""
    from .engine import Analyzer

    if model is None and spec.detectors != "rules":
        from .classifier import default_model

        model = default_model()
    return Analyzer(book or load_book(spec), options(spec), model)


_RESULT_OPTIONS = ("doc_type", "min_severity", "enabled", "disabled", "jurisdiction")


def _extra_exception_files(book: Rulebook) -> list[Path]:
    """``exceptions.yaml`` files of the user's own packs (the built-in ones come with the rules)."""
    from .resources import data_path

    builtin = data_path("rules").resolve()
    found = {p.resolve() for d in book.sources for p in Path(d).rglob("exceptions.yaml")}
    return sorted(p for p in found if builtin not in p.parents)


def results_version(spec: EngineSpec, book: Rulebook | None = None) -> str:
    """What a recorded result depends on: the rules (``rules_version`` as ``fcr check`` reports
    it), any option that changes findings, and the classifier (its sha256 from the metadata
    file, without loading the model). Defaults add nothing, so ledgers made before options were
    recorded stay valid. ``rules_version`` covers the rules, not the global exceptions: a pack
    with its own ``exceptions.yaml`` is told apart here."""
    book = book or load_book(spec)
    version = rules_version(book)
    chosen = {k: v for k, v in asdict(spec).items() if k in _RESULT_OPTIONS and v != getattr(EngineSpec, k)}
    extra_exceptions = _extra_exception_files(book)
    if extra_exceptions:
        chosen["exceptions"] = [hashlib.sha256(p.read_bytes()).hexdigest() for p in extra_exceptions]
    if chosen:
        digest = hashlib.sha256(json.dumps(chosen, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        version += "+opts-" + digest[:8]
    if spec.detectors == "rules":
        return version + "+rules-only"
    from .classifier import default_model_path

    try:
        meta = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
        return version + "+model-" + str(meta.get("model_sha256", "?"))[:12] + (
            "+model-only" if spec.detectors == "model" else "")
    except (OSError, ValueError):
        return version + "+no-model"
