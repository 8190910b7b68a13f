"""The priority score: monotone in every input and bounded."""
from hypothesis import given
from hypothesis import strategies as st

from trustops.review.priority import PriorityInputs, priority

inputs = st.builds(PriorityInputs, severity=st.integers(1, 5), notice_count=st.integers(1, 10_000),
                   max_source_trust=st.floats(0, 1), reach=st.integers(0, 10**10),
                   waited_hours=st.floats(0, 1000))


@given(inputs)
def test_priority_is_bounded(p):
    assert 0 <= priority(p) <= 1000


@given(inputs, st.sampled_from(["severity", "notice_count", "max_source_trust", "reach", "waited_hours"]))
def test_more_of_anything_never_lowers_priority(p, field):
    bumped = {"severity": min(5, p.severity + 1), "notice_count": p.notice_count + 1,
              "max_source_trust": min(1.0, p.max_source_trust + 0.1), "reach": p.reach * 10 + 1,
              "waited_hours": p.waited_hours + 1}[field]
    assert priority(PriorityInputs(**{**p.__dict__, field: bumped})) >= priority(p)


def test_a_critical_authority_order_outranks_a_single_spam_report():
    spam = PriorityInputs(severity=1, notice_count=1, max_source_trust=0.2, reach=100, waited_hours=0)
    order = PriorityInputs(severity=5, notice_count=1, max_source_trust=1.0, reach=100, waited_hours=0)
    assert priority(order) > priority(spam) + 400
