"""Plain text and Markdown ingestion: encodings, line numbers, markdown markup, errors."""
from __future__ import annotations

import pytest

from checker.errors import IngestError
from checker.ingest import SUPPORTED_EXTENSIONS, read_document

SAMPLE = (
    "关于印发促进民营经济发展若干措施的通知\r\n"
    "\r\n"
    "第一章 总则\r\n"
    "第一条 为优化营商环境，制定本措施。\r\n"
    "\r\n"
    "  第二条 供应商须具备相应资质。  \r\n"
    "（一）具有独立法人资格；\r\n"
    "（二）近三年无重大违法记录。\r\n"
)


def _write(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def _lines(doc):
    return [(b.location.line, b.text) for b in doc.blocks]


EXPECTED = [
    (1, "关于印发促进民营经济发展若干措施的通知"),
    (3, "第一章 总则"),
    (4, "第一条 为优化营商环境，制定本措施。"),
    (6, "第二条 供应商须具备相应资质。"),
    (7, "（一）具有独立法人资格；"),
    (8, "（二）近三年无重大违法记录。"),
]


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),
    ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"),
    ("gb18030", b""),
    ("gbk", b""),
])
def test_encodings_and_line_numbers(tmp_path, encoding, bom):
    path = _write(tmp_path, "policy.txt", bom + SAMPLE.encode(encoding))
    doc = read_document(path)
    assert _lines(doc) == EXPECTED
    assert doc.path == path


def test_lone_cr_and_lf_line_endings(tmp_path):
    text = "第一条 甲。\r第二条 乙。\n\n第三条 丙。"
    doc = read_document(_write(tmp_path, "a.txt", text.encode()))
    assert _lines(doc) == [(1, "第一条 甲。"), (2, "第二条 乙。"), (4, "第三条 丙。")]


def test_form_feed_and_unicode_separators_do_not_shift_lines(tmp_path):
    # str.splitlines() would split on \x0c and \u2028 and shift every later line number
    text = "第一条 甲\x0c乙。\n第二条 丙\u2028丁。\n第三条 戊。"
    doc = read_document(_write(tmp_path, "a.txt", text.encode()))
    assert [b.location.line for b in doc.blocks] == [1, 2, 3]


def test_block_text_is_the_stripped_line(tmp_path):
    doc = read_document(_write(tmp_path, "a.txt", "\u3000\u3000供应商须在本地注册。\t \n".encode()))
    (b,) = doc.blocks
    assert b.text == "供应商须在本地注册。"
    assert b.location.line == 1 and b.location.paragraph == 0


def test_heading_and_article_structure(tmp_path):
    doc = read_document(_write(tmp_path, "a.txt", SAMPLE.encode()))
    by_line = {b.location.line: b for b in doc.blocks}
    assert by_line[3].kind == "heading"
    assert by_line[4].location.article == "第一条"
    assert by_line[4].location.heading_path == ("第一章 总则",)
    assert by_line[7].location.article == "（一）"
    assert by_line[8].kind == "paragraph"          # a clause, not a heading (it has 。)


def test_stdin_is_read_as_text():
    doc = read_document("-", data="第一条 不得限定供应商所在地。\n".encode("utf-8"))
    assert doc.path == "-"
    assert doc.blocks[0].location.line == 1
    assert doc.blocks[0].location.article == "第一条"


def test_stdin_gbk():
    doc = read_document("-", data="第一条 不得限定供应商所在地。".encode("gbk"))
    assert doc.blocks[0].text == "第一条 不得限定供应商所在地。"


def test_charset_normalizer_fallback(tmp_path):
    # Latin-1 text ending in a lone high byte is neither valid UTF-8 nor valid GB18030:
    # the charset-normalizer fallback must still read it
    data = "Offre de prix pour le marché public, lot numéro un, café".encode("latin-1")
    for enc in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(enc)
    doc = read_document(_write(tmp_path, "a.txt", data))
    assert len(doc.blocks) == 1 and doc.blocks[0].location.line == 1
    assert doc.blocks[0].text.startswith("Offre de prix")


