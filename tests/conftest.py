from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def fcr_command() -> list[str]:
    """The installed console script when present (proves the wheel works), else the module."""
    exe = shutil.which("fcr")
    return [exe] if exe else [sys.executable, "-m", "checker"]


@pytest.fixture
def run_fcr():
    def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*fcr_command(), *args], input=stdin, capture_output=True, cwd=cwd or REPO, timeout=600
        )

    return run


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED
