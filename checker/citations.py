"""Check citations against the law texts shipped in ``corpora/laws``.

Other tools lost users' trust by citing articles that do not exist or say something else, so a
rule's legal basis marked ``verified`` must name a law we ship, an article in it, and (when
given) an item or paragraph inside that article.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .resources import data_path

_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零〇]+条)(?:之[一二三四五六七八九十]+)?\s", re.M)
_PARAGRAPH_NUMERALS = "一二三四五六七八九十"


@lru_cache(maxsize=None)
def law_articles(law: str) -> dict[str, str] | None:
    """Article label → text for a shipped law (file ``<law>(<date>).md``), or None."""
    folder = data_path("corpora", "laws")
    for f in sorted(folder.glob("*.md")):
        if f.name.split("(")[0] == law:
            text = f.read_text(encoding="utf-8")
            marks = list(_ARTICLE.finditer(text))
            articles: dict[str, str] = {}
            for i, m in enumerate(marks):
                end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
                body = text[m.start():end]
                # Stop at the next chapter heading so the last article of a chapter stays clean.
                body = re.split(r"\n#+ ", body)[0]
                articles.setdefault(m.group(1), body.strip())
            return articles
    return None


def _fullwidth(text: str) -> str:
    # Some shipped texts print items as (七), others as （七）: compare them alike.
    return text.replace("(", "（").replace(")", "）")


def citation_problem(law: str, article: str | None, item: str | None, paragraph: str | None) -> str | None:
    """None when the citation checks out, else a Chinese reason."""
    articles = law_articles(law)
    if articles is None:
        return f"未附带《{law}》文本（如引用未附带的文件，请标注 verified: false）"
    if article is None:
        return None
    body = articles.get(article)
    if body is None:
        return f"《{law}》中没有{article}"
    if item and _fullwidth(item) not in _fullwidth(body):
        return f"《{law}》{article}中没有{item}项"
    if paragraph:
        m = re.fullmatch(r"第([一二三四五六七八九十]+)款", paragraph)
        if not m:
            return f"款的写法应为“第二款”：{paragraph}"
        n = _PARAGRAPH_NUMERALS.index(m.group(1)) + 1 if len(m.group(1)) == 1 else 10
        paragraphs = [p for p in body.split("\n") if p.strip()]
        # Items （一）（二）… belong to the paragraph that introduces them.
        count = sum(1 for p in paragraphs if not re.match(r"^\s*（[一二三四五六七八九十]+）", p))
        if n > count:
            return f"《{law}》{article}只有{count}款"
    return None


def article_text(law: str, article: str) -> str | None:
    articles = law_articles(law)
    return None if articles is None else articles.get(article)