def test_markdown(tmp_path):
    md = (
        "# 采购需求\n"
        "\n"
        "## 一、资格要求\n"
        "- 供应商须具备相应资质；\n"
        "* 不得设置地域限制。\n"
        "\n"
        "| 评分因素 | 分值 | 评分标准 |\n"
        "|---|:---:|---|\n"
        "| 业绩 | 10 | 每提供一个类似业绩得2分 |\n"
        "| **服务方案** | 20 | 方案完整得20分 |\n"
        "\n"
        "第五条 本办法自发布之日起施行。\n"
    )
    doc = read_document(_write(tmp_path, "需求.md", md.encode()))
    got = [(b.location.line, b.kind, b.text) for b in doc.blocks]
    assert got == [
        (1, "heading", "采购需求"),
        (3, "heading", "一、资格要求"),
        (4, "list_item", "供应商须具备相应资质；"),
        (5, "list_item", "不得设置地域限制。"),
        (7, "table_row", "评分因素 | 分值 | 评分标准"),
        (9, "table_row", "业绩 | 10 | 每提供一个类似业绩得2分"),
        (10, "table_row", "服务方案 | 20 | 方案完整得20分"),
        (12, "paragraph", "第五条 本办法自发布之日起施行。"),
    ]
    assert doc.title == "采购需求"
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert rows[0].context is None
    assert rows[1].context == "评分因素 | 分值 | 评分标准"
    assert rows[1].location.table == 1 and rows[1].location.row == 2
    assert doc.blocks[3].location.heading_path == ("采购需求", "一、资格要求")
    assert doc.blocks[3].location.article == "一、"


def test_txt_keeps_hash_lines(tmp_path):
    # a '#' line in a .txt file is text, not a markdown heading
    doc = read_document(_write(tmp_path, "a.txt", "# title: 某某办法\n正文。\n".encode()))
    assert doc.blocks[0].text == "# title: 某某办法"
    assert doc.title == "某某办法"


def test_extension_is_case_insensitive(tmp_path):
    doc = read_document(_write(tmp_path, "A.TXT", "正文。".encode()))
    assert doc.blocks[0].text == "正文。"


def test_supported_extensions():
    for ext in (".docx", ".pdf", ".txt", ".md"):
        assert ext in SUPPORTED_EXTENSIONS


# --- errors -------------------------------------------------------------------------------

def _reason(path, data=None):
    with pytest.raises(IngestError) as ei:
        read_document(path, data)
    err = ei.value
    assert err.path == path
    assert str(err).startswith(f"{path}: ")
    return err.reason


def test_missing_file(tmp_path):
    assert _reason(str(tmp_path / "nope.txt")) == "文件不存在"


def test_directory(tmp_path):
    d = tmp_path / "dir.txt"
    d.mkdir()
    assert "目录" in _reason(str(d))


@pytest.mark.parametrize("data", [b"", b"   \r\n\n\t  \n"])
def test_empty_file(tmp_path, data):
    assert _reason(_write(tmp_path, "empty.txt", data)) == "文件为空"


def test_empty_stdin():
    assert _reason("-", b"") == "文件为空"


def test_unknown_extension(tmp_path):
    reason = _reason(_write(tmp_path, "a.xyz", b"hello"))
    assert reason.startswith("不支持的文件类型 .xyz（支持 .docx、.pdf、.txt、.md")


def test_no_extension(tmp_path):
    assert "不支持的文件类型" in _reason(_write(tmp_path, "README", b"hello"))


@pytest.mark.parametrize("name", ["old.doc", "OLD.DOC", "old.wps"])
def test_old_word_format(tmp_path, name):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    reason = _reason(_write(tmp_path, name, ole))
    assert "不支持，请另存为 .docx 后再检查" in reason
    if name.lower().endswith(".doc"):
        assert reason == "旧版 Word 格式（.doc）不支持，请另存为 .docx 后再检查"


def test_binary_junk_txt(tmp_path):
    junk = bytes(range(256)) * 8
    assert _reason(_write(tmp_path, "junk.txt", junk)) == "不是文本文件（含二进制内容）"


def test_binary_without_nul_txt(tmp_path):
    junk = bytes([1, 2, 3, 4, 5, 6, 7, 8, 0x0e, 0x0f]) * 50 + "正文".encode()
    assert _reason(_write(tmp_path, "junk.txt", junk)) == "不是文本文件（含二进制内容）"


def test_png_named_txt(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert _reason(_write(tmp_path, "img.txt", png)) == "不是文本文件（含二进制内容）"


def test_input_is_never_modified(tmp_path):
    data = SAMPLE.encode("gb18030")
    path = _write(tmp_path, "a.txt", data)
    read_document(path)
    assert (tmp_path / "a.txt").read_bytes() == data


def test_undecodable_text(tmp_path, monkeypatch):
    import charset_normalizer

    class _NoMatch:
        def best(self):
            return None

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: _NoMatch())
    data = "Offre de prix pour le marché public, café".encode("latin-1")
    reason = _reason(_write(tmp_path, "a.txt", data))
    assert reason.startswith("文本编码无法识别")
