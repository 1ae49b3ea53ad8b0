#!/usr/bin/env python3
"""Validate the market-access negative-list data in corpora/negative_list/.

Checks
  licences.tsv
    * header is exactly the agreed column list
    * ids are LIC-NNN, unique
    * at least MIN_ROWS rows, every row has all columns, name/forms/sector/basis_law set
    * every form (``|``-separated) is >= 4 characters, unique across the whole table
    * basis_level in {法律, 行政法规, 国务院决定}; status in {active, abolished, filing};
      verified in {true, false}
    * verified=true rows: basis_law names a file in corpora/laws/ (``<law>(<date>).md``)
      and basis_article (``第…条``, optionally followed by 第…款/项) is a heading
      (a line starting with that article number) in that file
  structure.yaml
    * parses; required top-level keys; categories, versions, prohibited items and
      principles carry the required fields (each with a source)
    * 2025 counts are consistent (6 + 100 = 106)
    * principles with verified=true and a ``quote``: the quote occurs verbatim in the
      named law's file, inside the cited article

Warnings (do not fail): a form that is a substring of another row's form (matchers
must prefer the longest match); a form that jieba's dictionary knows as an ordinary
word.

Usage: python scripts/check_negative_list_data.py [--quiet]
Exit status 0 when clean, 1 on errors.
"""
from __future__ import annotations

import collections
import csv
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "corpora" / "negative_list"
LAWS = ROOT / "corpora" / "laws"

HEADER = ["id", "name", "forms", "sector", "basis_law", "basis_article",
          "basis_level", "status", "verified", "note"]
MIN_ROWS = 150
MIN_FORM_LEN = 4
LEVELS = {"法律", "行政法规", "国务院决定"}
STATUSES = {"active", "abolished", "filing"}
BOOLS = {"true", "false"}
ARTICLE_RE = re.compile(r"^(第[零一二三四五六七八九十百千]+条)((第[零一二三四五六七八九十]+[款项])*)$")
YAML_KEYS = ["categories", "code_format", "prohibited_categories", "versions", "principles"]


def law_file(name: str) -> Path | None:
    hits = sorted(LAWS.glob(f"{name}(*).md"))
    return hits[-1] if hits else None


