"""Draft of the 公平竞争审查 written conclusion (公平竞争审查结论（草稿）) as a Word file.

``render_review_form(result)`` returns the bytes of one .docx with a section per checked
document (page break between): the basic facts (name, drafting body, fields concerned, basis),
a checklist table of every review standard — 《公平竞争审查条例》第八条至第十一条 (19 items) for
policy measures, 《政府采购法实施条例》第二十条 (8 items) plus the 财政部令第87号 items for
procurement files — marked 涉及/不涉及 with the findings that cite each item, the 第十二条
exceptions invoked, other matters (warnings, unread pages, notes), and a conclusion left blank
for the reviewer. Item wording is read from the law texts shipped in ``corpora/laws`` through
``checker.citations.article_text``; nothing is typed from memory except the 87号令 items, whose
text is not shipped and which are marked as such.

The output is deterministic: the date comes from ``FCR_REPORT_DATE`` when set (else today),
and the zip container is written with fixed member timestamps.
"""
from __future__ import annotations

import datetime as _dt
import io
import re
from dataclasses import dataclass
from pathlib import PurePath

from docx import Document as _new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..citations import article_text
from ..document import Location
from ..findings import Citation, DocumentResult, Finding, RunResult
from ..rulebook import CATEGORIES
from .text_report import location_label
from .common import deterministic_zip, report_date

FCR_LAW = "公平竞争审查条例"
GP_LAW = "政府采购法实施条例"
GP87_LAW = "政府采购货物和服务招标投标管理办法"
GP87_SHORT = "财政部令第87号"
NOT_SHIPPED = "条文未随附，依据目录摘录"

BODY_FONT = "仿宋"        # East Asian text: 仿宋 (FangSong), falls back via fontTable altName
HEAD_FONT = "黑体"        # headings and title: 黑体 (SimHei)
LATIN_FONT = "Times New Roman"
_ALT_NAMES = {"仿宋": "FangSong", "黑体": "SimHei"}

CHECKED, UNCHECKED = "■", "□"
_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_DOC_TYPE_ZH = {"policy": "政策措施", "procurement": "政府采购文件"}
EXCERPT_CHARS = 60


# ---------------------------------------------------------------------------------------------
# The checklists


@dataclass(frozen=True)
class ChecklistItem:
    law: str
    article: str
    item: str              # full-width label, e.g. （三）
    text: str              # the item's wording (shipped text, or catalog wording when not shipped)
    group: str             # the merged first-column label
    shipped: bool = True
    catch_all: bool = False
    key: str = ""          # routing key for items sharing one article (87号令)

    @property
    def label(self) -> str:
        return f"{self.article}{self.item}"


def _fullwidth(s: str) -> str:
    return s.replace("(", "（").replace(")", "）")


_ITEM_LINE = re.compile(r"^\s*[（(]([一二三四五六七八九十]+)[）)]\s*(.+?)\s*$")


def article_items(law: str, article: str) -> tuple[str, list[tuple[str, str]]]:
    """(lead-in, [(（一）, item text), …]) of a shipped article; the lead-in without its label."""
    body = article_text(law, article)
    if body is None:
        raise LookupError(f"《{law}》{article} 的条文未随附")
    lead, items = "", []
    for para in (p.strip() for p in body.split("\n") if p.strip()):
        m = _ITEM_LINE.match(para)
        if m:
            items.append((f"（{m.group(1)}）", m.group(2)))
        elif not items:
            lead = (lead + para) if lead else para
    lead = re.sub(r"^第[一二三四五六七八九十百零〇]+条\s*", "", lead)
    return lead, items


_POLICY_ARTICLES = (
    ("第八条", "entry_exit"),
    ("第九条", "free_flow"),
    ("第十条", "cost"),
    ("第十一条", "conduct"),
)


def policy_checklist() -> list[ChecklistItem]:
    out: list[ChecklistItem] = []
    for article, category in _POLICY_ARTICLES:
        _, items = article_items(FCR_LAW, article)
        group = f"{article}\n{CATEGORIES[category]}"
        for i, (label, text) in enumerate(items):
            out.append(ChecklistItem(FCR_LAW, article, label, text, group, catch_all=i == len(items) - 1))
    return out


