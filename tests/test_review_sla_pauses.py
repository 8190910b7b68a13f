"""A case's SLA due time with its queue's pauses: moved by exactly the paused time that fell before it."""
from datetime import datetime, timedelta, timezone

from trustops.review.sla import effective_due

T = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


def test_a_closed_pause_moves_the_due_time_by_its_length():
    due = effective_due(T, T + 4 * H, [(T + H, T + 3 * H)], now=T + 10 * H)
    assert (due.at, due.paused) == (T + 6 * H, False)


def test_a_pause_before_the_case_opened_counts_only_from_the_opening():
    due = effective_due(T, T + 4 * H, [(T - 5 * H, T + H)], now=T + 10 * H)
    assert due.at == T + 5 * H


def test_a_running_pause_counts_up_to_now_and_the_clock_stands_still():
    due = effective_due(T, T + 4 * H, [(T + H, None)], now=T + 9 * H)
    assert (due.at, due.paused) == (T + 12 * H, True)


def test_a_pause_after_the_breach_does_not_undo_it():
    due = effective_due(T, T + 4 * H, [(T + 5 * H, T + 7 * H)], now=T + 8 * H)
    assert (due.at, due.paused) == (T + 4 * H, False)


def test_pauses_chain_when_the_first_pushes_the_due_time_past_the_second():
    due = effective_due(T, T + 2 * H, [(T + 3 * H, T + 4 * H), (T + H, T + 3 * H)], now=T + 10 * H)
    assert due.at == T + 5 * H   # 2 h target + 2 h + 1 h of pauses, the second starting before the moved due


def test_a_pause_yet_to_come_changes_nothing():
    due = effective_due(T, T + 4 * H, [(T + 3 * H, T + 5 * H)], now=T + 2 * H)
    assert (due.at, due.paused) == (T + 4 * H, False)
