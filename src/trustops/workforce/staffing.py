"""Staffing mathematics: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M), vectorised over intervals.

Pure numpy/scipy, no Django: the planning code and the API call it, and a week's plan of many queues is solved
in one call. Every argument broadcasts (scalars or arrays of one shape); times are in seconds.

Numerical stability: no factorials. Erlang B comes from the Poisson probability and distribution function
(log-space, with the Stirling remainder written out so that no two large numbers are subtracted) or from the
stable recursion B(k) = A·B(k−1) / (k + A·B(k−1)); Erlang A's ratio J = 1F1(1; b+1; x) from the regularised
incomplete gamma function where it is representable, and from a Gauss–Laguerre integral where it is not. Loads
and agent counts in the thousands are routine; MAX_AGENTS bounds a solve so that a wrong input cannot run away.
See docs/concepts/workforce.md for the formulas and their sources.
"""
from dataclasses import dataclass

import numpy as np
from scipy import special

# The largest number of agents one interval of one queue may need; above it a solve refuses (a 422 in the API).
MAX_AGENTS = 100_000
# Values this close (relatively) to a whole number are that whole number: 14 / 0.7 is 20 agents, not 21.
WHOLE_TOLERANCE = 1e-9
# Targets are compared with this slack, so that rounding in the last bits never adds an agent.
TARGET_TOLERANCE = 1e-12

_LAGUERRE_Y, _LAGUERRE_W = np.polynomial.laguerre.laggauss(64)
_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


