"""SARIF 2.1.0: golden file, validation against the shipped 2.1.0 schema (tests/schemas), severity
mapping, locations and the notifications for unreadable files."""
from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from sample_report_run import BROKEN_NAME, POLICY_NAME, build_run, check_golden, with_paths

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return build_run(tmp_path_factory.mktemp("sarif_inputs"))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def render(run, **kw) -> dict:
    from checker.reports import render as render_any

    out = render_any("sarif", run, **kw)
    assert isinstance(out, str)
    return json.loads(out)


def errors(validator, log) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(log)]


def test_sarif_matches_golden(run):
    from checker.reports import render as render_any

    check_golden("report.sarif", render_any("sarif", run))


def test_sarif_validates_against_the_2_1_0_schema(run, validator):
    log = render(run)
    assert errors(validator, log) == []
    assert errors(validator, render(run, explain=True)) == []
    # The validator does catch a broken log (so the check above means something).
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "high"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(errors(validator, broken)) == 2


def test_sarif_tool_rules_and_levels(run):
    log = render(run)
    assert log["version"] == "2.1.0"
    r = log["runs"][0]
    driver = r["tool"]["driver"]
    assert driver["name"] == "fcr" and driver["version"] == run.version
    assert "informationUri" not in driver
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == sorted({f.rule_id for f in run.findings})
    level = {"high": "error", "medium": "warning", "low": "note"}
    assert len(r["results"]) == len(run.findings)
    for res, f in zip(r["results"], run.findings):
        rule = driver["rules"][res["ruleIndex"]]
        assert res["ruleId"] == rule["id"] == f.rule_id
        assert rule["shortDescription"]["text"] == f.title
        assert rule["fullDescription"]["text"] == f.message and rule["help"]["text"] == f.suggestion
        assert rule["properties"]["category"] == f.category
        assert rule["properties"]["legalBasis"][0]["law"] == f.legal_basis[0].law
        assert res["level"] == level[f.severity] and res["properties"]["severity"] == f.severity
        assert res["message"]["text"] == f.message
        props = res["properties"]
        assert props["confidence"] == round(f.confidence, 3) and props["detector"] == f.detector
        for key in ("article", "page", "table", "row"):
            assert props[key] == getattr(f.location, key)
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["snippet"]["text"] == f.clause
        assert region["startLine"] == (f.location.line if f.location.line is not None else 1)
    assert {res["level"] for res in r["results"]} == {"error", "warning", "note"}


def test_sarif_locations_point_at_the_artifacts(run):
    r = render(run)["runs"][0]
    arts = r["artifacts"]
    assert [a["properties"]["path"] for a in arts] == [d.path for d in run.documents]
    for res in r["results"]:
        loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert arts[loc["index"]]["location"]["uri"] == loc["uri"]
    first = r["results"][0]["locations"][0]["physicalLocation"]
    assert first["region"]["startLine"] == 4   # line 4 of the policy text


def test_sarif_uri_is_the_path_as_given(run):
    from checker.reports.sarif_report import path_uri

    renamed = with_paths(run, {POLICY_NAME: "docs/policy-2025.txt"})
    r = render(renamed)["runs"][0]
    assert r["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docs/policy-2025.txt"
    # Characters outside URI syntax are percent-encoded; the raw path stays in the artifact.
    assert path_uri("政策/措施 1.txt") == "%E6%94%BF%E7%AD%96/%E6%8E%AA%E6%96%BD%201.txt"
    assert path_uri("/srv/docs/a.txt") == "/srv/docs/a.txt"
    assert path_uri("C:\\docs\\a.txt") == "file:///C:/docs/a.txt"
    assert path_uri("a:b.txt") == "./a:b.txt"


def test_sarif_unreadable_files_are_tool_execution_notifications(run, validator):
    inv = render(run)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is True
    (note,) = inv["toolExecutionNotifications"]
    bad = run.documents[2]
    assert note["level"] == "error" and bad.error in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["index"] == 2
    only_bad = dataclasses.replace(run, documents=(bad,))
    log = render(only_bad)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert log["runs"][0]["results"] == [] and errors(validator, log) == []
    assert BROKEN_NAME in log["runs"][0]["artifacts"][0]["properties"]["path"]


def test_sarif_report_through_the_cli(run_fcr, tmp_path, validator):
    from sample_report_run import write_inputs

    names = write_inputs(tmp_path)
    p = run_fcr("check", "--detectors", "rules", "--format", "sarif", *names, cwd=tmp_path)
    assert p.returncode == 1, p.stderr.decode()
    log = json.loads(p.stdout.decode("utf-8"))
    assert errors(validator, log) == [] and len(log["runs"][0]["results"]) == 12
