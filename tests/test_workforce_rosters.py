"""A vendor manager rosters two night-shift agents at a New York site, and their adherence, utilisation and
occupancy are measured from their console sign-ins and their decisions, equal to the figures worked by hand."""
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from tests.conftest import ApiClient
from tests.test_console_access import console
from tests.workforce_month import decide_later, vendor_id
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.simulation import platform as setup
from trustops.workforce.rosters.models import RosterEntry, ShiftTemplate, WorkSession

UTC = timezone.utc
NIGHT = {"key": "night", "name": "Night", "site": "New York", "time_zone": "America/New_York",
         "starts_at": "22:00", "ends_at": "06:00", "unpaid_break_minutes": 30}
DAY = date(2026, 2, 3)      # local; the night runs 22:00 EST (03:00 UTC on the 4th) to 06:00 EST (11:00 UTC)
SCOPES = ["workforce:read", "workforce:write"]


def at(hour, minute=0, day=4):
    return datetime(2026, 2, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def night(world):
    with clock.frozen(at(0, 0, 1)):
        manager = world.person("nw.vm", "vendor_manager", vendor=setup.VENDOR_A, scopes=SCOPES)
        ana = world.vendor_agent("ana", vendor=setup.VENDOR_A)
        ben = world.vendor_agent("ben", vendor=setup.VENDOR_A)
        api = ApiClient(manager.token)
        vendor = vendor_id(setup.VENDOR_A)
        created = api.post(f"/api/v1/vendors/{vendor}/shift-templates", NIGHT)
        assert created.status_code == 201, created.content
        assert created.json()["crosses_midnight"] is True
        lines = [{"agent": "ana", "day": "2026-02-03", "shift": "night", "queue": "general-us"},
                 {"agent": "ben", "day": "2026-02-03", "shift": "night", "queue": "general-us"},
                 {"agent": "ana", "day": "2026-02-04", "shift": "off"}]
        written = api.post(f"/api/v1/vendors/{vendor}/roster", {"lines": lines})
        assert written.status_code == 200, written.content
    return {"api": api, "vendor": vendor, "ana": ana, "ben": ben, "world": world}


def _work(console_of, user, *, sign_in, sign_out):
    with clock.frozen(sign_in):
        client = console_of(user)
    with clock.frozen(sign_out):
        assert client.post("/logout/").status_code == 302


def test_a_night_across_midnight_in_new_york_is_measured_from_sign_ins_and_decisions(night):
    world, api, vendor = night["world"], night["api"], night["vendor"]
    roster = api.get(f"/api/v1/vendors/{vendor}/roster", first="2026-02-03", last="2026-02-04").json()
    ana_night = next(r for r in roster if r["agent"] == "ana" and r["shift"] == "night")
    assert ana_night["starts_at"].startswith("2026-02-04T03:00") and ana_night["ends_at"].startswith("2026-02-04T11:00")
    assert ana_night["paid_seconds"] == 8 * 3600 - 1800
    assert [r["shift"] for r in roster if r["day"] == "2026-02-04"] == ["off"]

    # Ana signs in ten minutes late and stays to the end; two decisions of 10 minutes inside her shift.
    _work(console, night["ana"].user, sign_in=at(3, 10), sign_out=at(11))
    for hour in (4, 5):
        decide_later(world, night["ana"], "general-us", opened=at(hour) - timedelta(minutes=30),
                     after=timedelta(minutes=30), handle_seconds=600)
    # Ben signs in half an hour early and leaves two hours early; he decides one case an hour after the shift,
    # through the API (20 minutes of handling: unscheduled work, with no console session).
    _work(console, night["ben"].user, sign_in=at(2, 30), sign_out=at(9))
    decide_later(world, night["ben"], "general-us", opened=at(11, 30), after=timedelta(minutes=30),
                 handle_seconds=1200)
    assert WorkSession.objects.filter(ended_at__isnull=False).count() >= 2

    with clock.frozen(at(20)):
        figures = api.get(f"/api/v1/vendors/{vendor}/adherence", first="2026-02-03", last="2026-02-04").json()
    agents = {row["agent"]: row for row in figures["agents"]}
    ana, ben, total = agents["ana"], agents["ben"], figures["total"]
    assert (ana["adherent_seconds"], ana["unscheduled_seconds"], ana["late_starts"], ana["early_leaves"]) == \
        (7 * 3600 + 50 * 60, 0, 1, 0)
    assert (ben["adherent_seconds"], ben["unscheduled_seconds"], ben["late_starts"], ben["early_leaves"]) == \
        (6 * 3600, 1800 + 1200, 0, 1)
    assert total["scheduled_seconds"] == 2 * 8 * 3600 and total["paid_seconds"] == 2 * (8 * 3600 - 1800)
    assert total["handle_seconds"] == 600 + 600 + 1200
    # By hand: adherence 49,800 / 57,600; utilisation 52,800 / 54,000; occupancy 2,400 / 52,800.
    assert total["adherence"] == pytest.approx(49_800 / 57_600)
    assert total["utilisation"] == pytest.approx(52_800 / 54_000)
    assert total["occupancy"] == pytest.approx(2_400 / 52_800)
    days = {row["day"]: row for row in figures["days"]}
    assert days["2026-02-03"]["shifts"] == 2 and days["2026-02-03"]["handle_seconds"] == 1200
    assert days["2026-02-04"]["unscheduled_seconds"] == 3000 and days["2026-02-04"]["handle_seconds"] == 1200
    queues = {row["queue"]: row for row in figures["queues"]}
    assert queues["general-us"]["adherent_seconds"] == 49_800
    assert queues["general-us"]["handle_seconds"] == 2_400

    # The month's scorecard file carries the same roster figures.
    with clock.frozen(at(20)):
        xlsx = api.get(f"/api/v1/vendors/{vendor}/scorecard/file/xlsx", month="2026-02")
    assert xlsx.status_code == 200, xlsx.content
    summary = dict(load_workbook(io.BytesIO(xlsx.content))["Scorecard"].iter_rows(min_row=2, values_only=True))
    assert (summary["shifts_rostered"], summary["late_starts"], summary["early_leaves"]) == (2, 1, 1)
    assert summary["adherence_percent"] == round(49_800 / 57_600 * 100, 2)
    assert summary["occupancy_percent"] == round(2_400 / 52_800 * 100, 2)


def _problems(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [p["field"] for p in response.json()["error"]["details"]["problems"]]


def test_bad_shifts_and_rosters_are_refused_with_every_problem_and_nothing_written(night):
    api, vendor = night["api"], night["vendor"]
    base = f"/api/v1/vendors/{vendor}"
    before = (ShiftTemplate.objects.count(), RosterEntry.objects.count(), LedgerEvent.objects.count())
    same = api.post(f"{base}/shift-templates", {**NIGHT, "key": "flat", "ends_at": "22:00",
                                                 "time_zone": "Mars/Olympus"})
    assert set(_problems(same)) == {"ends_at", "time_zone"}
    lines = [{"agent": "nobody", "day": "2026-02-05", "shift": "night"},
             {"agent": "ben", "day": "2026-02-05", "shift": "dawn"},
             {"agent": "ben", "day": "2026-02-05", "shift": "off"},
             {"agent": "ana", "day": "2026-02-05", "shift": "night", "queue": "no-such-queue"}]
    assert _problems(api.post(f"{base}/roster", {"lines": lines})) == \
        ["lines.0.agent", "lines.1.shift", "lines.2", "lines.3.queue"]
    # An early shift on the 4th starts before the night of the 3rd (already rostered for Ana) has ended.
    with clock.frozen(at(0, 0, 1)):
        assert api.post(f"{base}/shift-templates", {**NIGHT, "key": "early", "name": "Early", "starts_at": "05:00",
                                                     "ends_at": "13:00", "unpaid_break_minutes": 0}).status_code == 201
    overlap = api.post(f"{base}/roster", {"lines": [{"agent": "ana", "day": "2026-02-04", "shift": "early"},
                                                    {"agent": "ben", "day": "2026-02-04", "shift": "off"}]})
    fields = _problems(overlap)
    assert len(fields) == 1 and "overlaps" in overlap.json()["error"]["details"]["problems"][0]["message"]
    csv = ("agent,day,shift\nana,2026-02-06,night\nghost,2026-02-06,night\nana,2026-02-06,night\n"
           "ben,not-a-day,night\n")
    assert _problems(api.post(f"{base}/roster/csv", {"csv": csv})) == \
        ["csv.row 5.day", "csv.row 3.agent", "csv.row 4"]
    after = (ShiftTemplate.objects.count(), RosterEntry.objects.count(), LedgerEvent.objects.count())
    assert after == (before[0] + 1, before[1], before[2] + 1)


def test_a_roster_csv_is_imported_whole(night):
    api, vendor = night["api"], night["vendor"]
    csv = "agent,day,shift,queue\nana,2026-02-10,night,general-us\nben,2026-02-10,off,\n"
    response = api.post(f"/api/v1/vendors/{vendor}/roster/csv", {"csv": csv})
    assert response.json() == {"entries": 2}
    assert RosterEntry.objects.get(agent__username="ana", day=date(2026, 2, 10)).queue.key == "general-us"
    assert RosterEntry.objects.get(agent__username="ben", day=date(2026, 2, 10)).day_off
