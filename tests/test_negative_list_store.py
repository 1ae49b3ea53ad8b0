"""``fcr negative-list import|show``: reading the official list, validating it, versioned storage.

Every list file here is made up by us (items and measures written for the tests); the data
directory is a temporary one (``FCR_DATA_DIR``), never the user's.
"""
import json
from pathlib import Path

import pytest

from checker.negative_list import store
from checker.negative_list.store import NegativeListError

HEADER = ["序号", "禁止或许可事项", "事项编码", "禁止或许可准入措施描述", "设立依据", "主管部门"]
ROWS = [
    ["1", "禁止违规开展金融相关经营活动", "100004", "未经金融管理部门批准，企业名称中不得使用“银行”“信托”字样", "《中华人民共和国商业银行法》", "金融监管总局"],
    ["2", "未获得许可，不得从事城镇燃气经营", "201003", "从事燃气经营活动须取得燃气经营许可证", "《城镇燃气管理条例》", "住房城乡建设部"],
    ["", "", "", "瓶装燃气供应站的设置须符合燃气发展规划", "《城镇燃气管理条例》", "住房城乡建设部"],
    ["3", "未获得许可，不得从事特定食品生产经营", "201010", "从事食品生产须取得食品生产许可", "《中华人民共和国食品安全法》", "市场监管总局"],
]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "fcr-data"
    monkeypatch.setenv("FCR_DATA_DIR", str(d))
    return d


def write_csv(path: Path, rows, encoding="utf-8", lead=()):
    lines = [",".join(f'"{c}"' if "," in c else c for c in r) for r in [*lead, HEADER, *rows]]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows, title_rows=1, merge_continuations=True):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["市场准入负面清单（测试版）"])
    if title_rows:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    ws.append(["一、禁止准入类"])
    first = ws.max_row + 1
    for r in rows:
        ws.append([int(c) if c.isdigit() and len(c) < 3 else (c or None) for c in r])
    if merge_continuations:
        # Item 2 spans two measure rows: its 序号, name and code are merged cells.
        item2 = first + 1
        for col in (1, 2, 3):
            ws.merge_cells(start_row=item2, start_column=col, end_row=item2 + 1, end_column=col)
    wb.save(path)
    return path


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".")] if root.exists() else []


# -- valid files ------------------------------------------------------------------------------------