class StaffingLimit(ValueError):
    """A solve that would need more than MAX_AGENTS agents; `field` names the input to blame."""

    def __init__(self, message: str, field: str = "volume"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Staffing:
    """Measures for each interval (arrays of the inputs' broadcast shape)."""
    model: str                      # "erlang_c" or "erlang_a"
    agents: np.ndarray              # agents on the floor (int)
    load: np.ndarray                # offered load, erlangs
    wait_probability: np.ndarray    # P(an arrival finds every agent busy)
    service_level: np.ndarray       # share of all arrivals answered within the answer time
    asa_seconds: np.ndarray         # mean time in queue (inf when the queue grows without bound)
    occupancy: np.ndarray           # handled load / agents
    abandonment: np.ndarray         # share of arrivals that hang up before an answer (0 in Erlang C)


# ---- building blocks ----

def ceil_whole(x) -> np.ndarray:
    """⌈x⌉, except that a value within WHOLE_TOLERANCE of a whole number is that number."""
    x = np.asarray(x, dtype=float)
    return np.ceil(x - WHOLE_TOLERANCE * np.maximum(1.0, np.abs(x))).astype(np.int64)


def scheduled_agents(agents, shrinkage) -> np.ndarray:
    """Agents to schedule so that `agents` remain on the floor after shrinkage: ⌈agents / (1 − shrinkage)⌉."""
    return ceil_whole(np.asarray(agents, dtype=float) / (1.0 - np.asarray(shrinkage, dtype=float)))


def _x_minus_log1p(u):
    """u − log(1 + u) for u > −1, without cancellation near 0."""
    u = np.asarray(u, dtype=float)
    small = np.abs(u) < 0.01
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = u - np.log1p(u)
    series = np.zeros_like(u)
    power = u * u
    for k in range(2, 14):
        series += (1 if k % 2 == 0 else -1) * power / k
        power = power * u
    return np.where(small, series, direct)


def _stirling_remainder(b):
    """log Γ(b+1) − (b log b − b + ½ log 2πb), for b > 0."""
    b = np.asarray(b, dtype=float)
    large = b >= 10
    safe = np.where(large, b, 10.0)
    inv, inv2 = 1 / safe, 1 / (safe * safe)
    series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))))
    small = np.where(large, 1.0, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = special.gammaln(small + 1) - (special.xlogy(small, small) - small + 0.5 * np.log(small)
                                               + _HALF_LOG_2PI)
    return np.where(large, series, direct)


def _log_ratio(b, x):
    """L(b, x) = x − b log x + log Γ(b+1) = −log(Poisson pmf of b at mean x), for b > 0, x > 0, stably."""
    b, x = np.asarray(b, dtype=float), np.asarray(x, dtype=float)
    return (b * _x_minus_log1p((x - b) / b) + 0.5 * np.log(b) + _HALF_LOG_2PI + _stirling_remainder(b))


def erlang_b(agents, load) -> np.ndarray:
    """Erlang B blocking probability B(c, A) for integer c ≥ 0 and A ≥ 0 (vectorised, no factorials)."""
    c, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    out = np.where(c == 0, 1.0, 0.0)
    live = (c > 0) & (a > 0)
    if not live.any():
        return out
    cl, al = c[live], a[live]
    cdf = special.pdtr(cl, al)
    direct = cdf > 1e-250
    result = np.empty_like(cl)
    with np.errstate(divide="ignore"):
        result[direct] = np.exp(-_log_ratio(cl[direct], al[direct]) - np.log(cdf[direct]))
    if (~direct).any():
        # Far fewer agents than load: 1/B = Σ_j c(c−1)…(c−j+1) / A^j converges (ratio ≤ c/A < 1).
        cf, af = cl[~direct], al[~direct]
        total, term = np.ones_like(cf), np.ones_like(cf)
        for j in range(int(cf.max()) + 1):
            term = term * np.maximum(cf - j, 0) / af
            total += term
            if (term < 1e-17 * total).all():
                break
        result[~direct] = 1 / total
    out[live] = result
    return out


def _log_j(b, x):
    """log J(b, x), J = Σ_j Π_{k=1..j} x/(b+k) = b·e^x·x^(−b)·γ(b, x) = 1F1(1; b+1; x), for b > 0, x ≥ 0."""
    b, x = np.broadcast_arrays(np.asarray(b, dtype=float), np.asarray(x, dtype=float))
    out = np.zeros(b.shape)
    gap = b - x
    with np.errstate(divide="ignore", invalid="ignore"):
        flat = (gap > 0) & (x <= 0.005 * gap * gap)
    # Where x is well below b, P(b, x) underflows, but J = b/(b−x) ∫ e^(−y) g(y) dy with a smooth g.
    if flat.any():
        bf, xf, gf = b[flat], x[flat], gap[flat]
        s = _LAGUERRE_Y[None, :] / gf[:, None]
        bend = np.where(s < 1e-3, s * s * (0.5 - s * (1 / 6 - s / 24)), s + np.expm1(-s))   # s − 1 + e^(−s)
        integral = np.exp(-xf[:, None] * bend) @ _LAGUERRE_W
        out[flat] = np.log(bf) - np.log(gf) + np.log(integral)
    rest = ~flat & (x > 0)
    if rest.any():
        br, xr = b[rest], x[rest]
        out[rest] = _log_ratio(br, xr) + np.log(special.gammainc(br, xr))
    # J ≥ 1 always; rounding can leave log J a hair below 0, and log(expm1(·)) of that is NaN.
    return np.maximum(out, 0.0)


# ---- the two models at a given number of agents ----

def _measures_c(c, lam, aht, answer):
    a = lam * aht
    c = c.astype(float)
    stable = c > a
    rho = np.where(stable, a / np.where(c > 0, c, 1), 1.0)
    blocking = erlang_b(c, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(stable, blocking / (1 - rho * (1 - blocking)), 1.0)
        spare = np.where(stable, (c - a) / aht, 0.0)
        sl = np.where(stable, 1 - wait * np.exp(-spare * answer), 0.0)
        asa = np.where(stable, wait / np.where(stable, spare, 1.0), np.inf)
    wait = np.where(a == 0, 0.0, wait)
    return wait, np.where(a == 0, 1.0, sl), np.where(a == 0, 0.0, asa), np.minimum(rho, 1.0) * (a > 0), \
        np.zeros_like(wait)


def _measures_a(c, lam, aht, answer, patience):
    """Erlang A (Palm; Garnett, Mandelbaum & Reiman 2002) at c ≥ 1 agents, λ > 0, finite patience."""
    mu, theta = 1 / aht, 1 / patience
    c = c.astype(float)
    a = lam * aht
    b, x = c * mu / theta, lam / theta
    rho = x / b
    log_j = _log_j(b, x)
    blocking = erlang_b(c, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # P(W>0) = J·E / (1 + (J−1)·E), written so that neither a huge J nor a tiny E overflows.
        wait = 1 / (1 + np.exp(np.log1p(-blocking) - np.log(blocking) - log_j))
        served_given_wait = -np.expm1(-log_j) / rho
        abandon = np.clip(wait * (1 - served_given_wait), 0.0, 1.0)
        # Answered after waiting longer than t: P(W>0)/(ρJ) · (J(b, x·e^(−θt)) − 1) · e^(x(1−e^(−θt)) − cμt).
        late_x = x * np.exp(-theta * answer)
        log_late = (np.log(wait) - np.log(rho) - log_j + np.log(np.expm1(_log_j(b, late_x)))
                    + x * -np.expm1(-theta * answer) - c * mu * answer)
        late = np.where(wait > 0, np.exp(log_late), 0.0)
    sl = np.clip(1 - abandon - late, 0.0, 1.0)
    asa = abandon / theta                    # E[W] = P(abandon)/θ (Little's law for the abandoning stream)
    occupancy = np.minimum(a * (1 - abandon) / c, 1.0)
    return np.clip(wait, 0.0, 1.0), sl, asa, occupancy, abandon


def _inputs(volume, aht_seconds, interval_seconds, answer_seconds, patience_seconds):
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in
                                   (volume, aht_seconds, interval_seconds, answer_seconds, patience_seconds)))
    volume, aht, interval, answer, patience = arrays
    return volume / interval, aht, answer, patience


def evaluate(agents, volume, aht_seconds, interval_seconds, *, answer_seconds=20.0, patience_seconds=None) -> Staffing:
    """The measures with `agents` on the floor; Erlang A where patience_seconds is given, else Erlang C."""
    erlang_a = patience_seconds is not None
    lam, aht, answer, patience = _inputs(volume, aht_seconds, interval_seconds, answer_seconds,
                                         patience_seconds if erlang_a else np.inf)
    agents, lam, aht, answer, patience = np.broadcast_arrays(np.asarray(agents, dtype=np.int64), lam, aht, answer,
                                                             patience)
    shape = lam.shape
    c = agents.ravel().copy()
    flat = [v.ravel() for v in (lam, aht, answer)]
    measures = _measures_a_safe(c, *flat, patience.ravel()) if erlang_a else _measures_c(c, *flat)
    return Staffing("erlang_a" if erlang_a else "erlang_c", c.reshape(shape), lam * aht,
                    *(m.reshape(shape) for m in measures))


def _measures_a_safe(c, lam, aht, answer, patience):
    """Erlang A, with the degenerate cases spelled out: no arrivals, or no agents (everyone abandons)."""
    wait, sl, asa, occ, abandon = (np.zeros(c.shape) for _ in range(5))
    sl[:] = 1.0
    live = (lam > 0) & (c > 0)
    if live.any():
        for out, value in zip((wait, sl, asa, occ, abandon),
                              _measures_a(c[live], lam[live], aht[live], answer[live], patience[live])):
            out[live] = value
    nobody = (lam > 0) & (c == 0)
    wait[nobody], sl[nobody], asa[nobody], occ[nobody], abandon[nobody] = 1.0, 0.0, patience[nobody], 0.0, 1.0
    return wait, sl, asa, occ, abandon


# ---- solving for the fewest agents ----

def _meets(measures, service_level, max_wait, max_asa, max_occupancy):
    wait, sl, asa, occ, _ = measures
    return ((sl >= service_level - TARGET_TOLERANCE) & (wait <= max_wait + TARGET_TOLERANCE)
            & (asa <= max_asa * (1 + TARGET_TOLERANCE)) & (occ <= max_occupancy + TARGET_TOLERANCE))


def _solve_c(lam, aht, answer, service_level, max_wait, max_asa, max_occupancy):
    """Smallest c per interval under Erlang C: start where c > A and the occupancy cap holds, then step up
    with the Erlang B recursion, only on the intervals not yet satisfied."""
    a = lam * aht
    c = np.maximum(np.floor(a) + 1, ceil_whole(a / max_occupancy)).astype(np.int64)
    c = np.where(a == 0, 0, c)
    if (c > MAX_AGENTS).any():
        raise StaffingLimit(f"the offered load needs more than {MAX_AGENTS:,} agents in one interval")
    blocking = erlang_b(c, a)
    todo = np.flatnonzero(a > 0)
    while todo.size:
        ct, at, bt = c[todo].astype(float), a[todo], blocking[todo]
        wait = bt / (1 - at / ct * (1 - bt))
        spare = (ct - at) / aht[todo]
        ok = ((1 - wait * np.exp(-spare * answer[todo]) >= service_level[todo] - TARGET_TOLERANCE)
              & (wait <= max_wait[todo] + TARGET_TOLERANCE)
              & (wait / spare <= max_asa[todo] * (1 + TARGET_TOLERANCE)))
        todo = todo[~ok]
        if not todo.size:
            break
        c[todo] += 1
        if c[todo].max() > MAX_AGENTS:
            raise StaffingLimit(f"meeting the target needs more than {MAX_AGENTS:,} agents in one interval")
        ab = a[todo] * blocking[todo]
        blocking[todo] = ab / (c[todo] + ab)
    return c


def _solve_a(lam, aht, answer, patience, service_level, max_wait, max_asa, max_occupancy):
    """Smallest c per interval under Erlang A, by bisection: the Erlang C answer always suffices (abandonment
    only shortens the queue), every measure is monotone in c, and no agents never serve anyone."""
    hi = _solve_c(lam, aht, answer, service_level, max_wait, max_asa, max_occupancy)
    lo = np.zeros_like(hi)
    open_ = np.flatnonzero(hi - lo > 1)
    while open_.size:
        mid = (lo[open_] + hi[open_]) // 2
        measures = _measures_a(mid, lam[open_], aht[open_], answer[open_], patience[open_])
        ok = _meets(measures, service_level[open_], max_wait[open_], max_asa[open_], max_occupancy[open_])
        hi[open_[ok]] = mid[ok]
        lo[open_[~ok]] = mid[~ok]
        open_ = open_[hi[open_] - lo[open_] > 1]
    return hi


def solve(volume, aht_seconds, interval_seconds, *, service_level=None, answer_seconds=20.0,
          max_wait_probability=None, max_asa_seconds=None, max_occupancy=1.0, patience_seconds=None) -> Staffing:
    """The fewest agents meeting every given target and the occupancy cap, and the measures they achieve.

    Targets: `service_level` (share answered within `answer_seconds`), `max_wait_probability`,
    `max_asa_seconds`; any combination, at least one. Erlang A where `patience_seconds` is given.
    """
    if service_level is None and max_wait_probability is None and max_asa_seconds is None:
        raise ValueError("give at least one target")
    erlang_a = patience_seconds is not None
    lam, aht, answer, patience = _inputs(volume, aht_seconds, interval_seconds, answer_seconds,
                                         patience_seconds if erlang_a else np.inf)
    shape = lam.shape
    targets = [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in
               (0.0 if service_level is None else service_level,
                np.inf if max_wait_probability is None else max_wait_probability,
                np.inf if max_asa_seconds is None else max_asa_seconds, max_occupancy)]
    flat = [v.ravel() for v in (lam, aht, answer, patience, *targets)]
    if erlang_a:
        agents = _solve_a(*flat)
    else:
        agents = _solve_c(*flat[:3], *flat[4:])
    return evaluate(agents.reshape(shape), volume, aht_seconds, interval_seconds, answer_seconds=answer_seconds,
                    patience_seconds=patience_seconds)
