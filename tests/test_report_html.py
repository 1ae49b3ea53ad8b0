"""``fcr check --format html``: golden page, self-containment, escaping, and a phone screenshot.

The input documents are written here (a policy draft .txt, a tender .docx made with python-docx,
an empty file that cannot be read, a clean notice) and checked by the real engine with rules
only, so the classifier cannot move the golden file. Regenerate it after an intended change:

    FCR_UPDATE_GOLDEN=1 python -m pytest -q tests/test_report_html.py

The screenshot test renders the golden page with headless Chromium at 390 px wide and leaves the
PNG (and a print PDF) in ``tests/artifacts/`` for a person to look at; it skips when Chromium is
not installed (``apt-get install chromium fonts-noto-cjk``).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "html" / "report.html"
ARTIFACTS = REPO / "tests" / "artifacts"
REPORT_DATE = "2025-03-18"
VERSION = "0.1.0"
# A fixed label: the rule pack's hash would rewrite the golden file on every unrelated rule edit;
# the findings themselves still come from the real rules.
RULES_VERSION = "golden"

POLICY_NAME = "新能源汽车零部件若干措施.txt"
TENDER_NAME = "病房智能化改造招标文件.docx"
EMPTY_NAME = "空白附件.txt"
CLEAN_NAME = "会议通知.txt"

POLICY_TEXT = """某区关于支持新能源汽车零部件产业发展的若干措施（征求意见稿）

第一条 为培育新能源汽车零部件产业链，推动产业集聚发展，结合本区实际，制定本措施。
第二条 申报企业须在本区注册登记满三年，且近两年在本区缴纳税收均不低于500万元。
第三条 对企业缴纳的企业所得税区级留成部分，前两年全额奖励，后三年减半奖励。
第四条 区属国有企业采购电池模组、电机控制器等零部件时，应优先选用本区企业生产的产品。
第五条 外地企业在本区承接新能源汽车充电设施建设项目的，须在本区设立具有独立法人资格的子公司。
第六条 从事危险化学品经营的企业，应当依法取得危险化学品经营许可证。
第七条 本措施自印发之日起施行，有效期三年，由区发展和改革局负责解释。
"""

TENDER_PARAGRAPHS = [
    ("title", "某区人民医院病房智能化改造项目招标文件"),
    ("heading", "第一章 投标人资格要求"),
    ("p", "1. 投标人应当具备《中华人民共和国政府采购法》第二十二条规定的条件。"),
    ("p", "2. 投标人须为在本市注册的企业，注册资本不低于3000万元。"),
    ("p", "3. 投标人须为国有独资或国有控股企业。"),
    ("heading", "第二章 技术要求"),
    ("p", "护理呼叫系统须采用“鹊桥”品牌产品，不接受其他品牌投标。"),
    ("p", "中标人应当在合同签订后60日内完成安装调试并通过验收。"),
]
TENDER_TABLE = [
    ("评分因素", "分值", "评分标准"),
    ("类似业绩", "10", "投标人近三年在本省完成过三级医院病房智能化项目的，每项得2分，最高10分。"),
    ("企业荣誉", "5", "投标人获得过本市“重合同守信用”企业称号的得5分。"),
    ("实施方案", "15", "实施方案完整可行、进度安排合理的得15分，基本可行的得8分。"),
]
CLEAN_TEXT = "关于召开新能源汽车产业座谈会的通知\n\n请各相关企业于下周三上午九时到区政府三楼会议室参加座谈。\n"


def _write_inputs(folder: Path) -> list[str]:
    from sample_report_run import write_tender_docx

    (folder / POLICY_NAME).write_text(POLICY_TEXT, encoding="utf-8")
    write_tender_docx(folder / TENDER_NAME, TENDER_PARAGRAPHS, TENDER_TABLE)
    (folder / EMPTY_NAME).write_bytes(b"")
    (folder / CLEAN_NAME).write_text(CLEAN_TEXT, encoding="utf-8")
    return [POLICY_NAME, TENDER_NAME, EMPTY_NAME, CLEAN_NAME]


@pytest.fixture
def analyzer(tmp_path, monkeypatch):
    from checker.engine import Analyzer, Options
    from checker.rulebook import default_rulebook

    monkeypatch.setenv("FCR_DATA_DIR", str(tmp_path / "fcr-data"))   # no imported negative list
    monkeypatch.setenv("FCR_REPORT_DATE", REPORT_DATE)
    return Analyzer(default_rulebook(), Options(detectors="rules"))


@pytest.fixture
def run(analyzer, tmp_path, monkeypatch):
    from checker.findings import RunResult

    folder = tmp_path / "docs"
    folder.mkdir()
    names = _write_inputs(folder)
    monkeypatch.chdir(folder)
    return RunResult(tuple(analyzer.check_path(n) for n in names), VERSION, RULES_VERSION)


def _render(run, **kw) -> str:
    from checker.reports import render

    out = render("html", run, **kw)
    assert isinstance(out, str)
    return out


class _Structure(HTMLParser):
    """Counts tags and collects every URL-ish attribute; fails on unbalanced nesting."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.counts: dict[str, int] = {}
        self.urls: list[str] = []
        self.classes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("src", "href", "action", "srcset", "poster", "data") and v is not None:
                self.urls.append(v)
            if k == "class" and v:
                self.classes += v.split()
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> (open: {self.stack[-3:]})"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Structure:
    p = _Structure()
    p.feed(page)
    p.close()
    assert p.stack == [], p.stack
    return p


