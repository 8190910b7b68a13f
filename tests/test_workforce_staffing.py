"""Staffing mathematics against published worked examples, an independent high-precision reference written
here (exact rationals and 60-digit decimals, the textbook definitions with nothing clever), and properties."""
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustops.workforce import staffing

getcontext().prec = 60


# ---- the reference: definitions, term by term, in exact or 60-digit arithmetic ----

def ref_erlang_b(c: int, load) -> Decimal:
    """Erlang B by its defining sum (A^c/c!) / Σ_{k≤c} A^k/k!, in decimals, term by term."""
    a, term, total = Decimal(load), Decimal(1), Decimal(1)
    for k in range(1, c + 1):
        term = term * a / k
        total += term
    return term / total


def ref_erlang_c(c: int, load, aht, answer):
    """P(wait), service level within `answer` and ASA of M/M/c from the definitions (Erlang 1917; any queueing text)."""
    a = Decimal(load)
    b = ref_erlang_b(c, a)
    rho = a / c
    wait = b / (1 - rho * (1 - b))
    spare = (c - a) / Decimal(aht)
    return wait, 1 - wait * (-spare * Decimal(answer)).exp(), wait / spare


def ref_erlang_a(c: int, lam, aht, patience, answer, tail=400):
    """M/M/c+M from its birth–death chain (Palm 1943): death rate min(n,c)/AHT + max(0, n−c)/patience, truncated
    far in the tail. P(wait) by PASTA; P(abandon) = θ·E[queue]/λ; answered within t by the offered wait of an
    arrival that finds j waiting, a sum of exponentials with rates cμ + kθ (k = j … 0), and the caller's own
    patience: P(answered by t | j) = Σ_k C_k r_k (1 − e^(−(r_k+θ)t)) / (r_k + θ)."""
    getcontext().prec = 250      # the alternating sum over rates below cancels heavily
    lam, mu, theta = Decimal(lam), 1 / Decimal(aht), 1 / Decimal(patience)
    weights = [Decimal(1)]
    for n in range(1, c + tail):
        weights.append(weights[-1] * lam / (min(n, c) * mu + max(0, n - c) * theta))
    total = sum(weights)
    p = [w / total for w in weights]
    wait = sum(p[c:])
    abandon = theta * sum((n - c) * p[n] for n in range(c, len(p))) / lam
    t = Decimal(answer)
    answered_late = Decimal(0)
    for j in range(0, tail):
        if p[c + j] < Decimal("1e-40"):
            break
        rates = [c * mu + k * theta for k in range(j + 1)]
        within = Decimal(0)
        for k, r in enumerate(rates):
            coefficient = Decimal(1)
            for m, other in enumerate(rates):
                if m != k:
                    coefficient *= other / (other - r)
            within += coefficient * r * (1 - (-(r + theta) * t).exp()) / (r + theta)
        answered_late += p[c + j] * within
    getcontext().prec = 60
    return wait, 1 - wait + answered_late, abandon


def close(value, reference, rel=1e-9):
    return float(value) == pytest.approx(float(reference), rel=rel, abs=1e-13)


# ---- published worked examples ----

def test_the_call_centre_helper_example():
    # Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    # (callcentrehelper.com/erlang-c-formula-example-121281.htm), reproduced in pyworkforce's README: 100 calls
    # in 30 minutes, AHT 180 s (A = 10 erlangs), 80% answered within 20 s, maximum occupancy 85%, shrinkage 30%
    # → 14 agents on the floor, 20 scheduled; with 14: service level 0.8884, P(wait) 0.1741, occupancy 0.7143.
    result = staffing.solve(100, 180, 1800, service_level=0.8, answer_seconds=20, max_occupancy=0.85)
    assert result.model == "erlang_c" and float(result.load) == 10.0
    assert int(result.agents) == 14
    assert int(staffing.scheduled_agents(result.agents, 0.3)) == 20
    assert float(result.service_level) == pytest.approx(0.8884, abs=5e-5)
    assert float(result.wait_probability) == pytest.approx(0.1741, abs=5e-5)
    assert float(result.occupancy) == pytest.approx(0.7143, abs=5e-5)
    # 13 agents fall just short (79.56%), which is why the example needs 14; checked against the reference.
    for agents in range(11, 16):
        measures = staffing.evaluate(agents, 100, 180, 1800, answer_seconds=20)
        wait, sl, asa = ref_erlang_c(agents, 10, 180, 20)
        assert close(measures.wait_probability, wait) and close(measures.service_level, sl)
        assert close(measures.asa_seconds, asa)
    assert float(staffing.evaluate(13, 100, 180, 1800, answer_seconds=20).service_level) < 0.8


@pytest.mark.parametrize("trunks, erlangs", [(10, 4.46), (20, 12.03), (100, 84.06)])
def test_erlang_b_table_at_one_percent_blocking(trunks, erlangs):
    # Erlang B tables (grade of service 1%), e.g. the traffic tables of any teletraffic handbook: the load that
    # 10, 20 and 100 circuits carry at 1% blocking, printed to two decimals. Our B crosses 1% inside that rounding.
    low, high = staffing.erlang_b(trunks, erlangs - 0.005), staffing.erlang_b(trunks, erlangs + 0.005)
    assert low <= 0.01 <= high
    assert close(staffing.erlang_b(trunks, erlangs), ref_erlang_b(trunks, erlangs), rel=1e-12)


