"""The negative-list detector: run by the engine over every document, after rules and model.

Only clauses that set access conditions for a trade are looked at (one regex, ``wants``); on
those one Aho-Corasick pass finds the licences of the built-in table and the items of the
imported list. Then, per clause:

* a rule (or model) finding on it that is about market access (category negative_list or
  entry_exit, or rule id NL-… / ENTRY-APPROVAL…) gets the matched licence's legal source or the
  list item appended to its legal basis;
* a clause with no finding that demands a licence since abolished, or a filing used as a
  precondition, becomes a finding ``NL-LICENCE-ABOLISHED-01`` (detector ``negative_list``);
* a clause with no finding that restates a lawful licence (依法取得, 应当取得, 持有 …) is left
  alone and recorded as a note (``lawful_licence``): pass, and say which.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..citations import citation_problem
from ..document import Clause
from ..findings import Citation, Explanation, Finding, Note
from .licences import Licence, ListItem, Matcher, default_licences_path, list_items, load_licences
from .store import PROHIBITED, current_version, load_items

RULE_ID = "NL-LICENCE-ABOLISHED-01"
CONFIDENCE = 0.85

# Clauses that set access conditions for a trade. One regex: it runs on every clause.
ACCESS = re.compile(
    r"许可|审批|核准|批准|备案|登记|认定|准入|资格|资质|证书|执照|牌照|目录|名录|禁止|限制|不得从事|特许|年检|年审"
)
# The licence is demanded: a requirement word shortly before it …
_REQUIRE_BEFORE = re.compile(
    r"须|需|应当|应|必须|要求|具备|具有|持有|取得|提供|提交|出具|凭|获得|办理|申领|领取|核发"
)
# … or a precondition after it.
_REQUIRE_AFTER = re.compile(
    r"^[^。；]{0,20}?(?:方可|才能|才可|后方|为前提|为前置|作为[^，。；]{0,10}(?:条件|前置|门槛|依据)"
    r"|的(?:企业|单位|机构|供应商|投标人|申请人|经营者)(?:方可|才能|才可|可以|可)?(?:参加|参与|投标|报名|申报|入围|进入|承接|从事))"
)
# A filing (备案) is lawful as such; it is a disguised permit only when made a precondition.
_PRECONDITION = re.compile(
    r"方可|才能|才可|后方|前置|为前提|作为[^，。；]{0,12}条件|资格条件|准入条件|凭(?!证)[^，。；]{0,12}(?:证|证明|回执)"
    r"|未[^，。；]{0,12}备案[^，。；]{0,8}(?:不得|不予)"
)
# The clause removes, forbids or corrects the demand rather than making it.
_NEGATION = re.compile(
    r"取消|不再|不得(?:要求|将|把|以|设置|设定|限定|作为)|无需|无须|不需|不必|免于|免予|免除|废止|停止|改为|"
    r"不作为|不以|不予要求|不应(?:要求|将|以)|(?:禁止|严禁)(?:要求|将|以|把)|清理|纠正|整改|违规|违法(?:设置|要求)"
)
# A lawful restatement of an active licence.
_LAWFUL = re.compile(
    r"依法|依照|(?:根据|按照)《|应当(?:依法)?(?:取得|持有|具备|具有|办理|申领)|(?:须|需|必须)(?:依法)?(?:取得|持有|具备|具有)|持有"
)
# A preference or score for holders is a scoring question, not a restatement: no note.
_PREFERENCE = re.compile(r"优先|加分|得分|分值|评分")
_ACCESS_RULE = re.compile(r"^(?:NL-|ENTRY-APPROVAL|MODEL-NEGATIVE-LIST|MODEL-ENTRY-EXIT)")
_ACCESS_CATEGORIES = frozenset({"negative_list", "entry_exit"})

_POLICY_BASIS = Citation("公平竞争审查条例", "第八条", "（一）")
_PROCUREMENT_BASIS = Citation("政府采购法实施条例", "第二十条", "（二）")


def _checked(c: Citation) -> Citation:
    """Mark a citation unverified unless the shipped law text has that article and item."""
    ok = citation_problem(c.law, c.article, c.item, c.paragraph) is None
    return c if ok else replace(c, verified=False)


class NegativeListDetector:
    def __init__(self, licences: tuple[Licence, ...] = (), items: tuple[ListItem, ...] = (), emit: bool = True):
        self.licences = licences
        self.items = items
        self.matcher = Matcher(licences, items)
        self.emit = emit      # False: rule NL-LICENCE-ABOLISHED-01 is disabled by the options
        self.policy_basis = _checked(_POLICY_BASIS)
        self.procurement_basis = _checked(_PROCUREMENT_BASIS)

    def wants(self, plain: str) -> bool:
        """Does this (normalised) clause set access conditions? The cheap per-clause test."""
        return self.matcher.size > 0 and ACCESS.search(plain) is not None

    def review(
        self, clauses: list[tuple[Clause, str]], findings: list[Finding], doc_type: str
    ) -> tuple[list[Finding], list[Note]]:
        """``clauses``: the (clause, normalised text) pairs ``wants`` accepted, in reading order."""
        if not clauses:
            return findings, []
        by_clause: dict[tuple, list[int]] = {}
        for i, f in enumerate(findings):
            by_clause.setdefault((f.location, f.start), []).append(i)
        findings = list(findings)
        added: list[Finding] = []
        notes: list[Note] = []
        for clause, plain in clauses:
            mentions = self.matcher.mentions(plain)
            if not mentions:
                continue
            existing = by_clause.get((clause.location, clause.start))
            if existing and self.emit and not _NEGATION.search(plain):
                # A rule saw the clause too (NL-ABOLISHED-01 …): the table's finding names the
                # licence and when it was abolished, so it replaces the rule's in its category.
                flagged = self._abolished(clause, plain, mentions, doc_type)
                if flagged is not None:
                    same = [i for i in existing if findings[i].category == flagged.category]
                    if same:
                        for i in same:
                            findings[i] = None
                        added.append(flagged)
                        existing = [i for i in existing if i not in same]
                        if not existing:
                            continue
            if existing:
                cites = _citations(mentions)
                for i in existing:
                    f = findings[i]
                    if f.category in _ACCESS_CATEGORIES or _ACCESS_RULE.match(f.rule_id):
                        findings[i] = _with_citations(f, cites)
                continue
            if _NEGATION.search(plain):
                continue
            flagged = self._abolished(clause, plain, mentions, doc_type) if self.emit else None
            if flagged is not None:
                added.append(flagged)
                continue
            notes += _lawful_notes(clause, plain, mentions)
        findings = [f for f in findings if f is not None]
        if added:
            findings = sorted(
                findings + added, key=lambda f: (f.location.paragraph or 0, f.location.line or 0, f.start)
            )
        return findings, notes

    def _abolished(self, clause: Clause, plain: str, mentions, doc_type: str) -> Finding | None:
        for m in mentions:
            licences = [r for r in m.refs if isinstance(r, Licence)]
            # A form shared with an active licence (or a list item) is ambiguous: leave it.
            if not licences or len(licences) != len(m.refs) or any(r.status == "active" for r in licences):
                continue
            lic = licences[0]
            before = plain[max(0, m.start - 30):m.start]
            after = plain[m.end:m.end + 30]
            if lic.status == "filing" and "备案" in m.form:
                # The filing itself (…备案凭证) is lawful; it is a disguised permit only as a precondition.
                demanded = _PRECONDITION.search(plain) is not None
            else:
                demanded = _REQUIRE_BEFORE.search(before) is not None or _REQUIRE_AFTER.search(after) is not None
            if demanded:
                return self._finding(clause, m, lic, doc_type)
        return None

    def _finding(self, clause: Clause, m, lic: Licence, doc_type: str) -> Finding:
        procurement = doc_type == "procurement"
        what = "已取消" if lic.status == "abolished" else "已改为备案管理"
        note = f"（{lic.note}）" if lic.note else ""
        if lic.status == "abolished":
            message = (
                f"条款要求取得“{lic.name}”，该许可（资质）{what}{note}。"
                + ("以已取消的资质作为供应商资格条件，与采购项目的具体特点和实际需要不相适应，构成以不合理条件对供应商实行差别待遇。"
                   if procurement else
                   "规范性文件继续要求取得，属于在市场准入负面清单之外违法设置准入审批、限制市场准入。")
            )
        elif "备案" not in m.form:
            message = (
                f"条款要求取得“{m.form}”，但“{lic.name}”{what}{note}。"
                + ("继续以该许可作为供应商资格条件，构成以不合理条件对供应商实行差别待遇。" if procurement
                   else "继续要求取得许可，属于以备案之名行许可之实、在市场准入负面清单之外设置准入审批。")
            )
        else:
            message = (
                f"“{lic.name}”{what}{note}，条款却把办理该备案作为从事经营"
                + ("或参加采购的前提，以备案之名行许可之实，构成不合理的资格条件。" if procurement
                   else "的前提，以备案之名行许可之实，属于变相设置市场准入审批。")
            )
        suggestion = (
            f"删除取得“{lic.name}”的资格要求，改为与合同履行直接相关的能力要求（如人员、设备、业绩的合理证明），"
            "不得以已取消或改为备案的事项作为资格条件或评分因素。"
            if procurement else
            f"删除取得“{lic.name}”的要求；该事项{what}，不得作为从事经营的条件。确需了解经营者情况的，"
            "改为不设审核的信息报送，并依法加强事中事后监管。"
        )
        basis = [self.procurement_basis if procurement else self.policy_basis]
        source = lic.citation()
        if source is not None:
            basis.append(source)
        return Finding(
            rule_id=RULE_ID,
            category="qualification" if procurement else "negative_list",
            severity="high",
            title="要求取得已取消或已改为备案的许可、资质",
            message=message,
            suggestion=suggestion,
            legal_basis=tuple(basis),
            clause=clause.text,
            evidence=clause.text[m.start:m.end],
            location=clause.location,
            start=clause.start,
            end=clause.end,
            confidence=CONFIDENCE,
            detector="negative_list",
            explanation=Explanation(check="negative_list", pattern=f"{lic.id}:{lic.status}", matched=(m.form,)),
        )


def _citations(mentions) -> list[Citation]:
    out: list[Citation] = []
    for m in mentions:
        for ref in m.refs:
            c = ref.citation()
            if c is not None and c not in out:
                out.append(c)
    return out


def _with_citations(f: Finding, cites: list[Citation]) -> Finding:
    have = {(c.law, c.article, c.item) for c in f.legal_basis}
    extra = tuple(c for c in cites if (c.law, c.article, c.item) not in have)
    return replace(f, legal_basis=f.legal_basis + extra) if extra else f


def _lawful_notes(clause: Clause, plain: str, mentions) -> list[Note]:
    if not _LAWFUL.search(plain) or _PREFERENCE.search(plain):
        return []
    notes: list[Note] = []
    seen: set[str] = set()
    for m in mentions:
        for ref in m.refs:
            if ref.status != "active" or ref.name in seen:
                continue
            seen.add(ref.name)
            kind = "list_prohibition" if isinstance(ref, ListItem) and ref.kind == PROHIBITED else "lawful_licence"
            cite = ref.citation()
            notes.append(Note(kind, clause.text, clause.location, ref.name, (cite,) if cite else ()))
    return notes


# -- the detector the engine uses by default -----------------------------------------------------

def default_detector(options, licences: tuple[Licence, ...] | None = None) -> NegativeListDetector:
    """The built-in licence table (or ``licences``) plus the imported list in use (if any),
    honouring the rule selection of ``options`` (enable/disable) for NL-LICENCE-ABOLISHED-01."""
    from ..engine import _selected

    emit = (not options.enabled or _selected(RULE_ID, options.enabled)) and not _selected(RULE_ID, options.disabled)
    path = default_licences_path()
    mtime = path.stat().st_mtime_ns if path.is_file() else 0
    table, items = _default_parts(str(path), mtime, current_version())
    return NegativeListDetector(table if licences is None else licences, items, emit=emit)


@lru_cache(maxsize=4)
def _default_parts(path: str, _mtime: int, version: str | None):
    licences = load_licences()
    loaded = load_items(version) if version else None
    items = list_items(*loaded) if loaded else ()
    return licences, items
