"""Engine behaviour on hand-made rules: check kinds, exceptions, confidence, merging, doc type."""
from pathlib import Path

import pytest
import yaml

from checker.checks import parse_number
from checker.document import Block, Document, Location
from checker.doctype import detect_doc_type
from checker.engine import Analyzer, Options
from checker.rulebook import load_rulebook
from test_rulebook import GOOD


def book_with(tmp_path: Path, *rules: dict, exceptions: list[str] | None = None):
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    for r in rules:
        (pack / f"{r['id']}.yaml").write_text(yaml.safe_dump(r, allow_unicode=True), encoding="utf-8")
    if exceptions:
        (pack / "exceptions.yaml").write_text(yaml.safe_dump({"unless": exceptions}, allow_unicode=True), encoding="utf-8")
    return load_rulebook([pack])


def doc(*lines: str) -> Document:
    return Document("t.txt", tuple(Block(t, location=Location(line=i + 1, paragraph=i)) for i, t in enumerate(lines)))


def rule(rid: str, **changes) -> dict:
    return {**GOOD, "id": rid, **changes}


def test_engine_pattern_rule_reports_clause_span_and_evidence(tmp_path):
    a = Analyzer(book_with(tmp_path, rule("T-A-01")))
    res = a.check(doc("总则。", "申报企业须在本地设立分公司；其他企业不受限制。"), "policy")
    [f] = res.findings
    assert f.location.line == 2 and f.clause == "申报企业须在本地设立分公司；"
    assert f.evidence == "须在本地设立" and (f.start, f.end) == (0, len(f.clause))
    assert res.clauses == 3


def test_engine_skips_rules_for_the_other_doc_type(tmp_path):
    a = Analyzer(book_with(tmp_path, rule("T-A-01")))
    assert a.check(doc("供应商须在本地设立分公司。"), "procurement").findings == ()


def test_engine_threshold_kind_compares_normalised_numbers(tmp_path):
    r = rule("T-CAP-01", triggers=["注册资本"], match={
        "kind": "threshold", "patterns": [r"注册资本不低于(?P<n>{NUM})(?P<unit>亿元|万元)"],
        "min": 1000, "units": {"亿元": 10000, "万元": 1}})
    a = Analyzer(book_with(tmp_path, r))
    hits = [bool(a.check(doc(t), "policy").findings) for t in
            ("注册资本不低于500万元。", "注册资本不低于2000万元。", "注册资本不低于一亿元。", "注册资本不低于两千万元。")]
    assert hits == [False, True, True, True]
    assert parse_number("1,200.5") == 1200.5 and parse_number("三千五百") == 3500 and parse_number("甲") is None


def test_engine_cooccur_kind_respects_window(tmp_path):
    r = rule("T-CO-01", triggers=["外地"], match={"kind": "cooccur", "all": [["外地"], ["不予|不得"]], "window": 12})
    a = Analyzer(book_with(tmp_path, r))
    assert a.check(doc("外地企业不予受理。"), "policy").findings
    assert not a.check(doc("外地企业参加本市展会的各项费用由主办方按规定统一结算后不予退还。"), "policy").findings


def test_engine_near_unless_and_global_exceptions(tmp_path):
    r = rule("T-N-01", near=["奖励|补贴"], unless=["境内"])
    a = Analyzer(book_with(tmp_path, r, exceptions=["不得[^。]{0,10}限制"]))
    assert a.check(doc("企业须在本地设立分公司，方可申请奖励。"), "policy").findings
    assert not a.check(doc("企业须在本地设立分公司。"), "policy").findings          # nothing near
    assert not a.check(doc("企业须在本地设立分公司或在境内设立机构，方可申请奖励。"), "policy").findings
    assert not a.check(doc("不得限制企业须在本地设立分公司才能获得奖励。"), "policy").findings


def test_engine_context_words_move_confidence_and_floor_drops(tmp_path):
    r = rule("T-C-01", context={"raise": ["方可"], "lower": ["鼓励", "自愿"]}, confidence=0.8)
    a = Analyzer(book_with(tmp_path, r))
    [up] = a.check(doc("企业须在本地设立分公司，方可申报。"), "policy").findings
    assert up.confidence == pytest.approx(0.85) and up.explanation.raised_by == ("方可",)
    assert not a.check(doc("鼓励企业自愿并须在本地设立分公司。"), "policy").findings  # 0.8-0.4 < 0.5


def test_engine_merges_same_category_hits_per_clause(tmp_path):
    r1 = rule("T-M-01")
    r2 = rule("T-M-02", severity="medium", match={"kind": "pattern", "patterns": ["本地设立分公司"]})
    r3 = rule("T-M-03", category="cost", match={"kind": "pattern", "patterns": ["分公司"]})
    a = Analyzer(book_with(tmp_path, r1, r2, r3))
    findings = a.check(doc("企业须在本地设立分公司。"), "policy").findings
    assert sorted(f.rule_id for f in findings) == ["T-M-01", "T-M-03"]
    top = next(f for f in findings if f.rule_id == "T-M-01")
    assert top.explanation.related_rules == ("T-M-02",)


