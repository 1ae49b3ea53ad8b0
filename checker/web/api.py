"""The JSON API: ``POST /api/check`` (the JSON of ``fcr check --format json``), ``GET /api/rules``
(the JSON of ``fcr rules list --format json``) and ``GET /api/health``.

Status codes follow the CLI's exit status: 200 when at least one document was read (exit 0 or
1), 422 when none could be (exit 2) — the body is then still the full fcr JSON, whose
``documents[].error`` gives the Chinese reason. Transport problems answer ``{"detail": …}``:
400 (no ``file`` field, malformed form), 413 (over the size limit), 415 (not multipart),
401 (token missing).
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from .. import __version__
from .checking import DOC_TYPES, all_unreadable, json_text, rule_record
from .uploads import UploadError, receive_upload

router = APIRouter(prefix="/api", tags=["API"])

_DETAIL = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}
CHECK_REQUEST = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                     "description": "要检查的文件（.docx .pdf .txt .md .ofd），可多个；文件名即 JSON 中的 path"},
            "doc_type": {"type": "string", "enum": list(DOC_TYPES), "default": "auto",
                         "description": "文件类型，同 fcr check --doc-type"},
            "explain": {"type": "boolean", "default": False, "description": "同 fcr check --explain"},
        },
    }}},
}
CHECK_RESPONSES = {
    200: {"description": "与 `fcr check --format json` 相同的 JSON", "content": {"application/json": {}}},
    400: {"description": "缺少 file 字段或表单格式错误", "content": _DETAIL},
    401: {"description": "需要访问令牌", "content": _DETAIL},
    413: {"description": "上传内容超过大小上限", "content": _DETAIL},
    415: {"description": "不是 multipart/form-data", "content": _DETAIL},
    422: {"description": "所有文件都无法读取（原因见 documents[].error），或 doc_type 无效",
          "content": {"application/json": {}}},
}


def _state(request: Request):
    return request.app.state.fcr


@router.get("/health", summary="服务状态")
async def health(request: Request) -> dict:
    state = _state(request)
    service = state.service
    return {"status": "ok", "version": __version__, "rules_version": service.rules_version,
            "rules": len(service.book.rules), "model": service.model is not None,
            "max_upload": state.settings.max_upload}


@router.get("/rules", summary="规则列表（同 fcr rules list --format json）")
async def rules(request: Request) -> list[dict]:
    return [rule_record(r) for r in _state(request).service.book.rules]


@router.post("/check", summary="检查文件（同 fcr check --format json）", response_class=Response,
             openapi_extra={"requestBody": CHECK_REQUEST}, responses=CHECK_RESPONSES)
async def check(request: Request) -> Response:
    state = _state(request)
    upload = await receive_upload(request, state.workdir(), state.settings.max_upload)
    try:
        files = upload.named("file")
        if not files:
            raise UploadError(400, "缺少上传文件（表单字段 file）")
        doc_type = upload.fields.get("doc_type") or "auto"
        if doc_type not in DOC_TYPES:
            return JSONResponse({"detail": f"doc_type {doc_type} 无效，可选：{'、'.join(DOC_TYPES)}"}, status_code=422)
        explain = upload.fields.get("explain", "").lower() in ("1", "true", "on", "yes")
        checked = await state.service.check_uploads(files, doc_type)
    finally:
        upload.discard()            # the API never keeps an upload
    run = state.service.run(c.result for c in checked)
    return Response(json_text(run, explain), status_code=422 if all_unreadable(run) else 200,
                    media_type="application/json")