def test_erlang_a_with_patience_equal_to_handle_time_is_a_poisson_queue():
    # With θ = μ every customer in the system leaves at the same rate whether served or waiting, so the number in
    # the system is Poisson(A) (an M/M/∞ queue): P(wait) = P(N ≥ c) exactly (Garnett, Mandelbaum & Reiman 2002, §2).
    from scipy import stats
    agents = np.arange(1, 30)
    measures = staffing.evaluate(agents, 100, 180, 1800, patience_seconds=180)
    np.testing.assert_allclose(measures.wait_probability, stats.poisson.sf(agents - 1, 10.0), rtol=1e-10)


@pytest.mark.parametrize("agents", [6, 10, 13, 16])
@pytest.mark.parametrize("patience", [60, 300, 900])
def test_erlang_a_against_its_birth_death_chain(agents, patience):
    lam = Fraction(100, 1800)
    wait, sl, abandon = ref_erlang_a(agents, lam.numerator / Decimal(lam.denominator), 180, patience, 20)
    measures = staffing.evaluate(agents, 100, 180, 1800, answer_seconds=20, patience_seconds=patience)
    assert close(measures.wait_probability, wait, rel=1e-9)
    assert close(measures.abandonment, abandon, rel=1e-8)
    assert close(measures.service_level, sl, rel=1e-9)
    assert close(measures.asa_seconds, abandon * patience, rel=1e-8)   # E[W] = P(abandon)/θ
    assert close(measures.occupancy, 10 * (1 - abandon) / agents, rel=1e-9)


def test_erlang_a_needs_fewer_agents_and_works_when_load_exceeds_agents():
    # Garnett, Mandelbaum & Reiman (2002): with impatient callers a queue is stable for any number of agents, and
    # the same service level needs fewer agents than Erlang C says.
    c = staffing.solve(100, 180, 1800, service_level=0.8, answer_seconds=20, max_occupancy=0.85)
    a = staffing.solve(100, 180, 1800, service_level=0.8, answer_seconds=20, max_occupancy=0.85,
                       patience_seconds=300)
    assert int(a.agents) < int(c.agents)
    overloaded = staffing.evaluate(8, 100, 180, 1800, patience_seconds=300)
    assert 0 < float(overloaded.abandonment) < 1 and float(overloaded.occupancy) < 1
    assert float(staffing.evaluate(8, 100, 180, 1800).service_level) == 0.0   # Erlang C: the queue explodes


def test_every_target_kind_and_the_occupancy_cap():
    wait = staffing.solve(100, 180, 1800, max_wait_probability=0.2)
    asa = staffing.solve(100, 180, 1800, max_asa_seconds=30)
    for result, measure, limit in ((wait, "wait_probability", 0.2), (asa, "asa_seconds", 30)):
        agents = int(result.agents)
        assert getattr(result, measure) <= limit
        assert getattr(staffing.evaluate(agents - 1, 100, 180, 1800), measure) > limit
    # A lax target leaves the occupancy cap to decide: ⌈10 / 0.5⌉ = 20.
    assert int(staffing.solve(100, 180, 1800, max_wait_probability=0.9, max_occupancy=0.5).agents) == 20
    both = staffing.solve(100, 180, 1800, service_level=0.8, answer_seconds=20, max_wait_probability=0.1)
    assert int(both.agents) == max(14, int(staffing.solve(100, 180, 1800, max_wait_probability=0.1).agents))


def test_rounding_never_adds_an_agent():
    assert int(staffing.scheduled_agents(14, 0.3)) == 20                # 14 / 0.7 = 20.000000000000004 in floats
    assert int(staffing.scheduled_agents(7, 0.3)) == 10
    assert int(staffing.scheduled_agents(15, 0.3)) == 22
    # A = 8.5 erlangs at most 85% busy: 10 agents, although 8.5 / 0.85 is 10.000000000000002 in floats.
    assert int(staffing.solve(85, 180, 1800, max_wait_probability=0.99, max_occupancy=0.85).agents) == 10


def test_zero_volume_needs_nobody():
    result = staffing.solve(0, 180, 1800, service_level=0.8, answer_seconds=20)
    assert int(result.agents) == 0 and float(result.service_level) == 1.0 and float(result.occupancy) == 0.0


def test_many_intervals_at_once_match_one_by_one():
    volume = np.array([[0, 5, 100, 2500], [40, 900, 12000, 1]])
    many = staffing.solve(volume, 240, 1800, service_level=0.9, answer_seconds=30, max_occupancy=0.9)
    for index, v in np.ndenumerate(volume):
        one = staffing.solve(float(v), 240, 1800, service_level=0.9, answer_seconds=30, max_occupancy=0.9)
        assert int(many.agents[index]) == int(one.agents)


