"""``fcr audit``: resumable after kill -9, incremental, reconciles edited files, survives bad files.

The documents are generated here from clauses written for these tests (a county logistics
support measure and its variations); nothing is copied from ../shared.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from conftest import fcr_command

PLACES = ["本县", "本市", "本区", "本镇"]
VIOLATING = [
    "申请奖励的企业应当在{p}注册登记，且近三年在{p}缴纳税收。",
    "对年度纳税额超过五百万元的企业，按其缴纳增值税地方留成部分的百分之五十给予返还。",
    "新建仓储项目优先选用{p}生产的建筑材料和{p}施工队伍。",
    "外地运输企业进入{p}开展配送业务，须在{p}设立分公司。",
]
LAWFUL = [
    "本办法由商务主管部门负责解释。",
    "各类经营主体依法平等参与申报，不得设置不合理条件。",
    "本办法自发布之日起施行，有效期三年。",
    "申报材料应当真实、完整，并按规定时间提交。",
]


def make_corpus(folder: Path, n: int, seed: int = 11) -> list[str]:
    """``n`` short policy measures in four sub-folders; returns their paths relative to ``folder.parent``."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        lines = [f"关于支持第{i}批物流企业发展的若干措施", ""]
        for k in range(1, rnd.randint(3, 6) + 1):
            pool = VIOLATING if rnd.random() < 0.5 else LAWFUL
            lines.append(f"第{k}条 " + rnd.choice(pool).format(p=rnd.choice(PLACES)))
        path = folder / f"sub{i % 4}" / f"doc_{i:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.append(f"{folder.name}/sub{i % 4}/doc_{i:03d}.txt")
    return out


def audit(run_fcr, cwd: Path, *args: str):
    return run_fcr("audit", *args, "--workers", "2", cwd=cwd)


def rows(db: Path, sql: str, *params) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def ledger_json(run_fcr, cwd: Path, db: str = "fcr-ledger.sqlite", *args: str) -> dict:
    p = run_fcr("ledger", "list", "--db", db, "--format", "json", *args, cwd=cwd)
    assert p.returncode == 0, p.stderr.decode()
    return json.loads(p.stdout)


