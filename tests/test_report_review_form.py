"""The 公平竞争审查结论（草稿） Word form (``fcr check --review-form OUT.docx``).

The input is written here (a policy measure as .txt, a competitive-negotiation file as .docx,
plus a missing file) and checked by the real engine with rules only, so the classifier cannot
move the golden file. Regenerate the golden text with ``FCR_UPDATE_GOLDEN=1 pytest
tests/test_report_review_form.py``.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from checker.citations import article_text
from checker.engine import Analyzer, Options
from checker.findings import RunResult
from checker.reports.review_form import CHECKLIST_HEADER, NOT_SHIPPED, render_review_form
from checker.rulebook import default_rulebook

GOLDEN = Path(__file__).parent / "golden" / "review_form.txt"
REPORT_DATE = "2025-03-01"

POLICY = """临川市关于支持新能源汽车产业链招商引资的若干措施

为加快新能源汽车产业集聚，优化营商环境，制定本措施。

第一条 本措施适用于在本市行政区域内从事新能源汽车及零部件研发、生产的企业。

第二条 对新引进落户的整车制造项目，按其投产后前三年实际缴纳增值税市级留存部分的60%给予奖励。

第三条 全市公交、出租、环卫领域更新车辆，应当优先选用本市整车企业生产的新能源汽车。

第四条 外地生产的动力电池进入本市销售的，须另行办理市场准入登记，并缴纳质量检验费。

第五条 市属国有企业的充电设施建设运营，统一交由市能源投资集团承担。

第六条 本市充电设施运营企业统一执行市充电行业协会确定的最低服务价格，不得低价竞争。

第七条 对整车项目用地，按工业用地出让最低价标准的50%确定出让价格。

第八条 为保障城市能源安全，新建公共充电站一律由市能源投资集团投资建设。

第九条 本措施由临川市商务局负责解释，自印发之日起施行，有效期至2027年12月31日。

