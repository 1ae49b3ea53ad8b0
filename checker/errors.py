"""Errors the user can act on, each with a Chinese message that names the file and the reason."""
from __future__ import annotations


class FcrError(Exception):
    """Base class: ``str(err)`` is the user-facing Chinese message."""


class IngestError(FcrError):
    """A document could not be read (missing, corrupt, encrypted, empty, unsupported...)."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class RulePackError(FcrError):
    """A rule pack is malformed: names the file and the offending key."""

    def __init__(self, path: str, key: str, reason: str):
        self.path = path
        self.key = key
        self.reason = reason
        super().__init__(f"规则文件 {path}，字段 {key}：{reason}")


class ConfigError(FcrError):
    """fcr.toml is malformed or has unknown keys."""

    def __init__(self, path: str, reason: str):
        self.path = path
        super().__init__(f"配置文件 {path}：{reason}")


class SchedulerError(FcrError):
    """``fcr audit --scheduler``: the Dask cluster cannot be used (not installed, unreachable,
    no workers, workers without fcr or with another version)."""