def test_audit_kill9_then_resume_loses_nothing_and_counts_nothing_twice(run_fcr, tmp_path):
    expected = make_corpus(tmp_path / "docs", 200)
    db = tmp_path / "fcr-ledger.sqlite"
    proc = subprocess.Popen([*fcr_command(), "audit", "docs", "--workers", "2"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    committed = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    committed = rows(db, "SELECT count(*) FROM documents")[0][0]
                except sqlite3.OperationalError:   # schema not created yet
                    committed = 0
                if committed >= 10:
                    break
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)   # the coordinator and its worker processes
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = rows(db, "SELECT count(*) FROM documents")[0][0]
    assert 10 <= partial < 200, "the run must be killed mid-way"
    assert rows(db, "SELECT status FROM runs") == [("running",)]

    p = audit(run_fcr, tmp_path, "docs")
    assert p.returncode == 1, p.stderr.decode()
    out = p.stdout.decode()
    assert f"未变更跳过 {partial} 个" in out and f"本次检查 {200 - partial} 个" in out
    assert "上次运行（第 1 次）未正常结束" in out
    assert rows(db, "SELECT id, status FROM runs ORDER BY id") == [(1, "killed"), (2, "done")]

    paths = [r[0] for r in rows(db, "SELECT path FROM documents")]
    assert sorted(paths) == sorted(expected)          # every file, exactly once, as given
    dupes = rows(db, "SELECT document_id, fingerprint, count(*) FROM findings GROUP BY 1, 2 HAVING count(*) > 1")
    assert dupes == []

    clean = audit(run_fcr, tmp_path, "docs", "--db", "clean.sqlite")
    assert clean.returncode == 1, clean.stderr.decode()
    per_doc = "SELECT d.path, count(f.id) FROM documents d LEFT JOIN findings f ON f.document_id = d.id GROUP BY d.path"
    assert rows(db, per_doc) == rows(tmp_path / "clean.sqlite", per_doc)
    total = rows(db, "SELECT count(*) FROM findings")[0][0]
    assert total == rows(tmp_path / "clean.sqlite", "SELECT count(*) FROM findings")[0][0] > 100


def test_audit_unchanged_rerun_checks_nothing(run_fcr, tmp_path):
    make_corpus(tmp_path / "docs", 12)
    p = audit(run_fcr, tmp_path, "docs")
    assert p.returncode == 1, p.stderr.decode()
    db = tmp_path / "fcr-ledger.sqlite"
    before = rows(db, "SELECT path, sha256, checked_at, run_id FROM documents ORDER BY path")
    assert {r[3] for r in before} == {1}
    findings_before = rows(db, "SELECT id, fingerprint, last_seen FROM findings ORDER BY id")

    again = audit(run_fcr, tmp_path, "docs")
    assert again.returncode == 1
    assert "本次检查 0 个，未变更跳过 12 个" in again.stdout.decode()
    assert rows(db, "SELECT path, sha256, checked_at, run_id FROM documents ORDER BY path") == before
    assert rows(db, "SELECT id, fingerprint, last_seen FROM findings ORDER BY id") == findings_before
    assert rows(db, "SELECT id, status, checked, skipped FROM runs ORDER BY id") == [(1, "done", 12, 0), (2, "done", 0, 12)]

    # One file changes: only it is checked again.
    edited = tmp_path / "docs" / "sub1" / "doc_005.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "第九条 本办法未尽事宜按国家有关规定执行。\n", encoding="utf-8")
    third = audit(run_fcr, tmp_path, "docs")
    assert "本次检查 1 个，未变更跳过 11 个" in third.stdout.decode()
    after = dict((r[0], r[3]) for r in rows(db, "SELECT path, sha256, checked_at, run_id FROM documents"))
    assert after.pop("docs/sub1/doc_005.txt") == 3
    assert set(after.values()) == {1}


POLICY_V1 = """关于促进本县商贸物流企业发展的扶持办法

第一条 为加快县域物流产业集聚，制定本办法。
第二条 申请奖励的企业应当在本县注册登记，且近三年在本县缴纳税收。
第三条 对年度纳税额超过五百万元的物流企业，按其缴纳增值税县级留成部分的百分之五十给予返还。
第四条 县内新建冷链仓储项目优先选用本县生产的保温材料和本地施工队伍。
第五条 本办法由县商务局负责解释，自发布之日起施行。
"""
# Revised: a preamble pushes every line down, 第二条 is fixed, a branch-office demand is added.
POLICY_V2 = """关于促进本县商贸物流企业发展的扶持办法
（征求意见稿第二稿）

第一条 为加快县域物流产业集聚，制定本办法。
第二条 各类经营主体均可依法申请奖励，不以注册地和纳税地为条件。
第三条 对年度纳税额超过五百万元的物流企业，按其缴纳增值税县级留成部分的百分之五十给予返还。
第四条 县内新建冷链仓储项目优先选用本县生产的保温材料和本地施工队伍。
第五条 外地物流企业进入本县开展配送业务，须在本县设立分公司。
第六条 本办法由县商务局负责解释，自发布之日起施行。
"""


def test_audit_reconciles_an_edited_file(run_fcr, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "measure.txt").write_text(POLICY_V1, encoding="utf-8")
    assert audit(run_fcr, tmp_path, "docs").returncode == 1
    first = {f["rule_id"]: f for f in ledger_json(run_fcr, tmp_path)["findings"]}
    assert set(first) == {"FLOW-LOCAL-REG-01", "COST-TAX-REBATE-01", "FLOW-GOODS-PREF-01"}
    rebate, goods, reg = first["COST-TAX-REBATE-01"], first["FLOW-GOODS-PREF-01"], first["FLOW-LOCAL-REG-01"]
    assert rebate["location"]["line"] == 5 and rebate["path"] == "docs/measure.txt"
    p = run_fcr("ledger", "set", str(rebate["id"]), "--status", "confirmed", "--by", "审查科", cwd=tmp_path)
    assert p.returncode == 0, p.stderr.decode()

    (docs / "measure.txt").write_text(POLICY_V2, encoding="utf-8")
    p = audit(run_fcr, tmp_path, "docs")
    assert "新增 1 条，复查已整改 1 条" in p.stdout.decode()
    now = {f["id"]: f for f in ledger_json(run_fcr, tmp_path)["findings"]}
    assert now[reg["id"]]["status"] == "resolved"              # removed from the file
    assert now[rebate["id"]]["status"] == "confirmed"          # still there: decision kept
    assert now[rebate["id"]]["location"]["line"] == 6          # same finding, moved a line down
    assert now[goods["id"]]["status"] == "open"
    added = [f for f in now.values() if f["id"] not in {reg["id"], rebate["id"], goods["id"]}]
    assert [(f["rule_id"], f["status"]) for f in added] == [("FLOW-LOCAL-BRANCH-01", "open")]

    hist = rows(tmp_path / "fcr-ledger.sqlite",
                "SELECT from_status, to_status, by, why FROM history WHERE finding_id = ? ORDER BY id", reg["id"])
    assert hist == [(None, "open", "fcr", "审计首次发现"), ("open", "resolved", "fcr", "复查未再发现")]
    hist = rows(tmp_path / "fcr-ledger.sqlite",
                "SELECT from_status, to_status, by FROM history WHERE finding_id = ? ORDER BY id", rebate["id"])
    assert hist == [(None, "open", "fcr"), ("open", "confirmed", "审查科")]

    # The fixed clause comes back: the resolved finding is reopened, not duplicated.
    (docs / "measure.txt").write_text(POLICY_V1, encoding="utf-8")
    p = audit(run_fcr, tmp_path, "docs")
    assert "再次出现 1 条" in p.stdout.decode()
    back = {f["id"]: f for f in ledger_json(run_fcr, tmp_path)["findings"]}
    assert back[reg["id"]]["status"] == "open" and len(back) == 4
    assert back[rebate["id"]]["status"] == "confirmed"


def test_audit_records_bad_files_and_goes_on(run_fcr, tmp_path):
    docs = tmp_path / "docs"
    make_corpus(docs, 6)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "broken.docx").write_bytes(b"this is not a zip archive at all" * 10)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(200))
    (docs / "notes.xyz").write_text("不是支持的格式", encoding="utf-8")   # not walked at all
    p = audit(run_fcr, tmp_path, "docs")
    assert p.returncode == 1, p.stderr.decode()
    out = p.stdout.decode()
    assert "共 9 个" in out and "本次检查 6 个" in out and "无法读取 3 个" in out
    data = ledger_json(run_fcr, tmp_path, "fcr-ledger.sqlite", "--status", "error")
    errors = {d["path"]: d for d in data["documents"]}
    assert set(errors) == {"docs/empty.txt", "docs/broken.docx", "docs/broken.pdf"}
    assert errors["docs/empty.txt"]["error"] == "文件为空"
    assert all(d["error"] and d["status"] == "error" and d["findings"] == 0 for d in errors.values())
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in d["error"]) for d in errors.values())
    # An unchanged bad file is not retried; a repaired one is.
    (docs / "empty.txt").write_text("第一条 申请奖励的企业应当在本市注册登记。\n", encoding="utf-8")
    again = audit(run_fcr, tmp_path, "docs")
    assert "本次检查 1 个，未变更跳过 8 个，无法读取 0 个" in again.stdout.decode()


