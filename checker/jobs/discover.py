"""Which files an audit checks: the supported files below the given folders, filtered by globs."""
from __future__ import annotations

import os
from fnmatch import fnmatchcase


def matches(rel: str, pattern: str) -> bool:
    """Glob on the path relative to the given folder ('*' also crosses '/'); a pattern without
    '/' also matches the file name alone; a leading '**/' may match nothing."""
    if fnmatchcase(rel, pattern):
        return True
    if pattern.startswith("**/") and matches(rel, pattern[3:]):
        return True
    return "/" not in pattern and fnmatchcase(rel.rsplit("/", 1)[-1], pattern)


def discover(roots: list[str], include: list[str] = (), exclude: list[str] = ()) -> tuple[list[str], list[str]]:
    """(files, problems): supported files below each root, paths as given (``docs/a.txt`` for
    ``docs``), sorted per root; a root that is a file is taken as is. ``problems`` names roots
    that do not exist."""
    from ..ingest import SUPPORTED_EXTENSIONS

    files: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()

    def add(p: str) -> None:
        if p not in seen:
            seen.add(p)
            files.append(p)

    for root in roots:
        if os.path.isfile(root):
            add(root)
            continue
        if not os.path.isdir(root):
            problems.append(f"{root}：文件夹不存在")
            continue
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in filenames:
                if os.path.splitext(name)[1].lower() not in SUPPORTED_EXTENSIONS:
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                if include and not any(matches(rel, g) for g in include):
                    continue
                if any(matches(rel, g) for g in exclude):
                    continue
                found.append(full)
        for p in sorted(found):
            add(p)
    return files, problems
