"""The ledger (SQLite) and its workflow commands: ``fcr ledger list|set|stats|export``."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from checker.ledger import Ledger, LedgerError, fingerprint, fingerprints
from test_audit import POLICY_V1

TENDER = """某县人民医院医用耗材采购项目竞争性磋商文件

第一章 供应商资格要求
1. 供应商须在本县设有常驻售后服务机构。
2. 投标产品须为国内知名品牌，且近三年在本市有同类项目业绩。
3. 供应商应具有良好的商业信誉和健全的财务会计制度。
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory, run_fcr_module):
    root = tmp_path_factory.mktemp("ledger")
    (root / "docs" / "policy").mkdir(parents=True)
    (root / "docs" / "tender").mkdir(parents=True)
    (root / "docs" / "policy" / "measure.txt").write_text(POLICY_V1, encoding="utf-8")
    (root / "docs" / "tender" / "cs.txt").write_text(TENDER, encoding="utf-8")
    (root / "docs" / "tender" / "blank.txt").write_text("   \n", encoding="utf-8")
    p = run_fcr_module("audit", "docs", "--workers", "2", cwd=root)
    assert p.returncode == 1, p.stderr.decode()
    return root


@pytest.fixture(scope="module")
def run_fcr_module():
    import subprocess

    from conftest import REPO, fcr_command

    def run(*args, cwd=None):
        return subprocess.run([*fcr_command(), *args], capture_output=True, cwd=cwd or REPO, timeout=600)

    return run


@pytest.fixture
def work(template, tmp_path):
    """A private copy of the audited folder and its ledger."""
    dst = tmp_path / "w"
    shutil.copytree(template, dst)
    return dst


def listing(run_fcr, cwd, *args) -> dict:
    p = run_fcr("ledger", "list", "--format", "json", *args, cwd=cwd)
    assert p.returncode == 0, p.stderr.decode()
    return json.loads(p.stdout)


def test_fingerprint_ignores_whitespace_and_script_and_numbers_repeats():
    a = fingerprint("FLOW-LOCAL-REG-01", "申请企业应当在本县注册登记。")
    assert a == fingerprint("FLOW-LOCAL-REG-01", " 申请企业应当在本县\n注册登記。 ")   # spaces, traditional 記
    assert a != fingerprint("FLOW-LOCAL-BRANCH-01", "申请企业应当在本县注册登记。")
    assert a != fingerprint("FLOW-LOCAL-REG-01", "申请企业应当在本县注册登记。", occurrence=2)

    class F:
        def __init__(self, clause):
            self.rule_id, self.clause = "R-X-01", clause

    fps = fingerprints([F("同一条款。"), F("另一条款。"), F("同一条款。")])
    assert len(set(fps)) == 3 and fps[0] == fingerprint("R-X-01", "同一条款。")


