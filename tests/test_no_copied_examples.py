"""Rule files must not copy sentences from ../shared: the real cases (they measure us) and the
rule catalog's own example sentences (they are the spec's, not ours).

A rule example or comment that shares a long run of characters with a published clause is a
copy, not a pattern we wrote; statutory boilerplate (law names, 《政府采购法》第二十二条 conditions)
is excluded because every tender restates it.
"""
import glob
import json
import re


from conftest import REPO

RUN = 16   # characters in a row that count as copying
BOILERPLATE = re.compile(
    r"中小企业发展管理办法|政府采购法|第二十二条|独立承担民事责任|社会保障资金|必需的设备|"
    r"良好的商业信誉|安全生产许可证|中华人民共和国境内|负面清单|信用中国|不接受联合体|法定代表人|具体特点和实际需要"
)


def _grams(text: str, n: int) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def test_rule_files_do_not_copy_shared_texts(shared):
    sources = [json.loads(l)["text"] for l in open(shared / "corpora/dev_cases.jsonl", encoding="utf-8") if l.strip()]
    for path in glob.glob(str(shared / "corpora/docs/*.txt")):
        sources += [l.strip() for l in open(path, encoding="utf-8") if len(l.strip()) >= RUN]
    catalog = (shared / "domain/rules_catalog.md").read_text(encoding="utf-8")
    sources += re.findall(r'[✗✓]\s*"([^"]+)"', catalog)      # its ✗ / ✓ example sentences
    known = set()
    for s in sources:
        known |= _grams(re.sub(r"\s+", "", s), RUN)
    copied = []
    for path in sorted(glob.glob(str(REPO / "rules/**/*.yaml"), recursive=True)):
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            hits = [g for g in _grams(re.sub(r"\s+", "", line), RUN) if g in known]
            if hits and not any(BOILERPLATE.search(h) for h in hits):
                copied.append(f"{path}:{n}: {hits[0]}")
    assert not copied, "rule text copied from ../shared:\n" + "\n".join(copied)
