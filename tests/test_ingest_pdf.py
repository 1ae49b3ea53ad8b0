"""PDF ingestion. Small PDFs are written by hand in the test (CJK text in the predefined,
non-embedded STSong-Light font, which pdfminer maps back to Unicode); the real published files
under ../shared are used when present and skipped cleanly otherwise."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from checker.errors import IngestError
from checker.ingest import read_document

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "files"


# --- a tiny PDF writer ----------------------------------------------------------------------

def build_pdf(pages: list[dict], garbled: bool = False) -> bytes:
    """pages: [{"texts": [(x, y, size, text)], "lines": [(x0, y0, x1, y1)], "image": bool}]."""
    objs: list[bytes] = []

    def add(b: bytes) -> int:
        objs.append(b)
        return len(objs)

    desc = add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
               b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    if garbled:   # Identity-H without a ToUnicode map: text extracts as (cid:NN)
        cid = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Custom /CIDSystemInfo << /Registry (Adobe)"
                  b" /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 >>" % desc)
        font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /Custom /Encoding /Identity-H /DescendantFonts [%d 0 R] >>" % cid)
    else:
        cid = add(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe)"
                  b" /Ordering (GB1) /Supplement 4 >> /FontDescriptor %d 0 R /DW 1000 >>" % desc)
        font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"
                   b" /DescendantFonts [%d 0 R] >>" % cid)
    contents = []
    for p in pages:
        ops = []
        for (x0, y0, x1, y1) in p.get("lines", []):
            ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x0, y0, x1, y1))
        for (x, y, size, s) in p.get("texts", []):
            ops.append(b"BT /F1 %d Tf %.1f %.1f Td <%s> Tj ET" % (size, x, y, s.encode("utf-16-be").hex().encode()))
        if p.get("image"):
            ops.append(b"q 500 0 0 700 50 80 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q")
        stream = b"\n".join(ops)
        contents.append(add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"))
    pages_num = len(objs) + len(pages) + 1
    page_ids = [add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >>"
                    b" /Contents %d 0 R >>" % (pages_num, font, c)) for c in contents]
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids)))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_num)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)


LEFT, SIZE = 72, 12
PER_LINE = 37          # 12 pt full-width characters between x=72 and x=523


def _wrap(text: str, y: float, indent: bool = True) -> list[tuple]:
    """Hard-wrap text like a PDF producer does: first line indented by two characters."""
    out = []
    first = True
    while text:
        width = PER_LINE - (2 if first and indent else 0)
        x = LEFT + (2 * SIZE if first and indent else 0)
        out.append((x, y, SIZE, text[:width]))
        text = text[width:]
        y -= 20
        first = False
    return out


def _table(top: float, rows: list[list[str]], widths=(60, 100, 291)) -> tuple[list, list]:
    """A ruled table: returns (texts, lines)."""
    texts, lines = [], []
    h = 24
    xs = [LEFT]
    for w in widths:
        xs.append(xs[-1] + w)
    for r, row in enumerate(rows):
        y_top = top - r * h
        for c, cell in enumerate(row):
            texts.append((xs[c] + 3, y_top - 17, 10, cell))
    bottom = top - len(rows) * h
    for r in range(len(rows) + 1):
        lines.append((xs[0], top - r * h, xs[-1], top - r * h))
    for x in xs:
        lines.append((x, top, x, bottom))
    return texts, lines


LONG = ("供应商应当具备履行合同所必需的设备和专业技术能力，具有良好的商业信誉和健全的财务会计制度"
        "，参加政府采购活动前三年内在经营活动中没有重大违法记录。")


def _sample_pdf() -> bytes:
    header = (LEFT, 800, 9, "某某区物业管理服务项目竞争性磋商文件")
    p1 = [header, (250, 740, 16, "第一章 总则"), (LEFT, 700, SIZE, "一、资格要求")]
    p1 += _wrap("第一条 " + LONG, 670)
    p1 += [(LEFT + 2 * SIZE, 590, SIZE, "第二条 采购人不得设置不合理的条件；")]
    p1 += [(LEFT + 2 * SIZE, 570, SIZE, "（一）不得限定供应商的所在地；")]
    t_texts, t_lines = _table(540, [["序号", "评分因素", "评分标准"],
                                    ["1", "服务方案", "方案完整可行的得20分"],
                                    ["2", "项目业绩", "每个同类业绩得2分"]])
    p1 += t_texts + [(290, 40, 10, "- 1 -")]
    p2_texts, p2_lines = _table(780, [["3", "人员配置", "项目负责人具有中级职称得5分"],
                                      ["4", "培训方案", "培训计划合理得5分"]])
    p2 = [header] + p2_texts + [(LEFT + 2 * SIZE, 700, SIZE, "第三条 本文件由采购人负责解释。"), (290, 40, 10, "- 2 -")]
    p3 = [header, (LEFT + 2 * SIZE, 760, SIZE, "第四条 其他事项另行通知。"), (290, 40, 10, "- 3 -")]
    p4 = [header, (LEFT + 2 * SIZE, 760, SIZE, "第五条 附则。"), (290, 40, 10, "- 4 -")]
    return build_pdf([{"texts": p1, "lines": t_lines}, {"texts": p2, "lines": p2_lines},
                      {"texts": p3}, {"texts": p4}])


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    path.write_bytes(_sample_pdf())
    return read_document(str(path))


def test_generated_pdf_blocks(sample):
    texts = [b.text for b in sample.blocks]
    assert texts[0] == "第一章 总则"
    assert texts[1] == "一、资格要求"
    # the hard-wrapped clause is one paragraph again
    assert "第一条 " + LONG in texts
    assert "第二条 采购人不得设置不合理的条件；" in texts
    # running header and page numbers are gone
    assert not any("竞争性磋商文件" in t for t in texts)
    assert not any(t.startswith("-") for t in texts)
    assert sample.warnings == ()


def test_generated_pdf_locations(sample):
    by_text = {b.text: b for b in sample.blocks}
    first = by_text["第一条 " + LONG]
    assert first.location.page == 1 and first.location.article == "第一条"
    assert first.location.heading_path == ("第一章 总则", "一、资格要求")
    assert by_text["第三条 本文件由采购人负责解释。"].location.page == 2
    assert by_text["第五条 附则。"].location.page == 4
    assert by_text["第一章 总则"].kind == "heading"
    assert [b.location.paragraph for b in sample.blocks] == list(range(len(sample.blocks)))


def test_generated_pdf_tables(sample):
    rows = [b for b in sample.blocks if b.kind == "table_row"]
    assert [(b.location.table, b.location.row, b.location.page) for b in rows] == [
        (1, 1, 1), (1, 2, 1), (1, 3, 1), (2, 1, 2), (2, 2, 2)]
    assert rows[0].text == "序号 | 评分因素 | 评分标准" and rows[0].context is None
    assert rows[1].text == "1 | 服务方案 | 方案完整可行的得20分"
    assert rows[1].context == "序号 | 评分因素 | 评分标准"
    # the table continued on page 2 inherits the header
    assert rows[3].text == "3 | 人员配置 | 项目负责人具有中级职称得5分"
    assert rows[3].context == "序号 | 评分因素 | 评分标准"
    # reading order: the table sits between 第二条（一） and 第三条
    idx = [b.text for b in sample.blocks].index
    assert idx("（一）不得限定供应商的所在地；") < idx(rows[0].text) < idx("第三条 本文件由采购人负责解释。")


def test_scanned_pages_warning(tmp_path):
    text_page = {"texts": [(LEFT, 700, SIZE, "第一条 供应商须具备相应资质。"), (290, 40, 10, "1")]}
    scan = lambda n: {"image": True, "texts": [(290, 40, 10, str(n))]}     # noqa: E731
    pages = [text_page, scan(2), text_page, scan(4), scan(5), scan(6), text_page]
    path = tmp_path / "scan.pdf"
    path.write_bytes(build_pdf(pages))
    doc = read_document(str(path))
    assert doc.warnings == ("第2页无文字层（可能为扫描件），未检查", "第4–6页无文字层（可能为扫描件），未检查")
    assert [b.location.page for b in doc.blocks] == [1, 3, 7]


def test_image_only_pdf_raises(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(build_pdf([{"image": True}, {"image": True}]))
    with pytest.raises(IngestError) as ei:
        read_document(str(path))
    assert ei.value.reason == "无文字层（可能为扫描件），未能检查"


def test_garbled_page_warning(tmp_path):
    bad = build_pdf([{"texts": [(LEFT, 700, SIZE, "供应商须具备相应资质和能力并提供证明")]}], garbled=True)
    import io

    import pdfplumber
    with pdfplumber.open(io.BytesIO(bad)) as pdf:
        chars = pdf.pages[0].chars
        if not chars or not chars[0]["text"].startswith("(cid:"):
            pytest.skip("pdfminer decoded the test font; cannot produce a garbled page")
    path = tmp_path / "bad.pdf"
    path.write_bytes(bad)
    with pytest.raises(IngestError) as ei:
        read_document(str(path))
    assert "乱码" in ei.value.reason


def test_garbled_warning_text(tmp_path, monkeypatch):
    from checker.ingest import pdf as pdf_reader
    pages = [{"texts": [(LEFT, 700, SIZE, "第一条 供应商须具备相应资质。")]},
             {"texts": [(LEFT, 700, SIZE, "乱码页乱码页乱码页乱码页")]},
             {"texts": [(LEFT, 700, SIZE, "乱码页乱码页乱码页乱码页")]}]
    path = tmp_path / "g.pdf"
    path.write_bytes(build_pdf(pages))
    monkeypatch.setattr(pdf_reader, "_garbled", lambda chars: chars[0]["text"] == "乱")
    doc = read_document(str(path))
    assert doc.warnings == ("第2–3页文字层乱码，未检查",)
    assert [b.text for b in doc.blocks] == ["第一条 供应商须具备相应资质。"]


def test_encrypted_pdf(tmp_path, monkeypatch):
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    def fake_open(*a, **k):
        raise PdfminerException(PDFPasswordIncorrect())

    monkeypatch.setattr(pdfplumber, "open", fake_open)
    path = tmp_path / "secret.pdf"
    path.write_bytes(_sample_pdf())
    with pytest.raises(IngestError) as ei:
        read_document(str(path))
    assert ei.value.reason == "PDF 已加密，无法读取文字"


@pytest.mark.parametrize("data", [b"not a pdf at all" * 10, b"%PDF-1.4\n" + bytes(range(256)) * 4])
def test_corrupt_pdf(tmp_path, data):
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(IngestError) as ei:
        read_document(str(path))
    assert ei.value.reason.startswith("不是有效的 PDF 文件（文件损坏或格式不符）")


def test_truncated_pdf(tmp_path):
    data = _sample_pdf()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(IngestError) as ei:
        read_document(str(path))
    assert "PDF" in ei.value.reason or "文字层" in ei.value.reason


# --- the real published files --------------------------------------------------------------

def _real(name: str) -> str:
    p = SHARED / name
    if not p.exists():
        pytest.skip(f"{p} not available")
    return str(p)


def test_real_tender_06_text_pages_tables():
    doc = read_document(_real("tender_06.pdf"))
    assert doc.warnings == ()
    pages = {b.location.page for b in doc.blocks}
    assert min(pages) == 1 and max(pages) >= 40
    assert all(b.location.page is not None for b in doc.blocks)
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert len(rows) > 30
    assert any(b.context and "序号" in b.context for b in rows)
    # chapters are headings and the blocks under them carry the heading path
    assert any(b.kind == "heading" and b.text.startswith("第一章") for b in doc.blocks)
    assert any(b.location.article and b.location.article.startswith("1.") for b in doc.blocks)
    # no bare page numbers survived
    assert not any(b.text.strip("-— ").isdigit() for b in doc.blocks if b.kind != "table_row")


def test_real_tender_14_image_only():
    with pytest.raises(IngestError) as ei:
        read_document(_real("tender_14.pdf"))
    assert ei.value.reason == "无文字层（可能为扫描件），未能检查"


def test_real_tender_12_scanned_pages():
    doc = read_document(_real("tender_12.pdf"))
    assert doc.warnings == ("第61–75页无文字层（可能为扫描件），未检查",)
    pages = {b.location.page for b in doc.blocks}
    assert not pages & set(range(61, 76))
    assert 76 in pages


@pytest.mark.parametrize("name", ["tender_08.pdf", "template_01.pdf"])
def test_real_big_pdfs_are_fast(name):
    path = _real(name)
    t = time.perf_counter()
    doc = read_document(path)
    assert time.perf_counter() - t < 30
    assert len(doc.blocks) > 500
