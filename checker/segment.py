"""Cut blocks into clauses with character offsets back into the block.

Splits after 。；！？ (and their ASCII forms) and before inline list markers (1、 （二） ① 2) …),
never inside 《》 “” ‘’ （） () 【】 「」. A scoring-table row stays one clause, with the table's
header row as context, because its meaning lives in the whole row (评分因素 | 分值 | 评分标准).
"""
from __future__ import annotations

import re
from typing import Iterator

from .document import Block, Clause, Document

_OPEN = "《“‘（(【「〔"
_CLOSE = "》”’）)】」〕"
_ENDERS = "。；！？;!?"
# Closing marks that belong to the sentence just ended: 。” stays together.
_TRAILERS = "”’」』）)"
# Inline list markers that start a new clause when they follow a break-friendly character.
_MARKER = re.compile(
    r"(?:（[一二三四五六七八九十]{1,3}）|\([一二三四五六七八九十]{1,3}\)"
    r"|[一二三四五六七八九十]{1,3}、"
    r"|(?<![0-9０-９.．第、])[0-9]{1,2}(?:[、)）]|[.．](?![0-9]))"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
)
# Depth is reset after this many characters so an unbalanced bracket in a garbled text layer
# cannot glue a whole page into one clause.
_MAX_BRACKET_SPAN = 160
_SCORING_HEADER = re.compile(r"分值|评分|得分|评审因素|评分因素|评分标准|分数|权重")


def _is_scoring_row(block: Block) -> bool:
    return block.kind == "table_row" and bool(block.context and _SCORING_HEADER.search(block.context))


_SIMPLE_END = re.compile(f"[{_ENDERS}][{_TRAILERS}{_ENDERS}]*")


def split_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the clauses of ``text``, whitespace trimmed."""
    if not any(ch in _OPEN for ch in text):
        # No brackets or quotes to protect (most clauses): one regex pass finds the same cuts
        # as the character loop below, several times faster.
        return _finish(text, [m.end() for m in _SIMPLE_END.finditer(text)])
    cuts: list[int] = []
    depth, opened_at = 0, 0
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            if depth == 0:
                opened_at = i
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        elif depth and i - opened_at > _MAX_BRACKET_SPAN:
            depth = 0
        if depth == 1 and ch in _ENDERS and i + 1 < n and text[i + 1] in "”’」』":
            # 。” closes a quoted sentence: the sentence ends after the quote mark.
            depth = 0
            cuts.append(i + 2)
            i += 2
            continue
        if depth == 0 and ch in _ENDERS:
            j = i + 1
            while j < n and (text[j] in _TRAILERS or text[j] in _ENDERS):
                j += 1
            cuts.append(j)
            i = j
            continue
        i += 1
    return _finish(text, cuts)


def _finish(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    n = len(text)
    if not cuts or cuts[-1] != n:
        cuts.append(n)
    # Inline list markers: cut before them when what precedes is a colon, a space or a break.
    marker_cuts = []
    for m in _MARKER.finditer(text):
        s = m.start()
        if s == 0:
            continue
        prev = text[s - 1]
        if prev in "：:，, \t　" or prev in _ENDERS or prev in _TRAILERS or (
            m.group(0)[0].isdigit() and "\u4e00" <= prev <= "\u9fff" and not _inside_brackets(text, s)
        ):
            marker_cuts.append(s)
    bounds = sorted(set(cuts) | set(marker_cuts))
    spans, start = [], 0
    for b in bounds:
        s, e = start, b
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        start = b
    return _merge_fragments(text, spans)


def _inside_brackets(text: str, pos: int) -> bool:
    depth = 0
    for ch in text[max(0, pos - _MAX_BRACKET_SPAN):pos]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
    return depth > 0


def _merge_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A bare marker or a two-character scrap is not a clause: glue it to the next span."""
    out: list[tuple[int, int]] = []
    carry: int | None = None
    for s, e in spans:
        if carry is not None:
            s, carry = carry, None
        if e - s <= 3 and _MARKER.fullmatch(text[s:e].rstrip("：: ")) is not None:
            carry = s
            continue
        out.append((s, e))
    if carry is not None:
        if out:
            out[-1] = (out[-1][0], len(text.rstrip()))
        else:
            out.append((carry, len(text.rstrip())))
    return out


def block_clauses(block: Block, index: int) -> Iterator[Clause]:
    if _is_scoring_row(block):
        spans = [(0, len(block.text))]
    else:
        spans = split_spans(block.text)
    for s, e in spans:
        yield Clause(
            text=block.text[s:e],
            block_index=index,
            start=s,
            end=e,
            location=block.location,
            context=block.context,
            block_kind=block.kind,
        )


def segment(document: Document) -> list[Clause]:
    return [c for i, b in enumerate(document.blocks) for c in block_clauses(b, i)]


def segment_text(text: str) -> list[str]:
    """Convenience for tests and rule authors: the clause strings of one paragraph."""
    return [text[s:e] for s, e in split_spans(text)]

