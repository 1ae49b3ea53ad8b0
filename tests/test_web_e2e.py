"""fcr serve end to end: Playwright drives Debian's chromium (headless) against a real uvicorn
server started with ``python -m checker serve`` on a free loopback port.

The reviewer's path: drop a tender .docx on the upload page, save it to the ledger, see the
local-service clause highlighted in place, open its card, dismiss it with a reason, download the
annotated Word copy and check it (a valid .docx whose only comment sits on the finding that was
not dismissed). A screenshot is kept in tests/artifacts/ (gitignored). The browser must never
request anything from another host.

Skipped only when chromium is absent.
"""
from __future__ import annotations

import base64
import re
import zipfile
from pathlib import Path

import live_server
import pytest
from conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed at /usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "tests" / "artifacts"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _start(work: Path, token: str | None = None):
    server = live_server.start(work, "台账.sqlite", token)
    return server.proc, server.base


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def _watch(page, base: str):
    """Record requests to other hosts and script errors on ``page``."""
    foreign, errors = [], []
    page.on("request", lambda r: r.url.startswith(base) or r.url.startswith("data:") or foreign.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    return foreign, errors


def test_web_e2e_review_tender_dismiss_and_download(browser, tmp_path):
    from playwright.sync_api import expect
    from test_web_api import LOCAL_SERVICE, TENDER_NAME, write_tender

    from checker.ledger import Ledger

    tender = write_tender(tmp_path / TENDER_NAME)
    proc, base = _start(tmp_path)
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN")
        page = context.new_page()
        foreign, errors = _watch(page, base)
        page.goto(base + "/")

        # Drop the file on the drop zone, as from a file manager.
        data = page.evaluate_handle(
            """([name, b64, type]) => {
                const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                const dt = new DataTransfer();
                dt.items.add(new File([bytes], name, {type}));
                return dt;
            }""", [TENDER_NAME, base64.b64encode(tender.read_bytes()).decode(), DOCX_TYPE])
        page.dispatch_event("#drop", "drop", {"dataTransfer": data})
        expect(page.locator("#chosen li")).to_contain_text(TENDER_NAME)
        page.check("#save")
        page.fill("#folder", "2025/卫健采购")
        page.click("#submit")
        page.wait_for_url(re.compile(r"/ledger/docs/\d+"))

        # The local-service clause is highlighted in place; clicking it opens its card.
        mark = page.locator("a.hl mark", has_text=LOCAL_SERVICE)
        expect(mark).to_be_visible()
        expect(mark).to_have_class(re.compile(r"\bsev-high\b"))
        mark.click()
        card = page.locator(".card.active")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("GP-REGION-BRANCH-01")
        expect(card).to_contain_text("法律依据")
        expect(card).to_contain_text("修改建议")
        expect(card.locator("blockquote.clause")).to_contain_text(LOCAL_SERVICE)
        expect(mark).to_have_class(re.compile(r"\bcurrent\b"))

        # Dismiss it with a reason: saved without reloading the page.
        card.locator("input[name=status][value=dismissed]").check()
        card.locator("textarea[name=note]").fill("驻场运维属履约要求，经与采购人核实不限定供应商所在地")
        card.locator("input[name=by]").fill("李审查")
        card.get_by_role("button", name="保存决定").click()
        expect(card.locator(".msg")).to_contain_text("已保存")
        expect(card.locator("[data-role=status]")).to_have_text("不予整改")
        expect(mark).to_have_class(re.compile(r"\bdismissed\b"))

        # Filters act at once: hiding "high" leaves no card and no live mark.
        page.locator("#filters input[name=severity][value=high]").uncheck()
        expect(page.locator(".card:not([hidden])")).to_have_count(0)
        page.locator("#filters input[name=severity][value=high]").check()
        expect(page.locator(".card:not([hidden])")).to_have_count(2)

        # The decision is in the ledger: it survives a reload.
        page.reload()
        mark = page.locator("a.hl mark", has_text=LOCAL_SERVICE)
        expect(mark).to_have_class(re.compile(r"\bdismissed\b"))
        mark.click()
        expect(page.locator(".card.active [data-role=status]")).to_have_text("不予整改")

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_review.png"), full_page=True)

        with page.expect_download() as info:
            page.click("a[data-kind=docx]")
        download = info.value
        assert "批注" in download.suggested_filename and download.suggested_filename.endswith(".docx")
        annotated = tmp_path / "annotated.docx"
        download.save_as(annotated)
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not errors, f"script errors: {errors}"
        context.close()
    finally:
        assert live_server.stop(proc) == 0

    # A valid Word file with one comment: on the scoring row, not on the dismissed clause.
    import docx

    docx.Document(str(annotated))
    with zipfile.ZipFile(annotated) as z:
        assert z.testzip() is None
        from lxml import etree

        comments = etree.fromstring(z.read("word/comments.xml")).findall(f"{W}comment")
        body = etree.fromstring(z.read("word/document.xml"))
    assert len(comments) == 1
    anchored = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")
                if p.find(f".//{W}commentRangeStart") is not None]
    assert len(anchored) == 1 and "售后服务网点" in anchored[0] and LOCAL_SERVICE not in anchored[0]

    with Ledger(tmp_path / "台账.sqlite", create=False) as ledger:
        row = next(r for r in ledger.findings() if LOCAL_SERVICE in r["clause"])
        assert row["status"] == "dismissed" and "不限定供应商所在地" in row["note"]
        assert row["path"] == f"2025/卫健采购/{TENDER_NAME}"
        assert ledger.history(row["id"])[-1]["by"] == "李审查"


def test_web_e2e_token_from_environment(browser, tmp_path):
    """FCR_TOKEN set: the browser sees the login form, gets in with ?token=, and stays in."""
    from playwright.sync_api import expect

    proc, base = _start(tmp_path, token="e2e-token-7f3a")
    try:
        page = browser.new_page()
        foreign, errors = _watch(page, base)
        response = page.goto(base + "/ledger")
        assert response.status == 401
        expect(page.locator("input[name=token]")).to_be_visible()
        page.fill("input[name=token]", "wrong")
        page.click("button[type=submit]")
        expect(page.locator(".error")).to_contain_text("不正确")
        page.goto(base + "/?token=e2e-token-7f3a")
        assert page.url == base + "/"                       # the token left the address bar
        expect(page.locator("#drop")).to_be_visible()
        page.goto(base + "/ledger")
        expect(page.locator("h1")).to_have_text("审计台账")
        assert not foreign
        # The 401 answers themselves are logged by chromium as failed loads; nothing else may fail.
        assert [e for e in errors if "status of 401" not in e] == []
    finally:
        assert live_server.stop(proc) == 0
