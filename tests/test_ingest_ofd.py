"""OFD ingestion: a hand-made OFD package (zip of XML) and the published sample when present."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from checker.errors import IngestError
from checker.ingest import read_document

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "files"
NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _text_obj(i, x, y, text, size=5.0):
    w = len(text) * size
    return (f'<ofd:TextObject ID="{i}" Boundary="{x} {y} {w} {size}" Font="1" Size="{size}">'
            f'<ofd:TextCode X="0" Y="{size * 0.85}">{text}</ofd:TextCode></ofd:TextObject>')


def make_ofd(pages: list[list[tuple[float, float, str]]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} DocType="OFD" Version="1.1">'
                              f'<ofd:DocBody><ofd:DocInfo><ofd:Title>某某区人民政府办公室</ofd:Title></ofd:DocInfo>'
                              f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        page_refs = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<ofd:Document {NS}><ofd:CommonData><ofd:PageArea>'
                                         f'<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>'
                                         f'<ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>')
        for i, texts in enumerate(pages):
            objs = "".join(_text_obj(10 + j, x, y, t) for j, (x, y, t) in enumerate(texts))
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                       f'<ofd:Page {NS}><ofd:Content><ofd:Layer ID="2">{objs}</ofd:Layer></ofd:Content></ofd:Page>')
    return buf.getvalue()


def test_generated_ofd(tmp_path):
    line1 = "第一条 各单位在政府采购活动中不得以供应商所在"   # 26 chars x 5 mm: reaches the right margin
    pages = [
        [(60, 40, "关于规范政府采购活动的通知"),
         (25, 60, "各有关单位："),
         (35, 72, line1), (25, 80, "地作为资格条件。"),
         (35, 92, "第二条 本通知自印发之日起施行。")],
        [],
    ]
    path = tmp_path / "notice.ofd"
    path.write_bytes(make_ofd(pages))
    doc = read_document(str(path))
    texts = [b.text for b in doc.blocks]
    assert texts == ["关于规范政府采购活动的通知", "各有关单位：",
                     line1 + "地作为资格条件。", "第二条 本通知自印发之日起施行。"]
    assert doc.blocks[2].location.article == "第一条" and doc.blocks[2].location.page == 1
    assert doc.title == "某某区人民政府办公室"
    assert doc.warnings == ("第2页无文字层（可能为扫描件），未检查",)


def test_corrupt_ofd(tmp_path):
    path = tmp_path / "bad.ofd"
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(IngestError) as ei:
        read_document(str(path))
    assert ei.value.reason == "不是有效的 OFD 文件（文件损坏或格式不符）"


def test_ofd_without_text(tmp_path):
    path = tmp_path / "scan.ofd"
    path.write_bytes(make_ofd([[]]))
    with pytest.raises(IngestError) as ei:
        read_document(str(path))
    assert ei.value.reason == "无文字层（可能为扫描件），未能检查"


def test_real_govdoc_ofd():
    p = SHARED / "govdoc_01.ofd"
    if not p.exists():
        pytest.skip(f"{p} not available")
    doc = read_document(str(p))
    assert doc.warnings == ()
    assert len(doc.blocks) >= 4
    assert doc.blocks[0].text.endswith("的函")
    assert all(b.location.page == 1 for b in doc.blocks)
    assert any(len(b.text) > 100 for b in doc.blocks)     # the body is joined into one paragraph
