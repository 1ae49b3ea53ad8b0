"""``fcr serve``: run the web app with uvicorn, on loopback unless told otherwise.

Binding to an address other than loopback exposes the ledger and every upload to the network,
so it is refused unless a token is set (``--token`` or ``FCR_TOKEN``). The access log is off:
it would record every request line, including a ``?token=`` a reviewer opened once.
"""
from __future__ import annotations

import ipaddress
import os
import sys

TOKEN_ENV = "FCR_TOKEN"
MB = 1024 * 1024


def resolve_token(arg: str | None) -> str | None:
    """``--token`` wins; else ``$FCR_TOKEN``; empty means no token."""
    return (arg or os.environ.get(TOKEN_ENV) or "").strip() or None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(*, host: str, port: int, db: str, token: str | None, max_upload_mb: int) -> int:
    from .app import create_app
    from .security import LOOPBACK_HOSTS

    token = resolve_token(token)
    loopback = is_loopback(host)
    if not loopback and not token:
        print(f"fcr: 在非本机地址 {host} 上提供服务必须设置访问令牌（--token 或环境变量 {TOKEN_ENV}）",
              file=sys.stderr)
        return 2
    if token and not (token.isascii() and token.isprintable() and " " not in token):
        # HTTP headers (Authorization: Bearer …) carry ASCII only.
        print("fcr: 访问令牌只能由 ASCII 字母、数字和符号组成（不含空格）", file=sys.stderr)
        return 2
    if max_upload_mb < 1:
        print("fcr: --max-upload 至少为 1（MB）", file=sys.stderr)
        return 2
    import uvicorn

    app = create_app(db=db, token=token, max_upload=max_upload_mb * MB,
                     allowed_hosts=LOOPBACK_HOSTS if loopback else None)
    print(f"fcr serve：载入规则和模型后，在浏览器中打开 {url_of(host, port)}"
          + ("（需要访问令牌：打开 /login 输入，或在地址后加 ?token=令牌）" if token else ""), file=sys.stderr)
    print(f"  台账：{os.path.abspath(db)}；上传上限 {max_upload_mb} MB；按 Ctrl+C 停止", file=sys.stderr)
    uvicorn.run(app, host=host.strip("[]"), port=port, log_level="info", access_log=False,
                server_header=False, date_header=False)
    return 0
