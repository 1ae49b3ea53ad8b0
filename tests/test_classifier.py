"""The shipped classifier: reproducible training, clear load errors, and its two roles."""
import json
import shutil
from pathlib import Path

import pytest

from checker.classifier import ModelError, default_model, default_model_path, load_model
from checker.document import Block, Document, Location
from checker.engine import Analyzer, Options
from checker.rulebook import default_rulebook

VIOLATING = "申报企业须在本区注册并在本区纳税，方可享受本办法规定的奖励。"


def shipped():
    model = default_model()
    if model is None:
        pytest.fail("the shipped model does not load")
    return model


def doc(*lines):
    return Document("t.txt", tuple(Block(t, location=Location(line=i + 1, paragraph=i)) for i, t in enumerate(lines)))


def test_classifier_shipped_model_is_small_and_documented():
    path = default_model_path()
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert path.stat().st_size < 20 * 1024 * 1024
    for key in ("training_data_sha256", "model_sha256", "versions", "cross_validation", "threshold", "seed"):
        assert key in meta
    assert meta["cross_validation"]["grouped_by"].startswith("group")
    assert 0.5 <= meta["threshold"] < 1.0


def test_classifier_training_reproduces_the_shipped_model(run_fcr, tmp_path):
    out = tmp_path / "clause_model.pkl"
    p = run_fcr("train", "--out", str(out))
    assert p.returncode == 0, p.stderr.decode("utf-8")[-800:]
    ours = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    theirs = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    assert ours["training_data_sha256"] == theirs["training_data_sha256"]
    assert ours["cross_validation"] == theirs["cross_validation"]          # metric for metric
    if ours["versions"] == theirs["versions"]:
        # Same libraries: the pickle itself is identical (no hash-seed or id() state in it).
        assert ours["model_sha256"] == theirs["model_sha256"]


def _copy_model(tmp_path: Path) -> Path:
    src = default_model_path()
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    shutil.copy(src.with_suffix(".json"), dst.with_suffix(".json"))
    return dst


def test_classifier_incompatible_library_gives_a_clear_message(tmp_path):
    path = _copy_model(tmp_path)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "0.24.2"
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="scikit-learn 0.24.2.*不兼容.*fcr train"):
        load_model(path)


def test_classifier_corrupt_or_tampered_file_gives_a_clear_message(tmp_path):
    path = _copy_model(tmp_path)
    path.write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="无法加载|校验值"):
        load_model(path)
    path.with_suffix(".json").unlink()
    with pytest.raises(ModelError, match="不存在"):
        load_model(path)


def test_classifier_separates_a_violation_from_a_lookalike():
    model = shipped()
    bad, ok = model.predict([VIOLATING, "本办法适用于在中华人民共和国境内依法登记的各类企业。"], "policy")
    assert bad.probability > 0.7 > ok.probability
    assert bad.category in {"free_flow", "entry_exit", "cost"}


def test_classifier_adjusts_rule_confidence_and_records_probability():
    model = shipped()
    book = default_rulebook()
    rules_only = Analyzer(book, Options(detectors="rules")).check(doc(VIOLATING), "policy").findings
    combined = Analyzer(book, Options(), model).check(doc(VIOLATING), "policy").findings
    assert [f.rule_id for f in rules_only] == [f.rule_id for f in combined]
    for r, c in zip(rules_only, combined):
        assert c.explanation.model_probability is not None
        assert c.confidence != r.confidence


def test_classifier_model_only_finding_names_category_and_standard():
    model = shipped()
    # A paraphrase no rule is written for; with the threshold at 0 any candidate clause reports.
    text = "凡在外省登记的运输企业来我市承接业务，每车须另交管理费并办理临时通行手续。"
    a = Analyzer(default_rulebook(), Options(detectors="model", model_threshold=0.0), model)
    [f] = a.check(doc(text), "policy").findings
    assert f.detector == "model" and f.rule_id.startswith("MODEL-")
    assert f.legal_basis and f.legal_basis[0].law == "公平竞争审查条例"
    assert f.explanation.model_category == f.category


def test_classifier_model_findings_file_cites_real_articles():
    from checker.citations import citation_problem
    from checker.model_detector import category_findings

    specs = category_findings()
    assert set(specs) >= {"entry_exit", "free_flow", "cost", "region", "brand_spec"}
    for cat, spec in specs.items():
        for b in spec.legal_basis:
            assert citation_problem(b.law, b.article, b.item, b.paragraph) is None, cat


@pytest.mark.parametrize("text", [
    # 响应 / 供应 are not modals; a place of performance with its street address is no condition.
    "递交响应文件及磋商会议地点：某某工程咨询有限公司（东港市振兴区五经街86号三楼）。",
    "服务地点：县公安局办公区（城关镇人民路12号）及采购人指定的其他地点。",
    "供应商的相应报价文件按时送达采购代理机构即可，地址为滨江市中山路8号。",
    "（4）青河县城区内由采购人指定的其他具体地点。",
    "合同一式五份，一份送江北市临川区财政局备案。",
])
def test_classifier_model_only_findings_need_a_real_restriction(text):
    a = Analyzer(default_rulebook(), Options(detectors="model", model_threshold=0.0), shipped())
    assert a.check(doc(text), "procurement").findings == ()
