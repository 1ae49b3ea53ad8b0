"""The reviewers' pages: upload, results, the document with findings in place, decisions,
downloads, the ledger overview, and the login form used when a token is set.

Every page is rendered on the server and works without JavaScript (forms post, links jump to the
finding's card); ``static/upload.js`` and ``static/review.js`` add drag and drop, the side panel,
live filters and decisions without reloading.

Unsaved results live at ``/results/<batch>/<n>`` (memory only, see ``results``); saved ones at
``/ledger/docs/<id>``, where decisions are made. Uploaded files are deleted as soon as they are
checked; saving writes the checked bytes to the ledger's upload folder (see ``saving``).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ..ledger import SETTABLE_STATUSES, STATUS_ZH
from . import downloads, saving
from .checking import DOC_TYPES, all_unreadable
from .security import TOKEN_COOKIE, safe_next, session_cookie, token_matches
from .uploads import UploadedFile, UploadError, receive_upload
from .view import DECISIONS, Filters, build_view

router = APIRouter(include_in_schema=False)
FORM_LIMIT = 64 * 1024
BY_COOKIE = "fcr_by"
DOC_TYPE_CHOICES = (("auto", "自动识别"), ("policy", "政策措施"), ("procurement", "招标采购文件"))


def _state(request: Request):
    return request.app.state.fcr


def _page(request: Request, name: str, status_code: int = 200, **context) -> Response:
    context.setdefault("reviewer", unquote(request.cookies.get(BY_COOKIE, "")))
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status_code)


async def small_form(request: Request) -> dict[str, str]:
    """A urlencoded form (decisions, save, login) read with a size cap: these routes never need
    more than a few kilobytes, and /login is open to requests without a token."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise UploadError(415, "请以普通表单（application/x-www-form-urlencoded）提交")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise UploadError(413, "表单内容过长")
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def _filters(request: Request) -> Filters:
    q = request.query_params
    return Filters(frozenset(q.getlist("category")), frozenset(q.getlist("severity")), frozenset(q.getlist("status")))


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


# -- upload ----------------------------------------------------------------------------------------

@router.get("/")
async def index(request: Request):
    return _page(request, "index.html", doc_types=DOC_TYPE_CHOICES, errors=[], default_folder=saving.DEFAULT_FOLDER)


_TITLE_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')


