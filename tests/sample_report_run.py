"""A fixed, realistic RunResult for the report golden tests (Markdown, Excel, SARIF).

The documents are written here (a policy draft as .txt, a tender excerpt as .docx made with
python-docx, and one file that cannot be read) and checked by the real engine with rules only, so
the classifier cannot move the golden files. Paths are relative to the folder the files are
written in, so the output does not depend on the machine.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
from contextlib import contextmanager
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
REPORT_DATE = "2025-03-01"
# Fixed stand-ins so a version bump or any rule edit does not by itself churn the golden files.
VERSION = "0.0.0-golden"
RULES_VERSION = "golden-rules"

POLICY_NAME = "数字经济若干措施.txt"
TENDER_NAME = "设备采购招标文件.docx"
BROKEN_NAME = "损坏的附件.docx"

POLICY_TEXT = """关于促进本区数字经济产业高质量发展的若干措施（征求意见稿）

第一条 为加快培育数字经济产业集群，结合本区实际，制定本措施。
第二条 申报单位应当在本区办理工商注册登记并在本区依法纳税，且承诺十年内不迁离本区。
第三条 对区内企业采购本地生产的服务器、存储设备的，按采购金额的百分之十给予补贴。
第四条 年度纳税额超过一千万元的企业，以其当年增值税地方分成部分的一半作为奖励。
第五条 外地企业在本区承接政府投资信息化项目的，应当在本区设立分支机构。
第六条 本措施自印发之日起施行，有效期三年。
"""

TENDER_PARAGRAPHS = [
    ("title", "某区政务数据中心网络设备采购项目招标文件"),
    ("heading", "第一章 投标人资格要求"),
    ("p", "1. 投标人应符合《中华人民共和国政府采购法》第二十二条规定的条件。"),
    ("p", "2. 投标人注册资本不低于一千万元，且须为国有控股企业。"),
    ("p", "3. 投标人须在本市设有售后服务网点，并提供营业执照复印件。"),
    ("p", "4. 投标保证金为采购项目预算金额的2%，以银行转账方式提交。"),
    ("heading", "第二章 技术要求"),
    ("p", "核心交换机品牌须为“云岭”，不接受其他品牌。"),
    ("p", "投标人报名时须同时提交所投交换机样品一台，样品一律不予退还。"),
]
TENDER_TABLE = [
    ("评分因素", "分值", "评分标准"),
    ("业绩", "10", "投标人近三年在本省完成过同类项目的，每个得2分，最高10分。"),
    ("荣誉", "5", "投标人获得过本市“守合同重信用”称号的得5分。"),
    ("技术方案", "20", "由评委根据各投标人方案优劣综合比较后酌情打分。"),
]


def write_tender_docx(path: Path, paragraphs, table_rows) -> None:
    """A tender excerpt as Word writes it: title, headings, paragraphs, then a scoring table."""
    from docx import Document as DocxDocument

    doc = DocxDocument()
    for kind, text in paragraphs:
        if kind == "title":
            doc.add_heading(text, level=0)
        elif kind == "heading":
            doc.add_heading(text, level=1)
        else:
            doc.add_paragraph(text)
    doc.add_heading("第三章 评分标准", level=1)
    table = doc.add_table(rows=len(table_rows), cols=3)
    for r, row in enumerate(table_rows):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    doc.save(path)


def write_inputs(folder: Path) -> list[str]:
    """Write the three inputs into ``folder``; return their names in report order."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / POLICY_NAME).write_text(POLICY_TEXT, encoding="utf-8")
    write_tender_docx(folder / TENDER_NAME, TENDER_PARAGRAPHS, TENDER_TABLE)
    (folder / BROKEN_NAME).write_bytes(b"PK\x03\x04 not really a zip archive")
    return [POLICY_NAME, TENDER_NAME, BROKEN_NAME]


@contextmanager
def _cwd(folder: Path):
    old = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def build_run(folder: Path, names: list[str] | None = None):
    """The RunResult fcr would give for ``fcr check --detectors rules`` on the three inputs
    (or on ``names`` among them), with fixed version strings."""
    from checker.engine import Analyzer, Options
    from checker.findings import RunResult
    from checker.rulebook import default_rulebook

    written = write_inputs(folder)
    analyzer = Analyzer(default_rulebook(), Options(detectors="rules"))
    with _cwd(folder):
        results = tuple(analyzer.check_path(name) for name in (names or written))
    return RunResult(results, VERSION, RULES_VERSION)


def with_paths(run, paths: dict[str, str]):
    """The same run with documents renamed (old name → new path), e.g. to test path handling."""
    docs = tuple(dataclasses.replace(d, path=paths.get(d.path, d.path)) for d in run.documents)
    return dataclasses.replace(run, documents=docs)


def check_golden(name: str, actual: str) -> None:
    """Compare with ``tests/golden/<name>``; ``FCR_UPDATE_GOLDEN=1`` rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("FCR_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{name}", tofile="actual", n=2))
        raise AssertionError(
            f"{name} differs from the golden file (regenerate with FCR_UPDATE_GOLDEN=1 pytest …):\n{diff[:6000]}")
