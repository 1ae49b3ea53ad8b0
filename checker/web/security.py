"""Who may use the server, and the headers every answer carries. A plain ASGI middleware: it
reads only the request line and headers, never the body (uploads stream on untouched).

- **Host check** (always, unless the server is bound to a non-loopback address): a page bound to
  127.0.0.1 answers only requests addressed to 127.0.0.1 / localhost / ::1. This stops DNS
  rebinding, where a web site the reviewer visits renames itself to 127.0.0.1 and reads the
  ledger through the reviewer's browser.
- **Origin check** on POST and other unsafe methods: a form another site submits into the
  reviewer's browser (CSRF) carries a foreign ``Origin`` (or ``Sec-Fetch-Site: cross-site``)
  and is refused with 403, token or not.
- **Token** (``--token`` or ``FCR_TOKEN``): every request needs ``Authorization: Bearer T`` or
  the session cookie, which the login form or a first visit to ``/?token=T`` sets (the token is
  then removed from the address bar by a redirect). The cookie holds an HMAC of the token, not
  the token; comparisons use ``hmac.compare_digest``. Only ``/login`` and ``/static/`` (the
  stylesheet and scripts, no data) are open, so that the login page can be drawn.
- **Headers**: a Content-Security-Policy that lets the page load nothing from anywhere but this
  server (no CDN can ever be used, even by mistake), no caching of pages that show documents,
  no referrer sent to other sites, no framing.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import json
from collections.abc import Callable
from urllib.parse import quote, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request

TOKEN_COOKIE = "fcr_token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PUBLIC_PREFIXES = ("/login", "/static/")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NEED_TOKEN = "需要访问令牌：请求头加 Authorization: Bearer <令牌>，或在浏览器中打开 /login 输入令牌"

SECURITY_HEADERS = [
    (b"content-security-policy",
     (b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
      b"base-uri 'none'; frame-ancestors 'none'; form-action 'self'")),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts,
    # which the Origin check must refuse. Other sites still never see a referrer.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def session_value(token: str) -> str:
    """What the session cookie holds: derived from the token, so the browser never stores it."""
    return hmac.new(token.encode("utf-8"), b"fcr serve session", hashlib.sha256).hexdigest()


def token_matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def session_cookie(token: str) -> str:
    return f"{TOKEN_COOKIE}={session_value(token)}; Path=/; HttpOnly; SameSite=Strict"


def safe_next(target: str | None) -> str:
    """A redirect target on this server only (no '//host', no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def host_name(host_header: str) -> str:
    """'127.0.0.1:8765' → '127.0.0.1'; '[::1]:8765' → '::1'."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    def __init__(self, app, *, token: str | None, allowed_hosts: frozenset[str] | None,
                 login_page: Callable[[str, str | None], str]):
        self.app = app
        self.token = token or None
        self.allowed_hosts = allowed_hosts
        self.login_page = login_page          # (next, error) → HTML of the login form

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        path = scope["path"]
        if self.allowed_hosts is not None and host_name(headers.get("host", "")) not in self.allowed_hosts:
            return await self._plain(send, headers, 400, "请求的主机名不被允许：请用 http://127.0.0.1 访问本机服务")
        if scope["method"] not in SAFE_METHODS and not _same_origin(headers):
            return await self._plain(send, headers, 403, "已拒绝来自其他网站的请求")
        if self.token and not path.startswith(PUBLIC_PREFIXES):
            request = Request(scope)
            given = request.query_params.get("token")
            if given is not None and scope["method"] == "GET":
                if not token_matches(given, self.token):
                    return await self._unauthorized(scope, send, "访问令牌不正确")
                return await self._enter(scope, send)
            if not self._authorized(request):
                return await self._unauthorized(scope, send, None)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                if b"cache-control" not in have:
                    extra.append((b"cache-control", b"public, max-age=3600" if path.startswith("/static/")
                                  else b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and token_matches(value.strip(), self.token):
            return True
        cookie = request.cookies.get(TOKEN_COOKIE)
        return cookie is not None and hmac.compare_digest(cookie.encode(), session_value(self.token).encode())

    async def _enter(self, scope, send) -> None:
        """``?token=T`` was right: set the session cookie and drop the token from the address."""
        target = _without_token(scope)
        await _respond(send, 303, b"", [(b"location", target.encode("utf-8")),
                                         (b"set-cookie", session_cookie(self.token).encode())])

    async def _unauthorized(self, scope, send, error: str | None) -> None:
        request = Request(scope)
        wants_html = scope["method"] == "GET" and "text/html" in request.headers.get("accept", "")
        if wants_html and not scope["path"].startswith("/api/"):
            body = self.login_page(_without_token(scope), error).encode("utf-8")
            ctype = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"detail": error or NEED_TOKEN}, ensure_ascii=False).encode("utf-8")
            ctype = b"application/json"
        await _respond(send, 401, body, [(b"content-type", ctype), (b"www-authenticate", b'Bearer realm="fcr"')])

    async def _plain(self, send, headers: Headers, status: int, message: str) -> None:
        if "text/html" in headers.get("accept", ""):
            body = (f'<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>已拒绝</title>'
                    f"<p>{html.escape(message)}</p></html>").encode()
            ctype = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8")
            ctype = b"application/json"
        await _respond(send, status, body, [(b"content-type", ctype)])


def _without_token(scope) -> str:
    """The requested path and query, minus any ``token`` parameter (never echoed back)."""
    rest = [(k, v) for k, v in Request(scope).query_params.multi_items() if k != "token"]
    return safe_next(quote(scope["path"]) + (f"?{urlencode(rest)}" if rest else ""))


def _same_origin(headers: Headers) -> bool:
    origin = headers.get("origin")
    if origin is None:
        return headers.get("sec-fetch-site", "same-origin") != "cross-site"
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


async def _respond(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    base = [(b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store"), *SECURITY_HEADERS]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *base]})
    await send({"type": "http.response.body", "body": body})
