"""``fcr.toml``: found by walking up from the checked file, or named with ``--config``.

Unknown keys are errors, not ignored: a misspelt ``disable`` must not silently enable a rule.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .rulebook import SEVERITIES

CONFIG_NAME = "fcr.toml"
_KEYS = {"enable", "disable", "min_severity", "rules", "jurisdiction", "doc_type"}


@dataclass(frozen=True)
class Config:
    path: str | None = None
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    min_severity: str | None = None
    rules: tuple[Path, ...] = ()           # extra rule folders, relative to the config file
    jurisdiction: tuple[str, ...] = ()     # the reviewer's own place names: count as "local"
    doc_type: str | None = None
    extras: dict = field(default_factory=dict)


def find_config(start: Path) -> Path | None:
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _str_list(path: Path, key: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(str(path), f"{key} 应为字符串列表")
    return tuple(value)


def load_config(path: Path) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "文件不存在") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(str(path), f"TOML 语法错误：{e}") from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(str(path), f"未知配置项 {', '.join(unknown)}（可用：{', '.join(sorted(_KEYS))}）")
    sev = data.get("min_severity")
    if sev is not None and sev not in SEVERITIES:
        raise ConfigError(str(path), f"min_severity 应为 {'/'.join(SEVERITIES)} 之一")
    doc_type = data.get("doc_type")
    if doc_type is not None and doc_type not in ("auto", "policy", "procurement"):
        raise ConfigError(str(path), "doc_type 应为 auto/policy/procurement 之一")
    rules = tuple((path.parent / p).resolve() for p in _str_list(path, "rules", data.get("rules", [])))
    return Config(
        path=str(path),
        enable=_str_list(path, "enable", data.get("enable", [])),
        disable=_str_list(path, "disable", data.get("disable", [])),
        min_severity=sev,
        rules=rules,
        jurisdiction=_str_list(path, "jurisdiction", data.get("jurisdiction", [])),
        doc_type=doc_type,
    )
