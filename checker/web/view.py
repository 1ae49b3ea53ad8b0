"""The document page's content: every block of the document with finding spans marked in place,
and one card per finding (problem, legal basis, suggestion, confidence, why, decision).

Overlapping findings (two rules on one clause) are drawn as flat segments: the block text is cut
at every clause and evidence boundary, and each cut piece that lies inside at least one finding's
clause becomes ``<a class="hl" href="#card-f3" data-f="f3 f5"><mark …>piece</mark></a>``. A
link, so that the page works without JavaScript (it jumps to the card) and every mark is
reachable by keyboard; the script turns the click into "open this card in the side panel".

Span resolution follows the static HTML report (``checker.reports.html_report``): the finding's
block is ``location.paragraph``; its clause sits at ``start:end`` when the text there matches,
else wherever the clause text occurs in that block, else (a file changed since it was recorded)
in any block; a finding that cannot be found is listed in the panel as "not located".

Everything from a document, a rule or a law is escaped here (``markupsafe.escape``); the
templates receive ``Markup`` only for the marked-up block text built in this module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from markupsafe import Markup, escape

from ..citations import article_text
from ..document import Block
from ..findings import Citation, DocumentResult, Explanation, Finding
from ..ledger import STATUS_ZH
from ..reports.html_report import (
    CHECK_ZH,
    DETECTOR_ZH,
    DOC_TYPE_ZH,
    SEVERITY_ZH,
    location_text,
)
from ..rulebook import CATEGORIES, SEVERITIES

SEVERITY_ORDER = tuple(reversed(SEVERITIES))     # high, medium, low
DECISIONS = (                                    # what a reviewer decides on the page
    ("confirmed", "确认问题"),
    ("dismissed", "排除（误报或不予整改，须写明理由）"),
    ("rectifying", "整改中"),
)


@dataclass(frozen=True)
class CitationView:
    label: str
    item_line: str | None          # the cited item's own line, when the citation names one
    text: str | None               # the whole article, when shipped in corpora/laws
    verified: bool


@dataclass
class Card:
    key: str                       # DOM id part: "f3"
    no: int
    finding: Finding
    location: str
    basis: list[CitationView]
    why: list[tuple[str, str]]     # (label, text) lines; empty when not known
    clause_html: Markup
    placed: bool = False
    ledger_id: int | None = None
    status: str | None = None      # ledger status, None for an unsaved result
    note: str | None = None
    owner: str | None = None
    deadline: str | None = None
    hidden: bool = False           # filtered out (server side; the script filters live)

    @property
    def severity_zh(self) -> str:
        return SEVERITY_ZH.get(self.finding.severity, self.finding.severity)

    @property
    def category_zh(self) -> str:
        return CATEGORIES.get(self.finding.category, self.finding.category)

    @property
    def detector_zh(self) -> str:
        return DETECTOR_ZH.get(self.finding.detector, self.finding.detector)

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status or "")


@dataclass
class BlockView:
    index: int
    kind: str
    html: Markup
    page: int | None = None        # set on the first block of a new PDF page
    header: str | None = None      # a table's header row, shown before its first row
    marked: bool = False


@dataclass
class Facet:
    key: str
    label: str
    count: int
    checked: bool


@dataclass
class Filters:
    categories: frozenset[str] = frozenset()    # empty = all
    severities: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()

    def allows(self, card: Card) -> bool:
        f = card.finding
        return ((not self.categories or f.category in self.categories)
                and (not self.severities or f.severity in self.severities)
                and (not self.statuses or card.status in self.statuses))


@dataclass
class DocView:
    result: DocumentResult
    blocks: list[BlockView]
    cards: list[Card]
    categories: list[Facet] = field(default_factory=list)
    severities: list[Facet] = field(default_factory=list)
    statuses: list[Facet] = field(default_factory=list)

    @property
    def doc_type_zh(self) -> str:
        return DOC_TYPE_ZH.get(self.result.doc_type or "", "未识别")

    @property
    def unplaced(self) -> int:
        return sum(not c.placed for c in self.cards)

    def count(self, severity: str) -> int:
        return sum(c.finding.severity == severity for c in self.cards)


# -- cards -----------------------------------------------------------------------------------------

_ITEM = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")


def _fullwidth(s: str) -> str:
    return s.replace("(", "（").replace(")", "）")


def citation_view(c: Citation) -> CitationView:
    text = article_text(c.law, c.article) if c.article else None
    item_line = None
    if text and c.item:
        item = _fullwidth(c.item)
        item_line = next((p.strip() for p in text.split("\n") if _fullwidth(p.strip()).startswith(item)), None)
    return CitationView(c.label(), item_line, text, c.verified and text is not None)


def why_lines(e: Explanation | None) -> list[tuple[str, str]]:
    """The Chinese "why" of a finding: what matched, which words moved confidence, the model."""
    if e is None:
        return []
    out = []
    if e.matched:
        out.append(("命中", f"{'、'.join(e.matched)}（{CHECK_ZH.get(e.check, e.check)}）"))
    if e.raised_by:
        out.append(("加强语境", "、".join(e.raised_by)))
    if e.lowered_by:
        out.append(("减弱语境", "、".join(e.lowered_by)))
    if e.related_rules:
        out.append(("同类规则", "、".join(e.related_rules)))
    if e.model_probability is not None:
        m = f"违规概率 {e.model_probability:.2f}"
        if e.model_category:
            m += f"（类别 {CATEGORIES.get(e.model_category, e.model_category)}，{e.model_category_probability or 0:.2f}）"
        out.append(("分类模型", m))
    return out


def _clause_html(f: Finding) -> Markup:
    ev = f.evidence or ""
    at = f.clause.find(ev) if ev and ev != f.clause else -1
    if at < 0:
        return escape(f.clause)
    return escape(f.clause[:at]) + Markup("<strong>") + escape(ev) + Markup("</strong>") + escape(f.clause[at + len(ev):])


def _cards(result: DocumentResult, rows, explanations) -> list[Card]:
    cards = []
    for i, f in enumerate(result.findings, 1):
        row = rows[i - 1] if rows else None
        lid = row["id"] if row is not None else None
        cards.append(Card(
            key=f"f{i}", no=i, finding=f, location=location_text(f.location),
            basis=[citation_view(c) for c in f.legal_basis],
            why=why_lines(explanations.get(lid) if row is not None else f.explanation),
            clause_html=_clause_html(f), ledger_id=lid,
            status=row["status"] if row is not None else None,
            note=row["note"] if row is not None else None,
            owner=row["owner"] if row is not None else None,
            deadline=row["deadline"] if row is not None else None,
        ))
    return cards


# -- spans in blocks -------------------------------------------------------------------------------

def _locate(blocks: tuple[Block, ...], f: Finding) -> tuple[int, int, int] | None:
    """(block index, clause start, clause end) of a finding in the document, or None."""
    idx = f.location.paragraph
    if idx is not None and 0 <= idx < len(blocks):
        text = blocks[idx].text
        if f.clause and text[f.start:f.end] == f.clause:
            return idx, f.start, f.end
        at = text.find(f.clause) if f.clause else -1
        if at >= 0:
            return idx, at, at + len(f.clause)
    if f.clause:
        for i, b in enumerate(blocks):
            at = b.text.find(f.clause)
            if at >= 0:
                return i, at, at + len(f.clause)
    return None


@dataclass(frozen=True)
class _Span:
    card: Card
    start: int
    end: int
    ev_start: int
    ev_end: int


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def _marked_block(text: str, spans: list[_Span]) -> Markup:
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans),
                   *(s.ev_start for s in spans if s.ev_end > s.ev_start),
                   *(s.ev_end for s in spans if s.ev_end > s.ev_start)})
    runs: list[list] = []            # [signature, cover, evidence?, text]: equal neighbours merged
    for a, b in pairwise(cuts):
        cover = sorted((s for s in spans if s.start <= a and b <= s.end),
                       key=lambda s: (-_rank(s.card.finding.severity), s.card.no))
        in_ev = any(s.ev_start <= a and b <= s.ev_end for s in cover)
        sig = (tuple(s.card.key for s in cover), in_ev)
        if runs and runs[-1][0] == sig:
            runs[-1][3] += text[a:b]
        else:
            runs.append([sig, cover, in_ev, text[a:b]])
    out = []
    seen: set[str] = set()
    for _, cover, in_evidence, piece in runs:
        if not cover:
            out.append(escape(piece))
            continue
        shown = [s for s in cover if not s.card.hidden] or cover
        classes = [f"sev-{shown[0].card.finding.severity}"]
        if in_evidence:
            classes.append("ev")
        if all(s.card.hidden for s in cover):
            classes.append("off")
        if all(s.card.status == "dismissed" for s in cover):
            classes.append("dismissed")
        keys = " ".join(s.card.key for s in cover)
        title = "；".join(f"问题{s.card.no}：{s.card.finding.title}" for s in cover)
        # One tab stop per clause: the later pieces of the same marks stay clickable, not tabbable.
        tab = Markup(' tabindex="-1"') if keys in seen else Markup("")
        seen.add(keys)
        out.append(Markup('<a class="hl" href="#card-{0}" data-f="{1}" title="{2}"{3}><mark class="{4}">{5}</mark></a>')
                   .format(shown[0].card.key, keys, title, tab, " ".join(classes), piece))
    return Markup("").join(out)


def _blocks(result: DocumentResult, cards: list[Card]) -> list[BlockView]:
    document = result.document
    if document is None:
        return []
    spans: dict[int, list[_Span]] = {}
    for card in cards:
        where = _locate(document.blocks, card.finding)
        if where is None:
            continue
        idx, start, end = where
        card.placed = True
        clause = document.blocks[idx].text[start:end]
        ev = card.finding.evidence or ""
        at = clause.find(ev) if ev and ev != clause else -1
        es, ee = (start + at, start + at + len(ev)) if at >= 0 else (start, start)
        spans.setdefault(idx, []).append(_Span(card, start, end, es, ee))
    out = []
    page = table = None
    for i, b in enumerate(document.blocks):
        loc = b.location
        view = BlockView(i, b.kind, _marked_block(b.text, spans[i]) if i in spans else escape(b.text),
                         marked=i in spans)
        if loc.page is not None and loc.page != page:
            view.page = page = loc.page
        if b.kind == "table_row" and loc.table != table and b.context:
            view.header = b.context
        table = loc.table if b.kind == "table_row" else None
        out.append(view)
    return out


# -- the whole page --------------------------------------------------------------------------------

def _facets(cards: list[Card], key, labels: dict[str, str], order, chosen: frozenset[str]) -> list[Facet]:
    counts: dict[str, int] = {}
    for c in cards:
        k = key(c)
        counts[k] = counts.get(k, 0) + 1
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    return [Facet(k, labels.get(k, k), counts[k], not chosen or k in chosen) for k in keys]


def build_view(result: DocumentResult, *, rows=None, explanations=None, filters: Filters | None = None) -> DocView:
    """The page content for one document. ``rows`` are the ledger finding rows in the order of
    ``result.findings`` (saved documents), ``explanations`` maps their ids to the "why"."""
    filters = filters or Filters()
    cards = _cards(result, rows, explanations or {})
    for c in cards:
        c.hidden = not filters.allows(c)
    view = DocView(result, _blocks(result, cards), cards)
    view.categories = _facets(cards, lambda c: c.finding.category, CATEGORIES, list(CATEGORIES), filters.categories)
    view.severities = _facets(cards, lambda c: c.finding.severity, SEVERITY_ZH, SEVERITY_ORDER, filters.severities)
    if rows:
        view.statuses = _facets(cards, lambda c: c.status, STATUS_ZH, list(STATUS_ZH), filters.statuses)
    return view