# 财政部令第87号: its text is not shipped. Wording follows the rules catalog (§4.3, GP-87-01,
# GP-87-02, GP-87-06, GP-87-07/08) without quoting the article.
_GP87_ITEMS = (
    ("第十七条", "scale",
     "将投标人的注册资本、资产总额、营业收入、从业人员、利润、纳税额等规模条件作为资格要求或者评审因素"),
    ("第十七条", "authorisation",
     "将除进口货物以外的生产厂家授权、承诺、证明、背书等作为资格要求"),
    ("第五十五条", "qualification_scoring", "将资格条件作为评审因素"),
    ("第五十五条", "scoring",
     "评审因素与货物或者服务的质量无关、未细化和量化，或者价格分值比重、计算方法不符合规定"),
)


def procurement_checklist() -> list[ChecklistItem]:
    _, items = article_items(GP_LAW, "第二十条")
    group = f"《{GP_LAW}》第二十条\n差别待遇或者歧视待遇"
    out = [ChecklistItem(GP_LAW, "第二十条", label, text, group, catch_all=i == len(items) - 1)
           for i, (label, text) in enumerate(items)]
    for article, key, text in _GP87_ITEMS:      # no item numbers: these articles have none
        out.append(ChecklistItem(GP87_LAW, article, "", text, f"《{GP87_LAW}》\n（{GP87_SHORT}）",
                                 shipped=False, key=key))
    return out


# Routing of 87号令 citations that name only the article (both limbs of 第十七条, the two
# concerns of 第五十五条 share one article): decided on the finding's own title.
_AUTH = re.compile(r"授权|承诺|证明|背书|厂家|制造商|原厂|经销商|代理商")
_SCALE = re.compile(r"规模|注册资本|资产|营业收入|营业额|从业人员|员工|职工|社保|利润|纳税|上市|500强|排名|市场占有率")
_QUAL_AS_SCORE = re.compile(r"(?:资格|资质|许可|证照)[^，；]{0,12}作为(?:评分|评审|加分)")


def _route_87(f: Finding, article: str) -> str | None:
    title = f.title
    if article == "第十七条":
        if _AUTH.search(title):
            return "authorisation"
        if _SCALE.search(title):
            return "scale"
        return None
    if article == "第五十五条":
        return "qualification_scoring" if _QUAL_AS_SCORE.search(title) else "scoring"
    return None


def _rows_for(c: Citation, f: Finding, checklist: list[ChecklistItem]) -> list[int]:
    """Indexes of the checklist rows a citation lands on (empty: no row for it)."""
    same = [i for i, it in enumerate(checklist) if it.law == c.law and it.article == c.article]
    if not same:
        return []
    if checklist[same[0]].law == GP87_LAW:
        key = _route_87(f, c.article)
        return [i for i in same if checklist[i].key == key]
    if c.item:
        hit = [i for i in same if checklist[i].item == _fullwidth(c.item)]
        if hit:
            return hit
    return [i for i in same if checklist[i].catch_all]


def assign(findings: tuple[Finding, ...], checklist: list[ChecklistItem]) -> tuple[list[list[Finding]], list[Finding]]:
    """Findings per checklist row (in document order), and the findings that land on no row."""
    per_row: list[list[Finding]] = [[] for _ in checklist]
    unplaced: list[Finding] = []
    for f in findings:
        rows: list[int] = []
        for c in f.legal_basis:
            rows += [i for i in _rows_for(c, f, checklist) if i not in rows]
        for i in rows:
            per_row[i].append(f)
        if not rows and f.category != "exception":
            unplaced.append(f)
    return per_row, unplaced


# ---------------------------------------------------------------------------------------------
# What the form says about the document


