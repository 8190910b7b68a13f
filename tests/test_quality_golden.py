"""Golden items: QA puts a case with a known answer back into a live queue; reviewers cannot tell; nothing is
enforced when it is decided; its results give each reviewer's accuracy without audit effort."""
import json
from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from tests.conftest import ApiClient
from trustops.enforcement.models import EnforcementAction, Strike
from trustops.intake.models import Report
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.outbox.models import OutboxMessage
from trustops.quality.models import AuditTask, GoldenItem
from trustops.review import selectors
from trustops.review.models import Case, Decision

NORTHWIND = "Northwind BPO"


@pytest.fixture
def people(world):
    return {"auditor": world.person("auditor", "qa_auditor"), "mod": world.moderator("first-reviewer"),
            "agent": world.vendor_agent("nw-agent", vendor=NORTHWIND, regions=["US"]),
            "lumen": world.vendor_agent("lumen-agent", vendor="Lumen Outsourcing")}


def _resolved_case(world, people, *, subject=None, reason="harassment.bullying", region="US") -> dict:
    """A reported subject, decided as a violation by the in-house moderator: the answer QA trusts."""
    world.report(subject=subject or world.subject(region=region), reason=reason)
    queue = "general-us" if region == "US" else "general-intl"
    return world.violation(people["mod"], queue, reason)["case"]


def _place(people, source_case_id, *, queue="general-us", verdict="violation", policy="harassment.bullying"):
    body = {"source_case_id": source_case_id, "queue": queue, "expected_verdict": verdict}
    if policy:
        body["expected_policy"] = policy
    return ApiClient(people["auditor"].token).post("/api/v1/qa/golden-items", body)


def test_a_golden_case_looks_like_any_case_to_the_reviewer(world, people):
    source = _resolved_case(world, people)
    placed = _place(people, source["id"])
    assert placed.status_code == 201, placed.content
    golden_id = placed.json()["case_id"]
    assert golden_id != source["id"]

    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    ordinary_id = Case.objects.filter(status="open").exclude(pk=golden_id).get().pk
    agent = ApiClient(people["agent"].token)
    golden_view, ordinary_view = (agent.get(f"/api/v1/cases/{golden_id}"), agent.get(f"/api/v1/cases/{ordinary_id}"))
    assert golden_view.status_code == ordinary_view.status_code == 200
    golden_case, ordinary = golden_view.json(), ordinary_view.json()
    assert set(golden_case) == set(ordinary) and set(golden_case["subject"]) == set(ordinary["subject"])
    assert golden_case["kind"] == "report_review" and golden_case["status"] == "open"
    assert golden_case["queue"] == "general-us" and golden_case["policy"] == "harassment.bullying"
    assert golden_case["severity"] == source["severity"] and golden_case["priority"] > 0
    assert "golden" not in golden_view.content.decode().lower()

    # Claimed in the normal order (the two cases are alike): whichever comes, nothing tells them apart.
    claimed = [world.claim(people["agent"], "general-us") for _ in range(2)]
    assert {c["id"] for c in claimed} == {golden_id, ordinary_id}
    assert set(claimed[0]) == set(claimed[1])
    assert all("golden" not in json.dumps(c).lower() for c in claimed)
    # The case's own timeline reads like any other: QA's event is not on it.
    kinds = set(LedgerEvent.objects.filter(case_id=golden_id).values_list("kind", flat=True))
    assert not {k for k in kinds if k.startswith("qa.")}
    created = LedgerEvent.objects.get(kind="qa.golden_item_created")
    assert created.case_id is None and created.subject_id is None and created.payload["case_id"] == golden_id