def test_import_csv_stores_a_version_and_points_current_at_it(tmp_path, data_dir):
    f = write_csv(tmp_path / "清单2025.csv", ROWS)
    result = store.import_file(f)
    assert result.version.startswith("2025-") and len(result.version) == 13 and not result.already
    folder = data_dir / "negative_list" / result.version
    items = json.loads((folder / "items.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert (data_dir / "negative_list" / "current").read_text(encoding="utf-8").strip() == result.version
    assert meta["source"] == "清单2025.csv" and len(meta["sha256"]) == 64 and meta["imported_at"]
    assert meta["counts"] == {"items": 3, "prohibited_items": 1, "licensed_items": 2, "measures": 4,
                              "prohibited_measures": 1, "licensed_measures": 3}
    gas = next(it for it in items if it["code"] == "201003")
    assert gas["kind"] == "许可" and len(gas["measures"]) == 2   # the continuation row carried down
    assert gas["measures"][1]["row"] == 4 and gas["measures"][1]["department"] == "住房城乡建设部"
    assert next(it for it in items if it["code"] == "100004")["kind"] == "禁止"
    assert leftovers(data_dir / "negative_list") == []


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_import_csv_in_other_encodings_with_the_header_further_down(tmp_path, encoding):
    lead = [["市场准入负面清单（测试版）"], ["发布单位：测试"], []]
    f = write_csv(tmp_path / "list.csv", ROWS, encoding=encoding, lead=lead)
    parsed = store.parse_file(f)
    assert parsed.counts["items"] == 3 and parsed.counts["measures"] == 4
    assert parsed.items[0]["measures"][0]["row"] == 5     # title, issuer, blank, header, then row 5


def test_import_xlsx_with_title_row_section_rows_and_merged_cells(tmp_path, data_dir):
    f = write_xlsx(tmp_path / "negative_list_2025.xlsx", ROWS)
    result = store.import_file(f, version="v2025a")
    assert result.version == "v2025a"
    items = json.loads((data_dir / "negative_list" / "v2025a" / "items.json").read_text(encoding="utf-8"))
    gas = next(it for it in items if it["code"] == "201003")
    assert gas["name"] == "未获得许可，不得从事城镇燃气经营" and len(gas["measures"]) == 2
    assert [m["row"] for m in gas["measures"]] == [5, 6]
    assert result.meta["counts"]["prohibited_items"] == 1
    # The section row "一、禁止准入类" is not an item.
    assert all(it["code"] for it in items) and len(items) == 3


def test_alternative_column_names_and_kind_from_code(tmp_path):
    rows = [["项目号", "事项名称", "事项编码", "管理措施"],
            ["1", "网络预约出租汽车经营", "202201", "须取得网络预约出租汽车经营许可证"],
            ["2", "特定金融业务", "100020", "非金融企业不得从事吸收公众存款业务"]]
    f = tmp_path / "v.csv"
    f.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    kinds = {it["code"]: it["kind"] for it in store.parse_file(f).items}
    assert kinds == {"202201": "许可", "100020": "禁止"}


def test_kind_from_section_rows_when_names_and_codes_do_not_say(tmp_path):
    rows = ["项目号,禁止或许可事项,事项编码,禁止或许可准入措施描述",
            "一、禁止准入类,,,", "1,特定网络交易平台经营,900001,不得设立未经批准的大宗商品交易场所",
            "二、许可准入类,,,", "2,民用无人驾驶航空器运营,900002,从事经营性飞行活动须取得经营许可证"]
    f = tmp_path / "s.csv"
    f.write_text("\n".join(rows), encoding="utf-8")
    assert [it["kind"] for it in store.parse_file(f).items] == ["禁止", "许可"]


def test_reimporting_the_same_file_is_idempotent(tmp_path, data_dir):
    f = write_csv(tmp_path / "list2025.csv", ROWS)
    first = store.import_file(f)
    stamp = (data_dir / "negative_list" / first.version / "meta.json").read_text(encoding="utf-8")
    second = store.import_file(f)
    assert second.already and second.version == first.version
    assert (data_dir / "negative_list" / first.version / "meta.json").read_text(encoding="utf-8") == stamp
    assert sorted(p.name for p in (data_dir / "negative_list").iterdir()) == sorted([first.version, "current"])


def test_a_second_version_becomes_current_and_a_clash_is_refused(tmp_path, data_dir):
    a = store.import_file(write_csv(tmp_path / "a2025.csv", ROWS), version="one")
    b = store.import_file(write_csv(tmp_path / "b2025.csv", ROWS[:2]), version="two")
    assert store.current_version() == "two" and store.current_meta()["counts"]["items"] == 2
    with pytest.raises(NegativeListError, match="版本 one 已存在"):
        store.import_file(write_csv(tmp_path / "c2025.csv", ROWS[:1]), version="one")
    assert store.current_version() == "two" and a.version == "one" and b.version == "two"
    with pytest.raises(NegativeListError, match="版本名"):
        store.import_file(tmp_path / "a2025.csv", version="../x")


def test_data_dir_falls_back_to_xdg_and_home(monkeypatch, tmp_path):
    monkeypatch.delenv("FCR_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store.data_dir() == tmp_path / "xdg" / "fcr"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store.data_dir() == tmp_path / "home" / ".local" / "share" / "fcr"


# -- malformed files: a clear error and nothing half-loaded ---------------------------------------

def _bad_missing_column(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("序号,禁止或许可事项,禁止或许可准入措施描述\n1,未获得许可，不得从事燃气经营,须取得许可\n", encoding="utf-8")
    return f, ["bad.csv", "第1行", "事项编码"]


def _bad_code(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[3][2] = "20101"
    return write_csv(tmp_path / "bad.csv", rows), ["bad.csv", "第5行", "“事项编码”列", "20101"]


def _empty_description(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[1][3] = ""
    return write_csv(tmp_path / "bad.csv", rows), ["bad.csv", "第3行", "“禁止或许可准入措施描述”列", "为空"]


def _duplicate_measure(tmp_path):
    rows = [r[:] for r in ROWS] + [["4", "未获得许可，不得从事特定食品生产经营", "201010", "从事食品生产须取得食品生产许可", "", ""]]
    return write_csv(tmp_path / "bad.csv", rows), ["bad.csv", "第6行", "重复", "第5行"]


def _duplicate_code(tmp_path):
    rows = [r[:] for r in ROWS] + [["4", "未获得许可，不得从事旅行社经营", "201010", "须取得旅行社业务经营许可证", "", ""]]
    return write_csv(tmp_path / "bad.csv", rows), ["bad.csv", "第6行", "“事项编码”列", "201010"]


def _not_a_spreadsheet(tmp_path):
    f = tmp_path / "bad.xlsx"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return f, ["bad.xlsx", "不是有效的 xlsx"]


def _binary_csv(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes(b"\x00\x01\x02garbage\x00" * 50)
    return f, ["bad.csv", "不是电子表格"]


def _word_file(tmp_path):
    f = tmp_path / "bad.docx"
    f.write_text("不是表格", encoding="utf-8")
    return f, ["bad.docx", "不是电子表格"]


def _no_header(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("\n".join(f"第{i}行说明文字" for i in range(12)), encoding="utf-8")
    return f, ["bad.csv", "前10行中未找到表头"]


def _xlsx_missing_column(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["清单"])
    ws.append(["项目号", "禁止或许可事项", "主管部门"])
    ws.append([1, "未获得许可，不得从事燃气经营", "住建部"])
    f = tmp_path / "bad.xlsx"
    wb.save(f)
    return f, ["bad.xlsx", "第2行", "事项编码", "禁止或许可准入措施描述"]


@pytest.mark.parametrize("make", [
    _bad_missing_column, _bad_code, _empty_description, _duplicate_measure, _duplicate_code,
    _not_a_spreadsheet, _binary_csv, _word_file, _no_header, _xlsx_missing_column,
])
def test_malformed_list_is_refused_and_nothing_is_stored(make, tmp_path, data_dir):
    good = store.import_file(write_csv(tmp_path / "good2025.csv", ROWS))
    before = sorted(p.name for p in (data_dir / "negative_list").iterdir())
    bad, words = make(tmp_path)
    with pytest.raises(NegativeListError) as e:
        store.import_file(bad, version="broken")
    message = str(e.value)
    for w in words:
        assert w in message, message
    assert store.current_version() == good.version
    assert sorted(p.name for p in (data_dir / "negative_list").iterdir()) == before
    assert leftovers(data_dir / "negative_list") == []


def test_failure_while_writing_leaves_no_temp_dir(tmp_path, data_dir, monkeypatch):
    good = store.import_file(write_csv(tmp_path / "good2025.csv", ROWS), version="good")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", boom)
    with pytest.raises(OSError):
        store.import_file(write_csv(tmp_path / "next2025.csv", ROWS[:2]), version="next")
    assert store.current_version() == good.version
    assert sorted(p.name for p in (data_dir / "negative_list").iterdir()) == ["current", "good"]


# -- the command line -------------------------------------------------------------------------------

def test_cli_import_and_show(run_fcr, tmp_path, data_dir):
    p = run_fcr("negative-list", "show")
    assert p.returncode == 0, p.stderr.decode()
    out = p.stdout.decode("utf-8")
    assert "尚未导入" in out and "内置许可事项表" in out
    p = run_fcr("negative-list", "show", "--format", "json")
    rec = json.loads(p.stdout)
    assert rec["version"] is None and isinstance(rec["licences"], int)

    f = write_xlsx(tmp_path / "清单2025.xlsx", ROWS)
    p = run_fcr("negative-list", "import", str(f))
    assert p.returncode == 0, p.stderr.decode()
    assert "已导入" in p.stdout.decode("utf-8")
    p = run_fcr("negative-list", "import", str(f), "--format", "json")
    rec = json.loads(p.stdout)
    assert rec["already_imported"] is True and rec["current"].startswith("2025-")

    p = run_fcr("negative-list", "show")
    out = p.stdout.decode("utf-8")
    assert rec["current"] in out and "清单2025.xlsx" in out and "禁止准入类 1 项、许可准入类 2 项" in out
    p = run_fcr("negative-list", "show", "--format", "json")
    shown = json.loads(p.stdout)
    assert shown["version"] == rec["current"] and shown["counts"]["measures"] == 4


def test_cli_import_error_exits_2_in_chinese(run_fcr, tmp_path, data_dir):
    bad, _ = _bad_code(tmp_path)
    p = run_fcr("negative-list", "import", str(bad))
    assert p.returncode == 2
    err = p.stderr.decode("utf-8")
    assert "bad.csv" in err and "第5行" in err and "事项编码" in err
    assert not (data_dir / "negative_list" / "current").exists()
