"""``--annotate OUT.docx``: the reviewer's Word file with a margin comment on each finding.

The inputs are written here (a tender excerpt as .docx made with python-docx: title, headings, an
auto-numbered list, a scoring table; and a policy draft as .txt) and checked by the real engine
with rules only, so the classifier cannot move the golden files. Regenerate the golden files with
``FCR_UPDATE_GOLDEN=1 python -m pytest tests/test_report_annotate.py``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Pt

from checker.document import Location
from checker.engine import Analyzer, Options
from checker.ingest import read_document, structure
from checker.ingest.base import RawBlock
from checker.document import Document
from checker.reports.annotate_docx import (LABEL_STYLE, NOTE_PARAGRAPH, NOTE_STYLE, annotated_docx, comment_text,
                                           initials_of)
from checker.rulebook import default_rulebook

GOLDEN = Path(__file__).parent / "golden" / "annotate"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

POLICY_TEXT = """关于支持本县智能制造产业发展的若干措施（征求意见稿）

第一条 为推动智能制造产业集聚发展，结合本县实际，制定本措施。
第二条 对在本县新设立的智能制造企业，按其缴纳增值税地方留成部分的百分之五十给予奖励。
第三条 县属国有企业实施技术改造的，应当优先采购本县企业生产的工业机器人。
第四条 外地企业在本县承接技改项目的，须在本县设立分支机构并办理备案登记。
第五条 本措施自印发之日起施行，有效期三年。
"""


def make_tender(path: Path) -> None:
    d = docx.Document()
    d.add_heading("某县人民医院医疗设备采购项目招标文件", 0)
    d.add_heading("第一章 投标人资格要求", 1)
    d.add_paragraph("投标人应具备独立承担民事责任的能力，并按要求提交资格证明材料。", style="List Number")
    p = d.add_paragraph(style="List Number")
    # the evidence straddles three runs with different formatting and a space between CJK
    # characters that the reader removes
    p.add_run("投标人须在本县")
    bold = p.add_run("注册 并设有常驻")
    bold.bold = True
    it = p.add_run("售后服务机构，")
    it.italic = True
    p.add_run("注册资本不低于三千万元。")
    d.add_paragraph("外地投标人须与本县企业组成联合体方可参加投标。", style="List Number")
    d.add_heading("第二章 评分办法", 1)
    t = d.add_table(rows=4, cols=3)
    t.style = "Table Grid"
    for i, h in enumerate(["评分因素", "分值", "评分标准"]):
        t.cell(0, i).text = h
    rows = [
        ("业绩", "10分", "投标人近三年在本县承担过同类医疗设备项目的，每个得2分，最高10分。"),
        ("荣誉", "5分", "获得本省省级著名商标的得5分。"),
        ("服务", "5分", "承诺提供七日内现场培训的得5分。"),
    ]
    for r, cells in enumerate(rows, start=1):
        for c, text in enumerate(cells):
            t.cell(r, c).text = text
    t.cell(3, 2).add_paragraph("培训地点由采购人指定。")
    tail = d.add_paragraph("投标产品须为国内知名品牌，优先采购本地生产的产品。")
    tail.runs[0].font.size = Pt(12)
    d.add_paragraph("本章未尽事宜，按照国家有关规定执行。")
    d.save(str(path))


@pytest.fixture(autouse=True)
def _report_date(monkeypatch):
    monkeypatch.setenv("FCR_REPORT_DATE", "2025-03-01")


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(default_rulebook(), Options(detectors="rules"))


@pytest.fixture
def tender(tmp_path) -> Path:
    path = tmp_path / "医疗设备采购招标文件.docx"
    make_tender(path)
    return path


@pytest.fixture
def policy(tmp_path) -> Path:
    path = tmp_path / "智能制造若干措施.txt"
    path.write_text(POLICY_TEXT, encoding="utf-8")
    return path


# --- helpers -----------------------------------------------------------------------------

def all_text(d) -> list[str]:
    """Every paragraph of the body and every cell paragraph, in order."""
    out = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            for cell in row.cells:
                out += [p.text for p in cell.paragraphs]
    return out


def formatted_chars(data: bytes) -> list[tuple[str, str]]:
    """(character, its run properties) for every character of document.xml: proves that
    splitting runs kept both the text and the formatting of every character."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    out = []
    for t in root.iter(W + "t"):
        r = t.getparent()
        rpr = r.find(W + "rPr")
        key = etree.tostring(rpr, method="c14n").decode() if rpr is not None else ""
        out += [(ch, key) for ch in t.text or ""]
    return out