def test_deciding_a_golden_case_enforces_nothing_and_tells_the_platform_nothing(world, people):
    source = _resolved_case(world, people)
    golden_id = _place(people, source["id"]).json()["case_id"]
    actions, strikes, outbox = EnforcementAction.objects.count(), Strike.objects.count(), OutboxMessage.objects.count()

    case = world.claim(people["agent"], "general-us")
    assert case["id"] == golden_id
    response = world.decide(people["agent"], case, verdict="violation", policy="harassment.bullying")
    assert response.status_code == 200, response.content
    # The reviewer is shown what a real case would have done…
    shown = {a["action"] for a in response.json()["enforcement"]}
    assert "remove" in shown and response.json()["standing"] is not None
    # …but none of it happened.
    assert (EnforcementAction.objects.count(), Strike.objects.count(), OutboxMessage.objects.count()) == (
        actions, strikes, outbox)
    decision = Decision.objects.get(pk=response.json()["decision_id"])
    assert decision.case_id == golden_id and decision.verdict == "violation"
    assert Case.objects.get(pk=golden_id).status == "resolved"
    kinds = set(LedgerEvent.objects.filter(case_id=golden_id).values_list("kind", flat=True))
    assert "decision.made" in kinds and not kinds & {"enforcement.applied", "strike.issued", "reports.resolved"}


def test_golden_results_give_accuracy_per_agent_and_vendor(world, people):
    auditor = ApiClient(people["auditor"].token)
    sources = [_resolved_case(world, people) for _ in range(3)]
    answers = [("violation", "harassment.bullying"), ("no_violation", None), ("violation", "hate.slurs")]
    for source in sources:
        assert _place(people, source["id"]).status_code == 201
    for verdict, policy in answers:
        case = world.claim(people["agent"], "general-us")
        body = {"verdict": verdict, **({"policy": policy} if policy else {})}
        assert world.decide(people["agent"], case, **body).status_code == 200

    rows = auditor.get("/api/v1/qa/golden-accuracy", group_by="agent").json()
    assert [r["group"] for r in rows["rows"]] == ["nw-agent"]
    row = rows["rows"][0]
    assert (row["judged"], row["correct"], row["accuracy"]) == (3, 1, 0.3333)
    assert row["errors"]["false_negative"] == 1 and row["errors"]["wrong_policy"] == 1
    assert 0 < row["wilson_low"] < 0.3333 < row["wilson_high"] < 1
    by_vendor = auditor.get("/api/v1/qa/golden-accuracy", group_by="vendor").json()
    assert [r["group"] for r in by_vendor["rows"]] == ["northwind-bpo"]

    listed = auditor.get("/api/v1/qa/golden-items").json()
    assert len(listed) == 3 and all(item["status"] == "resolved" for item in listed)
    assert {item["result"]["error_type"] for item in listed} == {"correct", "false_negative", "wrong_policy"}


def test_a_real_report_on_a_golden_case_makes_its_decision_real(world, people):
    subject = world.subject(region="US")
    source = _resolved_case(world, people, subject=subject)
    golden_id = _place(people, source["id"]).json()["case_id"]
    # The platform reports the subject again while the golden copy is open: intake joins it to that case.
    filed = world.report(subject=subject, reason="harassment.bullying")
    assert filed["case_id"] == golden_id

    case = world.claim(people["agent"], "general-us")
    response = world.decide(people["agent"], case, verdict="violation", policy="harassment.bullying")
    assert response.status_code == 200
    decision_id = response.json()["decision_id"]
    assert EnforcementAction.objects.filter(decision_id=decision_id).exists()
    assert Report.objects.get(pk=filed["report_id"]).resolved_at is not None
    # It still counts as a golden result.
    rows = ApiClient(people["auditor"].token).get("/api/v1/qa/golden-accuracy").json()["rows"]
    assert rows[0]["judged"] == 1 and rows[0]["correct"] == 1


