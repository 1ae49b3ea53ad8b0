"""``create_app(db=..., token=..., max_upload=...)``: the FastAPI application of ``fcr serve``.

One application object holds one ``AppState``: the settings, the checking service (rulebook and
classifier, loaded once at start-up so the first upload is as fast as the rest), the unsaved
results kept in memory, and a private temporary folder (``tempfile.mkdtemp``: mode 0700, one
per application) where uploads land while they are checked. The folder and the in-memory
results are removed at shutdown.

Interactive API pages (Swagger UI, ReDoc) are switched off because FastAPI loads them from a
CDN; the OpenAPI document itself is served at ``/openapi.json``.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..ledger import DEFAULT_DB, LedgerError
from .checking import CheckService
from .downloads import DownloadError
from .results import ResultStore
from .saving import FreshCache
from .security import LOOPBACK_HOSTS, Guard
from .uploads import UploadError, human_size

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    db: Path
    token: str | None
    max_upload: int
    allowed_hosts: frozenset[str] | None      # None: any Host header (bound to a public address)
    detectors: str = "combined"
    workers: int | None = None


class AppState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.results = ResultStore()
        self.fresh = FreshCache()
        self._service: CheckService | None = None
        self._workdir: Path | None = None
        self._lock = threading.Lock()

    @property
    def service(self) -> CheckService:
        with self._lock:
            if self._service is None:
                self._service = CheckService(self.settings.detectors, self.settings.workers)
            return self._service

    def workdir(self) -> Path:
        """The private temporary folder (created on first use; mkdtemp makes it 0700)."""
        with self._lock:
            if self._workdir is None or not self._workdir.is_dir():
                self._workdir = Path(tempfile.mkdtemp(prefix="fcr-serve-"))
                atexit.register(shutil.rmtree, self._workdir, True)   # if shutdown never runs
            return self._workdir

    async def run(self, fn, *args):
        """``fn(*args)`` in a worker thread: ledger reads and writes, re-checks of saved files and
        report rendering block, and the event loop must keep serving other requests."""
        return await anyio.to_thread.run_sync(lambda: fn(*args))

    def close(self) -> None:
        with self._lock:
            if self._workdir is not None:
                shutil.rmtree(self._workdir, ignore_errors=True)
                self._workdir = None
        self.results.clear()


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["version"] = __version__
    return Jinja2Templates(env=env)


def create_app(db: str | Path = DEFAULT_DB, token: str | None = None, max_upload: int = DEFAULT_MAX_UPLOAD, *,
               allowed_hosts: frozenset[str] | None = LOOPBACK_HOSTS, detectors: str = "combined",
               workers: int | None = None, preload: bool = True) -> FastAPI:
    """The web app. ``allowed_hosts=None`` accepts any Host header (for a non-loopback bind, where
    the token protects the server); ``preload=False`` loads the rules on the first check."""
    settings = Settings(Path(db), token or None, int(max_upload), allowed_hosts, detectors, workers)
    state = AppState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state.workdir()
        if preload:
            await anyio.to_thread.run_sync(lambda: state.service)
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="fcr 公平竞争审查", version=__version__, lifespan=lifespan,
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
        description="离线的公平竞争审查检查服务。POST /api/check 的回答与 `fcr check --format json` 完全相同。",
    )
    templates = make_templates()
    templates.env.globals["max_upload"] = settings.max_upload
    templates.env.globals["max_upload_text"] = human_size(settings.max_upload)
    templates.env.globals["token_set"] = settings.token is not None
    app.state.fcr = state
    app.state.templates = templates

    from . import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _error_handlers(app, templates)

    def login_page(next_url: str, error: str | None) -> str:
        return templates.get_template("login.html").render(next=next_url, error=error, request=None)

    app.add_middleware(Guard, token=settings.token, allowed_hosts=allowed_hosts, login_page=login_page)
    return app


def _error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    """API paths answer ``{"detail": …}``; pages answer a Chinese error page with a way back."""

    def answer(request: Request, status: int, message: str):
        if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"detail": message}, status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status)

    @app.exception_handler(UploadError)
    async def upload_error(request: Request, exc: UploadError):
        return answer(request, exc.status, exc.message)

    @app.exception_handler(LedgerError)
    async def ledger_error(request: Request, exc: LedgerError):
        return answer(request, 422, str(exc))

    @app.exception_handler(DownloadError)
    async def download_error(request: Request, exc: DownloadError):
        return answer(request, 409, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        messages = {404: "没有这个页面（或检查结果已过期：未保存的结果只在内存中保留一小时）",
                    405: "不支持此请求方法"}
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") \
            else messages.get(exc.status_code, str(exc.detail))
        return answer(request, exc.status_code, detail)