def test_ledger_schema_wal_and_foreign_files(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as led:
        assert led.journal_mode == "wal"
    con = sqlite3.connect(tmp_path / "l.sqlite")
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("2",)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "runs", "documents", "findings", "history"} <= tables
    con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(LedgerError, match="高于本程序支持"):
        Ledger(tmp_path / "l.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(LedgerError, match="不是可用的台账文件"):
        Ledger(tmp_path / "junk.sqlite")
    with pytest.raises(LedgerError, match="不存在"):
        Ledger(tmp_path / "missing.sqlite", create=False)


def test_a_version_1_ledger_is_migrated_in_place_and_keeps_its_rows(tmp_path):
    """Ledgers written by the first release (schema 1: no missing_since, no run pid/host)."""
    path = tmp_path / "old.sqlite"
    with Ledger(path) as led:
        run = led.start_run(["docs"], "v", "0.1.0", 1)
        led.finish_run(run, "done", checked=1)
    con = sqlite3.connect(path)
    for table, column in (("documents", "missing_since"), ("runs", "pid"), ("runs", "host")):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    con.commit()
    con.close()
    with Ledger(path) as led:
        assert [(r["id"], r["status"], r["pid"]) for r in led.runs()] == [(1, "done", None)]
        assert led.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
        led.db.execute("SELECT missing_since FROM documents").fetchall()
        assert led.start_run(["docs"], "v", "0.1.0", 1) == 2


def test_ledger_list_json_contract(run_fcr, work):
    data = listing(run_fcr, work)
    assert set(data) == {"documents", "findings"}
    docs = {d["path"]: d for d in data["documents"]}
    assert set(docs) == {"docs/policy/measure.txt", "docs/tender/cs.txt", "docs/tender/blank.txt"}
    for d in docs.values():
        assert {"path", "sha256", "status", "error", "checked_at", "findings"} <= set(d)
    assert docs["docs/tender/blank.txt"]["status"] == "error" and docs["docs/tender/blank.txt"]["error"] == "文件为空"
    assert docs["docs/policy/measure.txt"]["findings"] == 3 and len(docs["docs/policy/measure.txt"]["sha256"]) == 64
    for f in data["findings"]:
        assert {"id", "path", "rule_id", "status", "clause", "location"} <= set(f)
        assert f["status"] == "open" and f["location"]["line"] >= 1
    by_doc = {}
    for f in data["findings"]:
        by_doc[f["path"]] = by_doc.get(f["path"], 0) + 1
    assert by_doc == {p: d["findings"] for p, d in docs.items() if d["findings"]}

    only = listing(run_fcr, work, "--path", "docs/tender/*")
    assert {d["path"] for d in only["documents"]} == {"docs/tender/cs.txt", "docs/tender/blank.txt"}
    assert {f["path"] for f in only["findings"]} == {"docs/tender/cs.txt"}
    assert listing(run_fcr, work, "--status", "confirmed") == {"documents": [], "findings": []}
    errs = listing(run_fcr, work, "--status", "error")
    assert [d["path"] for d in errs["documents"]] == ["docs/tender/blank.txt"]

    text = run_fcr("ledger", "list", cwd=work).stdout.decode()
    first = data["findings"][0]
    assert f"#{first['id']} [待确认] {first['path']}" in text
    assert "[无法读取] docs/tender/blank.txt：文件为空" in text and "共 3 个文件" in text


def test_ledger_set_dismissal_needs_a_note_and_history_is_kept(run_fcr, work):
    ids = [f["id"] for f in listing(run_fcr, work)["findings"]]
    p = run_fcr("ledger", "set", str(ids[0]), "--status", "dismissed", cwd=work)
    assert p.returncode == 2
    assert "必须用 --note 写明理由" in p.stderr.decode()
    assert listing(run_fcr, work, "--status", "dismissed")["findings"] == []

    p = run_fcr("ledger", "set", str(ids[0]), "--status", "dismissed", "--note", "条款系转述上位法规定，非本文件设定",
                "--by", "李审查", cwd=work)
    assert p.returncode == 0, p.stderr.decode()
    assert "不予整改" in p.stdout.decode()
    p = run_fcr("ledger", "set", str(ids[1]), str(ids[2]), "--status", "rectifying", "--owner", "县商务局",
                "--deadline", "2025-10-31", "--by", "王科长", cwd=work)
    assert p.returncode == 0, p.stderr.decode()
    p = run_fcr("ledger", "set", str(ids[1]), "--status", "closed", "--by", "王科长", "--note", "修订稿已印发", cwd=work)
    assert p.returncode == 0, p.stderr.decode()

    with Ledger(work / "fcr-ledger.sqlite", create=False) as led:
        h0 = [(r["from_status"], r["to_status"], r["by"], r["why"]) for r in led.history(ids[0])]
        assert h0 == [(None, "open", "fcr", "审计首次发现"),
                      ("open", "dismissed", "李审查", "条款系转述上位法规定，非本文件设定")]
        h1 = [(r["from_status"], r["to_status"], r["by"], r["why"]) for r in led.history(ids[1])]
        assert h1[1:] == [("open", "rectifying", "王科长", "责任单位：县商务局；整改时限：2025-10-31"),
                          ("rectifying", "closed", "王科长", "修订稿已印发")]
        assert all(r["at"] for r in led.history(ids[1]))
    f1 = {f["id"]: f for f in listing(run_fcr, work)["findings"]}[ids[1]]
    assert (f1["status"], f1["owner"], f1["deadline"], f1["note"]) == ("closed", "县商务局", "2025-10-31", "修订稿已印发")


def test_ledger_set_rejects_unknown_ids_and_bad_dates_without_changing_anything(run_fcr, work):
    ids = [f["id"] for f in listing(run_fcr, work)["findings"]]
    p = run_fcr("ledger", "set", str(ids[0]), "9999", "--status", "confirmed", cwd=work)
    assert p.returncode == 2
    assert "没有编号为 9999 的问题" in p.stderr.decode()
    p = run_fcr("ledger", "set", str(ids[0]), "--status", "rectifying", "--deadline", "2025/13/01", cwd=work)
    assert p.returncode == 2 and "YYYY-MM-DD" in p.stderr.decode()
    p = run_fcr("ledger", "set", str(ids[0]), "--status", "open", cwd=work)
    assert p.returncode == 2                     # open is set by audits only
    assert {f["status"] for f in listing(run_fcr, work)["findings"]} == {"open"}
    p = run_fcr("ledger", "list", "--db", "elsewhere.sqlite", cwd=work)
    assert p.returncode == 2 and "台账文件 elsewhere.sqlite 不存在" in p.stderr.decode()
    assert not (work / "elsewhere.sqlite").exists()


def test_ledger_stats_and_rectification_rate(run_fcr, work):
    found = listing(run_fcr, work)["findings"]
    n = len(found)
    ids = [str(f["id"]) for f in found]
    run_fcr("ledger", "set", ids[0], "--status", "closed", "--note", "已修订", cwd=work)
    run_fcr("ledger", "set", ids[1], "--status", "resolved", cwd=work)
    run_fcr("ledger", "set", ids[2], "--status", "dismissed", "--note", "误报：属依法设定的资质", cwd=work)
    p = run_fcr("ledger", "stats", "--format", "json", cwd=work)
    assert p.returncode == 0, p.stderr.decode()
    [total] = json.loads(p.stdout)["groups"]
    assert (total["documents"], total["findings"], total["errors"]) == (3, n, 1)
    assert (total["open"], total["closed"]) == (n - 3, 1)
    assert total["rectification_rate"] == round(2 / (n - 1), 4)

    folders = {g["group"]: g for g in json.loads(run_fcr("ledger", "stats", "--by", "folder", "--format", "json",
                                                         cwd=work).stdout)["groups"]}
    assert set(folders) == {"docs/policy", "docs/tender"}
    assert folders["docs/tender"]["documents"] == 2 and folders["docs/policy"]["findings"] == 3
    types = json.loads(run_fcr("ledger", "stats", "--by", "doc_type", "--format", "json", cwd=work).stdout)["groups"]
    assert {g["group"] for g in types} >= {"policy", "procurement"}
    rules = json.loads(run_fcr("ledger", "stats", "--by", "rule", "--format", "json", cwd=work).stdout)["groups"]
    assert sum(g["findings"] for g in rules) == n and "FLOW-LOCAL-REG-01" in {g["group"] for g in rules}

    text = run_fcr("ledger", "stats", cwd=work).stdout.decode()
    assert "整改率" in text and f"{2 / (n - 1) * 100:.1f}%" in text


def test_ledger_export_fills_the_review_columns(run_fcr, work):
    from openpyxl import load_workbook

    found = listing(run_fcr, work)["findings"]
    target = found[1]
    run_fcr("ledger", "set", str(target["id"]), "--status", "rectifying", "--owner", "县卫健委",
            "--deadline", "2025-12-31", cwd=work)
    p = run_fcr("ledger", "export", "--format", "xlsx", "-o", "台账.xlsx", cwd=work)
    assert p.returncode == 0, p.stderr.decode()
    assert f"已导出 {len(found)} 条问题" in p.stdout.decode()
    ws = load_workbook(work / "台账.xlsx")["台账"]
    header = [c.value for c in ws[1]]
    assert header[:14] == ["序号", "文件", "位置", "条款原文", "问题类型", "违反依据", "修改建议", "严重程度", "置信度",
                           "责任单位", "整改时限", "状态", "问题说明", "规则编号"]
    assert header[14] == "台账编号"
    table = [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=2)]
    assert len(table) == len(found)
    row = next(r for r in table if r["台账编号"] == target["id"])
    assert (row["责任单位"], row["整改时限"], row["状态"]) == ("县卫健委", "2025-12-31", "整改中")
    assert row["文件"] == target["path"] and row["规则编号"] == target["rule_id"]
    assert {r["状态"] for r in table if r["台账编号"] != target["id"]} == {"待确认"}

    p = run_fcr("ledger", "list", "--format", "xlsx", "--status", "rectifying", "-o", "part.xlsx", cwd=work)
    assert p.returncode == 0, p.stderr.decode()
    assert load_workbook(work / "part.xlsx")["台账"].max_row == 2