_FIELDS = (
    ("市场准入和退出", ("市场准入", "准入", "退出市场", "迁出", "注销", "审批", "核准", "备案", "经营许可", "特许经营")),
    ("产业发展", ("产业", "制造业", "高质量发展", "集群", "专精特新", "产业链", "转型升级", "技术改造")),
    ("招商引资", ("招商", "引资", "落户", "引进", "投资额", "固定资产投资", "总部", "一事一议", "新设立")),
    ("政府采购", ("政府采购", "采购人", "供应商", "采购项目", "采购文件", "优先采购", "磋商")),
    ("招标投标", ("招标", "投标", "评标", "中标", "开标")),
    ("资质标准", ("资质", "资格", "认证", "认定", "标准", "等级", "许可证")),
    ("监管执法", ("监管", "执法", "检查", "处罚", "抽查", "整改", "信用惩戒", "黑名单")),
)


def detect_fields(text: str) -> list[tuple[str, list[str]]]:
    """The 实施办法 fields whose vocabulary the text uses, with the words found (catalog FCR-SCOPE-01)."""
    out = []
    for name, words in _FIELDS:
        hits = [w for w in words if w in text]
        if hits:
            out.append((name, hits[:3]))
    return out


_ORG_SUFFIX = (r"(?:人民政府办公厅|人民政府办公室|人民政府|管理委员会|委员会|办公厅|办公室|局|厅|委|署|"
               r"中心|医院|学校|大学|学院|中学|小学|幼儿园|公司|集团|研究院|研究所)")
_ORG_LINE = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,30}}{_ORG_SUFFIX}$")
_ORG_BEFORE_GUANYU = re.compile(rf"^([\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX})关于")
_ORG_LABELLED = re.compile(rf"(?:起草单位|制定单位|发文单位|采购人|招标人)(?:名称)?\s*[:：]\s*([\u4e00-\u9fff（）()]{{2,40}}?{_ORG_SUFFIX})")
_ORG_INTERPRETS = re.compile(rf"由([\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX})负责解释")


def guess_drafter(doc: DocumentResult, title: str) -> str | None:
    """The drafting body when a line names it: a labelled field, the title's issuer, a 落款 line,
    or the body said to interpret the measure. None when nothing names it."""
    blocks = [b.text.strip() for b in doc.document.blocks] if doc.document else []
    for text in blocks:
        m = _ORG_LABELLED.search(text)
        if m:
            return m.group(1)
    m = _ORG_BEFORE_GUANYU.match(title)
    if m:
        return m.group(1)
    for text in blocks[:4] + blocks[-6:][::-1]:
        if _ORG_LINE.match(text) and text != title:
            return text
    for text in blocks:
        m = _ORG_INTERPRETS.search(text)
        if m:
            return m.group(1)
    return None


_NOT_TITLE_END = tuple("。；，：;,:")


def doc_title(doc: DocumentResult) -> str:
    """The document's title: the reader's title, else the first heading-like block, else the file name."""
    d = doc.document
    if d is not None:
        if d.title:
            return d.title.strip()
        for b in d.blocks[:5]:
            t = b.text.strip()
            if not t:
                continue
            if b.kind == "heading" or (len(t) <= 80 and not t.endswith(_NOT_TITLE_END)
                                       and not re.match(r"^第[一二三四五六七八九十百零〇]+条", t)
                                       and b.location.table is None):
                return t
            break
    name = PurePath(doc.path).name if doc.path != "-" else "标准输入"
    return PurePath(name).stem if "." in name else name


def _where(loc: Location) -> str:
    parts = []
    if loc.line is not None:
        parts.append(f"第{loc.line}行")
    label = location_label(loc)
    if label:
        parts.append(label)
    elif loc.line is None and loc.paragraph is not None:
        parts.append(f"第{loc.paragraph + 1}段")
    return " ".join(parts) or "位置不详"


