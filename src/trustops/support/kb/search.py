"""Full-text search over the knowledge base: one selector, two backends.

PostgreSQL: a weighted `tsvector` (title A, body B) stored in the generated column `search_document` with a GIN
index (migration 0005), matched with `websearch_to_tsquery` and ranked with `ts_rank` on the stored vector; only
the page of best hits is highlighted with `ts_headline` (it re-parses the text, so never over every match).
Ranking is exact while a query matches at most `CANDIDATES` articles; a query so common that it matches more (its
words are in most of the knowledge base) ranks the articles with every word in the title (up to `CANDIDATES`)
together with the first `CANDIDATES` other matches, so its cost stays bounded whatever the size of the base.
SQLite: an FTS5 table kept in step with the articles by triggers (migration 0002), ranked with `bm25()`
(title weighted ten times the body), highlighted with `highlight()` and `snippet()`.
Both search only the articles the viewer may see (`identity.access.article_filter`).
"""
import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trustops.identity import access
from trustops.support.models import Article

# Marks around matches, replaced after escaping (the article text is never trusted as HTML).
START, STOP = "\x02", "\x03"
# The stored, GIN-indexed weighted document (migration 0005 generates it from title and body).
DOCUMENT = "support_article.search_document"
MAX_QUERY = 200
CANDIDATES = 2000
TITLE = "support_article.title_document"


@dataclass(frozen=True)
class Hit:
    article_id: int
    title: str
    visibility: str
    rank: float
    title_highlight: SafeString
    snippet: SafeString


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def _visible_sql(person) -> tuple[str, list]:
    sql, params = Article.objects.filter(access.article_filter(person)).values("id").query.sql_with_params()
    return sql, list(params)


def fts5_query(text: str, *, prefix: bool = False) -> str:
    """The words of a person's query as an FTS5 expression: each word quoted (no operator injection), all
    required; `-word` excluded; a quoted phrase kept; the last word a prefix while typing."""
    parts, excluded = [], []
    for phrase, word in re.findall(r'"([^"]+)"|(-?[\w]+)', text):
        if phrase:
            words = re.findall(r"\w+", phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
        elif word.startswith("-") and len(word) > 1:
            excluded.append(f'"{word[1:]}"')
        elif word.strip("-"):
            parts.append(f'"{word.strip("-")}"')
    if not parts:
        return ""
    if prefix and not text.rstrip().endswith('"'):
        parts[-1] = parts[-1] + "*"
    expression = " ".join(parts)
    for word in excluded:
        expression += f" NOT {word}"
    return expression


def search(person, text: str, *, limit: int = 20, prefix: bool = False) -> list[Hit]:
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return []
    visible, params = _visible_sql(person)
    if connection.vendor == "postgresql":
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
        # The candidates: title matches first, then any match, each tier capped (exact below the cap).
        sql = (f"WITH query AS (SELECT websearch_to_tsquery('english', %s) AS q), "
               f"candidate AS ((SELECT support_article.id FROM support_article, query WHERE {TITLE} @@ q "
               f"AND support_article.id IN ({visible}) LIMIT {CANDIDATES}) UNION "
               f"(SELECT support_article.id FROM support_article, query WHERE {DOCUMENT} @@ q "
               f"AND support_article.id IN ({visible}) LIMIT {CANDIDATES})), "
               f"top AS (SELECT support_article.id, support_article.title, support_article.body, "
               f"support_article.visibility, q, ts_rank({DOCUMENT}, q) AS rank "
               f"FROM support_article JOIN candidate ON candidate.id = support_article.id, query "
               f"ORDER BY rank DESC, support_article.id LIMIT %s) "
               f"SELECT top.id, top.title, top.visibility, top.rank, "
               f"ts_headline('english', top.title, top.q, %s), "
               f"ts_headline('english', top.body, top.q, %s) "
               f"FROM top ORDER BY top.rank DESC, top.id")
        args = [text, *params, *params, limit, f"StartSel={START}, StopSel={STOP}, HighlightAll=true", options]
    else:
        expression = fts5_query(text, prefix=prefix)
        if not expression:
            return []
        sql = (f"SELECT support_article.id, support_article.title, support_article.visibility, "
               f"bm25(support_article_fts, 10.0, 1.0) AS rank, "
               f"highlight(support_article_fts, 0, %s, %s), "
               f"snippet(support_article_fts, 1, %s, %s, '…', 24) "
               f"FROM support_article_fts JOIN support_article ON support_article.id = support_article_fts.rowid "
               f"WHERE support_article_fts MATCH %s AND support_article.id IN ({visible}) "
               f"ORDER BY rank, support_article.id LIMIT %s")
        args = [START, STOP, START, STOP, expression, *params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    return [Hit(article_id=r[0], title=r[1], visibility=r[2],
                rank=float(r[3]) if connection.vendor == "postgresql" else -float(r[3]),
                title_highlight=_marked(r[4] or r[1]), snippet=_marked(r[5] or "")) for r in rows]
