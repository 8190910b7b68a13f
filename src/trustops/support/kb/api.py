"""Knowledge base API: search (ranked, highlighted), articles and their versions, feedback, gaps."""
from datetime import date, datetime
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity import access
from trustops.identity.auth import scope
from trustops.kernel.errors import Forbidden
from trustops.kernel.inputs import Id
from trustops.support.kb import selectors, services

router = Router(tags=["support"])
VisibilityIn = Literal["draft", "internal", "published"]


class SearchQuery(Schema):
    q: str = Field(min_length=1, max_length=200)
    limit: int = Field(20, ge=1, le=50)


class ArticleHitOut(Schema):
    id: int
    title: str
    visibility: str
    rank: float
    title_highlight: str
    snippet: str


class SearchOut(Schema):
    query: str
    results: list[ArticleHitOut]


class ArticleIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=100_000)
    visibility: VisibilityIn = "draft"
    review_due: date | None = None


class ArticlePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=100_000)
    visibility: VisibilityIn | None = None
    review_due: date | None = None


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    visibility: str
    owner: str
    review_due: date | None
    version: int
    updated_at: datetime
    helpful_count: int
    unhelpful_count: int


class FeedbackIn(Schema):
    solved: bool
    ticket_id: Id | None = None


class GapOut(Schema):
    query: str
    count: int
    last_at: datetime


def _article(a) -> dict:
    return {"id": a.pk, "title": a.title, "body": a.body, "visibility": a.visibility, "owner": a.owner.username,
            "review_due": a.review_due, "version": a.version, "updated_at": a.updated_at,
            "helpful_count": a.helpful_count, "unhelpful_count": a.unhelpful_count}


@router.get("/kb/search", response=SearchOut, auth=scope("tickets:read"),
            summary="Full-text search of the articles the caller may see, ranked, with highlights")
def search(request, q: Query[SearchQuery]):
    hits = selectors.search(request.auth, q.q, limit=q.limit)
    if not hits:
        services.record_gap(query=q.q)
    return {"query": q.q, "results": [{"id": h.article_id, "title": h.title, "visibility": h.visibility,
                                       "rank": h.rank, "title_highlight": str(h.title_highlight),
                                       "snippet": str(h.snippet)} for h in hits]}


@router.get("/kb/gaps", response=list[GapOut], auth=scope("tickets:read"),
            summary="Searches that found nothing, most frequent first (the desk)")
def gaps(request):
    if not access.works_support_desk(request.auth):
        raise Forbidden("support_desk_only", "Knowledge gaps are for the support desk.")
    return [{"query": g.query, "count": g.count, "last_at": g.last_at} for g in selectors.gaps()]


@router.post("/kb/articles", response={201: ArticleOut}, auth=scope("tickets:write"))
def write_article(request, body: ArticleIn):
    article = services.write_article(actor=request.auth, **body.dict())
    return Status(201, _article(selectors.get_article(request.auth, article.pk)))


@router.get("/kb/articles/{article_id}", response=ArticleOut, auth=scope("tickets:read"))
def read_article(request, article_id: Id):
    return _article(selectors.get_article(request.auth, article_id))


@router.patch("/kb/articles/{article_id}", response=ArticleOut, auth=scope("tickets:write"),
              summary="Revise an article: a new version")
def revise_article(request, article_id: Id, body: ArticlePatch):
    selectors.get_article(request.auth, article_id)
    services.revise_article(actor=request.auth, article_id=article_id, **body.dict())
    return _article(selectors.get_article(request.auth, article_id))


@router.post("/kb/articles/{article_id}/feedback", response={204: None}, auth=scope("tickets:write"),
             summary="Did this article solve it?")
def feedback(request, article_id: Id, body: FeedbackIn):
    services.give_feedback(actor=request.auth, article_id=article_id, solved=body.solved, ticket_id=body.ticket_id)
    return Status(204, None)
