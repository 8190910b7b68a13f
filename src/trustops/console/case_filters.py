"""The per-queue case list's filters as a form over the URL's GET parameters, so a list can be bookmarked,
shared and re-run for a bulk decision. A value the form refuses is dropped, never a server error."""
from django import forms

from trustops.review.models import CaseStatus
from trustops.review.selectors import CASE_SORTS, SLA_STATES, CaseFilters

PAGE_SIZE = 50
SLA_LABELS = {"ok": "OK", "at_risk": "At risk", "breached": "Breached"}
SORT_LABELS = {"priority": "Gravest first", "oldest": "Oldest first", "newest": "Newest first",
               "due": "Due first"}


class CaseListFilters(forms.Form):
    status = forms.MultipleChoiceField(required=False, choices=CaseStatus.choices,
                                       widget=forms.CheckboxSelectMultiple)
    policy = forms.CharField(required=False, max_length=200, label="Policy (code or prefix)")
    priority_min = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1, label="Priority from")
    priority_max = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1, label="Priority to")
    sla = forms.ChoiceField(required=False, label="SLA",
                            choices=[("", "Any")] + [(s, SLA_LABELS[s]) for s in SLA_STATES])
    assignee = forms.CharField(required=False, max_length=150, label="Assignee (username)")
    region = forms.CharField(required=False, max_length=8)
    opened_from = forms.DateField(required=False, label="Opened from",
                                  widget=forms.DateInput(attrs={"type": "date"}))
    opened_to = forms.DateField(required=False, label="Opened to",
                                widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(required=False, choices=[(s, SORT_LABELS[s]) for s in CASE_SORTS])


def filters_from(params) -> tuple[CaseListFilters, CaseFilters]:
    """The bound form (to show back) and the filters it accepted; refused fields are left out."""
    form = CaseListFilters(params)
    form.is_valid()
    clean = form.cleaned_data
    return form, CaseFilters(
        statuses=tuple(clean.get("status") or ()), policy=(clean.get("policy") or "").strip(),
        priority_min=clean.get("priority_min"), priority_max=clean.get("priority_max"),
        sla_state=clean.get("sla") or "", assignee=(clean.get("assignee") or "").strip(),
        region=(clean.get("region") or "").strip().upper(), opened_from=clean.get("opened_from"),
        opened_to=clean.get("opened_to"), sort=clean.get("sort") or "priority")
