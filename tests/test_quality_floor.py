"""Quality floors on the real labelled material in ../shared (skipped when it is absent).

The figures come from the outside-in scripts the project is judged with; the floors live in
tests/quality_floor.json so no change can quietly make fcr worse.
"""
import json
import re
import subprocess
import sys

from conftest import REPO, fcr_command

FLOOR = json.loads((REPO / "tests" / "quality_floor.json").read_text(encoding="utf-8"))


def _fcr() -> str:
    cmd = fcr_command()
    if len(cmd) != 1:
        import pytest

        pytest.skip("the fcr console script is not installed")
    return cmd[0]


def test_quality_floor_on_dev_cases(shared):
    p = subprocess.run([sys.executable, str(shared / "tools/eval_cases.py"), str(shared / "corpora/dev_cases.jsonl"),
                        "--fcr", _fcr()], capture_output=True, text=True, cwd=REPO, timeout=900)
    lines = p.stdout.strip().splitlines()
    floor = FLOOR["dev_cases"]
    overall = re.search(r"recall=([\d.]+) precision=([\d.]+)", lines[-1])
    assert float(overall.group(1)) >= floor["recall"], p.stdout
    assert float(overall.group(2)) >= floor["precision"], p.stdout
    for line in lines:
        m = re.match(r"(policy|procurement): .*recall=([\d.]+) precision=([\d.]+)", line)
        if m:
            assert float(m.group(2)) >= floor["doc_type_recall"], line
            assert float(m.group(3)) >= floor["doc_type_precision"], line


def test_quality_floor_on_whole_documents(shared):
    p = subprocess.run([sys.executable, str(shared / "tools/eval_docs.py"), str(shared / "corpora/docs"), "/dev/null",
                        str(shared / "corpora/docs_labels.tsv")], capture_output=True, text=True, cwd=REPO,
                       timeout=900, env={**__import__("os").environ, "FCR": _fcr()})
    m = re.search(r"recall_high=([\d.]+) .*recall_all=([\d.]+) false_flag_lines=\d+ \(([\d.]+)/10k", p.stdout)
    assert m, p.stdout + p.stderr
    floor = FLOOR["docs"]
    assert float(m.group(1)) >= floor["recall_high"], p.stdout
    assert float(m.group(2)) >= floor["recall_all"], p.stdout
    assert float(m.group(3)) <= floor["max_false_flags_per_10k_chars"], p.stdout
    assert "failed=0" in p.stdout