# -- golden ----------------------------------------------------------------------------------------

def test_html_report_matches_golden(run):
    page = _render(run)
    if os.environ.get("FCR_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(page, encoding="utf-8")
    assert GOLDEN.is_file(), "golden file missing: run with FCR_UPDATE_GOLDEN=1"
    assert page == GOLDEN.read_text(encoding="utf-8"), (
        "HTML report changed; if intended, regenerate with FCR_UPDATE_GOLDEN=1 python -m pytest -q "
        "tests/test_report_html.py")


def test_golden_input_covers_what_the_page_must_show(run):
    """Guards the golden input itself: several documents, an unreadable one, a clean one, notes,
    table rows with headers, and citations with and without shipped text."""
    policy, tender, empty, clean = run.documents
    assert policy.status == tender.status == clean.status == "ok" and empty.status == "error"
    assert policy.doc_type == "policy" and tender.doc_type == "procurement"
    assert len(policy.findings) >= 3 and len(tender.findings) >= 3 and not clean.findings
    assert policy.notes, "the lawful licence clause should be noted"
    assert any(f.location.table is not None for f in tender.findings)
    assert len({f.category for f in run.findings}) >= 4


def test_page_structure_and_contents(run):
    from checker.citations import article_text
    from checker.rulebook import CATEGORIES

    page = _render(run)
    p = _parse(page)
    text = "".join(p.text)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert 'name="viewport"' in page and "@media print" in page and "@media (max-width:600px)" in page
    # header: tool and rules versions, the fixed date
    assert f"fcr {VERSION}" in text and f"规则版本：{RULES_VERSION}" in text and REPORT_DATE in text
    # one section per document, one article per finding, one marked clause per finding
    assert p.counts["section"] >= len(run.documents) + 1
    assert p.classes.count("doc") == len(run.documents)
    assert p.classes.count("finding") == len(run.findings)
    assert p.classes.count("clause") == len(run.findings)
    assert f"共检查 {len(run.documents)} 个文件，发现 {len(run.findings)} 处问题，1 个文件无法读取" in text
    for f in run.findings:
        assert f.rule_id in text and f.title in text and f.suggestion in text
        assert CATEGORIES[f.category] in text
        for c in f.legal_basis:
            body = article_text(c.law, c.article) if c.article else None
            if body is not None:     # the article's first line is quoted in the page
                assert body.split("\n")[0].strip() in text
    empty = run.documents[2]
    assert "无法读取" in text and empty.error in text
    assert "本文件未发现问题" in text
    assert "检查过但未列为问题的条款" in text and run.documents[0].notes[0].licence in text
    # the clause is marked inside its whole block, with the evidence emphasised inside the mark
    f = run.documents[0].findings[0]
    block = run.documents[0].document.blocks[f.location.paragraph].text
    m = re.search(r'<div class="block">(.*?)</div>', page, re.S)
    assert m and re.sub(r"<[^>]+>", "", m.group(1)) == block
    assert '<mark class="clause">' in m.group(1)


def test_self_contained_no_network(run):
    page = _render(run)
    p = _parse(page)
    assert all(u.startswith("#") for u in p.urls), p.urls          # only in-page anchors
    assert p.counts.get("link", 0) == 0 and p.counts.get("img", 0) == 0 and p.counts.get("iframe", 0) == 0
    assert p.counts.get("script", 0) == 0
    lowered = page.lower()
    for bad in ("http://", "https://", "@import", "url(", "@font-face", "fetch(", "xmlhttprequest", "//cdn"):
        assert bad not in lowered, bad


def test_everything_from_documents_is_escaped(analyzer, tmp_path, monkeypatch):
    from checker.document import Block, Document, Location
    from checker.findings import RunResult

    nasty = "第二条 申报企业须在本县注册<script>alert(1)</script>并在本县纳税 & 承诺“<b>十年</b>”不迁出。"
    doc = Document(path='<img src=x onerror="alert(2)">.txt',
                   blocks=(Block(nasty, location=Location(paragraph=0, line=1, article="第二条")),))
    res = analyzer.check(doc, doc_type="policy")
    assert res.findings
    bad_rule = replace(res.findings[0], title="<i>标题</i>", message="a<b", suggestion='"建议"&')
    res = replace(res, findings=(bad_rule,) + res.findings[1:])
    page = _render(RunResult((res,), VERSION, RULES_VERSION))
    assert "<script>alert" not in page and "<b>十年" not in page and "<img" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp; 承诺" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;.txt" in page
    assert "a&lt;b" in page and "&quot;建议&quot;&amp;" in page
    _parse(page)


def test_citation_without_shipped_text_and_item_marking(run):
    from checker.findings import Citation, RunResult

    policy = run.documents[0]
    f = replace(policy.findings[0], legal_basis=(
        Citation("某省优化营商环境办法", "第十二条", verified=False),
        Citation("政府采购法实施条例", "第二十条", "（四）"),
    ))
    page = _render(RunResult((replace(policy, findings=(f,)),), VERSION, RULES_VERSION))
    assert "《某省优化营商环境办法》第十二条" in page and "（未附条文）" in page
    # the cited item is quoted on its own and marked inside the full article text
    assert '<p class="hit">(四)以特定行政区域或者特定行业的业绩、奖项作为加分条件或者中标、成交条件；</p>' in page
    assert "条文全文" in page
    # a cited paragraph (第二款) is marked inside the article
    g = replace(f, legal_basis=(Citation("优化营商环境条例", "第十二条", paragraph="第二款"),))
    page = _render(RunResult((replace(policy, findings=(g,)),), VERSION, RULES_VERSION))
    assert re.search(r'<p class="hit">各类市场主体依法平等适用国家支持发展的政策。', page)


def test_explain_adds_the_reasoning_and_date_comes_from_env(run, monkeypatch):
    page = _render(run, explain=True)
    assert "判定过程" in page and "命中：" in page
    assert "判定过程" not in _render(run)
    monkeypatch.setenv("FCR_REPORT_DATE", "2030-01-02")
    assert "生成日期：2030-01-02" in _render(run)


def test_location_labels_are_chinese(run):
    from checker.reports.html_report import location_text

    tender = run.documents[1]
    labels = {location_text(f.location) for f in tender.findings}
    assert any(re.search(r"表\d+第\d+行", lab) for lab in labels), labels
    policy = run.documents[0]
    assert all(location_text(f.location).startswith("第") for f in policy.findings)


def test_cli_writes_html(run_fcr, tmp_path):
    src = tmp_path / "draft.txt"
    src.write_text("关于支持企业发展的若干措施\n\n申报企业须在本区注册并在本区纳税，方可享受本办法规定的奖励。\n",
                   encoding="utf-8")
    out = tmp_path / "report.html"
    p = run_fcr("check", "--detectors", "rules", "--format", "html", "-o", str(out), str(src))
    assert p.returncode == 1, p.stderr.decode()
    page = out.read_text(encoding="utf-8")
    assert "公平竞争审查检查报告" in page and '<mark class="clause">' in page


# -- screenshot ------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, timeout=180)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
def test_screenshot_of_golden_report_at_phone_width(tmp_path):
    assert GOLDEN.is_file()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS / "html_report_390.png"
    png.unlink(missing_ok=True)
    p = _chromium(tmp_path, f"--screenshot={png}", "--window-size=390,2000", GOLDEN.as_uri())
    assert png.is_file(), p.stderr.decode(errors="replace")[-2000:]
    assert png.stat().st_size > 20_000, f"screenshot is tiny ({png.stat().st_size} bytes)"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        with Image.open(png) as im:
            assert im.size[0] == 390
            colours = im.convert("RGB").resize((39, 200)).getcolors(maxcolors=100_000)
            assert colours and len(colours) > 20, "the screenshot looks blank"

    # print rendering, for a person to check page breaks and colours
    pdf = ARTIFACTS / "html_report_print.pdf"
    pdf.unlink(missing_ok=True)
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", GOLDEN.as_uri())
    assert pdf.is_file() and pdf.stat().st_size > 10_000


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
def test_no_horizontal_scroll_at_390_px(tmp_path):
    probe = ("<script>addEventListener('load',function(){var d=document.documentElement;"
             "document.body.setAttribute('data-probe',d.scrollWidth+'x'+d.clientWidth)});</script>")
    page = GOLDEN.read_text(encoding="utf-8").replace("</body>", probe + "</body>")
    copy = tmp_path / "probe.html"
    copy.write_text(page, encoding="utf-8")
    p = _chromium(tmp_path, "--window-size=390,2000", "--virtual-time-budget=2000", "--dump-dom", copy.as_uri())
    m = re.search(r'data-probe="(\d+)x(\d+)"', p.stdout.decode("utf-8", errors="replace"))
    assert m, p.stderr.decode(errors="replace")[-2000:]
    scroll, client = int(m.group(1)), int(m.group(2))
    assert scroll <= client, f"page is {scroll}px wide in a {client}px viewport"
