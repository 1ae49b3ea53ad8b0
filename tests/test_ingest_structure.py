"""structure.py: article / item labels and heading paths, independent of the file format."""
from __future__ import annotations

import pytest

from checker.document import Location
from checker.ingest.base import RawBlock, is_header_like, join_cells, range_warning, squeeze_cjk_spaces
from checker.ingest.structure import annotate, looks_like_heading, match_label


@pytest.mark.parametrize("text, label", [
    ("第五条 供应商须具备相应资质。", "第五条"),
    ("第 十二 条　采购人不得……", "第十二条"),
    ("第12条 其他", "第12条"),
    ("（三）不得限定品牌；", "（三）"),
    ("(三)不得限定品牌；", "（三）"),
    ("一、总体要求", "一、"),
    ("十一．附则", "十一、"),
    ("1.供应商资格", "1."),
    ("1、供应商资格", "1、"),
    ("3.2 评分标准", "3.2"),
    ("3.2.1评分标准", "3.2.1"),
    ("（2）业绩要求", "（2）"),
    ("2）业绩要求", "2）"),
    ("①营业执照", "①"),
])
def test_labels(text, label):
    assert match_label(text)[1] == label


@pytest.mark.parametrize("text", [
    "1.5万元以上的项目",
    "2024年3月1日起施行",
    "30%的份额",
    "第五条款规定的情形",       # 条款 is not an article label
    "供应商须具备资质",
    "12.5倍",
])
def test_not_labels(text):
    assert match_label(text) is None


@pytest.mark.parametrize("text, expected", [
    ("第一章 总则", True),
    ("第二节 评审程序", True),
    ("一、总体要求", True),
    ("（二）资格条件", True),
    ("一、供应商须具备资质，并提供证明。", False),
    ("第一章 招标公告 ........ 3", False),     # table of contents entry
    ("第二章 投标人须知 6", False),
    ("供应商须具备相应资质", False),
    ("附件1：评分标准", True),
])
def test_looks_like_heading(text, expected):
    assert looks_like_heading(text) is expected


def _raw(*items):
    out = []
    for it in items:
        if isinstance(it, tuple):
            text, kind = it
        else:
            text, kind = it, "paragraph"
        out.append(RawBlock(text, kind, Location()))
    return out


def test_article_is_innermost_label_and_heading_path():
    blocks = annotate(_raw(
        ("第一章 总则", "heading"),
        "第一条 为规范采购活动，制定本办法。",
        "本办法适用于本区各部门。",
        ("第二章 供应商", "heading"),
        "第五条 供应商应当具备下列条件：",
        "（一）具有独立承担民事责任的能力；",
        "（二）具有良好的商业信誉。",
        "前款规定的条件不得另行提高。",
        ("评分因素 | 分值", "table_row"),
        ("1 | 10", "table_row"),
        "第六条 采购人不得以不合理条件对供应商实行差别待遇。",
    ))
    got = [(b.location.paragraph, b.location.article, b.location.heading_path) for b in blocks]
    assert got == [
        (0, None, ()),
        (1, "第一条", ("第一章 总则",)),
        (2, "第一条", ("第一章 总则",)),
        (3, None, ("第一章 总则",)),
        (4, "第五条", ("第二章 供应商",)),
        (5, "（一）", ("第二章 供应商",)),
        (6, "（二）", ("第二章 供应商",)),
        (7, "（二）", ("第二章 供应商",)),
        (8, "（二）", ("第二章 供应商",)),     # table rows inherit, never set, a label
        (9, "（二）", ("第二章 供应商",)),
        (10, "第六条", ("第二章 供应商",)),
    ]


def test_nested_item_headings():
    blocks = annotate(_raw(
        ("第一部分 招标公告", "heading"),
        ("一、项目概况", "heading"),
        ("（一）采购内容", "heading"),
        "1.本项目采购物业服务。",
        ("（二）预算金额", "heading"),
        "预算为100万元。",
        ("二、资格要求", "heading"),
        "供应商须具备相应资质。",
        ("第二部分 采购需求", "heading"),
        "服务期一年。",
    ))
    paths = [b.location.heading_path for b in blocks]
    assert paths[3] == ("第一部分 招标公告", "一、项目概况", "（一）采购内容")
    assert blocks[3].location.article == "1."
    assert paths[5] == ("第一部分 招标公告", "一、项目概况", "（二）预算金额")
    assert blocks[5].location.article == "（二）"
    assert paths[7] == ("第一部分 招标公告", "二、资格要求")
    assert paths[9] == ("第二部分 采购需求",)
    assert blocks[9].location.article is None


def test_numeric_heading_levels():
    raw = [
        RawBlock("采购需求", "heading", Location(), level=1),
        RawBlock("服务范围", "heading", Location(), level=2),
        RawBlock("正文。"),
        RawBlock("人员要求", "heading", Location(), level=2),
        RawBlock("正文二。"),
        RawBlock("合同条款", "heading", Location(), level=1),
        RawBlock("正文三。"),
    ]
    blocks = annotate(raw)
    assert blocks[2].location.heading_path == ("采购需求", "服务范围")
    assert blocks[4].location.heading_path == ("采购需求", "人员要求")
    assert blocks[6].location.heading_path == ("合同条款",)


def test_locations_from_reader_are_kept():
    raw = [RawBlock("甲。", "paragraph", Location(page=3, line=None, table=None))]
    (b,) = annotate(raw)
    assert b.location.page == 3 and b.location.paragraph == 0


def test_join_cells_and_header_like():
    assert join_cells(["评分因素", "评分因素", "分值", "", "评分标准"]) == "评分因素 | 分值 | 评分标准"
    assert is_header_like(["序号", "评分因素", "分值", "评分标准"])
    assert not is_header_like(["1", "业绩", "10", "每提供一个类似项目业绩得2分，最多得10分。"])
    assert not is_header_like(["", ""])


def test_range_warning():
    assert range_warning([3, 61, 62, 63, 65], "无文字层") == ["第3页无文字层", "第61–63页无文字层", "第65页无文字层"]


@pytest.mark.parametrize("raw, expected", [
    ("根 据 财 库 文 件 ， 通 过", "根据财库文件，通过"),
    ("第一条 总则", "第一条 总则"),
    ("第 五 条 供应 商须", "第五条 供应商须"),
    ("1、 报名时间：5 个工作日", "1、报名时间：5个工作日"),
    ("使用 CA 证书", "使用 CA 证书"),
])
def test_squeeze_cjk_spaces(raw, expected):
    assert squeeze_cjk_spaces(raw) == expected


def test_symbol_font_check_boxes():
    from checker.ingest.base import map_symbols
    assert map_symbols("\uf052不组织\uf0a3组织") == "☑不组织□组织"


def test_plain_header():
    from checker.ingest.base import is_plain_header
    assert is_plain_header(["包号", "包名称", "预算金额(元)"])
    assert not is_plain_header(["20.1", "开标时间、地点", "详见招标公告。"])