临川市商务局
2025年2月10日
"""


def _tender_docx(path: Path) -> None:
    d = docx.Document()
    d.add_heading("临川市第二中学智慧教室设备采购项目竞争性磋商文件", level=0)
    d.add_paragraph("采购人：临川市第二中学")
    d.add_heading("第一章 供应商资格要求", level=1)
    for text in (
        "1. 具有独立承担民事责任的能力，符合《中华人民共和国政府采购法》第二十二条规定的条件。",
        "2. 供应商注册资本不低于800万元，且近三年年均营业收入不少于3000万元。",
        "3. 供应商须提供所投交互式平板生产厂家针对本项目出具的授权书。",
        "4. 供应商须在临川市设有固定售后服务网点。",
    ):
        d.add_paragraph(text)
    d.add_heading("第二章 采购需求", level=1)
    d.add_paragraph("交互式平板须采用希沃品牌产品，屏幕尺寸不小于86英寸。")
    d.add_heading("第三章 评分办法", level=1)
    rows = [
        ("评分因素", "分值", "评分标准"),
        ("价格", "30", "满足磋商文件要求且最后报价最低的供应商的价格为磋商基准价，其价格分为满分。"),
        ("企业荣誉", "5", "供应商获得省级以上人民政府颁发的质量奖的得5分。"),
        ("资质", "4", "供应商具有营业执照和本项目资格要求的资质证书的得4分。"),
        ("售后服务", "6", "承诺接到报修后2小时内响应的得6分，4小时内响应的得3分。"),
    ]
    table = d.add_table(rows=len(rows), cols=3)
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    d.save(path)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> RunResult:
    tmp = tmp_path_factory.mktemp("review_form")
    (tmp / "policy.txt").write_text(POLICY, encoding="utf-8")
    _tender_docx(tmp / "tender.docx")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FCR_DATA_DIR", str(tmp / "data"))      # no imported negative list
        analyzer = Analyzer(default_rulebook(), Options(detectors="rules"))
        docs = [analyzer.check_path(str(tmp / name)) for name in ("policy.txt", "tender.docx", "missing.txt")]
    # Fixed version strings: the golden text must not change with every release.
    return RunResult(tuple(docs), "TEST", "TEST")


@pytest.fixture(scope="module")
def form(run) -> bytes:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FCR_REPORT_DATE", REPORT_DATE)
        return render_review_form(run)


def _single(run: RunResult, index: int) -> docx.document.Document:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FCR_REPORT_DATE", REPORT_DATE)
        data = render_review_form(RunResult((run.documents[index],), run.version, run.rules_version))
    return docx.Document(io.BytesIO(data))


def _checklist(d) -> Table:
    tables = [t for t in d.tables if tuple(c.text for c in t.rows[0].cells) == CHECKLIST_HEADER]
    assert len(tables) == 1
    return tables[0]


def _rows(table: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def _items(law: str, article: str) -> list[tuple[str, str]]:
    """(（一）, text) straight from the shipped article, parsed independently of the renderer."""
    out = []
    for line in article_text(law, article).splitlines():
        m = re.match(r"^[（(]([一二三四五六七八九十]+)[）)](.+)$", line.strip())
        if m:
            out.append((f"（{m.group(1)}）", m.group(2)))
    return out


def extract_text(d) -> str:
    """Paragraphs and table cells in body order: the golden form of the document."""
    lines = []
    for el in d.element.body.iterchildren():
        if el.tag == qn("w:p"):
            p = Paragraph(el, d)
            lines.append(("[分页] " if p.paragraph_format.page_break_before else "") + p.text)
        elif el.tag == qn("w:tbl"):
            for row in Table(el, d).rows:
                lines.append("| " + " | ".join(c.text.replace("\n", " ⏎ ") for c in row.cells) + " |")
    return "\n".join(lines) + "\n"


# --- policy measure ---------------------------------------------------------------------------


def test_policy_checklist_has_the_19_standards_in_the_shipped_wording(run):
    rows = _rows(_checklist(_single(run, 0)))
    expected = [(a, label, text) for a in ("第八条", "第九条", "第十条", "第十一条")
                for label, text in _items("公平竞争审查条例", a)]
    assert len(expected) == 19 and len(rows) == 19
    for n, (row, (article, label, text)) in enumerate(zip(rows, expected), start=1):
        assert row[1] == str(n)
        assert row[2] == f"{article}{label} {text}"
        assert text in article_text("公平竞争审查条例", article)


def _involved(rows) -> dict[str, str]:
    """label (第九条（一）) → findings cell, for the rows marked 涉及."""
    out = {}
    for row in rows:
        assert row[3] in ("■涉及\n□不涉及", "□涉及\n■不涉及")
        if row[3].startswith("■"):
            out[row[2].split(" ")[0]] = row[4]
        else:
            assert row[4] == "—"
    return out


def test_policy_findings_land_under_the_items_they_cite(run):
    involved = _involved(_rows(_checklist(_single(run, 0))))
    assert sorted(involved) == sorted([
        "第八条（三）", "第九条（一）", "第九条（三）", "第十条（一）", "第十条（二）", "第十条（三）",
        "第十一条（二）", "第十一条（三）",
    ])
    assert "第9行 第三条" in involved["第九条（三）"] and "优先选用本市整车企业" in involved["第九条（三）"]
    assert "第11行 第四条" in involved["第九条（一）"] and "FLOW-GOODS-ENTRY-01" in involved["第九条（一）"]
    assert "统一交由市能源投资集团承担" in involved["第八条（三）"]
    assert "COST-TAX-REBATE-01" in involved["第十条（一）"] and "COST-TAX-REBATE-01" in involved["第十条（二）"]
    assert "COST-LAND-01" in involved["第十条（三）"]
    assert "CONDUCT-PRICE-FIX-01" in involved["第十一条（二）"]


def test_policy_basic_facts_exception_and_conclusion(run):
    d = _single(run, 0)
    info = {row.cells[0].text: row.cells[1].text for row in d.tables[0].rows}
    assert info["政策措施名称"] == "临川市关于支持新能源汽车产业链招商引资的若干措施"
    assert info["起草单位"] == "临川市商务局"                       # the 落款 line
    assert info["涉及领域"].startswith("市场准入和退出、产业发展、招商引资")
    text = extract_text(d)
    # The 第十二条 section lists the exception finding with its clause.
    section = text.split("三、适用例外规定情况")[1].split("四、需要说明的其他情况")[0]
    assert "EXC-NOTERM-01" in section and "为保障城市能源安全" in section
    assert "（二）为促进科学技术进步、增强国家自主创新能力的；" in section
    # Conclusion: three unticked options and 第十八条 quoted from the shipped text.
    for option in ("□ 符合公平竞争审查标准，可以出台", "□ 经修改后符合，可以出台", "□ 违反公平竞争审查标准，不得出台"):
        assert option in text.splitlines()
    art18 = re.sub(r"^第十八条\s*", "", article_text("公平竞争审查条例", "第十八条"))
    assert f"第十八条：“{art18}”" in text
    assert "审查人：" in text and "日期：＿＿＿＿年＿＿月＿＿日" in text


# --- procurement file -------------------------------------------------------------------------


def test_procurement_checklist_uses_article_20_and_87_items(run):
    rows = _rows(_checklist(_single(run, 1)))
    items = _items("政府采购法实施条例", "第二十条")
    assert len(items) == 8 and len(rows) >= 8
    for row, (label, text) in zip(rows, items):
        assert row[2] == f"第二十条{label} {text}"
    rest = rows[len(items):]
    assert [r[2].split(" ")[0] for r in rest] == ["第十七条", "第十七条", "第五十五条", "第五十五条"]
    assert all(r[0].endswith("（财政部令第87号）") and f"（{NOT_SHIPPED}）" in r[2] for r in rest)


def test_procurement_findings_land_under_the_items_they_cite(run):
    rows = _rows(_checklist(_single(run, 1)))
    cells = {f"{i}:{r[2].split(' ')[0]}": r for i, r in enumerate(rows, start=1)}
    involved = {k: r[4] for k, r in cells.items() if r[3].startswith("■")}
    assert sorted(involved) == sorted(["2:第二十条（二）", "4:第二十条（四）", "6:第二十条（六）", "7:第二十条（七）",
                                       "8:第二十条（八）", "9:第十七条", "10:第十七条", "11:第五十五条", "12:第五十五条"])
    assert "注册资本不低于800万元" in involved["9:第十七条"] and "GP-SCALE-CAPITAL-01" in involved["9:第十七条"]
    assert "GP-QUAL-AUTH-01" in involved["10:第十七条"] and "GP-SCALE" not in involved["10:第十七条"]
    assert "GP-SC-10" in involved["11:第五十五条"] and "表1第4行" in involved["11:第五十五条"]
    assert "GP-QUAL-CERT-01" in involved["12:第五十五条"]
    assert "希沃品牌" in involved["6:第二十条（六）"]
    assert "在临川市设有固定售后服务网点" in involved["7:第二十条（七）"]


def test_procurement_basic_facts(run):
    d = _single(run, 1)
    info = {row.cells[0].text: row.cells[1].text for row in d.tables[0].rows}
    assert info["采购文件名称"] == "临川市第二中学智慧教室设备采购项目竞争性磋商文件"
    assert info["采购人（编制单位）"] == "临川市第二中学"
    assert "政府采购" in info["涉及领域"]
    assert "财政部令第87号条文未随附，依据目录摘录" in info["审查依据"]


# --- the whole run ----------------------------------------------------------------------------


def test_one_section_per_document_with_page_breaks_and_error_section(form):
    d = docx.Document(io.BytesIO(form))
    titles = [p for p in d.paragraphs if p.text == "公平竞争审查结论（草稿）"]
    assert len(titles) == 3
    assert [bool(p.paragraph_format.page_break_before) for p in titles] == [False, True, True]
    text = extract_text(d)
    assert "第3份，共3份" in text
    error = text.split("第3份，共3份")[1]
    assert "| 文件 | missing.txt |" in error and "无法读取：文件不存在" in error
    assert CHECKLIST_HEADER[0] not in error                      # no checklist for an unread file
    assert len([t for t in d.tables if tuple(c.text for c in t.rows[0].cells) == CHECKLIST_HEADER]) == 2


def test_word_layout_fonts_and_borders(form):
    d = docx.Document(io.BytesIO(form))
    fonts = lambda style: style.element.rPr.find(qn("w:rFonts"))   # noqa: E731
    assert fonts(d.styles["Normal"]).get(qn("w:eastAsia")) == "仿宋"
    assert fonts(d.styles["Heading 1"]).get(qn("w:eastAsia")) == "黑体"
    assert fonts(d.styles["Heading 1"]).get(qn("w:eastAsiaTheme")) is None
    title = next(p for p in d.paragraphs if p.text == "公平竞争审查结论（草稿）")
    assert title.style.name == "Title" and title.style.paragraph_format.alignment == 1   # centred
    assert all(t._tbl.tblPr.find(qn("w:tblBorders")) is not None for t in d.tables)
    font_table = zipfile.ZipFile(io.BytesIO(form)).read("word/fontTable.xml").decode()
    assert 'w:name="仿宋"><w:altName w:val="FangSong"/>' in font_table
    assert 'w:name="黑体"><w:altName w:val="SimHei"/>' in font_table


def test_output_is_deterministic(run, form, monkeypatch):
    monkeypatch.setenv("FCR_REPORT_DATE", REPORT_DATE)
    assert render_review_form(run) == form
    assert "2025年3月1日" in extract_text(docx.Document(io.BytesIO(form)))


def test_golden_text(form):
    text = extract_text(docx.Document(io.BytesIO(form)))
    if os.environ.get("FCR_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), "run FCR_UPDATE_GOLDEN=1 pytest to refresh"


def test_cli_writes_the_form(run_fcr, tmp_path):
    src = tmp_path / "policy.txt"
    src.write_text(POLICY, encoding="utf-8")
    out = tmp_path / "form.docx"
    proc = run_fcr("check", "--detectors", "rules", "--review-form", str(out), str(src))
    assert proc.returncode == 1, proc.stderr.decode()
    assert len(_checklist(docx.Document(str(out))).rows) == 20
