"""The built-in licence table and one Aho-Corasick matcher over licences and list items.

``corpora/negative_list/licences.tsv`` (tab-separated, UTF-8) lists licences and qualifications
that national laws and administrative regulations establish, with the ones since abolished or
turned into filings::

    id  name  forms  sector  basis_law  basis_article  basis_level  status  verified  note

``forms`` are ``|``-separated literal strings as they appear in documents; ``status`` is
``active`` | ``abolished`` | ``filing``; ``verified`` is ``true`` | ``false`` (whether the basis was
checked against the source text). The file is validated strictly: an error names file, line and
column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..citations import citation_problem
from ..findings import Citation
from ..normalize import normalize
from ..resources import data_path
from .store import LICENSED, NegativeListError

HEADER = ("id", "name", "forms", "sector", "basis_law", "basis_article", "basis_level", "status", "verified", "note")
STATUSES = ("active", "abolished", "filing")
MIN_FORM = 3          # shorter forms (资质, 许可) would match everywhere

_ARTICLE = re.compile(r"^(第[^条]{1,8}条(?:之[一二三四五六七八九十]+)?)(第[一二三四五六七八九十]+款)?((?:（[^）]{1,4}）|\([^)]{1,4}\)))?")


def default_licences_path() -> Path:
    return data_path("corpora", "negative_list", "licences.tsv")


@dataclass(frozen=True)
class Licence:
    id: str
    name: str
    forms: tuple[str, ...]
    sector: str
    basis_law: str
    basis_article: str
    basis_level: str
    status: str
    verified: bool
    note: str

    def citation(self) -> Citation | None:
        if not self.basis_law:
            return None
        return _citation(self.basis_law.strip("《》"), self.basis_article, self.verified)


def _citation(law: str, article_text: str, verified: bool) -> Citation:
    article = paragraph = item = None
    if article_text:
        m = _ARTICLE.match(article_text.replace(" ", ""))
        if m:
            article, paragraph, item = m.group(1), m.group(2), m.group(3)
            if item:
                item = item.replace("(", "（").replace(")", "）")
        else:
            article = article_text
    if verified:
        # The table says the basis was checked; when we ship the law, hold it to the text too.
        problem = citation_problem(law, article, item, paragraph)
        if problem and not problem.startswith("未附带"):
            verified = False
    return Citation(law, article, item, paragraph, verified)


def load_licences(path: Path | None = None) -> tuple[Licence, ...]:
    """Read and validate the licence table; an absent file is an empty table."""
    path = Path(path) if path is not None else default_licences_path()
    if not path.is_file():
        return ()
    return _load(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load(path: str, _mtime: int) -> tuple[Licence, ...]:
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise NegativeListError(f"{path}：不是 UTF-8 编码") from None
    lines = text.splitlines()
    if not lines or tuple(h.strip() for h in lines[0].split("\t")) != HEADER:
        raise NegativeListError(f"{name}：第1行表头应为 {' '.join(HEADER)}")
    out: list[Licence] = []
    ids: set[str] = set()
    for n, line in enumerate(lines[1:], 2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != len(HEADER):
            raise NegativeListError(f"{name}：第{n}行：应有{len(HEADER)}列，实有{len(cells)}列")
        rec = dict(zip(HEADER, cells))

        def bad(col: str, problem: str) -> NegativeListError:
            return NegativeListError(f"{name}：第{n}行“{col}”列：{problem}")

        if not rec["id"]:
            raise bad("id", "为空")
        if rec["id"] in ids:
            raise bad("id", f"{rec['id']} 重复")
        ids.add(rec["id"])
        if not rec["name"]:
            raise bad("name", "为空")
        if rec["status"] not in STATUSES:
            raise bad("status", f"应为 {'|'.join(STATUSES)}，实为“{rec['status']}”")
        if rec["verified"] not in ("true", "false"):
            raise bad("verified", f"应为 true 或 false，实为“{rec['verified']}”")
        forms = tuple(dict.fromkeys(
            normalize(f.strip()) for f in [*rec["forms"].split("|"), rec["name"]] if len(f.strip()) >= MIN_FORM
        ))
        if not forms:
            raise bad("forms", f"没有不少于{MIN_FORM}个字的写法")
        out.append(Licence(
            id=rec["id"], name=rec["name"], forms=forms, sector=rec["sector"], basis_law=rec["basis_law"],
            basis_article=rec["basis_article"], basis_level=rec["basis_level"], status=rec["status"],
            verified=rec["verified"] == "true", note=rec["note"],
        ))
    return tuple(out)


# -- list items ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListItem:
    """One item of the imported negative list, reduced to what the matcher needs."""

    code: str
    name: str
    kind: str                 # 禁止 | 许可
    version: str
    keywords: tuple[str, ...]

    @property
    def status(self) -> str:
        return "active"       # on the list in force: a lawful basis by definition

    def citation(self) -> Citation:
        year = re.search(r"(?<!\d)(20\d\d)(?!\d)", self.version)
        law = f"市场准入负面清单（{year.group(1)}年版）" if year else "市场准入负面清单"
        # The list is the user's import, not a text we ship: never marked verified.
        return Citation(law, f"事项{self.code}", f"（{self.name}）", None, False)


_KEYWORD_SPLIT = re.compile(
    r"[，。；、：:,;（）()《》〈〉“”\"'\s]|未获得|未经|取得|获得|办理|申请|须|需|应当|应|经过|并|或者|或|和|及|以及|的|从事|不得|禁止"
)
_KEYWORD_SUFFIX = re.compile(r"(?:许可证|许可|资质|资格|执照|核准|审批|批准|牌照|认证)$")
_NAME_PREFIX = re.compile(r"^(?:未获得许可|未获许可|未经许可)[，,]?(?:不得|禁止)?|^禁止")


def item_keywords(name: str, measures: list[dict]) -> tuple[str, ...]:
    """Words a document would use for the item: the item name without its 禁止/未获得许可 lead,
    and the licence-like phrases of its measure descriptions (…许可证, …资质, …核准)."""
    words = []
    stripped = _NAME_PREFIX.sub("", name).strip("，, ")
    if len(stripped) >= 4:
        words.append(stripped)
    for m in measures:
        for part in _KEYWORD_SPLIT.split(m.get("description") or ""):
            if 4 <= len(part) <= 20 and _KEYWORD_SUFFIX.search(part):
                words.append(part)
    return tuple(dict.fromkeys(normalize(w) for w in words))


def list_items(version: str, items: list[dict]) -> tuple[ListItem, ...]:
    return tuple(
        ListItem(it["code"], it["name"], it.get("kind", LICENSED), version,
                 item_keywords(it["name"], it.get("measures", [])))
        for it in items
    )


# -- matching -----------------------------------------------------------------------------------

# A grade written inside a qualification name: 三级以上, 二级及以上, 甲级, 壹级（含）以上.
_GRADE = re.compile(r"[一二三四五六七八九壹贰叁甲乙丙丁]级(?:[（(]含[）)])?(?:及|或|或者)?(?:以上|以下)?")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    form: str
    refs: tuple            # Licence and/or ListItem objects sharing this form


class Matcher:
    """Leftmost-longest, non-overlapping mentions of licence forms and list-item keywords."""

    def __init__(self, licences: tuple[Licence, ...] = (), items: tuple[ListItem, ...] = ()):
        import ahocorasick

        table: dict[str, list] = {}
        for lic in licences:
            for form in lic.forms:
                table.setdefault(form, []).append(lic)
        for item in items:
            for word in item.keywords:
                table.setdefault(word, []).append(item)
        self.size = len(table)
        self._automaton = None
        if table:
            a = ahocorasick.Automaton()
            for form, refs in table.items():
                a.add_word(form, (form, tuple(refs)))
            a.make_automaton()
            self._automaton = a

    def mentions(self, text: str) -> list[Mention]:
        if self._automaton is None:
            return []
        found = []
        for end, (form, refs) in self._automaton.iter(text):
            found.append(Mention(end - len(form) + 1, end + 1, form, refs))
        if _GRADE.search(text):
            # "物业服务企业二级及以上资质": match the form with the grade taken out, and map the
            # offsets back onto the clause.
            keep = [True] * len(text)
            for g in _GRADE.finditer(text):
                for i in range(g.start(), g.end()):
                    keep[i] = False
            index = [i for i, k in enumerate(keep) if k]
            shadow = "".join(text[i] for i in index)
            for end, (form, refs) in self._automaton.iter(shadow):
                start = end - len(form) + 1
                found.append(Mention(index[start], index[end] + 1, form, refs))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out, pos = [], -1
        for m in found:
            if m.start >= pos:
                out.append(m)
                pos = m.end
        return out