def anchored(data: bytes) -> dict[int, str]:
    """Comment id -> the document text between its commentRangeStart and commentRangeEnd."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    open_ids: set[int] = set()
    text: dict[int, str] = {}
    for el in root.iter():
        if el.tag == W + "commentRangeStart":
            i = int(el.get(W + "id"))
            open_ids.add(i)
            text.setdefault(i, "")
        elif el.tag == W + "commentRangeEnd":
            open_ids.discard(int(el.get(W + "id")))
        elif el.tag == W + "t":
            for i in open_ids:
                text[i] += el.text or ""
        elif el.tag == W + "p":
            for i in open_ids:
                if text[i]:
                    text[i] += "⏎"
    return text


def comments_dump(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    spans = anchored(data)
    parts = []
    for c in d.comments:
        who = f"{c.author}/{c.initials}，{c.timestamp:%Y-%m-%d}"
        parts.append(f"== 批注 {c.comment_id}（{who}）标在：{spans.get(c.comment_id)}")
        parts.append(c.text)
    return "\n".join(parts) + "\n"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FCR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with FCR_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- Word input --------------------------------------------------------------------------

def test_docx_one_comment_per_finding_and_nothing_else_changes(tender, analyzer):
    before = sha(tender)
    original = tender.read_bytes()
    result = analyzer.check(read_document(str(tender)))
    assert len(result.findings) >= 6
    out = annotated_docx(result)
    assert sha(tender) == before                       # the input is never written

    d, o = docx.Document(io.BytesIO(out)), docx.Document(str(tender))
    assert len(d.comments) == len(result.findings)
    assert all(c.author == "fcr" and c.initials == "FCR" for c in d.comments)
    assert all_text(d) == all_text(o)
    assert formatted_chars(out) == formatted_chars(original)
    # styles, numbering and the table layout are untouched
    zo, za = zipfile.ZipFile(io.BytesIO(original)), zipfile.ZipFile(io.BytesIO(out))
    for part in ("word/styles.xml", "word/numbering.xml"):
        assert za.read(part) == zo.read(part)
    assert [len(t.rows) for t in d.tables] == [len(t.rows) for t in o.tables]
    # the reader sees the same document (same blocks) in the annotated copy
    again = read_document(str(tender), out)
    assert [b.text for b in again.blocks] == [b.text for b in result.document.blocks]

    # every comment is anchored exactly on its evidence (whitespace aside)
    spans = anchored(out)
    for c, f in zip(d.comments, result.findings):
        assert re.sub(r"\s", "", spans[c.comment_id]) == re.sub(r"\s", "", f.evidence.strip("，,。；;：:、"))
        assert c.text.startswith(f"【{f.rule_id}】")


def test_docx_comment_golden(tender, analyzer):
    result = analyzer.check(read_document(str(tender)))
    out = annotated_docx(result, author="审查员 王敏")
    check_golden("tender_comments.txt", comments_dump(out))


def test_docx_output_is_deterministic(tender, analyzer):
    result = analyzer.check(read_document(str(tender)))
    assert annotated_docx(result) == annotated_docx(result)


def test_docx_changed_after_check_anchors_on_paragraph_and_says_so(tender, analyzer):
    """The file was edited between the check and the annotation: a finding whose words are gone
    is put on its whole paragraph, with a note in the comment."""
    result = analyzer.check(read_document(str(tender)))
    d = docx.Document(str(tender))
    target = next(p for p in d.paragraphs if "联合体" in p.text)
    for r in target.runs[1:]:
        r.text = ""
    target.runs[0].text = "外地投标人须与本县企业组合成立联营体后方可参加投标。"
    d.save(str(tender))
    out = annotated_docx(result)
    a = docx.Document(io.BytesIO(out))
    assert len(a.comments) == len(result.findings)
    noted = [c for c in a.comments if NOTE_PARAGRAPH in c.text]
    assert len(noted) == 1
    assert anchored(out)[noted[0].comment_id] == target.text


def test_existing_comments_are_kept(tender, analyzer):
    d = docx.Document(str(tender))
    d.add_comment(d.paragraphs[1].runs, text="请核对章节标题。", author="起草人", initials="起")
    d.save(str(tender))
    result = analyzer.check(read_document(str(tender)))
    a = docx.Document(io.BytesIO(annotated_docx(result)))
    assert len(a.comments) == len(result.findings) + 1
    assert a.comments.get(0).text == "请核对章节标题。"


def test_docx_runs_with_tabs_symbols_hyperlinks_and_multi_paragraph_cells(tmp_path, analyzer):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    path = tmp_path / "结构复杂.docx"
    d = docx.Document()
    p = d.add_paragraph()
    # the evidence starts inside the second w:t of a bold run (after a tab) and ends in a hyperlink
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:b/></w:rPr><w:t>三、</w:t><w:tab/>'
                          '<w:t xml:space="preserve">投标人须在本市注</w:t></w:r>'))
    p._p.append(parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="a1"><w:r><w:t>册并设有常驻服务机构</w:t></w:r>'
                          '</w:hyperlink>'))
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>。</w:t><w:sym w:font="Wingdings" w:char="F0FE"/>'
                          '<w:t>已阅</w:t></w:r>'))
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "评分因素", "评分标准"
    t.cell(1, 0).text, t.cell(1, 1).text = "业绩", "近三年同类业绩每个得2分。"
    t.cell(1, 1).add_paragraph("在本市承担过同类项目的，每个另加2分。")
    d.save(str(path))
    original = path.read_bytes()
    result = analyzer.check(read_document(str(path)))
    assert {f.evidence for f in result.findings} >= {"须在本市注册并设有常驻服务机构", "在本市承担过同类项目"}
    out = annotated_docx(result)
    assert formatted_chars(out) == formatted_chars(original)
    assert all_text(docx.Document(io.BytesIO(out))) == all_text(docx.Document(str(path)))
    assert sorted(anchored(out).values()) == sorted(f.evidence for f in result.findings)


# --- text and PDF input ------------------------------------------------------------------

def body_paragraphs(d) -> list[str]:
    return [p.text for p in d.paragraphs if p.style.name not in (LABEL_STYLE, NOTE_STYLE)]


def test_txt_input_renders_a_new_docx_with_comments(policy, analyzer):
    before = sha(policy)
    result = analyzer.check(read_document(str(policy)))
    assert len(result.findings) >= 3
    out = annotated_docx(result)
    assert sha(policy) == before
    d = docx.Document(io.BytesIO(out))
    assert len(d.comments) == len(result.findings)
    assert body_paragraphs(d) == [b.text for b in result.document.blocks]
    # the rendered text is the input's text, line for line
    assert "".join(body_paragraphs(d)) == "".join(line.strip() for line in POLICY_TEXT.splitlines())
    labels = [p.text for p in d.paragraphs if p.style.name == LABEL_STYLE]
    assert labels[:2] == ["第1行", "第3行"]
    spans = anchored(out)
    for c, f in zip(d.comments, result.findings):
        assert spans[c.comment_id] == f.evidence
    check_golden("policy_comments.txt", comments_dump(out))
    check_golden("policy_paragraphs.txt", "\n".join(f"[{p.style.name}] {p.text}" for p in d.paragraphs) + "\n")


def test_stdin_input_renders(analyzer):
    result = analyzer.check(read_document("-", POLICY_TEXT.encode("utf-8")))
    d = docx.Document(io.BytesIO(annotated_docx(result)))
    assert len(d.comments) == len(result.findings) > 0
    assert "“标准输入”" in d.paragraphs[0].text


def test_pdf_like_input_has_page_and_table_headers(analyzer):
    raw = [
        RawBlock("某区办公家具采购项目竞争性磋商文件", "heading", Location(page=1), level=0),
        RawBlock("一、供应商资格要求", "heading", Location(page=1)),
        RawBlock("供应商须在本区注册并设有常驻售后服务机构。", "paragraph", Location(page=1)),
        RawBlock("评分因素 | 分值 | 评分标准", "table_row", Location(page=2, table=1, row=1)),
        RawBlock("业绩 | 10分 | 近三年在本区完成过同类项目的每个得2分。", "table_row",
                 Location(page=2, table=1, row=2), context="评分因素 | 分值 | 评分标准"),
    ]
    document = Document(path="磋商文件.pdf", blocks=structure.annotate(raw))
    result = analyzer.check(document)
    assert result.findings
    d = docx.Document(io.BytesIO(annotated_docx(result)))
    assert len(d.comments) == len(result.findings)
    assert [p.text for p in d.paragraphs if p.style.name == LABEL_STYLE] == ["第1页", "第2页 表1"]
    assert body_paragraphs(d) == [b.text for b in document.blocks]


def test_error_document_is_refused(analyzer, tmp_path):
    bad = tmp_path / "损坏.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = analyzer.check_path(str(bad))
    assert result.status == "error"
    with pytest.raises(ValueError):
        annotated_docx(result)


# --- comment text ------------------------------------------------------------------------

def test_initials():
    assert initials_of("fcr") == "FCR"
    assert initials_of("Zhang Wei") == "ZW"
    assert initials_of("reviewer") == "R"
    assert initials_of("张伟") == "张"
    assert initials_of("") == ""


def test_comment_text_parts(policy, analyzer):
    f = analyzer.check(read_document(str(policy))).findings[0]
    text = comment_text(f)
    lines = text.split("\n")
    assert lines[0] == f"【{f.rule_id}】{f.title}"
    assert [ln.split("：")[0] for ln in lines[1:4]] == ["问题", "违反依据", "修改建议"]
    assert f"置信度：{f.confidence:.2f}" in lines[4]
    assert f.legal_basis[0].label() in lines[2]
    noted = comment_text(dataclasses.replace(f), note=NOTE_PARAGRAPH)
    assert noted.split("\n")[-1].startswith("说明：" + NOTE_PARAGRAPH)


# --- CLI ---------------------------------------------------------------------------------

def test_cli_annotate(run_fcr, tender, tmp_path):
    out = tmp_path / "批注版.docx"
    before = sha(tender)
    proc = run_fcr("check", str(tender), "--detectors", "rules", "--annotate", str(out), "--author", "审查科")
    assert proc.returncode == 1, proc.stderr.decode()
    d = docx.Document(str(out))
    assert len(d.comments) >= 6 and {c.author for c in d.comments} == {"审查科"}
    assert sha(tender) == before
    same = run_fcr("check", str(tender), "--annotate", str(tender))
    assert same.returncode == 2 and sha(tender) == before


# --- LibreOffice -------------------------------------------------------------------------

def _soffice(args: list[str], home: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    env = dict(os.environ, HOME=str(home))
    return subprocess.run([exe, "--headless", "--norestore", *args], env=env, capture_output=True, timeout=300)


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice (apt: libreoffice-writer-nogui) is not installed")
def test_libreoffice_opens_annotated_copies(tender, policy, analyzer, tmp_path):
    """LibreOffice headless converts the annotated copies (proving Word-compatible output) and
    reads every comment (the .odt it writes has one office:annotation per finding)."""
    outdir = tmp_path / "lo"
    files = []
    expected = {}
    for src in (tender, policy):
        result = analyzer.check(read_document(str(src)))
        target = tmp_path / f"{src.stem}-批注.docx"
        target.write_bytes(annotated_docx(result))
        files.append(target)
        expected[target.stem] = len(result.findings)
    home = tmp_path / "home"
    home.mkdir()
    proc = _soffice(["--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)], home)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    for f in files:
        pdf = outdir / f"{f.stem}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 1000
        assert pdf.read_bytes().startswith(b"%PDF")
    proc = _soffice(["--convert-to", "odt", "--outdir", str(outdir), *map(str, files)], home)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    for f in files:
        content = zipfile.ZipFile(outdir / f"{f.stem}.odt").read("content.xml").decode("utf-8")
        assert content.count("<office:annotation ") + content.count("<office:annotation>") == expected[f.stem]
