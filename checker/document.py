"""The stand-off document model shared by every stage: Document, Block, Location, Clause.

Readers (checker/ingest) produce Blocks; the segmenter cuts Blocks into Clauses; detectors
read Clauses. Everything is frozen so that no stage can quietly change what an earlier one saw.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Location:
    """Where a block (or a clause inside it) sits in the source file.

    Every field is optional because each format knows different things: a PDF knows pages,
    a plain-text file knows lines, a Word file knows paragraphs and tables.
    """

    page: int | None = None          # 1-based PDF page
    paragraph: int | None = None     # 0-based index of the block among the document's blocks
    line: int | None = None          # 1-based line (plain-text input only)
    table: int | None = None         # 1-based table number in reading order
    row: int | None = None           # 1-based row inside that table
    column: int | None = None        # 1-based column (for a single cell block)
    article: str | None = None       # the article / item label the block sits under: 第五条, （三）, 3.2
    heading_path: tuple[str, ...] = ()

    def with_(self, **changes) -> "Location":
        return replace(self, **changes)


@dataclass(frozen=True)
class Block:
    """One unit of reading order: a paragraph, heading, list item or table row.

    ``context`` carries text that explains the block without being part of it, for example
    the header row of the table a row belongs to (评分因素 | 分值 | 评分标准).
    """

    text: str
    kind: str = "paragraph"          # paragraph | heading | list_item | table_row
    location: Location = field(default_factory=Location)
    context: str | None = None


@dataclass(frozen=True)
class Document:
    """A file as read: its blocks in reading order plus what could not be read."""

    path: str
    blocks: tuple[Block, ...]
    warnings: tuple[str, ...] = ()
    title: str | None = None

    @property
    def chars(self) -> int:
        return sum(len(b.text) for b in self.blocks)


@dataclass(frozen=True)
class Clause:
    """A sentence-like span of one block, the unit that detectors judge."""

    text: str
    block_index: int
    start: int                        # character offset of the clause inside its block
    end: int
    location: Location
    context: str | None = None        # table headers etc., searched for signals but never quoted
    block_kind: str = "paragraph"
