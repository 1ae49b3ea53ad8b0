"""Gazetteer, term lists and segmentation (checker.lexicon, checker.resources)."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from checker import lexicon as L
from checker.resources import data_path


def _full(name: str) -> re.Pattern:
    return re.compile(L.term_class_regex(name) + r"\Z")


# --------------------------------------------------------------------------- resources

def test_data_path_finds_corpora_and_rules():
    assert data_path("corpora", "gazetteer", "regions.tsv").is_file()
    assert data_path("corpora").is_dir()
    assert data_path("rules").name == "rules"
    with pytest.raises(ValueError):
        data_path("models")


# --------------------------------------------------------------------------- gazetteer

def test_regions_codes_and_parents():
    regs = L.regions()
    by_code = L.regions_by_code()
    assert len(by_code) == len(regs), "duplicate codes"
    for r in regs:
        assert re.fullmatch(r"\d{6}", r.code), r
        assert r.level in L.LEVELS, r
        if r.level == "province":
            assert r.parent_code == "" and r.code.endswith("0000")
        else:
            parent = by_code.get(r.parent_code)
            assert parent is not None, f"{r} has unknown parent"
            assert L.LEVELS.index(parent.level) < L.LEVELS.index(r.level)
            assert r.code[:2] == parent.code[:2]
        assert r.short == "" or len(r.short) >= 2


def test_region_counts():
    c = Counter(r.level for r in L.regions())
    assert c["province"] == 34  # 23 provinces, 5 autonomous regions, 4 municipalities, HK, Macao
    assert 330 <= c["city"] <= 340
    assert c["county"] >= 2800


@pytest.mark.parametrize("name,short,level", [
    ("增城区", "增城", "county"),
    ("广东省", "广东", "province"),
    ("广西壮族自治区", "广西", "province"),
    ("内蒙古自治区", "内蒙古", "province"),
    ("新疆维吾尔自治区", "新疆", "province"),
    ("西藏自治区", "西藏", "province"),
    ("宁夏回族自治区", "宁夏", "province"),
    ("香港特别行政区", "香港", "province"),
    ("黔东南苗族侗族自治州", "黔东南", "city"),
    ("恩施土家族苗族自治州", "恩施", "city"),
    ("伊犁哈萨克自治州", "伊犁", "city"),
    ("神农架林区", "神农架", "county"),
    ("龙胜各族自治县", "龙胜", "county"),
    ("万柏林区", "万柏林", "county"),
    ("西安市", "西安", "city"),
])
def test_short_forms(name, short, level):
    regs = [r for r in L.regions() if r.name == name and r.level == level]
    assert regs, name
    assert regs[0].short == short


def test_stoplisted_short_forms_are_dropped():
    shorts = {r.short for r in L.regions()}
    for word in ["和平", "城区", "新区", "矿区", "郊区", "城关", "城中", "市中", "新城", "东方",
                 "资源", "比如", "会同", "中方", "合作", "平安", "公安", "大方", "通道", "延长"]:
        assert word not in shorts, word
    place = set(L.term_class("PLACE"))
    for word in ["和平", "城区", "矿区", "郊区", "东区", "资源", "比如"]:
        assert word not in place, word
    # the full names stay
    for full in ["和平区", "东方市", "资源县", "城关区"]:
        assert full in place, full
    # county short equal to a province short belongs to the province
    assert [r.level for r in L.lookup_place("河北")] == ["province"]
    assert all(len(r.short) != 1 for r in L.regions())


# --------------------------------------------------------------------------- term classes

@pytest.mark.parametrize("text", ["增城区", "增城", "广东", "广东省", "黔东南", "内蒙古", "S省", "XX市",
                                  "××县", "某区", "Ａ市", "广西壮族自治区"])
def test_place_regex_matches(text):
    assert _full("PLACE").match(text), text


@pytest.mark.parametrize("text", ["和平", "城区", "市场", "本市", "资源", "会同"])
def test_place_regex_rejects(text):
    assert not _full("PLACE").match(text), text


def test_masked_place_is_not_a_word_part():
    rx = re.compile(L.term_class_regex("PLACE"))
    assert rx.search("某市场主体") is None
    assert rx.search("某区域内") is None
    assert rx.search("型号ABCD市售") is None


def test_place_regex_in_context():
    rx = re.compile("(?:须|应)在" + L.term_class_regex("PLACE") + "(?:注册|设立)")
    assert rx.search("供应商须在增城区注册")
    assert rx.search("投标人应在S省设立售后服务机构")
    assert rx.search("须在XX市注册的企业")
    assert not rx.search("须在和平注册")  # ordinary word
    # the trie regex prefers the longest name like a longest-first alternation
    m = re.compile(L.term_class_regex("PLACE")).search("黔东南苗族侗族自治州内")
    assert m.group() == "黔东南苗族侗族自治州"


def test_trie_regex_equals_word_set():
    words = ["本地", "本地区", "本市", "本", "市内", "市域内", "辖区内"]
    rx = re.compile(L.trie_regex(words) + r"\Z")
    for w in words:
        assert rx.match(w), w
    for w in ["本地区内", "市", "市域", "辖区"]:
        assert not rx.match(w), w
    assert re.compile(L.trie_regex(words)).match("本地区外").group() == "本地区"


def test_every_place_form_matches_regex():
    rx = _full("PLACE")
    assert all(rx.match(w) for w in L.term_class("PLACE"))


def test_term_classes():
    assert set(L.CLASS_NAMES) == {"PLACE", "PLACE_PROVINCE", "PLACE_CITY", "PLACE_COUNTY",
                                  "DEIXIS", "DEIXIS_WEAK", "OWNERSHIP", "SCALE"}
    for name in L.CLASS_NAMES:
        terms = L.term_class(name)
        assert terms and len(set(terms)) == len(terms)
        lengths = [len(t) for t in terms]
        assert lengths == sorted(lengths, reverse=True), name
        assert all(not t.startswith("#") and t.strip() == t for t in terms)
    deixis = set(L.term_class("DEIXIS"))
    assert {"本地", "本市", "辖区内", "本行政区域", "我市", "当地"} <= deixis
    assert "境内" in L.term_class("DEIXIS_WEAK") and "境内" not in deixis
    assert {"国有", "民营企业", "外商投资企业", "央企"} <= set(L.term_class("OWNERSHIP"))
    assert {"注册资本", "营业收入", "从业人员", "世界500强"} <= set(L.term_class("SCALE"))
    assert "增城区" in L.term_class("PLACE_COUNTY")
    assert "广东" in L.term_class("PLACE_PROVINCE") and "广东" not in L.term_class("PLACE_COUNTY")
    assert "黔东南" in L.term_class("PLACE_CITY")
    with pytest.raises(KeyError, match="PLACE"):
        L.term_class("NOPE")
    with pytest.raises(KeyError):
        L.term_class_regex("NOPE")


def test_regex_speed():
    """Guard for the numbers in the module docstring (generous bound for CI)."""
    rx = re.compile(L.term_class_regex("PLACE"))
    clauses = ["采购人不得以不合理的条件对供应商实行差别待遇或者歧视待遇，投标人须在广州市增城区注册%d" % i
               for i in range(2000)]
    t = time.perf_counter()
    hits = sum(1 for c in clauses if rx.search(c))
    assert hits == 2000
    assert time.perf_counter() - t < 2.0


# --------------------------------------------------------------------------- find_places

def test_find_places_sentence():
    text = "投标人须为在广东省广州市增城区注册的企业，或在S省XX市设有售后服务机构，黔东南地区和平发展"
    found = L.find_places(text)
    assert [(m.name, m.level) for m in found] == [
        ("广东省", "province"), ("广州市", "city"), ("增城区", "county"),
        ("S省", "province"), ("XX市", "city"), ("黔东南", "city"),
    ]
    for m in found:
        assert text[m.start:m.end] == m.name
    start, end, name, level = found[2]
    assert (name, level) == ("增城区", "county")
    assert [r.code for r in L.lookup_place("增城")] == ["440118"]


def test_find_places_longest_and_masked_off():
    assert [m.name for m in L.find_places("恩施土家族苗族自治州")] == ["恩施土家族苗族自治州"]
    assert [m.name for m in L.find_places("吉林省吉林市")] == ["吉林省", "吉林市"]
    assert L.find_places("本市场主体和平竞争") == []
    assert L.find_places("在S省注册", masked=False) == []
    assert L.find_places("") == []


# --------------------------------------------------------------------------- segmentation

def test_userdict_file_format():
    lines = data_path("corpora", "userdict.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 200
    for ln in lines:
        parts = ln.split(" ")
        assert len(parts) == 3 and parts[1].isdigit() and parts[2].isalpha(), ln


def test_segmenter_keeps_domain_terms_whole():
    tokenize = L.segmenter()
    assert tokenize is not None
    toks = tokenize("根据公平竞争审查制度，供应商须在增城区注册并设立售后服务机构")
    for term in ["公平竞争审查制度", "供应商", "增城区", "售后服务机构"]:
        assert term in toks, toks
    assert "市场准入负面清单" in tokenize("列入市场准入负面清单的事项")
    assert "".join(tokenize("在S省设有分支机构")) == "在S省设有分支机构"
    words = [ln.split(" ")[0] for ln in
             data_path("corpora", "userdict.txt").read_text(encoding="utf-8").splitlines()]
    assert [w for w in words if tokenize(w) != [w]] == []


def test_spacy_pipeline_uses_jieba_with_userdict():
    pytest.importorskip("spacy")
    nlp = L.spacy_nlp()
    assert nlp.lang == "zh"
    assert nlp.tokenizer.segmenter == "jieba"
    doc = nlp("投标人须在增城区注册并设立售后服务机构")
    toks = [t.text for t in doc]
    assert "售后服务机构" in toks and "增城区" in toks, toks
