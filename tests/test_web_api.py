"""fcr serve: the JSON API, the pages' forms (without a browser), the ledger, the safety rules.

One application (rules and classifier loaded once) serves most tests through FastAPI's
TestClient; small extra applications (rules only) test the token and the upload limit. The
documents are written here: a county hospital's IT-maintenance tender (.docx, with a local
service-office requirement in a clause and in the scoring table) and a short policy draft (.txt).
"""
from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from conftest import REPO
from fastapi.testclient import TestClient
from sample_report_run import write_tender_docx

BASE = "http://127.0.0.1:8765"
TENDER_NAME = "县医院信息系统运维服务磋商文件.docx"
LOCAL_SERVICE = "须在本县设有本地服务机构"
TENDER_PARAGRAPHS = [
    ("title", "县人民医院信息系统运维服务采购项目竞争性磋商文件"),
    ("heading", "第一章 供应商资格条件"),
    ("p", "1. 供应商具有独立承担民事责任的能力，提供有效的营业执照副本。"),
    ("p", "2. 供应商须在本县设有本地服务机构，且驻点运维人员不少于三名。"),
    ("p", "3. 供应商参加本次采购活动前三年内，在经营活动中没有重大违法记录。"),
    ("heading", "第二章 服务要求"),
    ("p", "运维服务期为一年；系统故障接报后两小时内响应，八小时内到场处理。"),
    ("p", "磋商保证金为人民币两万元，采购人在合同签订后五个工作日内无息退还。"),
]
TENDER_TABLE = [
    ("评分项", "分值", "评分细则"),
    ("服务网点", "8", "供应商在本县已设有售后服务网点的得8分，未设立的不得分。"),
    ("报价", "30", "满足磋商文件要求且最后报价最低的为评标基准价，其价格分为满分。"),
]
POLICY_NAME = "促进文旅消费若干措施.txt"
POLICY_TEXT = """关于促进本市文旅消费提质扩容的若干措施（送审稿）

一、对在本市注册登记并纳税的旅行社，年接待游客超过十万人次的，由市财政按接待人次给予每人五元奖励。
二、市内景区门票优惠活动优先委托本市注册的票务平台承办。
三、外地文旅企业在本市承办大型演出活动的，应当在本市设立分公司。
四、鼓励各类市场主体依法平等参与文旅项目建设，不得设置不合理的准入条件。
"""