def test_engine_options_filter_rules(tmp_path):
    book = book_with(tmp_path, rule("T-A-01"), rule("T-B-01", severity="low"))
    assert [r.id for r in Analyzer(book, Options(min_severity="medium")).rules] == ["T-A-01"]
    assert [r.id for r in Analyzer(book, Options(disabled=frozenset({"T-A"}))).rules] == ["T-B-01"]
    assert [r.id for r in Analyzer(book, Options(enabled=frozenset({"T-B-01"}))).rules] == ["T-B-01"]


def test_engine_scoring_row_header_context_satisfies_near(tmp_path):
    r = rule("T-S-01", applies_to=["procurement"], triggers=["本市"], near=["评分|分值"],
             match={"kind": "pattern", "patterns": ["本市[^|]{0,10}项目"]})
    a = Analyzer(book_with(tmp_path, r))
    row = Block("业绩 | 5 | 在本市完成同类项目每个得1分", kind="table_row", location=Location(table=1, row=2),
                context="评分因素 | 分值 | 评分标准")
    assert a.check(Document("t.docx", (row,)), "procurement").findings
    plain = Block("业绩 | 5 | 在本市完成同类项目", kind="table_row", context="序号 | 内容")
    assert not a.check(Document("t.docx", (plain,)), "procurement").findings


@pytest.mark.parametrize("lines,expected", [
    (["关于印发某区促进现代服务业发展若干措施的通知", "对新引进企业给予奖励。", "支持企业开展技术改造，给予补贴。"], "policy"),
    (["某医院设备采购项目公开招标文件", "投标人须知", "供应商应提交投标文件，评标委员会按评分标准评审。"], "procurement"),
    (["第一章 总则", "投标人应在投标截止时间前递交投标文件。", "评分标准见附表。", "中标人应按合同履约。"], "procurement"),
    ([], "policy"),
])
def test_doctype_detection(lines, expected):
    assert detect_doc_type(doc(*lines)) == expected


def test_engine_tokens_kind_matches_whole_words_only(tmp_path):
    r = rule("T-TOK-01", triggers=["限"], match={
        "kind": "tokens", "sequences": [["限|仅限", "{LOCAL}", ".*企业"]], "max_gap": 1})
    a = Analyzer(book_with(tmp_path, r))
    [f] = a.check(doc("参与主体仅限本市企业。"), "policy").findings
    assert f.evidence == "仅限本市企业" and f.explanation.check == "tokens"
    assert not a.check(doc("申报期限本市企业均可查询。"), "policy").findings   # 期限 is one word


def test_engine_items_under_a_prohibition_lead_in_are_not_findings(tmp_path):
    a = Analyzer(book_with(tmp_path, rule("T-A-01")))
    listed = doc("起草单位起草的政策措施，不得含有下列内容：", "（一）要求企业须在本地设立分公司；",
                 "（二）限定经营者购买特定商品。", "对新设企业，申报企业须在本地设立分公司。")
    findings = a.check(listed, "policy").findings
    assert [f.location.line for f in findings] == [4]
    inline = doc("政策措施不得有以下情形：（一）须在本地设立分公司；（二）其他情形。")
    assert a.check(inline, "policy").findings == ()
    plain = doc("申报单位应符合以下条件：", "（一）须在本地设立分公司；")
    assert [f.location.line for f in a.check(plain, "policy").findings] == [2]


def test_engine_sanctioned_or_defined_lists_are_restatements_but_permissions_are_not(tmp_path):
    a = Analyzer(book_with(tmp_path, rule("T-A-01")))
    defined = doc("有下列情形之一的，属于对经营者实行差别待遇：", "（一）要求企业须在本地设立分公司；")
    assert a.check(defined, "policy").findings == ()
    permitted = doc("有下列情形之一的，经审议通过可以直接发包：", "（一）承诺须在本地设立分公司的；")
    assert [f.location.line for f in a.check(permitted, "policy").findings] == [2]


def test_engine_matches_traditional_characters_and_ascii_punctuation(tmp_path):
    a = Analyzer(book_with(tmp_path, rule("T-A-01")))
    [f] = a.check(doc("申報企業須在本地設立分公司,方可申請。"), "policy").findings
    assert f.evidence == "須在本地設立" and f.clause.startswith("申報企業")


def test_normalize_keeps_length_and_maps_characters():
    from checker.normalize import normalize

    text = "投標人須在本縣設立機構(含分支機構);"
    out = normalize(text)
    assert len(out) == len(text)
    assert out == "投标人须在本县设立机构（含分支机构）；"


def test_engine_a_crashing_rule_becomes_a_warning_and_the_document_goes_on(tmp_path, monkeypatch):
    a = Analyzer(book_with(tmp_path, rule("T-A-01"), rule("T-B-01", category="cost")))
    real_apply = Analyzer._apply

    def flaky(self, r, *args):
        if r.id == "T-B-01":
            raise RuntimeError("boom")
        return real_apply(self, r, *args)

    monkeypatch.setattr(Analyzer, "_apply", flaky)
    res = a.check(doc("企业须在本地设立分公司。"), "policy")
    assert [f.rule_id for f in res.findings] == ["T-A-01"]
    assert any("T-B-01" in w and "boom" in w for w in res.warnings)
