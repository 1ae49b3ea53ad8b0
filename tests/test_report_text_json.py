"""Golden files for the two original formats (text and JSON) on the shared sample run."""
from __future__ import annotations

import json

import pytest

from sample_report_run import build_run, check_golden


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return build_run(tmp_path_factory.mktemp("text_json_inputs"))


def test_text_report_matches_golden(run):
    from checker.reports import render

    out = render("text", run, explain=True)
    assert "\033[" not in out
    check_golden("report.txt", out)


def test_json_report_matches_golden_and_keeps_the_contract(run):
    from checker.reports import render

    out = render("json", run, explain=True)
    record = json.loads(out)
    assert set(record) == {"tool", "documents", "summary"}
    for doc in record["documents"]:
        assert {"path", "doc_type", "status", "error", "warnings", "chars", "clauses", "findings"} <= set(doc)
    check_golden("report.json", out)
