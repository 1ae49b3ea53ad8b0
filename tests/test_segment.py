"""Golden segmentation table: (paragraph, expected clauses)."""
import pytest

from checker.document import Block, Document, Location
from checker.segment import segment, segment_text

GOLDEN = [
    ("对新落户企业给予一次性奖励。奖励资金由区财政承担。",
     ["对新落户企业给予一次性奖励。", "奖励资金由区财政承担。"]),
    ("申报单位应当提交以下材料；逾期不予受理！是否可以补交？可以。",
     ["申报单位应当提交以下材料；", "逾期不予受理！", "是否可以补交？", "可以。"]),
    # never inside book-title marks or quotes or brackets
    ("依据《关于开展试点工作的通知；附件一》执行。其余按“先到先得；额满为止”办理。",
     ["依据《关于开展试点工作的通知；附件一》执行。", "其余按“先到先得；额满为止”办理。"]),
    ("奖励标准（含设备购置；不含土地）按实际投资额计算。",
     ["奖励标准（含设备购置；不含土地）按实际投资额计算。"]),
    # closing quote stays with the sentence it ends
    ("他说：“须在三日内完成。”随后离开。", ["他说：“须在三日内完成。”", "随后离开。"]),
    # inline list markers after a colon or a space start new clauses
    ("供应商应具备下列条件：1、具有独立承担民事责任的能力 2、具有良好的商业信誉",
     ["供应商应具备下列条件：", "1、具有独立承担民事责任的能力", "2、具有良好的商业信誉"]),
    ("支持方式包括：（一）贷款贴息；（二）股权投资；（三）以奖代补。",
     ["支持方式包括：", "（一）贷款贴息；", "（二）股权投资；", "（三）以奖代补。"]),
    ("资格条件：①具有有效营业执照②近三年无重大违法记录",
     ["资格条件：", "①具有有效营业执照", "②近三年无重大违法记录"]),
    # numbers inside text are not list markers
    ("按第1、2项执行，补贴标准为1.5万元。", ["按第1、2项执行，补贴标准为1.5万元。"]),
    ("", []),
]


@pytest.mark.parametrize("text,expected", GOLDEN, ids=[str(i) for i in range(len(GOLDEN))])
def test_segment_golden(text, expected):
    assert segment_text(text) == expected


def test_segment_offsets_point_back_into_the_block():
    text = "一、总则。对外地企业设置障碍的，予以纠正；  二、附则。"
    doc = Document("t.txt", (Block(text, location=Location(line=3, paragraph=0)),))
    for clause in segment(doc):
        assert text[clause.start:clause.end] == clause.text
        assert clause.location.line == 3


def test_scoring_table_row_is_one_clause_with_header_context():
    row = Block(
        "业绩 | 5分 | 近三年在本市完成同类项目的，每个得1分；最多5分。",
        kind="table_row",
        location=Location(table=2, row=4),
        context="评分因素 | 分值 | 评分标准",
    )
    clauses = segment(Document("t.docx", (row,)))
    assert len(clauses) == 1
    assert clauses[0].context == "评分因素 | 分值 | 评分标准"
    assert clauses[0].location.table == 2 and clauses[0].location.row == 4


def test_non_scoring_table_row_is_split_like_a_paragraph():
    row = Block("资格要求 | 具有营业执照。具有相关资质。", kind="table_row", context="序号 | 内容")
    assert len(segment(Document("t.docx", (row,)))) == 2


def test_unbalanced_bracket_does_not_glue_a_page():
    text = "（未闭合的括号" + "内容。" * 80
    assert len(segment_text(text)) > 10