def test_audit_include_exclude_report_dir_and_log_lines(run_fcr, tmp_path):
    make_corpus(tmp_path / "docs", 16)
    p = audit(run_fcr, tmp_path, "docs", "--include", "sub1/*", "--include", "sub2/*",
              "--exclude", "*_013.txt", "--report-dir", "out")
    assert p.returncode == 1, p.stderr.decode()
    paths = [d["path"] for d in ledger_json(run_fcr, tmp_path)["documents"]]
    assert paths == ["docs/sub1/doc_001.txt", "docs/sub1/doc_005.txt", "docs/sub1/doc_009.txt",
                     "docs/sub2/doc_002.txt", "docs/sub2/doc_006.txt", "docs/sub2/doc_010.txt", "docs/sub2/doc_014.txt"]
    err = p.stderr.decode()
    assert "已处理 7/7" in err and "\r" not in err            # not a terminal: plain log lines
    reports = sorted(x.name for x in (tmp_path / "out").iterdir())
    assert reports == ["audit-run-1-台账.xlsx", "audit-run-1.html"]
    html = (tmp_path / "out" / "audit-run-1.html").read_text(encoding="utf-8")
    assert "docs/sub1/doc_001.txt" in html
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "out" / "audit-run-1-台账.xlsx")["台账"]
    n = len(ledger_json(run_fcr, tmp_path)["findings"])
    assert ws.max_row == n + 1


def test_audit_usage_errors(run_fcr, tmp_path):
    p = run_fcr("audit", "nowhere", cwd=tmp_path)
    assert p.returncode == 2
    err = p.stderr.decode()
    assert "nowhere：文件夹不存在" in err and "没有找到可审计的文件" in err
    assert not (tmp_path / "fcr-ledger.sqlite").exists()
    p = run_fcr("audit", ".", "--workers", "0", cwd=tmp_path)
    assert p.returncode == 2 and "--workers" in p.stderr.decode()


