"""Import the official market-access negative list and keep it versioned in the user data dir.

The list is published by NDRC/MOFCOM/SAMR as a table (xlsx, or csv when re-saved) with columns
such as 序号 (or 项目号), 禁止或许可事项, 事项编码, 禁止或许可准入措施描述, 设立依据, 主管部门.
One row is one measure (措施); an item (事项) spans several rows, and in the xlsx its number,
name and code are merged cells, so continuation rows carry them blank: we carry them down.

Layout under the data directory (``$FCR_DATA_DIR``, else ``$XDG_DATA_HOME/fcr``, else
``~/.local/share/fcr``)::

    negative_list/<version>/items.json   the items, each with its measures
    negative_list/<version>/meta.json    source file name, sha256, imported_at, counts
    negative_list/current                the version in use (one line)

An import either stores a complete version or nothing: the files are written into a temporary
directory inside ``negative_list/``, which is renamed into place with ``os.replace``; the
``current`` pointer is written (atomically) last. Every validation error names the file, the row
and the column, in Chinese, and is raised before anything is written.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import FcrError
from ..outputs import write_atomic

PROHIBITED, LICENSED = "禁止", "许可"
HEADER_SEARCH_ROWS = 10

# Canonical column → accepted header spellings (compared after removing blanks and line breaks).
COLUMNS: dict[str, tuple[str, ...]] = {
    "序号": ("序号", "项目号", "项目序号", "事项序号"),
    "禁止或许可事项": ("禁止或许可事项", "禁止或许可准入事项", "事项名称", "禁止或许可事项名称", "事项"),
    "事项编码": ("事项编码", "事项代码", "编码"),
    "禁止或许可准入措施描述": (
        "禁止或许可准入措施描述", "禁止或许可准入措施", "准入措施描述", "措施描述", "管理措施", "禁止或许可措施描述",
    ),
    "设立依据": ("设立依据", "依据", "法律依据", "设定依据"),
    "主管部门": ("主管部门", "主管部门（单位）", "主管部门(单位)", "主管单位"),
    "类别": ("类别", "事项类别", "清单类别", "类型", "禁止或许可类别"),
    "地方性许可事项": ("地方性许可事项", "地方性许可措施"),
}
REQUIRED = ("序号", "禁止或许可事项", "事项编码", "禁止或许可准入措施描述")
_ITEM_COLUMNS = ("序号", "禁止或许可事项", "事项编码", "类别")   # merged across an item's rows
_CODE = re.compile(r"^\d{6}$")
_SECTION = re.compile(r"(禁止准入类|许可准入类)")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class NegativeListError(FcrError):
    """The list file (or the stored list) cannot be used; the message names file, row, column."""


def data_dir() -> Path:
    """The user data directory of fcr (not the shipped data: see checker.resources)."""
    env = os.environ.get("FCR_DATA_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "fcr"


def list_root() -> Path:
    return data_dir() / "negative_list"


# -- reading the spreadsheet ---------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(path: Path, name: str) -> list[list[str]]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise NegativeListError(f"{name}：读取 xlsx 需要 openpyxl（pip install openpyxl）") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any failure here means "not a usable workbook"
        raise NegativeListError(f"{name}：不是有效的 xlsx 电子表格（{type(e).__name__}）") from None
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            sheets.append(rows)
    finally:
        wb.close()
    # The first sheet whose header can be found; else the first sheet (for the error message).
    for rows in sheets:
        if _find_header(rows)[0] is not None:
            return rows
    return sheets[0] if sheets else []


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise NegativeListError(f"{name}：无法识别文件编码（支持 UTF-8、UTF-8 BOM、GB18030）")


def _csv_rows(data: bytes, name: str) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise NegativeListError(f"{name}：不是电子表格（请提供 .xlsx 或 .csv 文件）")
    text = _decode(data, name)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as e:
        raise NegativeListError(f"{name}：CSV 格式错误（{e}）") from None


def read_rows(path: Path) -> list[list[str]]:
    """Rows of the list file as strings; row i of the result is spreadsheet row i + 1."""
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NegativeListError(f"{path}：文件不存在") from None
    except IsADirectoryError:
        raise NegativeListError(f"{path}：是文件夹，不是清单文件") from None
    except OSError as e:
        raise NegativeListError(f"{path}：无法读取（{e.strerror}）") from None
    if not data.strip():
        raise NegativeListError(f"{name}：文件为空")
    suffix = path.suffix.lower()
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise NegativeListError(f"{name}：不支持旧版 .xls 格式，请另存为 .xlsx 或 .csv 后导入")
    if data[:2] == b"PK" or suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, name)
    if suffix not in ("", ".csv", ".tsv", ".txt"):
        raise NegativeListError(f"{name}：不是电子表格（请提供 .xlsx 或 .csv 文件）")
    return _csv_rows(data, name)


# -- validating ----------------------------------------------------------------------------------

def _canon(header: str) -> str | None:
    key = re.sub(r"\s+", "", header).replace("(", "（").replace(")", "）")
    for canon, spellings in COLUMNS.items():
        if key in spellings or key in (s.replace("(", "（").replace(")", "）") for s in spellings):
            return canon
    return None


def _find_header(rows: list[list[str]]) -> tuple[int | None, dict[str, int]]:
    """(0-based header row, canonical column → 0-based column) within the first rows."""
    best: tuple[int | None, dict[str, int]] = (None, {})
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            canon = _canon(cell) if cell else None
            if canon and canon not in cols:
                cols[canon] = j
        # A header names the item and its measures, or at least two of the known columns.
        if len(cols) >= 2 and len(cols) > len(best[1]):
            best = (i, cols)
    return best


@dataclass
class ParsedList:
    items: list[dict]
    counts: dict


def _kind_of(category: str, section: str | None, name: str, code: str) -> str | None:
    if category:
        if "禁止" in category:
            return PROHIBITED
        if "许可" in category:
            return LICENSED
    if name.startswith("禁止"):
        return PROHIBITED
    if name.startswith(("未获得许可", "未获许可", "未经许可")):
        return LICENSED
    if section:             # the "一、禁止准入类" / "二、许可准入类" row the item sits under
        return section
    # Convention read off the published codes: 禁止准入类 codes start with 1 (100004 禁止违规开展
    # 金融相关经营活动), 许可准入类 with 2. Only verified for that one item; used as a last resort.
    if code[:1] == "1":
        return PROHIBITED
    if code[:1] == "2":
        return LICENSED
    return None


def parse_rows(rows: list[list[str]], name: str) -> ParsedList:
    """Validate the rows of a list file; raise NegativeListError naming file, row and column."""
    hdr, cols = _find_header(rows)
    if hdr is None:
        raise NegativeListError(
            f"{name}：前{HEADER_SEARCH_ROWS}行中未找到表头（需包含列：{'、'.join(REQUIRED)}）"
        )
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise NegativeListError(f"{name}：第{hdr + 1}行表头缺少必需列：{'、'.join(missing)}")

    def get(row: list[str], col: str) -> str:
        j = cols.get(col)
        return row[j] if j is not None and j < len(row) else ""

    def err(rowno: int, col: str, problem: str) -> NegativeListError:
        return NegativeListError(f"{name}：第{rowno}行“{col}”列：{problem}")

    items: dict[str, dict] = {}
    name_code: dict[str, tuple[str, int]] = {}
    seen_measure: dict[tuple[str, str], int] = {}
    section: str | None = None
    carried: dict[str, str] | None = None
    for i in range(hdr + 1, len(rows)):
        row, rowno = rows[i], i + 1
        filled = [c for c in row if c]
        if not filled:
            continue
        measure = get(row, "禁止或许可准入措施描述")
        values = {c: get(row, c) for c in _ITEM_COLUMNS}
        # Section rows ("一、禁止准入类") and repeated header rows carry no measure.
        if not measure and not values["事项编码"] and len(filled) == 1:
            m = _SECTION.search(filled[0])
            if m:
                section = PROHIBITED if m.group(1) == "禁止准入类" else LICENSED
                continue
        if _canon(measure) == "禁止或许可准入措施描述":
            continue
        if not values["禁止或许可事项"] and not values["事项编码"]:
            if carried is None:
                raise err(rowno, "禁止或许可事项", "为空（首个事项行须写明事项名称和事项编码）")
            values = {c: values[c] or carried[c] for c in _ITEM_COLUMNS}   # merged-cell continuation
        if not values["禁止或许可事项"]:
            raise err(rowno, "禁止或许可事项", "为空")
        code = values["事项编码"]
        if not code:
            raise err(rowno, "事项编码", "为空")
        if not _CODE.match(code):
            raise err(rowno, "事项编码", f"应为6位数字，实为“{code}”")
        if not measure:
            raise err(rowno, "禁止或许可准入措施描述", "为空（每行须有准入措施描述）")
        kind = _kind_of(values["类别"], section, values["禁止或许可事项"], code)
        if kind is None:
            raise err(rowno, "禁止或许可事项", "无法判断属于禁止准入类还是许可准入类（可增加“类别”列）")
        item_name = values["禁止或许可事项"]
        item = items.get(code)
        if item is None:
            prev = name_code.get(item_name)
            if prev is not None:
                raise err(rowno, "禁止或许可事项", f"事项“{item_name}”与第{prev[1]}行重复，但事项编码不同（{prev[0]}）")
            name_code[item_name] = (code, rowno)
            item = items[code] = {
                "seq": values["序号"] or None, "code": code, "name": item_name, "kind": kind,
                "row": rowno, "measures": [],
            }
        elif item["name"] != item_name:
            raise err(rowno, "事项编码", f"{code} 与第{item['row']}行重复，但事项名称不同")
        key = (code, re.sub(r"\s+", "", measure))
        if key in seen_measure:
            raise err(rowno, "禁止或许可准入措施描述", f"与第{seen_measure[key]}行重复")
        seen_measure[key] = rowno
        item["measures"].append({
            "row": rowno,
            "description": measure,
            "basis": get(row, "设立依据") or None,
            "department": get(row, "主管部门") or None,
            "local": get(row, "地方性许可事项") or None,
        })
        carried = values
    if not items:
        raise NegativeListError(f"{name}：第{hdr + 1}行表头之后没有任何事项")
    out = list(items.values())
    counts = {
        "items": len(out),
        "prohibited_items": sum(it["kind"] == PROHIBITED for it in out),
        "licensed_items": sum(it["kind"] == LICENSED for it in out),
        "measures": sum(len(it["measures"]) for it in out),
        "prohibited_measures": sum(len(it["measures"]) for it in out if it["kind"] == PROHIBITED),
        "licensed_measures": sum(len(it["measures"]) for it in out if it["kind"] == LICENSED),
    }
    return ParsedList(out, counts)


def parse_file(path: Path) -> ParsedList:
    return parse_rows(read_rows(path), path.name)


# -- storing -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    version: str
    meta: dict
    already: bool            # the same file was imported before under this version


def default_version(path: Path, sha256: str) -> str:
    m = re.search(r"(?<!\d)(20\d\d)(?!\d)", path.stem)
    return f"{m.group(1)}-{sha256[:8]}" if m else sha256[:8]


def _write_json(path: Path, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())


def import_file(path: Path, version: str | None = None) -> ImportResult:
    """Validate and store the list; nothing is written unless the whole file is valid."""
    path = Path(path)
    if version is not None and (not _VERSION.match(version) or version == "current"):
        raise NegativeListError(f"版本名“{version}”无效：只能用字母、数字、点、横线和下划线，且不能为 current")
    parsed = parse_file(path)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    version = version or default_version(path, sha)
    root = list_root()
    target = root / version
    if (target / "meta.json").is_file():
        old = _read_json(target / "meta.json")
        if old.get("sha256") != sha:
            raise NegativeListError(
                f"版本 {version} 已存在（来源 {old.get('source')}），内容与 {path.name} 不同；请用 --version 指定新版本名"
            )
        _set_current(root, version)
        return ImportResult(version, old, already=True)
    meta = {
        "version": version,
        "source": path.name,
        "sha256": sha,
        "imported_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "counts": parsed.counts,
    }
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
    try:
        _write_json(tmp / "items.json", parsed.items)
        _write_json(tmp / "meta.json", meta)
        if target.exists():          # a half-made folder left by hand: replace it
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _set_current(root, version)
    return ImportResult(version, meta, already=False)


def _set_current(root: Path, version: str) -> None:
    write_atomic(root / "current", (version + "\n").encode("utf-8"))


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise NegativeListError(f"{path}：已导入的清单数据无法读取（{e}），请重新运行 fcr negative-list import") from None


def current_version() -> str | None:
    try:
        version = (list_root() / "current").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def current_meta() -> dict | None:
    version = current_version()
    if version is None:
        return None
    return _read_json(list_root() / version / "meta.json")


def load_items(version: str | None = None) -> tuple[str, list[dict]] | None:
    """(version, items) of the list in use, or None when none was imported."""
    version = version or current_version()
    if version is None:
        return None
    items = _read_json(list_root() / version / "items.json")
    if not isinstance(items, list):
        raise NegativeListError(f"{list_root() / version / 'items.json'}：格式不对，请重新导入")
    return version, items
