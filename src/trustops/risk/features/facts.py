"""Entity facts a rule reads as `actor.*` and `target.*`, gathered once per batch for the subjects in it.

age_days (since the platform first told us of the subject, as of the event), reach, region, standing and
strike_points (enforcement), labels (active at the event's time, including labels added earlier in the same
batch), open_cases (review).

Live, standing and open cases are read as they are now (the events are happening now). A replay (`as_of=True`:
backtests, dry runs) reads them as they were at each event: cases open then (opened before it, not yet
resolved), strikes and actions in force then (reversed or ended ones until they were), so a fact that changed
later does not leak into the past. Reach and region have no history and read as they are now.
"""
from collections import defaultdict
from datetime import datetime

from django.db.models import Count

from trustops.enforcement import selectors as enforcement
from trustops.review.models import OPEN_STATUSES, Case
from trustops.risk.models import Label
from trustops.subjects.models import ACCOUNT_TYPES

EMPTY = {}


class Facts:
    def __init__(self, subjects: dict, *, needed: set[str], since: datetime | None = None, as_of: bool = False):
        self.subjects = subjects             # pk -> Subject
        self.needed = needed
        self.labels: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
        ids = list(subjects)
        if "labels" in needed and ids:
            rows = Label.objects.filter(subject_id__in=ids)
            if since is not None:
                rows = rows.filter(expires_at__gt=since)
            for label in rows:
                self.labels[label.subject_id].append((label.name, label.applied_at.timestamp(),
                                                      label.expires_at.timestamp()))
        self.as_of = as_of
        self.open_cases: dict[int, int] = {}
        self.case_spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
        if "open_cases" in needed and ids and as_of:
            for subject_id, opened, resolved in Case.objects.filter(subject_id__in=ids).values_list(
                    "subject_id", "opened_at", "resolved_at"):
                self.case_spans[subject_id].append((opened.timestamp(), resolved.timestamp() if resolved
                                                    else float("inf")))
        elif "open_cases" in needed and ids:
            self.open_cases = dict(Case.objects.filter(subject_id__in=ids, status__in=OPEN_STATUSES)
                                   .values_list("subject_id").annotate(n=Count("id")))
        self.history = None
        if as_of and needed & {"standing", "strike_points"}:
            self.history = enforcement.StandingHistory(
                pk for pk, subject in subjects.items() if subject.type in ACCOUNT_TYPES)
        self._base: dict[int, dict] = {}

    def add_label(self, subject_id: int, name: str, applied: float, expires: float) -> None:
        self.labels[subject_id].append((name, applied, expires))

    def _of(self, subject_id: int | None, ts: float) -> dict:
        if subject_id is None:
            return EMPTY
        base = self._base.get(subject_id)
        subject = self.subjects[subject_id]
        if base is None:
            base = {"type": subject.type, "external_id": subject.external_id, "region": subject.region,
                    "reach": subject.reach}
            if self.needed & {"standing", "strike_points"} and self.history is None:
                if subject.type in ACCOUNT_TYPES:
                    standing = enforcement.standing(subject)
                    base["standing"], base["strike_points"] = standing["status"], standing["strike_points"]
                else:
                    base["standing"], base["strike_points"] = "active", 0
            if "open_cases" in self.needed and not self.as_of:
                base["open_cases"] = self.open_cases.get(subject_id, 0)
            self._base[subject_id] = base
        facts = dict(base)
        if self.history is not None:
            facts["standing"], facts["strike_points"] = (self.history.at(subject_id, ts)
                                                         if subject.type in ACCOUNT_TYPES else ("active", 0))
        if self.as_of and "open_cases" in self.needed:
            facts["open_cases"] = sum(1 for opened, resolved in self.case_spans.get(subject_id, ())
                                      if opened <= ts < resolved)
        if "age_days" in self.needed:
            facts["age_days"] = max(0, int((ts - subject.first_seen_at.timestamp()) // 86400))
        if "labels" in self.needed:
            facts["labels"] = sorted({name for name, applied, expires in self.labels.get(subject_id, ())
                                      if applied <= ts < expires})
        return facts

    def __call__(self, event) -> tuple[dict, dict]:
        return self._of(event.actor_id, event.ts), self._of(event.target_id, event.ts)
