"""Word ingestion: reading order, tables (merged cells, split scoring tables, nested tables),
auto-numbering labels, headings, and the error cases. Fixtures are generated with python-docx."""
from __future__ import annotations

import io
import os
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from checker.errors import IngestError
from checker.ingest import read_document
from checker.ingest.docx import chinese_number, format_number


def _save(doc, tmp_path, name="doc.docx") -> str:
    p = tmp_path / name
    doc.save(str(p))
    return str(p)


def _add_table(doc, rows):
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    return t


def test_reading_order_with_table_between_paragraphs(tmp_path):
    d = docx.Document()
    d.add_paragraph("第一条 为规范政府采购活动，制定本办法。")
    d.add_paragraph("")                                   # empty: skipped
    _add_table(d, [["评分因素", "分值", "评分标准"],
                   ["企业业绩", "10", "每提供一个类似业绩得2分，最多得10分。"]])
    d.add_paragraph("第二条 本办法自发布之日起施行。")
    doc = read_document(_save(d, tmp_path))
    got = [(b.kind, b.text, b.location.table, b.location.row) for b in doc.blocks]
    assert got == [
        ("paragraph", "第一条 为规范政府采购活动，制定本办法。", None, None),
        ("table_row", "评分因素 | 分值 | 评分标准", 1, 1),
        ("table_row", "企业业绩 | 10 | 每提供一个类似业绩得2分，最多得10分。", 1, 2),
        ("paragraph", "第二条 本办法自发布之日起施行。", None, None),
    ]
    assert [b.location.paragraph for b in doc.blocks] == [0, 1, 2, 3]
    assert doc.blocks[1].context is None
    assert doc.blocks[2].context == "评分因素 | 分值 | 评分标准"
    assert doc.blocks[2].location.article == "第一条"
    assert doc.blocks[3].location.article == "第二条"
    assert all(b.location.line is None for b in doc.blocks)


def test_merged_cells(tmp_path):
    d = docx.Document()
    t = _add_table(d, [["评分因素", "分值", "评分标准"],
                       ["商务部分", "10", "注册资本在5000万元以上的得10分。"],
                       ["", "5", "具有本地服务网点的得5分。"],
                       ["备注：评分合计100分", "", ""]])
    t.cell(1, 0).merge(t.cell(2, 0))          # vertical merge
    t.cell(3, 0).merge(t.cell(3, 2))          # horizontal merge (gridSpan)
    t.cell(3, 0).text = "备注：评分合计100分"
    doc = read_document(_save(d, tmp_path))
    rows = [b for b in doc.blocks if b.location.table == 1]
    assert rows[1].text == "商务部分 | 10 | 注册资本在5000万元以上的得10分。"
    # the continuation of the vertical merge is not repeated in the row text...
    assert rows[2].text == "5 | 具有本地服务网点的得5分。"
    # ...but its value is kept in the context
    assert rows[2].context == "评分因素 | 分值 | 评分标准\n上方合并单元格：商务部分"
    # a row spanning the whole table is read as a paragraph that keeps its table location
    assert rows[3].text == "备注：评分合计100分"
    assert rows[3].location.row == 4 and "备注" not in rows[3].text[5:]


def test_repeated_cell_from_python_docx_merge_is_deduplicated(tmp_path):
    d = docx.Document()
    t = _add_table(d, [["序号", "内容", "要求"], ["1", "资格条件", "x"]])
    a = t.cell(1, 1).merge(t.cell(1, 2))
    a.text = "具有独立法人资格"
    doc = read_document(_save(d, tmp_path))
    assert doc.blocks[1].text == "1 | 具有独立法人资格"


def test_scoring_table_split_over_two_word_tables(tmp_path):
    d = docx.Document()
    d.add_paragraph("四、评分标准")
    _add_table(d, [["评分因素", "分值", "评分标准"],
                   ["服务方案", "20", "方案完整、可行的得20分。"]])
    d.add_paragraph("")
    _add_table(d, [["项目业绩", "10", "每提供一个同类项目业绩得2分。"],
                   ["人员配置", "10", "项目负责人具有高级职称的得10分。"]])
    _add_table(d, [["序号", "名称", "数量"], ["1", "办公桌", "10"]])      # a new table with its own header
    doc = read_document(_save(d, tmp_path))
    second = [b for b in doc.blocks if b.location.table == 2]
    assert [b.location.row for b in second] == [1, 2]
    assert all(b.context == "评分因素 | 分值 | 评分标准" for b in second)
    third = [b for b in doc.blocks if b.location.table == 3]
    assert third[0].context is None and third[1].context == "序号 | 名称 | 数量"
    assert all(b.location.article == "四、" for b in second)


def test_different_column_count_does_not_inherit(tmp_path):
    d = docx.Document()
    _add_table(d, [["评分因素", "分值", "评分标准"], ["业绩", "10", "得分。"]])
    _add_table(d, [["投标人名称", "某某公司"], ["地址", "某某路1号"]])
    doc = read_document(_save(d, tmp_path))
    t2 = [b for b in doc.blocks if b.location.table == 2]
    assert t2[0].context is None
    assert t2[1].context == "投标人名称 | 某某公司"


