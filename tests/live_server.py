"""A real ``fcr serve`` on a free loopback port, for the browser tests and the load benchmark.

``python -m checker serve`` from this checkout, in its own process, with its log in the work
folder; ``start`` returns once ``/api/health`` answers, ``stop`` sends Ctrl+C as a user would.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class LiveServer:
    proc: subprocess.Popen
    base: str          # http://127.0.0.1:PORT (no trailing slash)
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(work: Path, db_name: str = "ledger.sqlite", token: str | None = None, timeout: float = 180.0) -> LiveServer:
    """Start the server (token through FCR_TOKEN, as a user would set it) and wait for health;
    raises RuntimeError with the server's log when it exits or never answers."""
    import httpx

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "FCR_TOKEN"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    if token:
        env["FCR_TOKEN"] = token
    log = work / "serve.log"
    with open(log, "wb") as out:        # the child keeps its own copy of the handle
        proc = subprocess.Popen([sys.executable, "-m", "checker", "serve", "--port", str(port), "--db",
                                 str(work / db_name)], cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = LiveServer(proc, f"http://127.0.0.1:{port}", log)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"fcr serve exited ({proc.returncode}):\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{server.base}/api/health", headers=headers, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"fcr serve not ready in {timeout:.0f} s:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