def test_progress_bar_on_a_terminal():
    import io

    from checker.jobs.audit import AuditSummary, Progress

    buf = io.StringIO()
    bar = Progress(4, stream=buf, tty=True)
    s = AuditSummary(run_id=1, files=4)
    for i in range(4):
        s.checked += 1
        s.seconds = 0.5 * (i + 1)
        bar(s)
    text = buf.getvalue()
    assert text.startswith("\r") and "4/4 100%" in text and "个/秒" in text and "剩余" in text
    assert text.endswith("\n")


def test_audit_marks_deleted_files_and_clears_the_mark_when_they_return(run_fcr, tmp_path):
    make_corpus(tmp_path / "docs", 8)
    assert audit(run_fcr, tmp_path, "docs").returncode == 1
    gone = tmp_path / "docs" / "sub2" / "doc_006.txt"
    text = gone.read_bytes()
    gone.unlink()
    p = audit(run_fcr, tmp_path, "docs")
    assert "共 7 个" in p.stdout.decode() and "台账中有 1 个文件已不存在" in p.stdout.decode()
    docs = {d["path"]: d for d in ledger_json(run_fcr, tmp_path)["documents"]}
    assert len(docs) == 8                                   # kept, with its findings
    assert docs["docs/sub2/doc_006.txt"]["missing_since"] is not None
    assert [d for d, r in docs.items() if r["missing_since"]] == ["docs/sub2/doc_006.txt"]
    listing = run_fcr("ledger", "list", cwd=tmp_path).stdout.decode()
    assert "[文件已不存在] docs/sub2/doc_006.txt" in listing and "已不存在 1 个" in listing
    # Auditing only another folder says nothing about files outside it.
    other = tmp_path / "other"
    make_corpus(other, 2, seed=3)
    assert "已不存在" not in audit(run_fcr, tmp_path, "other").stdout.decode()
    # Back, unchanged: skipped (same hash) and no longer marked.
    gone.write_bytes(text)
    p = audit(run_fcr, tmp_path, "docs")
    assert "本次检查 0 个，未变更跳过 8 个" in p.stdout.decode()
    assert all(d["missing_since"] is None for d in ledger_json(run_fcr, tmp_path)["documents"])


def test_audit_uses_fcr_toml_and_extra_rules(run_fcr, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tender.txt").write_text(
        "某学校食堂食材采购项目招标文件\n投标人须在临港新片区设有配送中心。\n投标人应具备食品经营许可证。\n",
        encoding="utf-8")
    p = audit(run_fcr, tmp_path, "docs")
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()      # 临港新片区 is just a place
    (tmp_path / "fcr.toml").write_text('jurisdiction = ["临港新片区"]\n', encoding="utf-8")
    p = audit(run_fcr, tmp_path, "docs")
    out = p.stdout.decode()
    assert p.returncode == 1 and "本次检查 1 个" in out, out      # the options changed: checked again
    found = {f["rule_id"] for f in ledger_json(run_fcr, tmp_path)["findings"]}
    assert found and all(r.startswith("GP-") for r in found)
    # An extra rule pack given with --rules is used too, and a broken one stops the run early.
    pack = tmp_path / "my_rules"
    pack.mkdir()
    bad = pack / "X-BAD-01.yaml"
    bad.write_text("id: X-BAD-01\nnonsense: true\n", encoding="utf-8")
    p = audit(run_fcr, tmp_path, "docs", "--rules", "my_rules")
    assert p.returncode == 2 and "X-BAD-01.yaml" in p.stderr.decode()


def test_ledger_runs_lists_the_runs(run_fcr, tmp_path):
    make_corpus(tmp_path / "docs", 3)
    audit(run_fcr, tmp_path, "docs")
    audit(run_fcr, tmp_path, "docs")
    p = run_fcr("ledger", "runs", "--format", "json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr.decode()
    runs = json.loads(p.stdout)["runs"]
    assert [(r["id"], r["status"], r["checked"], r["skipped"], r["roots"]) for r in runs] == [
        (2, "done", 0, 3, ["docs"]), (1, "done", 3, 0, ["docs"])]
    text = run_fcr("ledger", "runs", cwd=tmp_path).stdout.decode()
    assert text.splitlines()[0].startswith("第 2 次") and "完成" in text