def test_a_solve_beyond_the_agent_limit_refuses():
    with pytest.raises(staffing.StaffingLimit):
        staffing.solve(10 ** 8, 180, 1800, service_level=0.8, answer_seconds=20)


# ---- properties ----

loads = st.floats(min_value=0.05, max_value=3000)
answers = st.floats(min_value=0, max_value=300)


@settings(max_examples=60, deadline=None)
@given(load=loads, aht=st.floats(min_value=10, max_value=3600), answer=answers,
       patience=st.one_of(st.none(), st.floats(min_value=5, max_value=1e6)))
def test_more_agents_never_serve_worse(load, aht, answer, patience):
    volume = load * 1800 / aht
    start = int(load * 0.5)
    agents = np.arange(max(1, start), start + 60 + int(3 * load ** 0.5))
    m = staffing.evaluate(agents, volume, aht, 1800, answer_seconds=answer, patience_seconds=patience)
    slack = 1e-12
    assert (np.diff(m.wait_probability) <= slack).all()
    assert (np.diff(m.service_level) >= -slack).all()
    assert (np.diff(m.asa_seconds[np.isfinite(m.asa_seconds)]) <= slack * 1e3).all()
    assert (np.diff(m.occupancy) <= slack).all()
    assert (np.diff(m.abandonment) <= slack).all()
    for values in (m.wait_probability, m.service_level, m.occupancy, m.abandonment):
        assert np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()


@settings(max_examples=25, deadline=None)
@given(load=st.floats(min_value=4000, max_value=20000), target=st.floats(min_value=0.5, max_value=0.99))
def test_stable_at_thousands_of_agents(load, target):
    # Loads of thousands of erlangs: the answer is the smallest c meeting the target, checked on the spot with
    # the 60-digit reference for c and c − 1 (the textbook sum, which no float implementation survives here).
    result = staffing.solve(load * 10, 180, 1800, service_level=target, answer_seconds=20)
    c = int(result.agents)
    assert c > load
    _, sl, _ = ref_erlang_c(c, Decimal(load), 180, 20)
    assert sl >= Decimal(target) - Decimal("1e-9")
    assert close(result.service_level, sl, rel=1e-9)
    if c - 1 > load:
        _, below, _ = ref_erlang_c(c - 1, Decimal(load), 180, 20)
        assert below < Decimal(target) + Decimal("1e-9")


@settings(max_examples=40, deadline=None)
@given(load=st.floats(min_value=0.5, max_value=2000), extra=st.floats(min_value=0.2, max_value=5),
       answer=answers)
def test_erlang_a_becomes_erlang_c_as_patience_grows(load, extra, answer):
    agents = int(load + extra * load ** 0.5) + 1
    volume = load * 1800 / 180
    c = staffing.evaluate(agents, volume, 180, 1800, answer_seconds=answer)
    previous = None
    for patience in (1e3, 1e5, 1e7):
        a = staffing.evaluate(agents, volume, 180, 1800, answer_seconds=answer, patience_seconds=patience)
        gap = abs(float(a.wait_probability) - float(c.wait_probability))
        assert float(a.wait_probability) <= float(c.wait_probability) + 1e-12
        if previous is not None:
            assert gap <= previous + 1e-12
        previous = gap
    assert float(a.wait_probability) == pytest.approx(float(c.wait_probability), rel=1e-3, abs=1e-9)
    assert float(a.service_level) == pytest.approx(float(c.service_level), rel=1e-3, abs=1e-9)
    assert float(a.asa_seconds) == pytest.approx(float(c.asa_seconds), rel=1e-2, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(load=st.floats(min_value=0.1, max_value=1500), sl=st.floats(min_value=0.05, max_value=0.99),
       answer=answers, patience=st.one_of(st.none(), st.floats(min_value=10, max_value=3600)),
       occupancy=st.floats(min_value=0.3, max_value=1.0))
def test_the_solution_is_the_smallest_that_meets_the_target(load, sl, answer, patience, occupancy):
    volume = load * 1800 / 300
    kwargs = {"answer_seconds": answer, "patience_seconds": patience}
    result = staffing.solve(volume, 300, 1800, service_level=sl, max_occupancy=occupancy, **kwargs)
    c = int(result.agents)
    assert float(result.service_level) >= sl - 1e-12 and float(result.occupancy) <= occupancy + 1e-12
    if c > 1:
        below = staffing.evaluate(c - 1, volume, 300, 1800, **kwargs)
        assert float(below.service_level) < sl or float(below.occupancy) > occupancy


def test_erlang_a_gives_no_nan_where_almost_nobody_is_answered_late():
    """Found by the monotonicity property: 1 erlang, 10 s handle time, 5 s patience, 159 s to answer."""
    m = staffing.evaluate(np.arange(1, 60), 180.0, 10.0, 1800, answer_seconds=159.0, patience_seconds=5.0)
    assert np.isfinite(m.service_level).all() and (np.diff(m.service_level) >= -1e-12).all()
