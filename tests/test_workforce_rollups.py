"""A vendor's closed days are kept as rollups, and the month's invoice and scorecard read them: the money and
the figures are exactly what the decisions' rows give, on the SLA's very edge too, whether the month is rolled
whole, in part (the rest read from the rows) or not at all."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.workforce_month import DAY_ONE, NOW, decide_later, manager, vendor_id
from trustops.kernel import clock
from trustops.quality.audits import services as audits
from trustops.review.models import Queue
from trustops.simulation import platform as setup
from trustops.workforce.billing import compute as arithmetic
from trustops.workforce.billing import services as billing
from trustops.workforce.contracts import selectors as contract_selectors
from trustops.workforce.contracts import services as contracts
from trustops.workforce.measurement import figures, rollups
from trustops.workforce.measurement import services as rolling
from trustops.workforce.measurement.models import DecisionRollup, RolledDay

MONTH = date(2026, 2, 1)
SLA_HOURS = Decimal("23.99")                      # 86,364 s: a contract may write hours with two decimals
EDGE = timedelta(hours=float(SLA_HOURS))
TERMS = {
    "currency": "USD",
    "pricing": {"per_decision": [{"queue": "general-us", "price": "0.50"}], "per_productive_hour": "10.00"},
    "sla": [{"queue": "general-us", "within_hours": str(SLA_HOURS), "target_share": 0.9, "credit_allocation": 50}],
    "credits": {"at_risk_percent": 10},
    "quality": {"target_accuracy": 0.3, "min_audits": 2, "malus_percent": 2},
}


@pytest.fixture
def month_on_the_edge(world):
    """Ten decisions on ten days of February: six within the hour, then exactly on the SLA, a second inside
    it, half a second past it, and thirty hours late; 8 of 10 within against a 90% target. Two audited, both
    correct."""
    vm = manager(world)
    northwind = vendor_id(setup.VENDOR_A)
    with clock.frozen(NOW):
        contracts.create_contract(actor=vm.user, vendor_id=northwind, reference="MSA-EDGE", name="edge",
                                  effective_from=date(2026, 1, 1), effective_to=None, terms=TERMS)
    agent = world.vendor_agent("nw.edge", vendor=setup.VENDOR_A)
    waits = [timedelta(minutes=20 + i) for i in range(6)] + [
        EDGE, EDGE - timedelta(seconds=1), EDGE + timedelta(milliseconds=500), timedelta(hours=30)]
    decided = [decide_later(world, agent, "general-us", opened=DAY_ONE + timedelta(days=i, minutes=7), after=wait,
                            handle_seconds=40 + i)["decision_id"] for i, wait in enumerate(waits)]
    auditor = world.person("qa.edge", "qa_auditor")
    with clock.frozen(NOW - timedelta(days=5)):
        for decision_id in decided[:2]:
            audits.submit_audit(actor=auditor.user, decision_id=decision_id,
                                judgement=audits.Judgement(correct_verdict="no_violation"))
    return {"manager": vm, "vendor": northwind, "decisions": decided, "auditor": auditor}


def row_level(vendor: int):
    """The invoice's arithmetic on the month measured from every decision's row."""
    terms = contract_selectors.terms_of(contract_selectors.in_force(vendor, MONTH))
    start, end = billing.periods.bounds(MONTH)
    within = {sla.queue: float(sla.within_hours) * 3600 for sla in terms.sla}
    measured = figures.measure(vendor, start, end, within=within, use_rollups=False)
    tiers = dict(Queue.objects.values_list("key", "tier"))
    return measured, arithmetic.compute(terms, measured, queue_tiers=tiers)


def lines(invoice) -> list[tuple]:
    return [(line.kind, line.queue_key, line.quantity, line.amount) for line in invoice.lines.order_by("position")]


def invoiced(vendor: int, vm):
    with clock.frozen(NOW):
        return billing.compute_invoice(actor=vm.user, vendor_id=vendor, month=MONTH)


@pytest.mark.slow
def test_the_rolled_up_month_bills_to_the_cent_what_its_rows_bill(month_on_the_edge):
    vendor, vm = month_on_the_edge["vendor"], month_on_the_edge["manager"]
    measured, expected = row_level(vendor)
    assert measured.by_queue["general-us"].within_sla == 8
    expected_lines = [(line.kind, line.queue_key, line.quantity, line.amount) for line in expected.lines]
    assert [kind for kind, *_ in expected_lines] == ["decisions", "hours", "sla_credit"]
    assert (measured.total.audited, measured.total.correct) == (2, 2)     # lower bound 0.34: met

    # Nothing rolled yet: every day is read from the rows.
    assert lines(invoiced(vendor, vm)) == expected_lines

    # The first five days rolled, the rest read from the rows; then the whole month rolled.
    with clock.frozen(NOW):
        assert rolling.rebuild_days(date(2026, 2, 1), date(2026, 2, 7)) == 5
        assert lines(invoiced(vendor, vm)) == expected_lines
        assert rolling.rebuild_days(date(2026, 2, 1), date(2026, 2, 28)) == 10
    assert RolledDay.objects.filter(day__gte=MONTH, day__lt=date(2026, 3, 1)).count() == 28
    invoice = invoiced(vendor, vm)
    assert lines(invoice) == expected_lines
    assert invoice.total == expected.total
    start, end = billing.periods.bounds(MONTH)
    rolled = figures.measure(vendor, start, end, within={"general-us": float(SLA_HOURS) * 3600})
    assert rolled.as_dict() == measured.as_dict()
    assert rolled.as_dict()["total"]["time_to_decision"] == measured.as_dict()["total"]["time_to_decision"]

    # The rollups are what is read: a tampered row shows in the measurement (and only a rebuild mends it).
    DecisionRollup.objects.filter(vendor_id=vendor).update(decisions=2)
    assert figures.measure(vendor, start, end).total.volume > 10
    with clock.frozen(NOW):
        rolling.rebuild_days(date(2026, 2, 1), date(2026, 2, 28))
    assert figures.measure(vendor, start, end).total.volume == 10

    # An audit made after its day was rolled counts at once: that day's audits are read from the rows again.
    with clock.frozen(NOW + timedelta(days=1)):
        audits.submit_audit(actor=month_on_the_edge["auditor"].user, decision_id=month_on_the_edge["decisions"][5],
                            judgement=audits.Judgement(correct_verdict="violation",
                                                       correct_policy="harassment.bullying"))
    assert sum(DecisionRollup.objects.values_list("audited", flat=True)) == 2
    measured, expected = row_level(vendor)
    assert (measured.total.audited, measured.total.correct) == (3, 2)     # lower bound 0.21: a malus
    assert expected.lines[-1].kind == "quality_malus"
    with clock.frozen(NOW + timedelta(days=1)):
        assert lines(billing.compute_invoice(actor=vm.user, vendor_id=vendor, month=MONTH)) == [
            (line.kind, line.queue_key, line.quantity, line.amount) for line in expected.lines]

    # A threshold the rollups cannot answer exactly is read from the rows.
    odd = {"general-us": 86_363.0}                     # not a whole number of 12-second steps
    assert not rollups.aligned(figures.sla_seconds(odd))
    by_rows = figures.measure(vendor, start, end, within=odd, use_rollups=False)
    assert figures.measure(vendor, start, end, within=odd).as_dict() == by_rows.as_dict()
    assert by_rows.by_queue["general-us"].within_sla == 7
    by_month = figures.measure(vendor, start, end, by="month")
    assert by_month.as_dict() == figures.measure(vendor, start, end, by="month", use_rollups=False).as_dict()


@pytest.mark.slow
def test_a_day_is_rolled_once_it_is_over(month_on_the_edge):
    with clock.frozen(datetime(2026, 2, 10, 0, 30, tzinfo=timezone.utc)):
        rolling.roll_closed_days()
    # Half an hour after midnight the 9th is not yet closed (a decision begun before midnight may still land).
    assert RolledDay.objects.order_by("day").first().day == DAY_ONE.date()
    assert RolledDay.objects.order_by("day").last().day == date(2026, 2, 8)
    with clock.frozen(datetime(2026, 2, 10, 1, 30, tzinfo=timezone.utc)):
        rolling.roll_closed_days()
    assert RolledDay.objects.order_by("day").last().day == date(2026, 2, 9)
    # One decision on each of the 3rd to the 8th; the 9th's case was decided on the 10th.
    assert list(RolledDay.objects.filter(day__gte=DAY_ONE.date()).values_list("decisions", flat=True)) == [1] * 6 + [0]