def paste_name(text: str) -> str:
    """A label for pasted text: its first line (the title, usually), as a .txt name."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = _TITLE_UNSAFE.sub(" ", first).strip()[:40].strip()
    return f"{title or '粘贴的文字'}.txt"


@router.post("/check")
async def check(request: Request):
    state = _state(request)
    upload = await receive_upload(request, state.workdir(), state.settings.max_upload)
    try:
        files = upload.named("file")
        text = upload.fields.get("text", "")
        if text.strip():
            path = upload.folder / "pasted.txt"
            path.write_text(text, encoding="utf-8")
            files.append(UploadedFile("text", paste_name(text), path, path.stat().st_size))
        if not files:
            raise UploadError(400, "请选择要检查的文件，或粘贴要检查的文字")
        doc_type = upload.fields.get("doc_type") or "auto"
        if doc_type not in DOC_TYPES:
            raise UploadError(422, f"文件类型 {doc_type} 无效")
        checked = await state.service.check_uploads(files, doc_type)
    finally:
        upload.discard()            # deleted now; saving below writes the checked bytes to the ledger
    run = state.service.run(c.result for c in checked)
    if all_unreadable(run):
        errors = [(d.path, d.error) for d in run.documents]
        return _page(request, "index.html", 422, doc_types=DOC_TYPE_CHOICES, errors=errors,
                     default_folder=saving.DEFAULT_FOLDER)
    batch = state.results.add(checked, doc_type)
    if upload.fields.get("save"):
        entries = list(enumerate(checked, 1))
        batch.saved.update(await state.run(
            saving.save_checked, state.settings.db, state.service, entries, upload.fields.get("folder"), doc_type,
            state.fresh))
    if len(checked) == 1:
        target = f"/ledger/docs/{batch.saved[1]}" if 1 in batch.saved else f"/results/{batch.id}/1"
    else:
        target = f"/results/{batch.id}"
    return RedirectResponse(target, status_code=303)


# -- unsaved results -------------------------------------------------------------------------------

def _batch(request: Request, batch_id: str):
    batch = _state(request).results.get(batch_id)
    if batch is None:
        raise HTTPException(404, "检查结果已过期或不存在：未保存到台账的结果只在内存中保留一小时，请重新上传")
    return batch


@router.get("/results/{batch_id}")
async def batch_page(request: Request, batch_id: str):
    batch = _batch(request, batch_id)
    if len(batch.entries) == 1:
        return RedirectResponse(f"/results/{batch_id}/1", status_code=303)
    return _page(request, "batch.html", batch=batch, kinds=downloads.KINDS, default_folder=saving.DEFAULT_FOLDER)


@router.get("/results/{batch_id}/{n}")
async def result_page(request: Request, batch_id: str, n: int):
    batch = _batch(request, batch_id)
    entry = batch.entry(n)
    if entry is None:
        raise HTTPException(404, "没有这个文件")
    if n in batch.saved:
        return RedirectResponse(f"/ledger/docs/{batch.saved[n]}", status_code=303)
    view = build_view(entry.result, filters=_filters(request))
    return _page(request, "document.html", view=view, saved=None, batch=batch, n=n,
                 base=f"/results/{batch.id}", kinds=downloads.KINDS, decisions=DECISIONS,
                 default_folder=saving.DEFAULT_FOLDER, notice=None)


@router.post("/results/{batch_id}/save")
async def save_batch(request: Request, batch_id: str):
    state = _state(request)
    batch = _batch(request, batch_id)
    form = await small_form(request)
    only = int(form["n"]) if form.get("n", "").isdigit() else None
    entries = [(n, e) for n, e in enumerate(batch.entries, 1) if only in (None, n) and n not in batch.saved]
    batch.saved.update(await state.run(
        saving.save_checked, state.settings.db, state.service, entries, form.get("folder"), batch.doc_type,
        state.fresh))
    if only is not None and only in batch.saved:
        return RedirectResponse(f"/ledger/docs/{batch.saved[only]}", status_code=303)
    return RedirectResponse(f"/results/{batch_id}", status_code=303)


@router.get("/results/{batch_id}/download/{kind}")
async def batch_download(request: Request, batch_id: str, kind: str, n: int | None = None):
    state = _state(request)
    batch = _batch(request, batch_id)
    if kind not in downloads.KINDS:
        raise HTTPException(404, "没有这种下载格式")
    entries = list(enumerate(batch.entries, 1))
    if n is not None:
        entries = [(i, e) for i, e in entries if i == n]
        if not entries:
            raise HTTPException(404, "没有这个文件")
    name = downloads.stem(entries[0][1].name) if len(entries) == 1 else "检查结果"
    if kind == "docx":
        readable = [e for _, e in entries if e.result.status == "ok"]
        if len(readable) != 1:
            raise downloads.DownloadError("批注版需要选定一个可读取的文件")
        e = readable[0]
        data = await state.run(
            lambda: downloads.annotated(e.result, original=e.data, workdir=state.workdir()))
        return downloads.attachment(kind, data, downloads.stem(e.name))
    run = state.service.run(e.result for _, e in entries)
    data = await state.run(downloads.report, kind, run)
    return downloads.attachment(kind, data, name)


# -- saved documents and decisions -----------------------------------------------------------------

def _load_saved(state, doc_id: int):
    saved = saving.load_saved(state.settings.db, state.service, doc_id, state.fresh)
    if saved is None:
        raise HTTPException(404, f"台账中没有编号为 {doc_id} 的文件")
    return saved


@router.get("/ledger/docs/{doc_id}")
async def saved_page(request: Request, doc_id: int):
    state = _state(request)
    saved = await state.run(_load_saved, state, doc_id)
    view = build_view(saved.result, rows=saved.rows, explanations=saved.explanations, filters=_filters(request))
    return _page(request, "document.html", view=view, saved=saved, batch=None, n=None,
                 base=f"/ledger/docs/{doc_id}", kinds=downloads.KINDS, decisions=DECISIONS,
                 default_folder=saving.DEFAULT_FOLDER, notice=saved.notice)


@router.post("/ledger/findings/{finding_id}")
async def decide(request: Request, finding_id: int):
    """One decision (confirmed / dismissed with a reason / rectifying …) through Ledger.set_status."""
    state = _state(request)
    form = await small_form(request)
    status = form.get("status", "")
    by = form.get("by", "").strip()
    if status not in SETTABLE_STATUSES:
        raise UploadError(422, "请选择审查决定（确认、排除或整改中）")
    if not by:
        raise UploadError(422, "请填写审查人姓名：台账逐条记录是谁作出的决定")
    row = await state.run(
        lambda: saving.decide(state.settings.db, finding_id, status, by=by[:100], note=form.get("note", "").strip(),
                              owner=form.get("owner", "").strip(), deadline=form.get("deadline", "").strip()))
    if _wants_json(request):
        response = JSONResponse({"id": row["id"], "status": row["status"], "status_zh": STATUS_ZH[row["status"]],
                                 "note": row["note"], "owner": row["owner"], "deadline": row["deadline"], "by": by})
    else:
        target = safe_next(form.get("next")) if form.get("next") else f"/ledger/docs/{row['document_id']}"
        response = RedirectResponse(target, status_code=303)
    response.set_cookie(BY_COOKIE, quote(by[:100]), max_age=365 * 24 * 3600, httponly=True, samesite="strict")
    return response


@router.get("/ledger/docs/{doc_id}/download/{kind}")
async def saved_download(request: Request, doc_id: int, kind: str):
    state = _state(request)
    if kind not in downloads.KINDS:
        raise HTTPException(404, "没有这种下载格式")
    db = state.settings.db
    if kind == "xlsx":
        from ..ledger import Ledger
        from ..ledger.views import ledger_xlsx

        def xlsx():
            row, finds = saving.ledger_findings_for(db, doc_id)
            if row is None:
                raise HTTPException(404, f"台账中没有编号为 {doc_id} 的文件")
            with Ledger(db, create=False) as ledger:
                return row, ledger_xlsx(ledger, [row], finds)

        row, data = await state.run(xlsx)
        return downloads.attachment(kind, data, downloads.stem(row["path"]))
    saved = await state.run(_load_saved, state, doc_id)
    result = downloads.without_dismissed(saved.result, [r["status"] for r in saved.rows])
    if kind == "docx":
        data = await state.run(
            lambda: downloads.annotated(result, source=Path(saved.row["abs_path"])))
    else:
        data = await state.run(downloads.report, kind, state.service.run([result]))
    return downloads.attachment(kind, data, downloads.stem(saved.row["path"]))


# -- the ledger overview ---------------------------------------------------------------------------

@router.get("/ledger")
async def ledger_page(request: Request, folder: str | None = None, status: str | None = None):
    state = _state(request)
    ov = await state.run(saving.overview, state.settings.db, folder or None, status or None)
    return _page(request, "ledger.html", ov=ov, folder=folder or "", status=status or "",
                 statuses=STATUS_ZH, db=str(state.settings.db))


@router.get("/ledger/export.xlsx")
async def ledger_export(request: Request, folder: str | None = None, status: str | None = None):
    state = _state(request)
    from ..ledger import Ledger, views

    def build() -> bytes:
        with Ledger(state.settings.db, create=False) as ledger:
            docs, finds = views.selection(ledger, status or None, None)
            if folder:
                docs = [d for d in docs if saving.folder_of(d["path"]) == folder]
                keep = {d["id"] for d in docs}
                finds = [f for f in finds if f["document_id"] in keep]
            return views.ledger_xlsx(ledger, docs, finds)

    data = await state.run(build)
    return downloads.attachment("xlsx", data, folder.replace("/", "-") if folder else "全部")


# -- login (only used when a token is set) ---------------------------------------------------------

@router.get("/login")
async def login_form(request: Request, next: str = "/"):
    return _page(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request):
    token = _state(request).settings.token
    form = await small_form(request)
    target = safe_next(form.get("next"))
    if not token:
        return RedirectResponse(target, status_code=303)
    if not token_matches(form.get("token", "").strip(), token):
        return _page(request, "login.html", 401, next=target, error="访问令牌不正确")
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", session_cookie(token))
    return response


@router.post("/logout")
async def logout(request: Request):
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response
