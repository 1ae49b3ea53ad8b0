"""``fcr eval`` on labelled clauses we write, and its agreement with the outside-in script."""
import json
import subprocess
import sys

import pytest

from conftest import REPO, fcr_command

ROWS = [
    {"text": "申报企业须在本区注册并在本区纳税，方可享受本办法规定的奖励。", "label": "violation", "doc_type": "policy", "category": "free_flow"},
    {"text": "本办法适用于在中华人民共和国境内依法登记的各类企业。", "label": "compliant", "doc_type": "policy", "category": "free_flow"},
    {"text": "会议定于每季度第一个月召开。", "label": "violation", "doc_type": "policy", "category": "other"},
    {"text": "投标人注册资本不低于1000万元人民币。", "label": "violation", "doc_type": "procurement", "category": "ownership_scale"},
    {"text": "投标人应具有履行合同所必需的设备和专业技术能力。", "label": "compliant", "doc_type": "procurement", "category": "qualification"},
]


def write_rows(tmp_path, rows=ROWS):
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_eval_counts_hits_misses_and_false_alarms(run_fcr, tmp_path):
    p = run_fcr("eval", "--format", "json", "--show-errors", "5", str(write_rows(tmp_path)))
    out = json.loads(p.stdout)
    assert p.returncode == 0
    assert out["overall"]["tp"] == 2 and out["overall"]["fn"] == 1
    assert out["overall"]["fp"] == 0 and out["overall"]["tn"] == 2
    assert out["overall"]["recall"] == round(2 / 3, 4) and out["overall"]["precision"] == 1.0
    assert out["by_doc_type"]["procurement"]["tp"] == 1
    assert out["by_category"]["policy/other"]["fn"] == 1
    assert [m["text"] for m in out["misses"]] == ["会议定于每季度第一个月召开。"]


def test_eval_text_output_and_floors_set_the_exit_code(run_fcr, tmp_path):
    path = str(write_rows(tmp_path))
    p = run_fcr("eval", "--show-errors", "2", path)
    text = p.stdout.decode("utf-8")
    assert "召回率 recall=0.667" in text and "漏报 MISS" in text
    assert run_fcr("eval", "--min-recall", "0.9", path).returncode == 1


def test_eval_rejects_malformed_lines_naming_the_line(run_fcr, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "x", "label": "violation"}\n{"text": "y"}\n', encoding="utf-8")
    p = run_fcr("eval", str(path))
    assert p.returncode == 2 and "bad.jsonl:2" in p.stderr.decode("utf-8")


def test_eval_agrees_with_the_outside_in_script(run_fcr, tmp_path, shared):
    path = str(write_rows(tmp_path))
    ours = json.loads(run_fcr("eval", "--format", "json", path).stdout)["overall"]
    cmd = fcr_command()
    if len(cmd) != 1:
        pytest.skip("the fcr console script is not installed")
    p = subprocess.run([sys.executable, str(shared / "tools" / "eval_cases.py"), path, "--fcr", cmd[0]],
                       capture_output=True, text=True, cwd=REPO)
    last = p.stdout.strip().splitlines()[-1]
    assert f"recall={ours['recall']:.3f}" in last and f"precision={ours['precision']:.3f}" in last
