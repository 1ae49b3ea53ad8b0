"""OFD (GB/T 33190) reader: an OFD file is a zip of XML; the text is in <ofd:TextCode>
elements inside <ofd:TextObject>s on each page's Content.xml, positioned in millimetres.

Text objects are grouped into lines by baseline, lines are joined into paragraphs with the same
rules as PDF lines (pdf._assemble). Templates, annotations and signatures (seals) are ignored:
they are page furniture, not the document's clauses.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile

from lxml import etree

from checker.errors import IngestError
from checker.ingest import pdf as pdf_reader
from checker.ingest.base import RawRead, range_warning

CORRUPT = "不是有效的 OFD 文件（文件损坏或格式不符）"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el, name):
    return [c for c in el.iter() if _local(c) == name]


def _xml(z: zipfile.ZipFile, name: str):
    name = name.lstrip("/")
    try:
        data = z.read(name)
    except KeyError:
        # some producers differ in case
        lower = {n.lower(): n for n in z.namelist()}
        if name.lower() not in lower:
            raise
        data = z.read(lower[name.lower()])
    return etree.fromstring(data, _PARSER)


def _resolve(base_dir: str, loc: str) -> str:
    loc = loc.strip().replace("\\", "/")
    if loc.startswith("/"):
        return loc.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, loc))


def _floats(s: str | None) -> list[float]:
    try:
        return [float(x) for x in (s or "").split()]
    except ValueError:
        return []


def read(data: bytes, path: str) -> RawRead:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        root = _xml(z, "OFD.xml")
    except Exception:
        raise IngestError(path, CORRUPT)
    out = RawRead()
    pages_items: list[list] = []
    empty_pages: list[int] = []
    page_no = 0
    try:
        for body in _children(root, "DocBody"):
            doc_root = next((c.text for c in body.iter() if _local(c) == "DocRoot" and c.text), None)
            if out.title is None:
                t = next((c.text for c in body.iter() if _local(c) == "Title" and c.text), None)
                out.title = t.strip() if t and t.strip() else None
            if not doc_root:
                continue
            doc_path = _resolve("", doc_root)
            doc = _xml(z, doc_path)
            doc_dir = posixpath.dirname(doc_path)
            for page in _children(doc, "Page"):
                loc = page.get("BaseLoc")
                if not loc:
                    continue
                page_no += 1
                content = _xml(z, _resolve(doc_dir, loc))
                lines = _page_lines(content, page_no)
                if not lines:
                    empty_pages.append(page_no)
                pages_items.append(lines)
    except IngestError:
        raise
    except Exception:
        raise IngestError(path, CORRUPT)
    if not any(pages_items):
        raise IngestError(path, pdf_reader.NO_TEXT)
    out.warnings.extend(range_warning(empty_pages, pdf_reader.SCAN_WARNING))
    out.blocks = pdf_reader._assemble(pages_items)
    return out


def _page_lines(content, page_no: int) -> list:
    frags = []   # (baseline y, x0, x1, size, text)
    for obj in _children(content, "TextObject"):
        box = _floats(obj.get("Boundary"))
        if len(box) != 4:
            continue
        bx, by, bw, bh = box
        size = _floats(obj.get("Size"))
        size = size[0] if size else bh or 5.0
        codes = [c for c in obj if _local(c) == "TextCode"]
        for i, code in enumerate(codes):
            text = "".join(code.itertext())
            if not text.strip():
                continue
            x = bx + (_floats(code.get("X")) or [0.0])[0]
            y = by + (_floats(code.get("Y")) or [size])[0]
            x1 = bx + bw if len(codes) == 1 else x + len(text) * size
            frags.append((y, x, x1, size, text))
    if not frags:
        return []
    frags.sort(key=lambda f: (f[0], f[1]))
    lines: list[list] = []
    for f in frags:
        if lines and abs(lines[-1][0][0] - f[0]) <= f[3] * 0.4:
            lines[-1].append(f)
        else:
            lines.append([f])
    out = []
    for group in lines:
        group.sort(key=lambda f: f[1])
        text = ""
        prev_x1 = None
        for f in group:
            if text and prev_x1 is not None and f[1] - prev_x1 < 0.3 * f[3]:
                text += f[4]                        # touching fragments: "202" + "3"
            else:
                text = pdf_reader._join(text, f[4]) if text else f[4]
            prev_x1 = f[2]
        text = re.sub(r"[ \t\u3000]+", " ", text).strip()
        if not text:
            continue
        size = max(f[3] for f in group)
        y = group[0][0]
        out.append(pdf_reader._Line(page_no, y - size, y, group[0][1], max(f[2] for f in group), text))
    if not out:
        return []
    xs0 = sorted(ln.x0 for ln in out)
    xs1 = sorted(ln.x1 for ln in out)
    sizes = sorted(ln.bottom - ln.top for ln in out)
    left = xs0[len(xs0) // 10] if len(xs0) >= 5 else xs0[0]
    right = xs1[-(len(xs1) // 10) - 1] if len(xs1) >= 5 else xs1[-1]
    for ln in out:
        ln.left, ln.right, ln.size = left, right, sizes[len(sizes) // 2]
    return out
