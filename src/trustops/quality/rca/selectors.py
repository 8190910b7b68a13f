"""Reading root-cause analyses. Who sees an RCA follows from who sees the audits it explains.

- QA, leads and analysts (quality readers without a vendor) see an RCA when it explains at least one audit
  in their quality scope, or when it explains none yet (a cause found before its audits were linked).
- Vendor managers see an RCA only when it explains at least one audit of their vendor's people.
- Everyone sees the RCAs they own: the owner carries out the corrective action.

Inside an RCA a reader only ever sees the linked audits of their own scope.
"""
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.quality.models import Audit, RcaStatus, RootCauseAnalysis
from trustops.quality.selectors import audits_visible_to, reads_all_quality, reads_quality_reports

RcaAudit = RootCauseAnalysis.audits.through


def rcas_visible_to(user) -> QuerySet[RootCauseAnalysis]:
    owned = Q(owner_id=user.pk) if user.pk else Q(pk__in=[])
    if not reads_quality_reports(user):
        return RootCauseAnalysis.objects.filter(owned)
    in_scope = Exists(RcaAudit.objects.filter(rootcauseanalysis_id=OuterRef("pk"),
                                              audit_id__in=audits_visible_to(user).values("pk")))
    rule = owned | Q(in_scope)
    if reads_all_quality(user):
        rule |= ~Q(Exists(RcaAudit.objects.filter(rootcauseanalysis_id=OuterRef("pk"))))
    return RootCauseAnalysis.objects.filter(rule)


def get_rca(user, rca_id: int) -> RootCauseAnalysis:
    rca = rcas_visible_to(user).select_related("owner", "created_by").filter(pk=rca_id).first()
    if rca is None:
        raise NotFound("rca_not_found", f"No root-cause analysis {rca_id}.")
    return rca


def linked_audits(user, rca: RootCauseAnalysis) -> QuerySet[Audit]:
    """The audits an RCA explains, as far as this reader may see them."""
    return audits_visible_to(user).filter(rcas=rca).order_by("pk")


def is_overdue(rca: RootCauseAnalysis, today: date | None = None) -> bool:
    return rca.status != RcaStatus.DONE and rca.due_date < (today or clock.now().date())


def overdue_filter(today: date | None = None) -> Q:
    return ~Q(status=RcaStatus.DONE) & Q(due_date__lt=today or clock.now().date())


def list_rcas(user, *, status: str | None = None, category: str | None = None, owner: str | None = None,
              overdue: bool | None = None, audit_id: int | None = None, limit: int = 100
              ) -> list[RootCauseAnalysis]:
    qs = rcas_visible_to(user).select_related("owner", "created_by")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if owner:
        qs = qs.filter(owner__username=owner)
    if overdue is True:
        qs = qs.filter(overdue_filter())
    elif overdue is False:
        qs = qs.exclude(overdue_filter())
    if audit_id is not None:
        qs = qs.filter(audits__in=audits_visible_to(user).filter(pk=audit_id))
    return list(qs.order_by("due_date", "pk")[:limit])


def linked_audit_ids(user, rcas: list[RootCauseAnalysis]) -> dict[int, list[int]]:
    """rca id → ids of its linked audits this reader may see, in one query for a whole page of RCAs."""
    ids: dict[int, list[int]] = {rca.pk: [] for rca in rcas}
    for rca_id, audit_id in (RcaAudit.objects.filter(rootcauseanalysis_id__in=list(ids),
                                                     audit_id__in=audits_visible_to(user).values("pk"))
                             .order_by("audit_id").values_list("rootcauseanalysis_id", "audit_id")):
        ids[rca_id].append(audit_id)
    return ids


def rcas_active_between(user, start, end) -> list[RootCauseAnalysis]:
    """RCAs that were open at some point in [start, end): created before the end, not done before the start."""
    return list(rcas_visible_to(user).filter(created_at__lt=end)
                .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
                .select_related("owner").order_by("due_date", "pk"))


def linked_audit_counts(user, rcas: list[RootCauseAnalysis], decisions: QuerySet | None = None) -> dict[int, int]:
    """rca id → how many of its linked audits the reader may see, one query. With `decisions` (a part of the
    reader's `decisions_in_quality_scope`, e.g. one month's), only the audits of those decisions count."""
    from django.db.models import Count

    links = RcaAudit.objects.filter(rootcauseanalysis_id__in=[rca.pk for rca in rcas])
    if decisions is not None:
        links = links.filter(audit__decision__in=decisions)
    else:
        links = links.filter(audit_id__in=audits_visible_to(user).values("pk"))
    counts = {rca.pk: 0 for rca in rcas}
    for row in links.values("rootcauseanalysis_id").annotate(n=Count("id")):
        counts[row["rootcauseanalysis_id"]] = row["n"]
    return counts
