"""The knowledge base's use cases: write and revise articles (every revision a version), publish or keep
internal, "did this solve it" feedback, and the searches that found nothing (gaps)."""
from datetime import date

from django.db import transaction
from django.db.models import F

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.support.kb.search import MAX_QUERY
from trustops.support.models import Article, ArticleFeedback, ArticleVersion, SearchGap, Visibility

LIMITS = {"title": 200, "body": 100_000}


def _editor(actor) -> None:
    if not access.works_support_desk(actor):
        raise Forbidden("kb_editors_only", "Only the support desk writes the knowledge base.")


def _text(name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"missing_{name}", f"{name.capitalize()} is required.", field=name)
    if len(value) > LIMITS[name]:
        raise Invalid("too_long", f"{name} is at most {LIMITS[name]:,} characters.", field=name)
    return value


def _visibility(value: str) -> str:
    if value not in Visibility.values:
        raise Invalid("unknown_visibility", f"One of {', '.join(Visibility.values)}.", field="visibility")
    return value


@transaction.atomic
def write_article(*, actor, title: str, body: str, visibility: str = Visibility.DRAFT,
                  review_due: date | None = None) -> Article:
    _editor(actor)
    now = clock.now()
    v = access.viewer(actor)
    article = Article.objects.create(title=_text("title", title), body=_text("body", body),
                                     visibility=_visibility(visibility), owner_id=v.user_id, review_due=review_due,
                                     created_at=now, updated_at=now)
    ArticleVersion.objects.create(article=article, number=1, title=article.title, body=article.body,
                                  visibility=article.visibility, author_id=v.user_id, created_at=now)
    ledger.record("support.article_written", actor=actor, payload={"article_id": article.pk,
                                                                  "visibility": article.visibility})
    return article


@transaction.atomic
def revise_article(*, actor, article_id: int, title: str | None = None, body: str | None = None,
                   visibility: str | None = None, review_due: date | None = None) -> Article:
    """A new version; the article shows (and search finds) the latest."""
    _editor(actor)
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise NotFound("article_not_found", "No such article.")
    if title is not None:
        article.title = _text("title", title)
    if body is not None:
        article.body = _text("body", body)
    if visibility is not None:
        article.visibility = _visibility(visibility)
    if review_due is not None:
        article.review_due = review_due
    now = clock.now()
    article.version += 1
    article.updated_at = now
    article.save()
    v = access.viewer(actor)
    ArticleVersion.objects.create(article=article, number=article.version, title=article.title, body=article.body,
                                  visibility=article.visibility, author_id=v.user_id, created_at=now)
    ledger.record("support.article_revised", actor=actor, payload={
        "article_id": article.pk, "version": article.version, "visibility": article.visibility})
    return article


@transaction.atomic
def give_feedback(*, actor, article_id: int, solved: bool, ticket_id: int | None = None) -> ArticleFeedback:
    """"Did this solve it?": one answer per person; a second one replaces the first."""
    from trustops.support.kb.selectors import get_article
    article = get_article(actor, article_id)
    v = access.viewer(actor)
    previous = ArticleFeedback.objects.select_for_update().filter(article=article, user_id=v.user_id).first()
    if previous is not None:
        if previous.solved == solved:
            return previous
        Article.objects.filter(pk=article.pk).update(
            helpful_count=F("helpful_count") - (1 if previous.solved else 0) + (1 if solved else 0),
            unhelpful_count=F("unhelpful_count") - (0 if previous.solved else 1) + (0 if solved else 1))
        previous.solved, previous.at = solved, clock.now()
        previous.save()
        return previous
    feedback = ArticleFeedback.objects.create(article=article, user_id=v.user_id, solved=solved,
                                              ticket_id=ticket_id, at=clock.now())
    Article.objects.filter(pk=article.pk).update(**({"helpful_count": F("helpful_count") + 1} if solved
                                                    else {"unhelpful_count": F("unhelpful_count") + 1}))
    ledger.record("support.article_feedback", actor=actor, payload={"article_id": article.pk, "solved": solved})
    return feedback


def normalise_query(text: str) -> str:
    return " ".join((text or "").lower().split())[:MAX_QUERY]


@transaction.atomic
def record_gap(*, query: str) -> None:
    """A search that found nothing, counted per normalised query."""
    query = normalise_query(query)
    if not query:
        return
    now = clock.now()
    updated = SearchGap.objects.filter(query=query).update(count=F("count") + 1, last_at=now)
    if not updated:
        SearchGap.objects.get_or_create(query=query, defaults={"first_at": now, "last_at": now})