def test_nested_table_is_flattened_after_its_row(tmp_path):
    d = docx.Document()
    outer = _add_table(d, [["序号", "内容"], ["1", "资格要求"], ["2", "其他"]])
    inner = outer.cell(1, 1).add_table(rows=2, cols=2)
    inner.cell(0, 0).text = "资质名称"
    inner.cell(0, 1).text = "等级"
    inner.cell(1, 0).text = "物业服务"
    inner.cell(1, 1).text = "一级"
    d.add_paragraph("表后段落。")
    doc = read_document(_save(d, tmp_path))
    got = [(b.text, b.location.table, b.location.row) for b in doc.blocks]
    assert got == [
        ("序号 | 内容", 1, 1),
        ("1 | 资格要求", 1, 2),
        ("资质名称 | 等级", 2, 1),
        ("物业服务 | 一级", 2, 2),
        ("2 | 其他", 1, 3),
        ("表后段落。", None, None),
    ]
    assert doc.blocks[3].context == "资质名称 | 等级"


def test_multi_paragraph_cell_joined_with_space(tmp_path):
    d = docx.Document()
    t = _add_table(d, [["评分因素", "评分标准"], ["业绩", "第一段。"]])
    t.cell(1, 1).add_paragraph("第二段。")
    doc = read_document(_save(d, tmp_path))
    assert doc.blocks[1].text == "业绩 | 第一段。 第二段。"


# --- numbering ------------------------------------------------------------------------------

def _add_numbering(d, num_id: int, levels: list[tuple[str, str]], start: int = 1):
    """levels: [(numFmt, lvlText)] for ilvl 0, 1, ..."""
    numbering = d.part.numbering_part.element
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels))
    absn = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{num_id}">{lvls}</w:abstractNum>')
    numbering.insert(0, absn)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))


def _numbered(d, text, num_id, ilvl=0):
    p = d.add_paragraph(text)
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def test_auto_numbering_labels(tmp_path):
    d = docx.Document()
    _add_numbering(d, 71, [("chineseCounting", "第%1条"), ("chineseCounting", "（%2）"), ("decimal", "%3.")])
    _add_numbering(d, 72, [("decimal", "%1."), ("decimal", "%1.%2")])
    _numbered(d, "供应商应当具备下列条件：", 71, 0)
    _numbered(d, "具有独立承担民事责任的能力；", 71, 1)
    _numbered(d, "具有良好的商业信誉；", 71, 1)
    _numbered(d, "提供财务报告。", 71, 2)
    d.add_paragraph("前款规定不得另行提高。")
    _numbered(d, "采购人不得限定品牌。", 71, 0)
    _numbered(d, "不得指定产地；", 71, 1)          # deeper level restarts after a new article
    _numbered(d, "评分标准", 72, 0)
    _numbered(d, "价格分", 72, 1)
    _numbered(d, "技术分", 72, 1)
    for _ in range(9):
        _numbered(d, "条款。", 71, 0)
    doc = read_document(_save(d, tmp_path))
    texts = [b.text for b in doc.blocks]
    assert texts[:10] == [
        "第一条 供应商应当具备下列条件：",
        "（一）具有独立承担民事责任的能力；",
        "（二）具有良好的商业信誉；",
        "1.提供财务报告。",
        "前款规定不得另行提高。",
        "第二条 采购人不得限定品牌。",
        "（一）不得指定产地；",
        "1.评分标准",
        "1.1 价格分",
        "1.2 技术分",
    ]
    assert texts[-1] == "第十一条 条款。"
    assert doc.blocks[0].kind == "list_item"
    arts = [b.location.article for b in doc.blocks[:7]]
    assert arts == ["第一条", "（一）", "（二）", "1.", "1.", "第二条", "（一）"]


@pytest.mark.parametrize("n, fmt, expected", [
    (1, "decimal", "1"),
    (3, "chineseCounting", "三"),
    (10, "chineseCounting", "十"),
    (12, "chineseCountingThousand", "十二"),
    (20, "chineseCountingThousand", "二十"),
    (105, "chineseCountingThousand", "一百零五"),
    (2, "ideographTraditional", "乙"),
    (2, "lowerLetter", "b"),
    (28, "upperLetter", "BB"),
    (4, "lowerRoman", "iv"),
    (9, "upperRoman", "IX"),
    (3, "decimalEnclosedCircle", "③"),
    (12, "decimalFullWidth", "１２"),
    (7, "someFutureFormat", "7"),
])
def test_number_formats(n, fmt, expected):
    assert format_number(n, fmt) == expected


def test_chinese_number():
    assert [chinese_number(n) for n in (1, 11, 19, 21, 100, 110, 1001)] == \
        ["一", "十一", "十九", "二十一", "一百", "一百一十", "一千零一"]