def test_placing_golden_items_is_checked(world, people):
    source = _resolved_case(world, people)
    assert _place(people, 999999).status_code == 404
    assert _place(people, source["id"], queue="no-such-queue").status_code == 404
    assert _place(people, source["id"], queue="appeals").json()["error"]["code"] == "not_a_review_queue"
    assert _place(people, source["id"], policy=None).json()["error"]["field"] == "expected_policy"
    assert _place(people, source["id"], verdict="no_violation").json()["error"]["code"] == "policy_without_violation"

    world.report(subject=world.subject(region="US"), reason="harassment.bullying")
    open_case = Case.objects.get(status="open")
    unresolved = _place(people, open_case.pk)
    assert unresolved.status_code == 422 and unresolved.json()["error"]["code"] == "source_not_resolved"

    assert _place(people, source["id"]).status_code == 201
    again = _place(people, source["id"])            # its copy is open: the subject has an open case
    assert again.status_code == 409 and again.json()["error"]["code"] == "subject_has_open_case"
    copy = GoldenItem.objects.get()
    assert _place(people, copy.case_id).status_code == 422          # open, and golden itself


def test_only_quality_people_place_or_see_golden_items(world, people):
    source = _resolved_case(world, people)
    moderator = ApiClient(people["mod"].token)
    refused = moderator.post("/api/v1/qa/golden-items", {"source_case_id": source["id"], "queue": "general-us",
                                                         "expected_verdict": "violation",
                                                         "expected_policy": "harassment.bullying"})
    assert refused.status_code == 403
    assert _place(people, source["id"]).status_code == 201
    case = world.claim(people["agent"], "general-us")
    world.decide(people["agent"], case, verdict="violation", policy="harassment.bullying")

    # Reviewers never see golden items, nor their own golden results (that would reveal which were golden).
    for reviewer in (people["agent"], people["mod"]):
        client = ApiClient(reviewer.token)
        assert client.get("/api/v1/qa/golden-items").json() == []
        assert client.get("/api/v1/qa/golden-accuracy").json()["rows"] == []

    # A team lead reads quality figures but also takes cases: an open golden case stays hidden from them.
    second = _resolved_case(world, people)
    assert _place(people, second["id"]).status_code == 201
    lead = ApiClient(world.person("team-lead", "team_lead").token)
    assert [item["status"] for item in lead.get("/api/v1/qa/golden-items").json()] == ["resolved"]
    assert lead.get("/api/v1/qa/golden-accuracy").json()["overall"]["judged"] == 1
    auditor = ApiClient(people["auditor"].token)
    assert sorted(item["status"] for item in auditor.get("/api/v1/qa/golden-items").json()) == ["open", "resolved"]


def test_a_vendor_manager_sees_only_their_vendors_golden_results(world, people):
    us_source = _resolved_case(world, people)
    intl_source = _resolved_case(world, people, region="BR", reason="hate.slurs")
    _place(people, us_source["id"])
    _place(people, intl_source["id"], queue="general-intl", policy="hate.slurs")
    world.decide(people["agent"], world.claim(people["agent"], "general-us"), verdict="violation",
                 policy="harassment.bullying")
    world.decide(people["lumen"], world.claim(people["lumen"], "general-intl"), verdict="no_violation")

    northwind = ApiClient(world.person("nw-manager", "vendor_manager", vendor=NORTHWIND).token)
    rows = northwind.get("/api/v1/qa/golden-accuracy", group_by="agent").json()["rows"]
    assert [(r["group"], r["judged"], r["correct"]) for r in rows] == [("nw-agent", 1, 1)]
    assert northwind.get("/api/v1/qa/golden-items").json() == []          # results only, never which cases
    everyone = ApiClient(people["auditor"].token).get("/api/v1/qa/golden-accuracy", group_by="vendor").json()
    assert {r["group"] for r in everyone["rows"]} == {"northwind-bpo", "lumen-outsourcing"}


