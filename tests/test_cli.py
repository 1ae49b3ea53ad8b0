"""The command-line contract of DESIGN.md, driven through the installed ``fcr`` command."""
import json
from pathlib import Path

import pytest

from conftest import REPO

VIOLATING = "申报企业须在本区注册并在本区纳税，方可享受本办法规定的奖励。\n"
LAWFUL = "本办法适用于在中华人民共和国境内依法登记的各类企业。\n"


def check_json(run_fcr, *args, stdin=None):
    p = run_fcr("check", "--format", "json", *args, stdin=stdin)
    return p, json.loads(p.stdout.decode("utf-8")) if p.stdout else None


def test_cli_check_json_contract_on_a_violation(run_fcr, tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text("关于支持企业发展的若干措施\n\n" + VIOLATING, encoding="utf-8")
    p, out = check_json(run_fcr, str(f))
    assert p.returncode == 1, p.stderr.decode()
    assert out["tool"]["name"] == "fcr" and out["tool"]["rules_version"]
    doc = out["documents"][0]
    assert doc["status"] == "ok" and doc["error"] is None and doc["doc_type"] == "policy"
    assert doc["chars"] > 0 and doc["clauses"] >= 2
    finding = doc["findings"][0]
    for key in ("rule_id", "category", "severity", "title", "message", "suggestion", "legal_basis",
                "clause", "evidence", "location", "confidence", "detector"):
        assert key in finding
    assert finding["location"]["line"] == 3
    assert finding["legal_basis"][0]["law"] == "公平竞争审查条例"
    assert finding["detector"] == "rule"
    assert out["summary"]["findings"] == len(doc["findings"])


def test_cli_check_lawful_text_exits_zero(run_fcr, tmp_path):
    f = tmp_path / "ok.txt"
    f.write_text(LAWFUL, encoding="utf-8")
    p, out = check_json(run_fcr, str(f))
    assert p.returncode == 0 and out["documents"][0]["findings"] == []


def test_cli_check_reads_standard_input(run_fcr):
    p, out = check_json(run_fcr, "--doc-type", "policy", "-", stdin=VIOLATING.encode("utf-8"))
    assert p.returncode == 1
    assert out["documents"][0]["path"] == "-" and out["documents"][0]["findings"]


def test_cli_text_format_reads_like_a_linter(run_fcr, tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text(VIOLATING, encoding="utf-8")
    p = run_fcr("check", "--doc-type", "policy", str(f))
    out = p.stdout.decode("utf-8")
    assert p.returncode == 1
    assert f"{f}:1: [" in out and "依据：《公平竞争审查条例》" in out and "建议：" in out
    assert "\033[" not in out  # no colour when not on a terminal


def test_cli_bad_inputs_are_reported_and_the_rest_still_checked(run_fcr, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(VIOLATING, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.docx"
    junk.write_bytes(bytes(range(256)) * 8)
    odd = tmp_path / "notes.xyz"
    odd.write_text("x", encoding="utf-8")
    before = {p: p.read_bytes() for p in (good, empty, junk, odd)}
    p, out = check_json(run_fcr, "--doc-type", "policy", str(good), str(empty), str(junk), str(odd),
                        str(tmp_path / "missing.txt"))
    assert p.returncode == 1
    docs = {Path(d["path"]).name: d for d in out["documents"]}
    assert docs["good.txt"]["status"] == "ok" and docs["good.txt"]["findings"]
    for name, words in (("empty.txt", "空"), ("junk.docx", "Word"), ("notes.xyz", "不支持"), ("missing.txt", "不存在")):
        assert docs[name]["status"] == "error", name
        assert words in docs[name]["error"], docs[name]["error"]
    assert out["summary"]["errors"] == 4
    assert {p: p.read_bytes() for p in before} == before  # inputs untouched


def test_cli_exit_2_when_nothing_could_be_read(run_fcr, tmp_path):
    p, out = check_json(run_fcr, str(tmp_path / "missing.txt"))
    assert p.returncode == 2
    assert out["documents"][0]["status"] == "error"
    assert "missing.txt" in p.stderr.decode("utf-8")


def test_cli_usage_error_exits_2(run_fcr):
    p = run_fcr("check", "--format", "pdf", "x.txt")
    assert p.returncode == 2 and "参数错误" in p.stderr.decode("utf-8")


def test_cli_output_file_is_written_and_never_the_input(run_fcr, tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text(VIOLATING, encoding="utf-8")
    out = tmp_path / "report.json"
    p = run_fcr("check", "--format", "json", "-o", str(out), str(f))
    assert p.returncode == 1 and json.loads(out.read_text(encoding="utf-8"))["summary"]["findings"] >= 1
    p = run_fcr("check", "-o", str(f), str(f))
    assert p.returncode == 2 and f.read_text(encoding="utf-8") == VIOLATING


def test_cli_config_disables_rules_and_rejects_unknown_keys(run_fcr, tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text(VIOLATING, encoding="utf-8")
    p, out = check_json(run_fcr, "--detectors", "rules", "--doc-type", "policy", str(f))
    fired = {x["rule_id"] for x in out["documents"][0]["findings"]}
    (tmp_path / "fcr.toml").write_text(f"disable = {json.dumps(sorted(fired))}\n", encoding="utf-8")
    p, out = check_json(run_fcr, "--detectors", "rules", "--doc-type", "policy", str(f))
    assert p.returncode == 0 and out["documents"][0]["findings"] == []
    (tmp_path / "fcr.toml").write_text('disabel = ["X"]\n', encoding="utf-8")
    p = run_fcr("check", str(f))
    assert p.returncode == 2 and "未知配置项 disabel" in p.stderr.decode("utf-8")


def test_cli_config_jurisdiction_names_count_as_local(run_fcr, tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text("申报企业须在临港片区注册，方可享受本办法规定的奖励。\n", encoding="utf-8")
    (tmp_path / "fcr.toml").write_text('jurisdiction = ["临港片区"]\n', encoding="utf-8")
    p, out = check_json(run_fcr, "--doc-type", "policy", str(f))
    assert p.returncode == 1, out
    assert any(x["category"] == "free_flow" for x in out["documents"][0]["findings"])


def test_cli_rules_list_show_and_test(run_fcr, tmp_path):
    p = run_fcr("rules", "list", "--format", "json")
    rules = json.loads(p.stdout.decode("utf-8"))
    assert p.returncode == 0 and len(rules) >= 40
    rid = rules[0]["id"]
    p = run_fcr("rules", "show", rid)
    assert p.returncode == 0 and json.loads(p.stdout.decode("utf-8"))["id"] == rid
    assert run_fcr("rules", "show", "NO-SUCH-RULE").returncode == 2
    p = run_fcr("rules", "test")
    assert p.returncode == 0, p.stdout.decode("utf-8")[-2000:]
    assert " 0 failed" in p.stdout.decode("utf-8")


def test_cli_rules_test_reports_a_failing_user_example(run_fcr, tmp_path):
    from test_rulebook import GOOD, write_pack

    bad = {**GOOD, "examples": {**GOOD["examples"], "lawful": ["企业须在本地设立分公司。", "设立基金。", "依法设立。"]}}
    pack = write_pack(tmp_path, bad)
    p = run_fcr("rules", "test", str(pack))
    out = p.stdout.decode("utf-8")
    assert p.returncode == 1 and "1 failed" in out and "不应命中" in out


def test_cli_malformed_rule_pack_fails_with_clear_message(run_fcr, tmp_path):
    from test_rulebook import GOOD, write_pack

    pack = write_pack(tmp_path, {**GOOD, "legal_basic": []})
    f = tmp_path / "x.txt"
    f.write_text(VIOLATING, encoding="utf-8")
    p = run_fcr("check", "--rules", str(pack), str(f))
    err = p.stderr.decode("utf-8")
    assert p.returncode == 2 and "TEST-LOCAL-01.yaml" in err and "legal_basic" in err


def test_cli_module_and_shim_entry_points_agree(tmp_path):
    import subprocess
    import sys

    f = tmp_path / "draft.txt"
    f.write_text(VIOLATING, encoding="utf-8")
    outs = []
    for cmd in ([sys.executable, "-m", "checker"], [sys.executable, str(REPO / "cli.py")]):
        p = subprocess.run([*cmd, "check", "--format", "json", "--doc-type", "policy", str(f)],
                           capture_output=True, cwd=REPO)
        outs.append(json.loads(p.stdout)["documents"][0]["findings"])
    assert outs[0] == outs[1] and outs[0]


@pytest.mark.parametrize("name", ["policy_example.txt", "tender_example.txt"])
def test_cli_bundled_examples_have_findings(run_fcr, name):
    p, out = check_json(run_fcr, str(REPO / "examples" / name))
    assert p.returncode == 1
    assert len(out["documents"][0]["findings"]) >= 4
