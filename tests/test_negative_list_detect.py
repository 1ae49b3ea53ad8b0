"""The negative-list detector inside the engine: abolished licences demanded, lawful licences
restated (a note, no finding), citations added to access findings, imported list items.

Clauses are written for these tests; the licence table is a small one of our own so the tests do
not move when the shipped table grows (one test checks the shipped table loads).
"""
import json

import pytest

from checker.citations import citation_problem
from checker.engine import Analyzer, Options
from checker.findings import RunResult
from checker.ingest import read_document
from checker.negative_list import store
from checker.negative_list.detector import RULE_ID, default_detector
from checker.negative_list.licences import HEADER, Matcher, load_licences
from checker.reports import render
from checker.rulebook import Rulebook, default_rulebook

TABLE = [
    ("T-01", "燃气经营许可", "燃气经营许可证|燃气经营许可", "能源", "城镇燃气管理条例", "第十五条", "行政法规", "active", "true", ""),
    ("T-02", "旅行社业务经营许可", "旅行社业务经营许可证|旅行社经营许可", "旅游", "旅游法", "第二十九条", "法律", "active", "false", ""),
    ("T-03", "煤炭经营资格", "煤炭经营许可证|煤炭经营资格证", "能源", "煤炭法", "", "法律", "abolished", "false", "煤炭法修正后取消"),
    ("T-04", "物业服务企业资质", "物业服务企业资质|物业管理企业资质", "房地产", "物业管理条例", "", "行政法规", "abolished", "false", "资质核定已取消"),
    ("T-05", "养老机构设立许可", "养老机构设立许可证|养老机构设立许可|养老机构备案回执", "民政", "老年人权益保障法", "", "法律", "filing", "false", "改为备案"),
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FCR_DATA_DIR", str(tmp_path / "fcr-data"))


@pytest.fixture(scope="module")
def licences(tmp_path_factory):
    path = tmp_path_factory.mktemp("lic") / "licences.tsv"
    path.write_text("\n".join("\t".join(r) for r in [HEADER, *TABLE]) + "\n", encoding="utf-8")
    return load_licences(path)


@pytest.fixture(scope="module")
def book():
    return default_rulebook()


def check(book, licences, text: str, doc_type: str, **opts):
    options = Options(**opts)
    analyzer = Analyzer(book, options, negative_list=default_detector(options, licences))
    return analyzer.check(read_document("-", text.encode("utf-8")), doc_type)


NO_RULES = Rulebook((), (), ())      # the detector alone, without the rule packs


def nl_findings(result):
    return [f for f in result.findings if f.rule_id == RULE_ID]


# -- abolished or filing-only licences demanded -------------------------------------------------------

def test_policy_demanding_an_abolished_qualification_is_a_finding(book, licences):
    r = check(book, licences, "在本镇承接老旧小区物业服务的企业，须具备物业服务企业资质。\n", "policy")
    (f,) = nl_findings(r)
    assert f.detector == "negative_list" and f.category == "negative_list" and f.severity == "high"
    assert f.evidence == "物业服务企业资质" and "物业服务企业资质" in f.message and "已取消" in f.message
    assert "删除" in f.suggestion
    basis = f.legal_basis[0]
    assert (basis.law, basis.article, basis.item, basis.verified) == ("公平竞争审查条例", "第八条", "（一）", True)
    assert citation_problem(basis.law, basis.article, basis.item, None) is None
    assert f.location.line == 1


def test_a_grade_inside_the_qualification_name_still_matches(book, licences):
    r = check(book, licences, "申请入驻本园区的物业企业，应当具有物业管理企业二级及以上资质。\n", "policy")
    (f,) = nl_findings(r)
    assert f.evidence == "物业管理企业二级及以上资质"


def test_procurement_demanding_an_abolished_licence_cites_the_procurement_regulation(book, licences):
    r = check(book, licences, "投标人须持有有效的煤炭经营许可证，并提供加盖公章的复印件。\n", "procurement")
    (f,) = nl_findings(r)
    assert f.category == "qualification"
    assert (f.legal_basis[0].law, f.legal_basis[0].article, f.legal_basis[0].item) == ("政府采购法实施条例", "第二十条", "（二）")
    assert f.legal_basis[0].verified
    assert f.legal_basis[1].law == "煤炭法" and f.legal_basis[1].verified is False
    rec = RunResult((r,), "t", "t").to_record()["documents"][0]["findings"][0]
    assert rec["detector"] == "negative_list" and rec["rule_id"] == RULE_ID


def test_filing_is_flagged_only_as_a_precondition_or_when_the_old_permit_is_demanded(book, licences):
    text = (
        "举办养老机构的，须取得养老机构设立许可证。\n\n"
        "新办养老机构凭民政部门出具的养老机构备案回执方可开展服务。\n\n"
        "养老机构登记后应当向民政部门办理备案，养老机构备案回执由民政部门出具。\n"
    )
    alone = check(NO_RULES, licences, text, "policy")
    assert [f.location.line for f in alone.findings] == [1, 3]
    assert "以备案之名行许可之实" in alone.findings[1].message
    # With the rule packs a filing rule may catch line 3 first: then it carries the licence source.
    full = check(book, licences, text, "policy")
    assert sorted({f.location.line for f in full.findings}) == [1, 3]
    line3 = [f for f in full.findings if f.location.line == 3]
    assert any("老年人权益保障法" in [c.law for c in f.legal_basis] for f in line3)


@pytest.mark.parametrize("text", [
    "按照国务院决定，不再要求物业企业取得物业服务企业资质。",
    "清理在招投标中要求物业服务企业资质的做法。",
    "物业服务企业资质核定取消后，由住建部门加强事中事后监管。",
])
def test_clauses_that_remove_the_demand_are_left_alone(book, licences, text):
    assert nl_findings(check(book, licences, text + "\n", "policy")) == []


def test_disabling_the_rule_in_options_silences_it(book, licences):
    r = check(book, licences, "在本镇承接物业服务的企业，须具备物业服务企业资质。\n", "policy",
              disabled=frozenset({RULE_ID}))
    assert nl_findings(r) == []


# -- lawful licences restated: pass, and say which ------------------------------------------------------

LAWFUL = "开办旅行社的，应当依法取得旅行社业务经营许可证，并在经营场所公示。\n"


def test_lawful_licence_restated_is_a_note_not_a_finding(book, licences):
    r = check(book, licences, LAWFUL, "policy")
    assert r.findings == ()
    (note,) = r.notes
    rec = note.to_record()
    assert rec["kind"] == "lawful_licence" and rec["licence"] == "旅行社业务经营许可" and rec["line"] == 1
    assert rec["basis"] == [{"law": "旅游法", "article": "第二十九条", "item": None, "verified": False}]
    assert set(rec) == {"kind", "line", "paragraph", "page", "clause", "licence", "basis"}
    doc = RunResult((r,), "t", "t").to_record()["documents"][0]
    assert doc["notes"] == [rec] and doc["findings"] == []


def test_text_output_shows_notes_only_with_explain(book, licences):
    run = RunResult((check(book, licences, LAWFUL, "policy"),), "t", "t")
    assert "说明" not in render("text", run)
    explained = render("text", run, explain=True)
    assert "说明：未列为问题" in explained and "旅行社业务经营许可" in explained and "《旅游法》第二十九条" in explained


def test_a_licence_merely_mentioned_without_lawful_wording_gets_no_note(book, licences):
    r = check(book, licences, "全市共有燃气经营许可证持证企业三十余家。\n", "policy")
    assert r.findings == () and r.notes == ()


# -- citations on rule findings --------------------------------------------------------------------------

def test_a_negative_list_rule_finding_gets_the_licence_source(book, licences):
    text = "申领燃气经营许可证的企业，除国家规定条件外，还须加入县燃气行业协会。\n"
    r = check(book, licences, text, "policy")
    access = [f for f in r.findings if f.category in ("negative_list", "entry_exit")]
    assert access, [f.rule_id for f in r.findings]
    for f in access:
        assert f.detector == "rule"
        cited = [(c.law, c.article, c.verified) for c in f.legal_basis]
        assert ("城镇燃气管理条例", "第十五条", True) in cited
        own = book.get(f.rule_id).spec.legal_basis       # the rule's own basis stays first
        assert [c[0] for c in cited[:len(own)]] == [b.law for b in own]
    assert not nl_findings(r) and r.notes == ()


# -- the imported list ---------------------------------------------------------------------------------

def _import_list(tmp_path):
    f = tmp_path / "list2025.csv"
    f.write_text(
        "序号,禁止或许可事项,事项编码,禁止或许可准入措施描述,主管部门\n"
        "1,未获得许可，不得从事出版物经营,201055,从事出版物批发、零售业务须取得出版物经营许可证,新闻出版署\n",
        encoding="utf-8",
    )
    return store.import_file(f)


def test_imported_list_items_are_matched_cited_and_noted(book, tmp_path):
    version = _import_list(tmp_path).version
    analyzer = Analyzer(book)          # default detector: built-in table + the imported list
    assert any(it.code == "201055" for it in analyzer.negative_list.items)
    doc = read_document("-", "开办书店从事图书零售的，应当依法取得出版物经营许可证。\n".encode("utf-8"))
    r = analyzer.check(doc, "policy")
    notes = [n.to_record() for n in r.notes if n.basis and n.basis[0].law.startswith("市场准入负面清单")]
    assert notes, [n.to_record() for n in r.notes]
    assert notes[0]["basis"][0] == {"law": "市场准入负面清单（2025年版）", "article": "事项201055",
                                    "item": "（未获得许可，不得从事出版物经营）", "verified": False}
    assert version.startswith("2025-")


def test_without_an_imported_list_the_default_detector_uses_the_table_only():
    detector = default_detector(Options())
    assert detector.items == ()


# -- the matcher and the shipped table ----------------------------------------------------------------

def test_matcher_prefers_the_longest_form(licences):
    m = Matcher(licences).mentions("须持有燃气经营许可证")
    assert [x.form for x in m] == ["燃气经营许可证"]


def test_shipped_licence_table_loads_if_present():
    from checker.negative_list.licences import default_licences_path

    path = default_licences_path()
    if not path.is_file():
        pytest.skip("corpora/negative_list/licences.tsv not shipped yet")
    table = load_licences(path)
    assert len(table) >= 150
    assert {lic.status for lic in table} <= {"active", "abolished", "filing"}
    for lic in table:
        c = lic.citation()
        if c is not None and c.verified:
            problem = citation_problem(c.law, c.article, c.item, c.paragraph)
            assert problem is None or problem.startswith("未附带"), (lic.id, problem)


def test_malformed_licence_table_names_line_and_column(tmp_path):
    bad = list(TABLE[0])
    bad[7] = "cancelled"
    path = tmp_path / "licences.tsv"
    path.write_text("\n".join("\t".join(r) for r in [HEADER, bad]) + "\n", encoding="utf-8")
    with pytest.raises(store.NegativeListError, match="第2行“status”列"):
        load_licences(path)


def test_json_output_always_has_notes(run_fcr, tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text("关于支持企业发展的若干措施\n\n本办法适用于本县各类企业。\n", encoding="utf-8")
    p = run_fcr("check", "--format", "json", str(f))
    doc = json.loads(p.stdout)["documents"][0]
    assert doc["notes"] == []