def test_numbering_from_paragraph_style(tmp_path):
    d = docx.Document()
    _add_numbering(d, 73, [("chineseCounting", "%1、")])
    style = d.styles.add_style("条目", 1)
    style.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="73"/></w:numPr>'))
    d.add_paragraph("总体要求", style="条目")
    d.add_paragraph("资格条件", style="条目")
    doc = read_document(_save(d, tmp_path))
    assert [b.text for b in doc.blocks] == ["一、总体要求", "二、资格条件"]
    assert doc.blocks[1].location.article == "二、"


def test_bullets_have_no_label(tmp_path):
    d = docx.Document()
    _add_numbering(d, 74, [("bullet", "\uf06c")])
    _numbered(d, "供应商须提供营业执照。", 74)
    doc = read_document(_save(d, tmp_path))
    assert doc.blocks[0].text == "供应商须提供营业执照。"


# --- headings --------------------------------------------------------------------------------

def test_heading_styles_and_paths(tmp_path):
    d = docx.Document()
    d.add_heading("某区政府采购管理办法", level=0)       # Title style → document title
    d.add_heading("第一章 总则", level=1)
    d.add_paragraph("第一条 为规范采购行为，制定本办法。")
    d.add_heading("适用范围", level=2)
    d.add_paragraph("本办法适用于本区。")
    d.add_heading("第二章 采购程序", level=1)
    d.add_paragraph("第二条 采购人应当依法采购。")
    p = d.add_paragraph()
    p.add_run("资格审查").bold = True
    d.add_paragraph("资格审查由采购人负责。")
    doc = read_document(_save(d, tmp_path))
    assert doc.title == "某区政府采购管理办法"
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["第一章 总则"].kind == "heading"
    assert by_text["第一条 为规范采购行为，制定本办法。"].location.heading_path == ("第一章 总则",)
    assert by_text["本办法适用于本区。"].location.heading_path == ("第一章 总则", "适用范围")
    assert by_text["本办法适用于本区。"].location.article == "第一条"
    assert by_text["第二条 采购人应当依法采购。"].location.heading_path == ("第二章 采购程序",)
    assert by_text["资格审查"].kind == "heading"
    assert by_text["资格审查由采购人负责。"].location.heading_path == ("第二章 采购程序", "资格审查")


def test_headers_and_footers_are_ignored(tmp_path):
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "某某项目招标文件"
    d.sections[0].footer.paragraphs[0].text = "第 1 页"
    d.add_paragraph("正文条款。")
    doc = read_document(_save(d, tmp_path))
    assert [b.text for b in doc.blocks] == ["正文条款。"]


def test_line_break_and_spaces_inside_paragraph(tmp_path):
    d = docx.Document()
    p = d.add_paragraph("供应商须")
    p.add_run().add_break()
    p.add_run("在 本 地 注 册。")
    doc = read_document(_save(d, tmp_path))
    assert doc.blocks[0].text == "供应商须在本地注册。"


# --- errors ----------------------------------------------------------------------------------

def _reason(path):
    with pytest.raises(IngestError) as ei:
        read_document(path)
    assert ei.value.path == path
    return ei.value.reason


def test_corrupt_docx_random_bytes(tmp_path):
    p = tmp_path / "bad.docx"
    p.write_bytes(os.urandom(3000))
    assert _reason(str(p)) == "不是有效的 Word 文档（文件损坏或格式不符）"


def test_corrupt_docx_zip_without_document(tmp_path):
    p = tmp_path / "bad.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    p.write_bytes(buf.getvalue())
    assert _reason(str(p)) == "不是有效的 Word 文档（文件损坏或格式不符）"


def test_truncated_docx(tmp_path):
    d = docx.Document()
    d.add_paragraph("正文。" * 200)
    buf = io.BytesIO()
    d.save(buf)
    p = tmp_path / "cut.docx"
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    assert _reason(str(p)) == "不是有效的 Word 文档（文件损坏或格式不符）"


def test_empty_docx_file(tmp_path):
    p = tmp_path / "empty.docx"
    p.write_bytes(b"")
    assert _reason(str(p)) == "文件为空"


def test_old_doc_renamed_docx(tmp_path):
    p = tmp_path / "old.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    assert "旧版 Word 格式（.doc）" in _reason(str(p))


def test_encrypted_docx(tmp_path):
    p = tmp_path / "secret.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(500))
    assert _reason(str(p)) == "Word 文档已加密（设有打开密码），无法读取"


def test_docx_saved_as_doc_is_read(tmp_path):
    d = docx.Document()
    d.add_paragraph("正文条款。")
    path = _save(d, tmp_path, "misnamed.doc")
    assert read_document(path).blocks[0].text == "正文条款。"


def test_docx_without_text(tmp_path):
    d = docx.Document()
    d.add_paragraph("")
    assert "没有可检查的文字" in _reason(_save(d, tmp_path))


def test_bytes_passed_in(tmp_path):
    d = docx.Document()
    d.add_paragraph("正文条款。")
    buf = io.BytesIO()
    d.save(buf)
    doc = read_document("memory.docx", data=buf.getvalue())
    assert doc.blocks[0].text == "正文条款。" and doc.path == "memory.docx"