def test_a_golden_case_shows_the_copied_notices_and_intake_story_as_if_just_arrived(world, people, client):
    subject = world.subject(region="US")
    start = clock.now() - timedelta(days=3)
    with clock.frozen(start):
        world.report(subject=subject, reason="harassment.bullying", text="first report")
    with clock.frozen(start + timedelta(minutes=40)):
        world.report(subject=subject, reason="harassment.bullying", text="second report")
    source = world.violation(people["mod"], "general-us", "harassment.bullying")["case"]
    golden_id = _place(people, source["id"]).json()["case_id"]

    shown = ApiClient(people["agent"].token).get(f"/api/v1/cases/{golden_id}").json()
    assert [r["text"] for r in shown["reports"]] == ["second report", "first report"]
    golden = Case.objects.get(pk=golden_id)
    received = sorted(r["received_at"] for r in shown["reports"])
    # The copied notices arrive over the case's own span, ending now: forty minutes, as in the source.
    assert golden.last_reported_at - golden.opened_at == timedelta(minutes=40)
    assert clock.now() - golden.opened_at < timedelta(hours=1) and golden.sla_due_at > clock.now()
    assert abs(parse_datetime(received[0]) - golden.opened_at) < timedelta(milliseconds=1)
    assert abs(parse_datetime(received[1]) - golden.last_reported_at) < timedelta(milliseconds=1)

    # Its timeline starts, like any case's, with the reports and the opening by the platform's integration.
    timeline = selectors.timeline_shown_for(golden)
    source_story = [e.kind for e in LedgerEvent.objects.filter(case_id=source["id"]).order_by("id")][:3]
    assert [e.kind for e in timeline] == source_story == ["case.opened", "report.received", "report.received"]
    assert {e.actor_name for e in timeline} == {"platform-integration"}
    assert all(golden.opened_at <= e.occurred_at <= clock.now() for e in timeline)
    assert timeline[0].payload["queue"] == "general-us" and timeline[0].payload["priority"] == golden.priority
    # The ledger records what happened: the auditor placed it, copying the source; only the display is disguised.
    opened = LedgerEvent.objects.get(case_id=golden_id, kind="case.opened")
    assert opened.actor_name == "auditor" and opened.payload["golden_copy_of"] == source["id"]
    assert not LedgerEvent.objects.filter(case_id=golden_id, kind="report.received").exists()

    # The owner's history beside it leaves out the decision the golden case copies.
    account = golden.subject.owner
    history = selectors.account_history_shown_with(people["mod"].user, golden, account)
    assert source["id"] not in {d.case_id for d in history}

    # Once decided, the golden decision (which enforced nothing) is not part of the account's history either.
    case = world.claim(people["agent"], "general-us")
    assert world.decide(people["agent"], case, verdict="violation", policy="harassment.bullying").status_code == 200
    cases_in_history = {d.case_id for d in selectors.decisions_about_account(people["mod"].user, account)}
    assert source["id"] in cases_in_history and golden_id not in cases_in_history


def test_golden_decisions_are_neither_sampled_for_audit_nor_appealable(world, people):
    source = _resolved_case(world, people)
    golden_id = _place(people, source["id"]).json()["case_id"]
    case = world.claim(people["agent"], "general-us")
    assert case["id"] == golden_id
    golden_decision = world.decide(people["agent"], case, verdict="violation",
                                   policy="harassment.bullying").json()["decision_id"]

    now = clock.now()
    sample = ApiClient(people["auditor"].token).post("/api/v1/qa/samples", {
        "period_start": (now - timedelta(days=1)).isoformat(), "period_end": (now + timedelta(days=1)).isoformat(),
        "size": 10, "seed": 7})
    assert sample.status_code == 201, sample.content
    drawn = set(AuditTask.objects.values_list("decision_id", flat=True))
    assert drawn and golden_decision not in drawn

    appeal = ApiClient(world.integration.token).post("/api/v1/appeals", {
        "decision_id": golden_decision, "statement": "Not a breach.", "idempotency_key": "golden-appeal"})
    assert appeal.status_code == 404 and appeal.json()["error"]["code"] == "decision_not_found"
    source_decision = Decision.objects.get(case_id=source["id"]).pk
    real = ApiClient(world.integration.token).post("/api/v1/appeals", {
        "decision_id": source_decision, "statement": "Not a breach.", "idempotency_key": "real-appeal"})
    assert real.status_code == 201, real.content