def write_tender(path: Path) -> Path:
    write_tender_docx(path, TENDER_PARAGRAPHS, TENDER_TABLE)
    return path


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("web-docs")
    write_tender(folder / TENDER_NAME)
    (folder / POLICY_NAME).write_text(POLICY_TEXT, encoding="utf-8")
    (folder / "损坏的附件.docx").write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    (folder / "空白.txt").write_bytes(b"")
    (folder / "notes.xyz").write_text("随便写的笔记", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(client, app, ledger path): one app with the shipped rules and classifier."""
    from checker.web import create_app

    db = tmp_path_factory.mktemp("web-ledger") / "台账.sqlite"
    app = create_app(db=db)
    with TestClient(app, base_url=BASE) as client:
        yield client, app, db


def _post(client, path: str, *files: Path, **fields):
    return client.post(path, files=[("file", (f.name, f.read_bytes())) for f in files], data=fields,
                       follow_redirects=False)


def _cli_json(run_fcr, folder: Path, *args: str) -> str:
    p = run_fcr("check", "--format", "json", *args, cwd=folder)
    assert p.returncode in (0, 1, 2), p.stderr.decode()
    return p.stdout.decode("utf-8")


# -- POST /api/check answers the JSON of fcr check --format json -------------------------------------

@pytest.mark.parametrize("names,extra", [
    ((TENDER_NAME,), ()),
    ((POLICY_NAME,), ()),
    ((TENDER_NAME, POLICY_NAME), ()),
    ((POLICY_NAME,), ("--doc-type", "procurement")),
])
def test_web_api_check_same_json_as_cli(served, docs, run_fcr, names, extra):
    client, _, _ = served
    fields = {"doc_type": extra[1]} if extra else {}
    r = _post(client, "/api/check", *(docs / n for n in names), **fields)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    expected = _cli_json(run_fcr, docs, *extra, *names)
    assert r.text == expected                      # byte for byte: nothing in it is volatile
    body = json.loads(r.text)
    assert [d["path"] for d in body["documents"]] == list(names)


def test_web_api_check_finds_local_service_clause(served, docs):
    client, _, _ = served
    body = _post(client, "/api/check", docs / TENDER_NAME, explain="true").json()
    found = [f for f in body["documents"][0]["findings"] if LOCAL_SERVICE in f["clause"]]
    assert found and found[0]["rule_id"] == "GP-REGION-BRANCH-01"
    assert "explanation" in found[0]               # explain=true is --explain


@pytest.mark.parametrize("name,reason", [
    ("损坏的附件.docx", "损坏"),
    ("空白.txt", "文件为空"),
    ("notes.xyz", "不支持的文件类型"),
])
def test_web_api_unreadable_file_is_422_with_the_engine_reason(served, docs, run_fcr, name, reason):
    client, _, _ = served
    r = _post(client, "/api/check", docs / name)
    assert r.status_code == 422
    assert r.text == _cli_json(run_fcr, docs, name)   # same JSON as the CLI, status error
    doc = r.json()["documents"][0]
    assert doc["status"] == "error" and reason in doc["error"]


def test_web_api_one_readable_file_of_two_is_200(served, docs):
    client, _, _ = served
    r = _post(client, "/api/check", docs / "损坏的附件.docx", docs / POLICY_NAME)
    assert r.status_code == 200
    assert [d["status"] for d in r.json()["documents"]] == ["error", "ok"]


def test_web_api_check_bad_requests(served, docs):
    client, _, _ = served
    r = client.post("/api/check", data={"doc_type": "auto"}, files={"other": ("a.txt", b"x")})
    assert r.status_code == 400 and "file" in r.json()["detail"]
    r = client.post("/api/check", content=b'{"file": 1}', headers={"content-type": "application/json"})
    assert r.status_code == 415 and "multipart" in r.json()["detail"]
    r = _post(client, "/api/check", docs / POLICY_NAME, doc_type="contract")
    assert r.status_code == 422 and "doc_type" in r.json()["detail"]
    r = client.post("/api/check", content=b"--xyz\r\nnot a part", headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert r.status_code == 400


def test_web_api_rules_same_as_cli(served, run_fcr):
    client, _, _ = served
    cli = json.loads(run_fcr("rules", "list", "--format", "json").stdout)
    api = client.get("/api/rules").json()

    def packaged(rules):
        # The CLI is the installed package (…/site-packages/checker/rules/…) while this process may
        # import the checkout (…/rules/…): the same rule file, found from two places.
        return [dict(r, source=r["source"].replace("\\", "/").split("rules/", 1)[-1]) for r in rules]

    assert packaged(api) == packaged(cli) and len(api) > 100


def test_web_api_health_and_openapi(served):
    client, _, _ = served
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["rules"] > 100 and health["model"] is True
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/check"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["properties"]) >= {"file", "doc_type"}
    assert {"/api/health", "/api/rules"} <= set(spec["paths"])
    # Swagger UI and ReDoc load their assets from a CDN: they are off.
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


# -- safety: private temporary folder, size limit, token, host and origin --------------------------

def test_web_uploads_stay_in_the_private_folder_and_are_deleted(served, docs, monkeypatch, tmp_path):
    client, app, _ = served
    work = app.state.fcr.workdir()
    assert stat.S_IMODE(work.stat().st_mode) == 0o700
    # Anything written to the system temporary directory during an upload would land here.
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    assert _post(client, "/api/check", docs / TENDER_NAME).status_code == 200
    assert _post(client, "/check", docs / TENDER_NAME, doc_type="auto").status_code == 303
    assert list(system_tmp.iterdir()) == []
    assert list(work.iterdir()) == []             # each upload's folder removed after checking


def test_web_private_folder_removed_at_shutdown(docs):
    from checker.web import create_app

    app = create_app(db=docs / "unused.sqlite", detectors="rules")
    with TestClient(app, base_url=BASE) as client:
        work = app.state.fcr.workdir()
        assert work.is_dir() and client.get("/api/health").status_code == 200
    assert not work.exists()


def test_web_upload_limit_is_413_before_checking(docs):
    from checker.web import create_app

    app = create_app(db=docs / "unused.sqlite", max_upload=64 * 1024, detectors="rules", preload=False)
    with TestClient(app, base_url=BASE) as client:
        r = client.post("/api/check", files={"file": ("大文件.txt", "条款".encode() * 40_000)})
        assert r.status_code == 413
        assert "64 KB" in r.json()["detail"] and "上限" in r.json()["detail"]
        page = client.post("/check", files={"file": ("大文件.txt", "条款".encode() * 40_000)},
                           headers={"accept": "text/html"})
        assert page.status_code == 413 and "64 KB" in page.text and "<html" in page.text
        assert list(app.state.fcr.workdir().iterdir()) == []
        assert app.state.fcr._service is None    # refused before any rule was loaded


class _Request:
    """Just enough of a Starlette request for ``receive_upload``: headers and a body stream."""

    def __init__(self, chunks, headers):
        self.headers = headers
        self.sent = 0
        self._chunks = chunks

    async def stream(self):
        for c in self._chunks:
            self.sent += 1
            yield c


def test_web_upload_limit_enforced_while_streaming(tmp_path):
    """Without a Content-Length (chunked upload), reading stops at the limit, not at the end."""
    import anyio

    from checker.web.uploads import UploadError, receive_upload

    head = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n")
    chunks = [head] + [b"x" * 65536] * 1000              # 64 MB offered
    request = _Request(chunks, {"content-type": "multipart/form-data; boundary=b"})
    with pytest.raises(UploadError) as e:
        anyio.run(receive_upload, request, tmp_path, 1024 * 1024)
    assert e.value.status == 413
    assert request.sent < 20                              # about 1 MB read, then refused
    assert list(tmp_path.iterdir()) == []                 # the partial file is gone


def test_web_upload_file_names_are_labels_not_paths(tmp_path):
    import anyio

    from checker.web.uploads import receive_upload

    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd.txt"\r\n\r\n'
            b"hello\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; "
            b"filename*=UTF-8''%E6%8B%9B%E6%A0%87.docx\r\n\r\nPK\r\n--b--\r\n")
    up = anyio.run(receive_upload, _Request([body], {"content-type": "multipart/form-data; boundary=b"}),
                   tmp_path, 1024)
    assert [f.filename for f in up.files] == ["../../etc/passwd.txt", "招标.docx"]
    assert [f.path.name for f in up.files] == ["001.txt", "002.docx"]
    assert all(f.path.parent == up.folder and f.path.parent.parent == tmp_path for f in up.files)
    assert stat.S_IMODE(up.folder.stat().st_mode) == 0o700
    up.discard()


def test_web_token_required_everywhere(docs, monkeypatch):
    from checker.web import create_app
    from checker.web.server import resolve_token

    app = create_app(db=docs / "unused.sqlite", token="s3cret-token-42", detectors="rules")
    with TestClient(app, base_url=BASE) as client:
        for path in ("/api/health", "/api/rules", "/", "/ledger", "/openapi.json"):
            assert client.get(path).status_code == 401, path
        r = client.post("/api/check", files={"file": ("a.txt", "测试".encode())})
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/api/health", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/api/health", headers={"authorization": "Bearer s3cret-token-42"}).status_code == 200
        # A browser gets the login form (status 401) and the stylesheet it needs.
        page = client.get("/ledger", headers={"accept": "text/html"})
        assert page.status_code == 401 and 'name="token"' in page.text and 'value="/ledger"' in page.text
        assert client.get("/static/app.css").status_code == 200
        # /?token=T sets the session cookie and drops the token from the address.
        r = client.get("/?token=s3cret-token-42", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "s3cret" not in cookie
        assert client.get("/ledger").status_code == 200        # the client kept the cookie
        client.cookies.clear()
        assert client.get("/?token=nope", follow_redirects=False).status_code == 401
        r = client.post("/login", data={"token": "nope", "next": "/ledger"})
        assert r.status_code == 401 and "不正确" in r.text
        r = client.post("/login", data={"token": "s3cret-token-42", "next": "//evil.example/"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert client.get("/api/rules").status_code == 200
        assert "退出登录" in client.get("/").text
        r = client.post("/logout", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert client.get("/api/rules").status_code == 401
    monkeypatch.setenv("FCR_TOKEN", "from-env")
    assert resolve_token(None) == "from-env" and resolve_token("given") == "given"
    monkeypatch.setenv("FCR_TOKEN", "")
    assert resolve_token(None) is None


def test_web_refuses_foreign_hosts_and_cross_site_posts(served, docs):
    client, _, _ = served
    assert client.get("/api/health", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/api/health", headers={"host": "localhost:8765"}).status_code == 200
    r = client.post("/api/check", files={"file": (POLICY_NAME, POLICY_TEXT.encode())},
                    headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/check", files={"file": (POLICY_NAME, POLICY_TEXT.encode())},
                    headers={"origin": "null"})
    assert r.status_code == 403
    r = client.post("/api/check", files={"file": (POLICY_NAME, POLICY_TEXT.encode())}, headers={"origin": BASE})
    assert r.status_code == 200


def test_web_pages_load_nothing_from_elsewhere(served):
    client, _, _ = served
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert r.headers["cache-control"] == "no-store"
    assert "http://" not in r.text.replace(BASE, "") and "https://" not in r.text
    for asset in ("app.css", "upload.js", "review.js", "favicon.svg"):
        text = client.get(f"/static/{asset}").text
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text


# -- pages: upload, in-place view, filters -----------------------------------------------------------

def _upload_page(client, *files: Path, **fields) -> str:
    r = _post(client, "/check", *files, **fields)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_web_page_shows_findings_in_place(served, docs):
    client, _, _ = served
    where = _upload_page(client, docs / TENDER_NAME, doc_type="auto")
    assert where.startswith("/results/") and where.endswith("/1")
    html = client.get(where).text
    # The clause is marked in the document text, linked to its card; the evidence is emphasised.
    assert 'class="hl" href="#card-f1" data-f="f1"' in html
    assert '<mark class="sev-high ev">须在本县设有本地服务机构</mark>' in html
    assert 'id="card-f1"' in html and "GP-REGION-BRANCH-01" in html
    for label in ("法律依据", "修改建议", "置信度", "为何判定", "政府采购法实施条例"):
        assert label in html
    assert "保存到台账后" in html                   # decisions need the ledger


def test_web_page_filters_without_script(served, docs):
    client, _, _ = served
    where = _upload_page(client, docs / TENDER_NAME, doc_type="auto")
    html = client.get(where + "?severity=low").text     # no low findings: every card hidden
    cards = re.findall(r'<section class="card[^>]*>', html)
    assert len(cards) == 2 and all(c.endswith(" hidden>") for c in cards)
    marks = re.findall(r'<mark class="([^"]*)"', html)
    assert marks and all("off" in m.split() for m in marks)
    html = client.get(where + "?severity=high&category=region").text
    assert not any(c.endswith(" hidden>") for c in re.findall(r'<section class="card[^>]*>', html))


def test_web_page_escapes_document_text(served):
    client, _, _ = served
    text = "关于<script>alert(1)</script>的若干措施\n\n第一条 对本地企业采购本地产品给予补贴。\n"
    r = client.post("/check", data={"text": text, "doc_type": "policy"})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_web_page_pasted_text_is_named_after_its_title(served):
    client, _, _ = served
    r = client.post("/check", data={"text": POLICY_TEXT, "doc_type": "auto"})
    assert r.status_code == 200
    assert "关于促进本市文旅消费提质扩容的若干措施（送审稿）.txt" in r.text


def test_web_page_unreadable_upload_is_422_with_reason(served, docs):
    client, _, _ = served
    r = _post(client, "/check", docs / "损坏的附件.docx")
    assert r.status_code == 422 and "无法读取" in r.text and "损坏的附件.docx" in r.text
    r = client.post("/check", data={"text": "   "})
    assert r.status_code == 400 and "请选择要检查的文件" in r.text


def test_web_page_unknown_result_is_404(served):
    client, _, _ = served
    r = client.get("/results/not-a-batch/1", headers={"accept": "text/html"})
    assert r.status_code == 404 and "重新上传" in r.text


def test_web_unsaved_downloads(served, docs):
    client, app, _ = served
    where = _upload_page(client, docs / TENDER_NAME, docs / POLICY_NAME, doc_type="auto")
    batch = where.rsplit("/", 1)[-1]
    assert "检查结果（2 个文件）" in client.get(where).text
    r = client.get(f"/results/{batch}/download/docx?n=1")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    assert len(_comments(r.content)) == 2
    commented = _commented(r.content)
    assert any(LOCAL_SERVICE in t for t in commented) and any("售后服务网点" in t for t in commented)
    assert list(app.state.fcr.workdir().iterdir()) == []    # the copy made for the annotator is gone
    html = client.get(f"/results/{batch}/download/html").text
    assert html.startswith("<!DOCTYPE html>") and TENDER_NAME in html and POLICY_NAME in html
    xlsx = client.get(f"/results/{batch}/download/xlsx").content
    assert zipfile.ZipFile(io.BytesIO(xlsx)).testzip() is None
    review = client.get(f"/results/{batch}/download/review").content
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(review)).namelist()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _comments(docx: bytes) -> list[str]:
    """The comments' texts (word/comments.xml)."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/comments.xml"))
    return ["".join(t.text or "" for t in c.iter(_W + "t")) for c in root.iter(_W + "comment")]


def _commented(docx: bytes) -> list[str]:
    """The text of each paragraph a comment is anchored in (word/document.xml)."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(_W + "t")) for p in root.iter(_W + "p")
            if p.find(f".//{_W}commentRangeStart") is not None]


# -- saving to the ledger, decisions, saved downloads, overview --------------------------------------

def test_web_save_decide_download(served, docs, run_fcr):
    from checker.ledger import Ledger

    client, _, db = served
    where = _upload_page(client, docs / TENDER_NAME, doc_type="auto", save="1", folder="2025/采购文件")
    assert where.startswith("/ledger/docs/")
    doc_id = int(where.rsplit("/", 1)[-1])
    stored = db.parent / "fcr-uploads" / "2025" / "采购文件" / TENDER_NAME
    assert stored.read_bytes() == (docs / TENDER_NAME).read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    html = client.get(where).text
    assert '<mark class="sev-high ev">须在本县设有本地服务机构</mark>' in html
    assert 'action="/ledger/findings/' in html and "命中" in html     # decisions; the "why" from a re-check

    with Ledger(db, create=False) as ledger:
        rows = ledger.findings(document_ids=[doc_id])
        assert {r["path"] for r in rows} == {f"2025/采购文件/{TENDER_NAME}"}
        local = next(r for r in rows if LOCAL_SERVICE in r["clause"])
        other = [r for r in rows if r["id"] != local["id"]]
    # A dismissal needs a reason: the ledger refuses it without one.
    r = client.post(f"/ledger/findings/{local['id']}", data={"status": "dismissed", "by": "王审查"},
                    headers={"accept": "application/json"})
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    r = client.post(f"/ledger/findings/{local['id']}", data={"status": "dismissed", "note": "驻点运维为医院保障需要"})
    assert r.status_code == 422                                    # and who decided
    r = client.post(f"/ledger/findings/{local['id']}", data={
        "status": "dismissed", "note": "经核实为驻场服务要求，不限定所在地", "by": "王审查",
        "next": f"/ledger/docs/{doc_id}#card-f1"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/ledger/docs/{doc_id}#card-f1"
    r = client.post(f"/ledger/findings/{other[0]['id']}", data={
        "status": "rectifying", "by": "王审查", "owner": "县卫健局", "deadline": "2025-06-30"},
        headers={"accept": "application/json"})
    assert r.json() == {"id": other[0]["id"], "status": "rectifying", "status_zh": "整改中", "note": None,
                        "owner": "县卫健局", "deadline": "2025-06-30", "by": "王审查"}

    # The same ledger fcr ledger reads.
    listed = json.loads(run_fcr("ledger", "list", "--db", str(db), "--format", "json").stdout)
    mine = {f["id"]: f for f in listed["findings"]}
    assert mine[local["id"]]["status"] == "dismissed" and "驻场服务" in mine[local["id"]]["note"]
    with Ledger(db, create=False) as ledger:
        last = ledger.history(local["id"])[-1]
        assert (last["to_status"], last["by"]) == ("dismissed", "王审查")

    page = client.get(where).text
    assert "不予整改" in page and 'class="sev-high ev dismissed"' in page
    assert 'value="王审查"' in page                         # the reviewer's name is remembered

    # Downloads follow the decisions: the dismissed finding is left out of what goes back.
    annotated = client.get(f"{where}/download/docx").content
    assert len(_comments(annotated)) == 1 and "GP-REGION-BRANCH-01" in _comments(annotated)[0]
    assert [LOCAL_SERVICE in t for t in _commented(annotated)] == [False]     # the scoring row's, not the dismissed one
    report = client.get(f"{where}/download/html").text
    assert "须在本县设有本地服务机构" not in report and "售后服务网点" in report
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get(f"{where}/download/xlsx").content))
    values = [c.value for row in wb["台账"].iter_rows() for c in row]
    assert "不予整改" in values and "整改中" in values and "县卫健局" in values
    review = client.get(f"{where}/download/review").content
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(review)).namelist()

    # Saving the same file again is a re-check: the decisions stay.
    again = _upload_page(client, docs / TENDER_NAME, doc_type="auto", save="1", folder="2025/采购文件")
    assert again == where
    with Ledger(db, create=False) as ledger:
        assert ledger.findings(ids=[local["id"]])[0]["status"] == "dismissed"

    overview = client.get("/ledger").text
    assert "2025/采购文件" in overview and "不予整改" in overview
    assert client.get("/ledger?folder=2025/采购文件").status_code == 200
    xlsx = client.get("/ledger/export.xlsx?folder=2025/采购文件")
    assert xlsx.status_code == 200 and zipfile.ZipFile(io.BytesIO(xlsx.content)).testzip() is None


def test_web_save_after_viewing(served, docs):
    client, _, db = served
    where = _upload_page(client, docs / POLICY_NAME, doc_type="auto")
    batch = where.split("/")[2]
    r = client.post(f"/results/{batch}/save", data={"n": "1", "folder": "../../政策"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ledger/docs/")
    assert (db.parent / "fcr-uploads" / "政策" / POLICY_NAME).is_file()     # '..' cannot climb out
    assert client.get(where, follow_redirects=False).headers["location"] == r.headers["location"]


def test_web_saved_document_whose_file_is_gone(served, docs, tmp_path):
    client, _, db = served
    copy = tmp_path / "临时措施.txt"
    copy.write_text(POLICY_TEXT, encoding="utf-8")
    where = _upload_page(client, copy, save="1", folder="待删除")
    (db.parent / "fcr-uploads" / "待删除" / copy.name).unlink()
    html = client.get(where).text
    assert "原文件已不在" in html and "应当在本市设立分公司" in html      # findings still listed
    assert client.get(f"{where}/download/docx").status_code == 409


def test_web_ledger_page_without_ledger(docs):
    from checker.web import create_app

    app = create_app(db=docs / "absent" / "none.sqlite", detectors="rules", preload=False)
    with TestClient(app, base_url=BASE) as client:
        html = client.get("/ledger").text
        assert "台账中还没有文件" in html


def test_web_safe_names():
    from checker.web.saving import safe_folder, safe_name

    assert safe_folder("../../etc") == "etc"
    assert safe_folder("/abs/path") == "abs/path"
    assert safe_folder("") == "网页上传" and safe_folder("..") == "网页上传"
    assert safe_name("..\\..\\a.docx") == "a.docx"
    assert safe_name("C:\\Users\\张\\招标文件.DOCX") == "招标文件.docx"
    assert safe_name("a\x00b:c?.txt") == "a_b_c_.txt"


# -- fcr serve itself --------------------------------------------------------------------------------

def test_web_fcr_check_does_not_import_fastapi():
    code = "import sys, checker.cli as c; c.build_parser(); print('fastapi' in sys.modules, 'uvicorn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, check=False)
    assert out.stdout.strip() == "False False", out.stderr


def test_web_serve_refuses_public_address_without_token(run_fcr):
    env_token = os.environ.pop("FCR_TOKEN", None)
    try:
        p = run_fcr("serve", "--host", "0.0.0.0", "--port", "1")
    finally:
        if env_token is not None:
            os.environ["FCR_TOKEN"] = env_token
    assert p.returncode == 2 and "访问令牌" in p.stderr.decode()


def test_web_load_script_runs_clean(tmp_path):
    """benchmarks/serve_load.py against a real uvicorn server, small: every answer right."""
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "serve_load.py"), "--requests", "40",
                          "--clients", "8", "--json"], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["requests"] == 40 and result["errors"] == 0 and result["p95_ms"] > 0
