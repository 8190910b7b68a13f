"""March 2025 at a small T&S shop, as QA saw it: decisions, a sample, audits, a dispute, an appeal, RCAs and a
calibration session, all made through the API at the times they happened.

Who decided what in March (34 audited decisions):
- `mqr-mod` (in-house, general-us): 10, all correct.
- `mqr-nw` (Northwind, general-us): 10, 8 correct, 1 wrong policy (process), 1 false positive with no RCA
  category (disputed by the agent).
- `mqr-nw-weak` (Northwind, general-us, new): 6, all false positives (human / training); one was appealed and
  overturned on March 30.
- `mqr-lumen` (Lumen, general-intl): 8, 6 correct, 1 wrong action (policy), 1 missed violation (product / tech).
Overall 24 of 34 correct. Also decided and audited, but outside March: one in-house decision on Feb 26 and one
Northwind false positive on April 2.

RCAs: A (human / training, Northwind audits, due March 28, still open: overdue at the end of March),
B (policy, a Lumen audit, done March 28), D (product / tech, a Lumen audit, due June 30), and C opened in April.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tests.conftest import ApiClient
from trustops.kernel import clock
from trustops.simulation import platform as setup

MONTH = "2025-03"


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=timezone.utc)


@dataclass
class QualityMonth:
    people: dict = field(default_factory=dict)
    decisions: dict = field(default_factory=dict)     # reviewer username → [decision ids in March]
    audits: dict = field(default_factory=dict)        # decision id → audit id
    outside: list = field(default_factory=list)       # audit ids of decisions made outside March
    rcas: dict = field(default_factory=dict)          # "A", "B", "C", "D" → rca id
    self_audit: int | None = None
    calibration: int | None = None


class Clients:
    """One API client per person for the whole build: a fresh test client per request costs more than the request."""

    def __init__(self, world):
        self.world = world
        self.by_token: dict[str, ApiClient] = {}

    def __call__(self, person) -> ApiClient:
        if person.token not in self.by_token:
            self.by_token[person.token] = ApiClient(person.token)
        return self.by_token[person.token]

    def decide(self, reviewer, *, queue, region, reason, verdict, moment, rationale="Clear breach.") -> int:
        with clock.frozen(moment):
            reported = self(self.world.integration).post("/api/v1/reports", self.world.report_body(
                subject=self.world.subject(region=region), reason=reason))
            assert reported.status_code == 201, reported.content
            case = self.claim(reviewer, queue)
            body = {"verdict": verdict, "rationale": rationale, "version": case["version"]}
            if verdict == "violation":
                body.update(policy=reason, actions=["remove"])
            response = self(reviewer).post(f"/api/v1/cases/{case['id']}/decision", body)
            assert response.status_code == 200, response.content
            return response.json()["decision_id"]

    def claim(self, reviewer, queue) -> dict:
        response = self(reviewer).post(f"/api/v1/queues/{queue}/claim")
        assert response.status_code == 200, response.content
        return response.json()["case"]


def build(world) -> QualityMonth:
    month = QualityMonth()
    clients = Clients(world)
    people = month.people
    people["mod"] = world.moderator("mqr-mod")
    people["nw"] = world.vendor_agent("mqr-nw", vendor=setup.VENDOR_A, regions=["US"])
    people["weak"] = world.vendor_agent("mqr-nw-weak", vendor=setup.VENDOR_A, regions=["US"])
    people["lumen"] = world.vendor_agent("mqr-lumen", vendor=setup.VENDOR_B)
    people["auditor"] = world.person("mqr-auditor", "qa_auditor")
    people["lead"] = world.person("mqr-lead", "qa_lead")
    people["nw_manager"] = world.person("mqr-nw-manager", "vendor_manager", vendor=setup.VENDOR_A)
    people["lumen_manager"] = world.person("mqr-lumen-manager", "vendor_manager", vendor=setup.VENDOR_B)
    auditor = clients(people["auditor"])

    us = {"queue": "general-us", "region": "US", "reason": "harassment.bullying"}
    intl = {"queue": "general-intl", "region": "BR", "reason": "hate.slurs"}
    days = [3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
    plan = ([("mod", us, "violation")] * 10 + [("nw", us, "violation")] * 10 + [("weak", us, "violation")] * 6
            + [("lumen", intl, "violation")] * 7 + [("lumen", intl, "no_violation")])
    for n, (who, where, verdict) in enumerate(plan):
        moment = at(3, days[n % len(days)], 9 + n % 8)
        decision = clients.decide(people[who], verdict=verdict, moment=moment, **where)
        month.decisions.setdefault(people[who].username, []).append(decision)
    february = clients.decide(people["mod"], verdict="violation", moment=at(2, 26), **us)
    april = clients.decide(people["nw"], verdict="violation", moment=at(4, 2), **us)

    sample = auditor.post("/api/v1/qa/samples", {"period_start": at(3, 1, 0).isoformat(),
                                                 "period_end": at(4, 1, 0).isoformat(), "strata": ["vendor"],
                                                 "size": 1000, "seed": 3})
    assert sample.status_code == 201 and sample.json()["tasks"] == 34, sample.content

    def audit(decision_id, rca=None, **judgement):
        response = auditor.post("/api/v1/qa/audits", {"decision_id": decision_id, "rca_category": rca, **judgement})
        assert response.status_code == 201, response.content
        month.audits[decision_id] = response.json()["audit_id"]
        return response.json()

    right_us = {"correct_verdict": "violation", "correct_policy": "harassment.bullying"}
    right_intl = {"correct_verdict": "violation", "correct_policy": "hate.slurs"}
    for decision in month.decisions["mqr-mod"]:
        audit(decision, **right_us)
    nw = month.decisions["mqr-nw"]
    for decision in nw[:8]:
        audit(decision, **right_us)
    assert audit(nw[8], rca="process", correct_verdict="violation",
                 correct_policy="harassment.doxxing")["error_type"] == "wrong_policy"
    assert audit(nw[9], correct_verdict="no_violation")["error_type"] == "false_positive"
    for decision in month.decisions["mqr-nw-weak"]:
        assert audit(decision, rca="human_training", correct_verdict="no_violation")["error_type"] == "false_positive"
    lumen = month.decisions["mqr-lumen"]
    for decision in lumen[:6]:
        audit(decision, **right_intl)
    assert audit(lumen[6], rca="policy", correct_verdict="violation", correct_policy="hate.slurs",
                 correct_actions=["remove", "strike"])["error_type"] == "wrong_action"
    assert audit(lumen[7], rca="product_tech", **right_intl)["error_type"] == "false_negative"
    month.outside = [audit(february, **right_us)["audit_id"],
                     audit(april, rca="human_training", correct_verdict="no_violation")["audit_id"]]

    # The agent disputes the uncategorised false positive: it stays under dispute.
    dispute = clients(people["nw"]).post(f"/api/v1/qa/audits/{month.audits[nw[9]]}/disputes",
                                                  {"reason": "The comment insults a classmate by name."})
    assert dispute.status_code == 201, dispute.content

    # An appeal against one of the weak agent's removals is overturned on March 30.
    integration = clients(world.integration)
    with clock.frozen(at(3, 29)):
        appeal = integration.post("/api/v1/appeals", {"decision_id": month.decisions["mqr-nw-weak"][0],
                                                      "statement": "It was a joke between friends.",
                                                      "idempotency_key": "mqr-appeal-1"})
        assert appeal.status_code == 201, appeal.content
    appeals_reviewer = world.moderator("mqr-appeals")
    with clock.frozen(at(3, 30)):
        case = clients.claim(appeals_reviewer, "appeals")
        overturned = clients(appeals_reviewer).post(f"/api/v1/cases/{case['id']}/decision", {
            "verdict": "overturned", "rationale": "Banter between friends.", "version": case["version"]})
        assert overturned.status_code == 200, overturned.content

    weak_audits = [month.audits[d] for d in month.decisions["mqr-nw-weak"]]
    rcas = {
        "A": (at(3, 27), {"title": "New Northwind agent removes banter", "category": "human_training",
                          "root_cause": "Onboarding skipped the banter vs bullying module.",
                          "corrective_action": "Retrain and shadow for two weeks.", "owner": "mqr-nw-manager",
                          "due_date": "2025-03-28", "audit_ids": weak_audits}),
        "B": (at(3, 25), {"title": "Slur guidance misses strike rule", "category": "policy",
                         "root_cause": "The guidance does not say slurs also take a strike.",
                         "corrective_action": "Add the strike rule to the guidance.", "owner": "mqr-lead",
                         "due_date": "2025-03-31", "audit_ids": [month.audits[lumen[6]]]}),
        "D": (at(3, 26), {"title": "Slur detector misses new spelling", "category": "product_tech",
                         "root_cause": "Obfuscated spellings are not in the term list.",
                         "corrective_action": "Ship the updated term list.", "owner": "mqr-lead",
                         "due_date": "2025-06-30", "audit_ids": [month.audits[lumen[7]]]}),
        "C": (at(4, 3), {"title": "April: queue routing gap", "category": "process",
                         "root_cause": "A routing rule was disabled.", "corrective_action": "Re-enable it.",
                         "owner": "mqr-lead", "due_date": "2025-04-30", "audit_ids": []}),
    }
    for key, (moment, body) in rcas.items():
        with clock.frozen(moment):
            response = auditor.post("/api/v1/qa/rcas", body)
            assert response.status_code == 201, response.content
            month.rcas[key] = response.json()["rca_id"]
    with clock.frozen(at(3, 28)):
        done = auditor.post(f"/api/v1/qa/rcas/{month.rcas['B']}/status", {"status": "done"})
        assert done.status_code == 200, done.content

    # Calibration on three US cases, closed on March 25.
    raters = [world.moderator(f"mqr-rater-{n}") for n in range(3)]
    lead_api = clients(people["lead"])
    cases = [c for c in _cases_of(month.decisions["mqr-mod"][:3])]
    with clock.frozen(at(3, 24)):
        session = lead_api.post("/api/v1/calibrations", {"name": "Bullying or banter, March", "items": cases,
                                                         "participants": [r.username for r in raters]})
        assert session.status_code == 201, session.content
        month.calibration = session.json()["calibration_id"]
        labels = [["harassment.bullying"] * 3, ["harassment.bullying", "harassment.bullying", "no_violation"],
                  ["no_violation", "harassment.bullying", "no_violation"]]
        for case_id, row in zip(cases, labels):
            for rater, label in zip(raters, row):
                assert clients(rater).post(f"/api/v1/calibrations/{month.calibration}/labels",
                                                   {"item": case_id, "label": label}).status_code == 201
    with clock.frozen(at(3, 25)):
        assert lead_api.post(f"/api/v1/calibrations/{month.calibration}/close").status_code == 200

    # Imported history: one audit was made by the very reviewer of the decision (the API refuses this today,
    # older data may still hold it). Written directly, as an import would have.
    from trustops.quality.models import Audit
    month.self_audit = month.audits[month.decisions["mqr-mod"][0]]
    Audit.objects.filter(pk=month.self_audit).update(auditor=people["mod"].user)
    return month


def _cases_of(decision_ids: list[int]) -> list[int]:
    from trustops.review.models import Decision
    by_id = dict(Decision.objects.filter(pk__in=decision_ids).values_list("pk", "case_id"))
    return [by_id[d] for d in decision_ids]
