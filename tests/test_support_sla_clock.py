"""The SLA clock maths (support/sla/clock.py), pure: no database."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustops.support.sla import clock as c

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)   # a Monday
H = 3600
TARGETS = c.Targets(first_response_seconds=1 * H, next_reply_seconds=2 * H, resolution_seconds=8 * H)
OFFICE = c.Calendar.of(timezone="UTC", always_open=False, periods={str(d): [["09:00", "17:00"]] for d in range(5)})


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_24x7_clock_is_plain_addition():
    assert c.add_running(c.TWENTY_FOUR_SEVEN, T0, 8 * H) == at(8)
    assert c.running_seconds(c.TWENTY_FOUR_SEVEN, T0, at(8)) == 8 * H


def test_a_pending_pause_moves_resolution_by_exactly_the_paused_time_and_first_response_not_at_all():
    facts = c.Facts(created_at=T0, pauses=((at(1), at(3.5)),), first_responded_at=at(0.5))
    clocks = c.clocks(c.TWENTY_FOUR_SEVEN, TARGETS, facts, now=at(4))
    assert clocks.resolution_due_at == at(8 + 2.5)
    assert clocks.first_response_due_at == at(1)
    assert not clocks.paused


def test_an_open_pause_counts_until_now_and_shows_paused():
    facts = c.Facts(created_at=T0, pauses=((at(2), None),))
    clocks = c.clocks(c.TWENTY_FOUR_SEVEN, TARGETS, facts, now=at(5))
    assert clocks.paused and clocks.resolution_due_at == at(11)
    assert clocks.next_due() == at(1)    # first response still runs while paused


def test_overlapping_pauses_are_not_counted_twice():
    facts = c.Facts(created_at=T0, pauses=((at(1), at(3)), (at(2), at(4))))
    assert c.clocks(c.TWENTY_FOUR_SEVEN, TARGETS, facts, now=at(5)).resolution_due_at == at(11)


def test_office_hours_skip_nights_and_weekends():
    # Created Friday 16:00: one working hour left that day, the rest on Monday from 09:00.
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    assert c.add_running(OFFICE, friday, 3 * H) == datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
    # Created before opening: the clock starts at 09:00.
    assert c.add_running(OFFICE, datetime(2026, 3, 2, 6, 0, tzinfo=UTC), H) == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_business_hours_over_a_holiday():
    """Wednesday 25 December 2024 is a holiday: a ticket from Tuesday 16:00 with 2 working hours is due
    Thursday 10:00."""
    calendar = c.Calendar.of(timezone="UTC", always_open=False,
                             periods={str(d): [["09:00", "17:00"]] for d in range(5)}, holidays=["2024-12-25"])
    tuesday = datetime(2024, 12, 24, 16, 0, tzinfo=UTC)
    assert c.add_running(calendar, tuesday, 2 * H) == datetime(2024, 12, 26, 10, 0, tzinfo=UTC)
    assert c.running_seconds(calendar, tuesday, datetime(2024, 12, 26, 10, 0, tzinfo=UTC)) == 2 * H


def test_a_pause_outside_working_hours_changes_nothing():
    facts = c.Facts(created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                    pauses=((datetime(2026, 3, 2, 18, 0, tzinfo=UTC), datetime(2026, 3, 3, 8, 0, tzinfo=UTC)),))
    clocks = c.clocks(OFFICE, TARGETS, facts, now=datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    assert clocks.resolution_due_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_a_pause_in_working_hours_moves_the_due_time_by_working_time():
    # Paused Monday 15:00–17:00 (2 working hours): due 2 working hours later, Tuesday 11:00.
    facts = c.Facts(created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                    pauses=((datetime(2026, 3, 2, 15, 0, tzinfo=UTC), datetime(2026, 3, 2, 17, 0, tzinfo=UTC)),))
    clocks = c.clocks(OFFICE, TARGETS, facts, now=datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    assert clocks.resolution_due_at == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)


def test_regional_hours_follow_the_time_zone_across_daylight_saving():
    # New York 09:00–17:00: 14:00 UTC in winter (EST) ... 13:00 UTC after 8 March 2026 (EDT).
    ny = c.Calendar.of(timezone="America/New_York", always_open=False,
                       periods={str(d): [["09:00", "17:00"]] for d in range(5)})
    friday = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)   # 16:00 EST
    assert c.add_running(ny, friday, 2 * H) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)   # Monday 10:00 EDT


def test_next_reply_runs_from_the_requesters_unanswered_reply_and_stops_when_solved():
    facts = c.Facts(created_at=T0, first_responded_at=at(0.5), awaiting_reply_since=at(3))
    assert c.clocks(c.TWENTY_FOUR_SEVEN, TARGETS, facts, now=at(3)).next_reply_due_at == at(5)
    solved = c.Facts(created_at=T0, first_responded_at=at(0.5), awaiting_reply_since=at(3), resolved_at=at(4))
    clocks = c.clocks(c.TWENTY_FOUR_SEVEN, TARGETS, solved, now=at(6))
    assert clocks.next_reply_due_at is None and clocks.next_due() is None


def test_a_resolved_ticket_counts_an_open_pause_only_until_it_was_resolved():
    facts = c.Facts(created_at=T0, pauses=((at(1), None),), first_responded_at=at(0.5), resolved_at=at(2))
    clocks = c.clocks(c.TWENTY_FOUR_SEVEN, TARGETS, facts, now=at(100))
    assert not clocks.paused and clocks.resolution_due_at == at(9)


def test_met_is_none_while_running():
    assert c.met(at(1), None) is None
    assert c.met(at(1), at(1)) is True
    assert c.met(at(1), at(1.01)) is False


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(ValueError):
        c.Calendar.of(always_open=False, periods={}).check()
    with pytest.raises(ValueError):
        c.Calendar.of(always_open=False, periods={"0": [["17:00", "09:00"]]}).check()
    with pytest.raises(Exception):
        c.Calendar.of(timezone="Mars/Olympus").check()


def test_subtracting_holes_from_windows():
    windows = [(at(0), at(10))]
    assert list(c.subtract(windows, [(at(2), at(3)), (at(5), at(6))])) == [
        (at(0), at(2)), (at(3), at(5)), (at(6), at(10))]
    assert list(c.subtract(windows, [(at(-1), at(11))])) == []


moments = st.integers(min_value=0, max_value=200 * H).map(lambda s: T0 + timedelta(seconds=s))


@settings(max_examples=150, deadline=None)
@given(start=moments, seconds=st.integers(min_value=1, max_value=60 * H),
       pauses=st.lists(st.tuples(moments, st.integers(min_value=0, max_value=30 * H)), max_size=4),
       calendar=st.sampled_from([c.TWENTY_FOUR_SEVEN, OFFICE]))
def test_the_running_time_up_to_the_due_time_is_the_target(start, seconds, pauses, calendar):
    """For any calendar and pause log: working time outside pauses from start to due equals the target, and a
    pause added never brings the due time earlier."""
    holes = c.merge([(lo, lo + timedelta(seconds=d)) for lo, d in pauses])
    due = c.add_running(calendar, start, seconds, holes)
    assert c.running_seconds(calendar, start, due, holes) == pytest.approx(seconds)
    assert due >= c.add_running(calendar, start, seconds)
