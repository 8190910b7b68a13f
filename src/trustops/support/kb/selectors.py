"""Reading the knowledge base through `identity.access.article_filter`."""
from django.db.models import QuerySet

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.support.kb import search as full_text
from trustops.support.models import Article, SearchGap


def articles_visible_to(person) -> QuerySet[Article]:
    return Article.objects.filter(access.article_filter(person))


def get_article(person, article_id: int) -> Article:
    article = articles_visible_to(person).select_related("owner").filter(pk=article_id).first()
    if article is None:
        raise NotFound("article_not_found", "No such article.")
    return article


def search(person, text: str, *, limit: int = 20, prefix: bool = False) -> list[full_text.Hit]:
    return full_text.search(person, text, limit=limit, prefix=prefix)


def suggestions(person, text: str, *, limit: int = 5) -> list[full_text.Hit]:
    """Articles for what a person is typing into a ticket: the subject and body as one query, any word."""
    words = [w for w in (text or "").split() if len(w) > 2][:12]
    if not words:
        return []
    hits = []
    seen = set()
    # Any word may match: try the whole text first, then the longest words on their own.
    for query in [" ".join(words), *sorted(words, key=len, reverse=True)[:4]]:
        for hit in full_text.search(person, query, limit=limit, prefix=query == words[-1]):
            if hit.article_id not in seen:
                seen.add(hit.article_id)
                hits.append(hit)
        if len(hits) >= limit:
            break
    return hits[:limit]


def gaps(*, limit: int = 50) -> list[SearchGap]:
    return list(SearchGap.objects.order_by("-count", "-last_at")[:limit])


def due_for_review(person) -> list[Article]:
    return list(articles_visible_to(person).filter(review_due__lte=clock.now().date()).order_by("review_due"))