def article_text(path: Path, article: str) -> str | None:
    """Text of ``article`` (e.g. 第十三条) up to the next article heading, or None."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = None
    for i, line in enumerate(lines):
        if start is None:
            if line.startswith(article + " ") or line.startswith(article + "\u3000") or line == article:
                start = i
        elif re.match(r"^第[零一二三四五六七八九十百千]+条[ \u3000]", line) or line.startswith("#"):
            return "\n".join(lines[start:i])
    return "\n".join(lines[start:]) if start is not None else None


def check_tsv(errors: list[str], warnings: list[str]) -> list[dict]:
    path = DATA / "licences.tsv"
    raw = path.read_text(encoding="utf-8")
    if raw.startswith("\ufeff"):
        errors.append("licences.tsv: has a BOM")
    lines = raw.splitlines()
    if not lines or lines[0].split("\t") != HEADER:
        errors.append(f"licences.tsv: header must be exactly {HEADER!r}")
        return []
    rows = []
    reader = csv.reader(lines[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    for lineno, rec in enumerate(reader, start=2):
        if len(rec) != len(HEADER):
            errors.append(f"line {lineno}: {len(rec)} columns, expected {len(HEADER)}")
            continue
        row = dict(zip(HEADER, rec))
        row["_line"] = lineno
        rows.append(row)
    if len(rows) < MIN_ROWS:
        errors.append(f"licences.tsv: {len(rows)} rows, need >= {MIN_ROWS}")

    seen_ids: set[str] = set()
    form_owner: dict[str, str] = {}
    for row in rows:
        where = f"line {row['_line']} ({row['id']})"
        if not re.fullmatch(r"LIC-\d{3,}", row["id"]):
            errors.append(f"{where}: bad id")
        if row["id"] in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(row["id"])
        for col in ("name", "forms", "sector", "basis_law"):
            if not row[col].strip():
                errors.append(f"{where}: empty {col}")
            if row[col] != row[col].strip():
                errors.append(f"{where}: surrounding whitespace in {col}")
        if row["basis_level"] not in LEVELS:
            errors.append(f"{where}: basis_level {row['basis_level']!r} not in {sorted(LEVELS)}")
        if row["status"] not in STATUSES:
            errors.append(f"{where}: status {row['status']!r} not in {sorted(STATUSES)}")
        if row["verified"] not in BOOLS:
            errors.append(f"{where}: verified {row['verified']!r} not true/false")
        if row["basis_article"] and not ARTICLE_RE.match(row["basis_article"]):
            errors.append(f"{where}: basis_article {row['basis_article']!r} is not 第…条[第…款]")
        for form in row["forms"].split("|"):
            if len(form) < MIN_FORM_LEN:
                errors.append(f"{where}: form {form!r} shorter than {MIN_FORM_LEN} characters")
            if form != form.strip() or not form:
                errors.append(f"{where}: empty form or whitespace in {form!r}")
            if form in form_owner:
                errors.append(f"{where}: form {form!r} already used by {form_owner[form]}")
            form_owner.setdefault(form, row["id"])
        if row["verified"] == "true":
            lf = law_file(row["basis_law"])
            if lf is None:
                errors.append(f"{where}: verified=true but no corpora/laws/{row['basis_law']}(*).md")
            elif not row["basis_article"]:
                errors.append(f"{where}: verified=true but basis_article empty")
            else:
                art = ARTICLE_RE.match(row["basis_article"])
                if art and article_text(lf, art.group(1)) is None:
                    errors.append(f"{where}: {art.group(1)} not found in {lf.name}")

    # substring overlaps across rows (longest match must win in the matcher)
    forms = list(form_owner)
    for a in forms:
        for b in forms:
            if a != b and a in b and form_owner[a] != form_owner[b]:
                warnings.append(f"form {a!r} ({form_owner[a]}) is inside {b!r} ({form_owner[b]})")
    # forms that are ordinary dictionary words
    try:
        import jieba  # noqa: F401
        from jieba import dt
        dt.check_initialized()
        for f in forms:
            if dt.FREQ.get(f, 0) > 0:
                warnings.append(f"form {f!r} ({form_owner[f]}) is a jieba dictionary word (freq {dt.FREQ[f]})")
    except Exception as exc:  # pragma: no cover - jieba optional here
        warnings.append(f"jieba dictionary check skipped: {exc}")
    return rows


def need(errors: list[str], obj: dict, keys: list[str], where: str) -> None:
    for k in keys:
        if not isinstance(obj, dict) or k not in obj:
            errors.append(f"structure.yaml: {where}: missing key {k!r}")


def check_yaml(errors: list[str]) -> dict:
    try:
        doc = yaml.safe_load((DATA / "structure.yaml").read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        errors.append(f"structure.yaml: does not parse: {exc}")
        return {}
    need(errors, doc, YAML_KEYS, "top level")
    if errors:
        return doc or {}
    names = {c.get("name") for c in doc["categories"]}
    for want in ("禁止准入类", "许可准入类"):
        if want not in names:
            errors.append(f"structure.yaml: categories lack {want}")
    for i, c in enumerate(doc["categories"]):
        need(errors, c, ["name", "description", "source", "verified"], f"categories[{i}]")
    need(errors, doc["code_format"], ["field", "digits", "known", "unverified"], "code_format")
    if doc["code_format"].get("digits") != 6:
        errors.append("structure.yaml: code_format.digits must be 6")
    pc = doc["prohibited_categories"]
    need(errors, pc, ["count_2025", "items"], "prohibited_categories")
    items = pc.get("items", [])
    if pc.get("count_2025") != 6 or len(items) > 6:
        errors.append("structure.yaml: 2025 has 6 prohibited items; count_2025 must be 6, items <= 6")
    for i, it in enumerate(items):
        need(errors, it, ["name", "known", "code", "verified", "source"], f"prohibited_categories.items[{i}]")
        if it.get("code") is not None and not re.fullmatch(r"\d{6}", str(it["code"])):
            errors.append(f"structure.yaml: prohibited item {it.get('name')}: code not 6 digits")
    versions = {str(v.get("version")): v for v in doc["versions"]}
    for i, v in enumerate(doc["versions"]):
        need(errors, v, ["version", "items", "source", "verified"], f"versions[{i}]")
    expected = {"2018": 151, "2019": 131, "2020": 123, "2022": 117, "2025": 106}
    for ver, n in expected.items():
        if versions.get(ver, {}).get("items") != n:
            errors.append(f"structure.yaml: version {ver} must have {n} items")
    v25 = versions.get("2025", {})
    bd = v25.get("breakdown") or {}
    if (bd.get("prohibited"), bd.get("licensed")) != (6, 100) or sum(bd.values()) != v25.get("items"):
        errors.append("structure.yaml: 2025 breakdown must be 6 + 100 = 106")
    if v25.get("measures") != {"national": 469, "local": 20}:
        errors.append("structure.yaml: 2025 measures must be 469 national + 20 local")
    ids = set()
    for i, p in enumerate(doc["principles"]):
        need(errors, p, ["id", "name", "statement", "source", "verified"], f"principles[{i}]")
        ids.add(p.get("id"))
        if p.get("verified") and p.get("quote"):
            lf = law_file(p.get("law") or "")
            arts = re.findall(r"第[零一二三四五六七八九十百千]+条", p.get("article") or "")
            if lf is None or not arts:
                errors.append(f"structure.yaml: principle {p.get('id')}: quote without law file/article")
                continue
            if not any(p["quote"] in (article_text(lf, a) or "") for a in arts):
                errors.append(f"structure.yaml: principle {p.get('id')}: quote not found in {lf.name} {arts}")
    for want in ("national_single_list", "no_local_lists", "non_prohibited_entry", "all_listed_nothing_outside"):
        if want not in ids:
            errors.append(f"structure.yaml: principles lack {want}")
    return doc


def main() -> int:
    quiet = "--quiet" in sys.argv
    errors: list[str] = []
    warnings: list[str] = []
    rows = check_tsv(errors, warnings)
    doc = check_yaml(errors)
    if not quiet:
        for w in warnings:
            print("WARN ", w)
    for e in errors:
        print("ERROR", e)
    if rows:
        n_forms = sum(len(r["forms"].split("|")) for r in rows)
        print(f"\nlicences.tsv: {len(rows)} rows, {n_forms} forms")
        for col in ("status", "verified", "basis_level", "sector"):
            c = collections.Counter(r[col] for r in rows)
            print(f"  by {col}: " + ", ".join(f"{k} {v}" for k, v in c.most_common()))
        with_art = sum(1 for r in rows if r["basis_article"])
        print(f"  basis_article given: {with_art}; empty: {len(rows) - with_art}")
    if doc:
        pr = doc.get("prohibited_categories", {}).get("items", [])
        print(f"structure.yaml: {len(doc.get('categories', []))} categories, {len(pr)} prohibited items "
              f"({sum(1 for p in pr if p.get('verified'))} verified), {len(doc.get('versions', []))} versions, "
              f"{len(doc.get('principles', []))} principles "
              f"({sum(1 for p in doc.get('principles', []) if p.get('verified'))} verified)")
    print(f"\n{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