def excerpt(f: Finding, limit: int = EXCERPT_CHARS) -> str:
    """A short piece of the clause around the matched words."""
    clause = " ".join(f.clause.split())
    if len(clause) <= limit:
        return clause
    at = clause.find(f.evidence) if f.evidence else -1
    start = max(0, min(at - limit // 3, len(clause) - limit)) if at > 0 else 0
    piece = clause[start:start + limit]
    return ("……" if start > 0 else "") + piece + ("……" if start + limit < len(clause) else "")


def _clause_key(f: Finding) -> tuple:
    loc = f.location
    return (loc.paragraph, loc.line, loc.table, loc.row, f.start, f.end)


def _group_by_clause(findings: list[Finding]) -> list[list[Finding]]:
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        groups.setdefault(_clause_key(f), []).append(f)
    return list(groups.values())


def _finding_lines(group: list[Finding]) -> tuple[str, str]:
    f = group[0]
    head = f"{_where(f.location)}：“{excerpt(f)}”"
    probs = "；".join(f"{g.title}（{g.rule_id}，{_SEVERITY_ZH.get(g.severity, g.severity)}）" for g in group)
    return head, probs


def _basis(f: Finding) -> str:
    return "；".join(c.label() + ("（条文未随附）" if not c.verified else "") for c in f.legal_basis)



def _date_zh(value: str) -> str:
    try:
        d = _dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------------------------------------
# Word layout helpers


def _set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set w:rFonts with an explicit w:eastAsia font (theme fonts removed so they cannot override)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _style_font(style, east_asia: str, size: float, bold: bool | None = None) -> None:
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    style.font.italic = False
    _set_fonts(style.element, east_asia)


def _register_fallback_fonts(document) -> None:
    """Declare 仿宋 and 黑体 in the font table with their Latin names as w:altName, so Word and
    LibreOffice substitute FangSong / SimHei (or another GB2312 font) when the first is absent."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    xml = part.blob.decode("utf-8")
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt in _ALT_NAMES.items()
    )
    part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.6)
    styles = document.styles
    # Document defaults: the template names theme fonts there; replace them.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is not None:
                rpr.remove(fonts)
            fonts = OxmlElement("w:rFonts")
            for a in ("w:ascii", "w:hAnsi", "w:cs"):
                fonts.set(qn(a), LATIN_FONT)
            fonts.set(qn("w:eastAsia"), BODY_FONT)
            rpr.insert(0, fonts)
    normal = styles["Normal"]
    _style_font(normal, BODY_FONT, 12)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.25
    _style_font(styles["Title"], HEAD_FONT, 20, bold=False)
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):      # the template underlines the title
        title_ppr.remove(border)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Title"].paragraph_format.space_after = Pt(6)
    for name, size in (("Heading 1", 15), ("Heading 2", 13)):
        st = styles[name]
        _style_font(st, HEAD_FONT, size, bold=False)
        st.paragraph_format.space_before = Pt(12)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.keep_with_next = True
    _register_fallback_fonts(document)


def _para(container, text: str = "", *, bold: bool = False, size: float | None = None,
          align=None, font: str | None = None, indent: bool = False):
    p = container.add_paragraph()
    if text:
        r = p.add_run(text)
        r.bold = bold or None
        if size:
            r.font.size = Pt(size)
        if font:
            _set_fonts(r._element, font)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(24)
    return p


def _cell_text(cell, text: str, *, bold: bool = False, size: float = 10.5, align=None, font: str | None = None) -> None:
    """Replace a cell's content by ``text`` (one paragraph per line)."""
    lines = text.split("\n")
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        if align is not None:
            p.alignment = align
        r = p.add_run(line)
        r.font.size = Pt(size)
        r.bold = bold or None
        if font:
            _set_fonts(r._element, font)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _borders(table) -> None:
    tblPr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tblPr.append(borders)


def _shade(cell, fill: str = "E7E6E6") -> None:
    tcPr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcPr.append(shd)


def _repeat_header(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


def _table(document, rows: int, cols: int, widths_cm: tuple[float, ...]):
    table = document.add_table(rows=rows, cols=cols)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)
    for col, w in zip(table.columns, widths_cm):
        col.width = Cm(w)
    return table


# ---------------------------------------------------------------------------------------------
# The form


CHECKLIST_HEADER = ("审查事项", "序号", "审查标准", "审查结果", "问题条款（位置、条款摘录、问题）")
_CHECKLIST_WIDTHS = (2.2, 0.9, 4.8, 1.9, 6.0)

POLICY_CONCLUSIONS = (
    "符合公平竞争审查标准，可以出台",
    "经修改后符合，可以出台",
    "违反公平竞争审查标准，不得出台",
)
PROCUREMENT_CONCLUSIONS = (
    "未发现以不合理条件对供应商实行差别待遇或者歧视待遇的内容，可以发布",
    "经修改后符合，可以发布",
    "存在以不合理条件对供应商实行差别待遇或者歧视待遇的内容，修改前不得发布",
)


def mark(involved: bool) -> str:
    return f"{CHECKED if involved else UNCHECKED}涉及\n{UNCHECKED if involved else CHECKED}不涉及"


def _heading(document, text: str, level: int = 1) -> None:
    document.add_heading(text, level=level)


def _info_table(document, rows: list[tuple[str, str]]) -> None:
    table = _table(document, len(rows), 2, (3.4, 12.4))
    for (label, value), row in zip(rows, table.rows):
        _cell_text(row.cells[0], label, bold=True, size=11, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
        _shade(row.cells[0], "F2F2F2")
        _cell_text(row.cells[1], value, size=11)


def _checklist_table(document, checklist: list[ChecklistItem], per_row: list[list[Finding]]) -> None:
    table = _table(document, len(checklist) + 1, len(CHECKLIST_HEADER), _CHECKLIST_WIDTHS)
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, CHECKLIST_HEADER):
        _cell_text(cell, text, bold=True, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
        _shade(cell)
    # Rows first, merges after (a merged cell's text is set once, on the merged cell).
    for n, (item, found, row) in enumerate(zip(checklist, per_row, table.rows[1:]), start=1):
        _cell_text(row.cells[1], str(n), align=WD_ALIGN_PARAGRAPH.CENTER)
        standard = f"{item.label} {item.text}"
        if not item.shipped:
            standard += f"\n（{NOT_SHIPPED}）"
        _cell_text(row.cells[2], standard)
        _cell_text(row.cells[3], mark(bool(found)), align=WD_ALIGN_PARAGRAPH.CENTER)
        lines: list[str] = []
        for k, group in enumerate(_group_by_clause(found), start=1):
            head, probs = _finding_lines(group)
            lines += [f"{k}. {head}", f"问题：{probs}"]
        _cell_text(row.cells[4], "\n".join(lines) if lines else "—", size=9.5)
    start = 1
    while start <= len(checklist):
        group = checklist[start - 1].group
        end = start
        while end < len(checklist) and checklist[end].group == group:
            end += 1
        top = table.cell(start, 0)
        if end > start:
            top = top.merge(table.cell(end, 0))
        _cell_text(top, group, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
        start = end + 1


def _finding_block(document, n: int, group: list[Finding]) -> None:
    f = group[0]
    _para(document, f"{n}. {_where(f.location)}", bold=True)
    _para(document, f"条款原文：{' '.join(f.clause.split())}", indent=True)
    for g in group:
        _para(document, f"问题：{g.title}（{g.rule_id}，严重程度{_SEVERITY_ZH.get(g.severity, g.severity)}，"
                        f"置信度{g.confidence:.2f}）。{g.message}", indent=True)
        _para(document, f"依据：{_basis(g)}", indent=True)
        _para(document, f"修改建议：{g.suggestion}", indent=True)


def _doc_section(document, doc: DocumentResult, result: RunResult, date: str, index: int, total: int) -> None:
    heading = document.add_paragraph("公平竞争审查结论（草稿）", style="Title")
    heading.paragraph_format.page_break_before = index > 1     # one document per page run
    sub = "（由 fcr 自动检查生成，供审查人核实、修改后签署"
    sub += f"；第{index}份，共{total}份）" if total > 1 else "）"
    _para(document, sub, align=WD_ALIGN_PARAGRAPH.CENTER, size=11)

    name = PurePath(doc.path).name if doc.path != "-" else "标准输入"
    if doc.status == "error":
        _heading(document, "一、基本情况")
        _info_table(document, [("文件", name), ("读取情况", f"无法读取：{doc.error or '原因不详'}")])
        _heading(document, "二、需要说明的其他情况")
        _para(document, "该文件未能读取，未进行自动检查，也未形成审查标准对照结果。请提供可读取的文件"
                        "（如带文字层的 PDF 或 Word 文件）后重新检查，或由审查人逐条人工审查。", indent=True)
        return

    procurement = doc.doc_type == "procurement"
    checklist = procurement_checklist() if procurement else policy_checklist()
    per_row, unplaced = assign(doc.findings, checklist)
    title = doc_title(doc)
    drafter = guess_drafter(doc, title)
    text = "\n".join(b.text for b in doc.document.blocks) if doc.document else ""
    fields = detect_fields(title + "\n" + text)
    field_text = ("、".join(n for n, _ in fields) + "（依据文中“" + "”“".join(
        w for _, ws in fields for w in ws[:1]) + "”等用语判断，请核实）") if fields else "未识别（请审查人填写）"

    if procurement:
        basis = (f"《{GP_LAW}》第二十条；《{GP87_LAW}》（{GP87_SHORT}）第十七条、第五十五条"
                 f"（{GP87_SHORT}条文未随附，依据目录摘录）")
    else:
        basis = f"《{FCR_LAW}》第八条至第十二条、第十八条"
    others = []
    for f in doc.findings:
        for c in f.legal_basis:
            label = c.label()
            if label not in others and not _is_checklist_law(c, procurement):
                others.append(label)
    if others:
        basis += "；问题条款另涉及：" + "、".join(others)

    involved = sum(bool(x) for x in per_row)
    _heading(document, "一、基本情况")
    _info_table(document, [
        ("采购文件名称" if procurement else "政策措施名称", title),
        ("采购人（编制单位）" if procurement else "起草单位", drafter or "＿＿＿＿＿＿＿＿（请填写）"),
        ("文件", f"{name}（{_DOC_TYPE_ZH.get(doc.doc_type or '', '政策措施')}，{doc.chars}字，{doc.clauses}个条款）"),
        ("涉及领域", field_text),
        ("审查依据", basis),
        ("自动检查结果", f"{len(checklist)}项审查标准中涉及{involved}项；发现问题条款{len(_group_by_clause(list(doc.findings)))}处、"
                        f"问题{len(doc.findings)}个"),
    ])

    _heading(document, "二、审查标准逐项对照")
    if procurement:
        lead, _ = article_items(GP_LAW, "第二十条")
        _para(document, f"对照《{GP_LAW}》第二十条（“{lead}”）和《{GP87_LAW}》（{GP87_SHORT}）"
                        f"的相关规定逐项审查。“涉及”表示自动检查发现可能属于该情形的条款，须由审查人逐条核实。",
              indent=True)
    else:
        _para(document, f"对照《{FCR_LAW}》第八条至第十一条规定的审查标准逐项审查。"
                        "“涉及”表示自动检查发现可能违反该项标准的条款，须由审查人逐条核实；"
                        "“不涉及”仅表示未发现，不代表已排除。", indent=True)
    _checklist_table(document, checklist, per_row)

    _heading(document, "三、适用例外规定情况")
    exceptions = [f for f in doc.findings if f.category == "exception"]
    if exceptions:
        lead, items = article_items(FCR_LAW, "第十二条")
        _para(document, f"文件援引或可能援引《{FCR_LAW}》第十二条规定的例外情形。该条规定：“{lead}"
                        + "".join(label + text for label, text in items) + "”适用例外的，应当在审查结论中详细说明"
                        "（第十七条第二款）。自动检查发现：", indent=True)
        for n, group in enumerate(_group_by_clause(exceptions), start=1):
            head, probs = _finding_lines(group)
            _para(document, f"{n}. {head}")
            _para(document, f"问题：{probs}", indent=True)
        _para(document, "适用例外的理由、替代方案评估及实施期限（由审查人填写）：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿")
    else:
        _para(document, f"未援引《{FCR_LAW}》第十二条规定的例外情形。", indent=True)

    _heading(document, "四、需要说明的其他情况")
    n = 0
    if unplaced:
        n += 1
        _para(document, f"{n}. 以下问题条款未对应上表所列审查标准，依据其他规定提示：")
        for k, group in enumerate(_group_by_clause(unplaced), start=1):
            head, probs = _finding_lines(group)
            _para(document, f"（{k}）{head}", indent=True)
            _para(document, f"问题：{probs}；依据：{_basis(group[0])}", indent=True)
    for w in doc.warnings:
        n += 1
        _para(document, f"{n}. 读取提示：{w}（未读取的内容未经检查，请人工审查）")
    for note in doc.notes:
        n += 1
        basis_n = "；".join(c.label() for c in note.basis) or "未载明"
        _para(document, f"{n}. {_where(note.location)}：“{note.licence}”属依法设定的许可或负面清单事项，"
                        f"条款仅予重述，未列为问题（依据：{basis_n}）。")
    unverified = sorted({c.label() for f in doc.findings for c in f.legal_basis if not c.verified})
    if unverified:
        n += 1
        _para(document, f"{n}. 以下依据的条文未随本工具附带，引用前请核对原文：{'、'.join(unverified)}。")
    n += 1
    _para(document, f"{n}. 本草稿由 fcr {result.version}（规则版本 {result.rules_version}）于{_date_zh(date)}自动生成；"
                    "自动检查可能遗漏或误报，审查结论以审查人意见为准。")

    _heading(document, "五、审查结论")
    _para(document, "（由审查人勾选）")
    for option in (PROCUREMENT_CONCLUSIONS if procurement else POLICY_CONCLUSIONS):
        _para(document, f"{UNCHECKED} {option}")
    if procurement:
        _para(document, f"依据：《{GP_LAW}》第二十条：“{_strip_label(article_text(GP_LAW, '第二十条').splitlines()[0])}”", size=10.5)
    else:
        _para(document, f"依据：《{FCR_LAW}》第十八条：“{_strip_label(article_text(FCR_LAW, '第十八条'))}”", size=10.5)
    _para(document, "审查意见：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿")
    _para(document, "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿")
    _para(document, "")
    _para(document, "审查人：＿＿＿＿＿＿＿＿　　　　审查机构（盖章）：＿＿＿＿＿＿＿＿")
    _para(document, "日期：＿＿＿＿年＿＿月＿＿日")

    groups = _group_by_clause(list(doc.findings))
    if groups:
        _heading(document, "附：问题条款及修改建议")
        for k, group in enumerate(groups, start=1):
            _finding_block(document, k, group)


def _strip_label(text: str | None) -> str:
    return re.sub(r"^第[一二三四五六七八九十百零〇]+条\s*", "", (text or "").strip())


def _is_checklist_law(c: Citation, procurement: bool) -> bool:
    if procurement:
        return (c.law == GP_LAW and c.article == "第二十条") or (c.law == GP87_LAW and c.article in ("第十七条", "第五十五条"))
    return c.law == FCR_LAW and c.article in ("第八条", "第九条", "第十条", "第十一条", "第十二条", "第十八条")



def render_review_form(result: RunResult) -> bytes:
    """The review-form draft for every document of the run, as .docx bytes."""
    date = report_date()
    document = _new_docx()
    _setup(document)
    props = document.core_properties
    props.title = "公平竞争审查结论（草稿）"
    props.author = props.last_modified_by = "fcr"
    props.comments = props.subject = props.keywords = props.category = ""
    props.revision = 1
    try:
        stamp = _dt.datetime.combine(_dt.date.fromisoformat(date), _dt.time())
    except ValueError:
        stamp = _dt.datetime(2000, 1, 1)
    props.created = props.modified = stamp
    body = document._body._element
    for child in list(body):            # the template's empty first paragraph
        if child.tag == qn("w:p"):
            body.remove(child)
    docs = result.documents
    if not docs:
        document.add_paragraph("公平竞争审查结论（草稿）", style="Title")
        _para(document, "本次未检查任何文件。", align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, doc in enumerate(docs, start=1):
        _doc_section(document, doc, result, date, i, len(docs))
    buf = io.BytesIO()
    document.save(buf)
    return deterministic_zip(buf.getvalue())


def render(result: RunResult, *, explain: bool = False, color: bool = False) -> bytes:
    """The common renderer interface, for callers that look renderers up by name."""
    return render_review_form(result)
