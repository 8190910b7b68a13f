"""The allocation optimiser: agents per vendor × queue × interval at the least expected cost.

Pure numpy/scipy (`scipy.optimize.milp`, HiGHS), no Django. The formulation, with x[v,q,t] the whole agents
vendor v puts on queue q in interval t (only where v has every language and skill q needs) and s[q,t,k] ≥ 0 the
agents short of scenario k's need:

    minimise   Σ x[v,q,t] · (price[v,q] + error[v,q,t])  +  Σ_k p_k · Σ credit[q] · s[q,t,k]
    subject to Σ_v x[v,q,t] + s[q,t,k] ≥ need[q,t,k]           every scenario k (shortfall costs credits)
               Σ_v x[v,q,t] ≥ need[q,t,base]                   every queue meets its SLA target at the base
                                                               scenario (the forecast's median)
               Σ_v x[v,q,t] ≥ need[q,t,legal]                  queues on a legal clock: no shortfall allowed at
                                                               the scenario named `legal` (a chance constraint)
               min[v] ≤ Σ_q x[v,q,t] ≤ max[v]                  each vendor's floor in every interval
               Σ_{q severe} x[v,q,t] ≤ cap · Σ_q x[v,q,t]      exposure: at most `cap` of a vendor's floor on
                                                               severe queues at once, so rotation keeps each
                                                               agent's share of severe work under the cap

where price is the vendor's price of one agent-interval (per productive hour × the interval, or per decision ×
the decisions an agent handles in it) and error the expected cost of its wrong decisions there:
(1 − accuracy) × decisions per agent-interval × the queue's cost of an error. Scenarios are the forecast's
quantiles with the probabilities of the bands they stand for. The answer is explained: the cost broken down,
the constraints that bind (no slack left), the vendors left out of a queue and why.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

TOLERANCE = 1e-6


@dataclass(frozen=True)
class VendorTerms:
    key: str
    price: dict[str, float]                 # queue key → price of one agent-interval (missing: not offered)
    accuracy: dict[str, float] = field(default_factory=dict)    # queue key → audited accuracy (lower bound)
    languages: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    min_agents: int = 0
    max_agents: int | None = None


@dataclass(frozen=True)
class QueueNeed:
    key: str
    need: dict[str, list[float]]            # scenario name → agents needed per interval
    decisions_per_agent: list[float]        # decisions one agent handles per interval
    credit: float                           # cost of one agent-interval short (expected service credits)
    error_cost: float = 0.0                 # cost of one wrong decision
    legal: str | None = None                # scenario that must be fully staffed (a legal clock), or None
    severe: bool = False
    languages: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Problem:
    vendors: list[VendorTerms]
    queues: list[QueueNeed]
    scenarios: dict[str, float]             # scenario name → probability (sums to 1)
    exposure_cap: float = 1.0               # share of a vendor's floor allowed on severe queues at once
    base: str | None = None                 # scenario every queue must staff fully (None: credits decide)
    time_limit: float = 20.0


def eligibility(vendor: VendorTerms, queue: QueueNeed) -> str:
    """Why a vendor may not work a queue, or "" when it may."""
    if queue.key not in vendor.price:
        return "no offer for this queue"
    missing = sorted(queue.languages - vendor.languages)
    if missing:
        return f"lacks language {', '.join(missing)}"
    missing = sorted(queue.skills - vendor.skills)
    if missing:
        return f"lacks skill {', '.join(missing)}"
    return ""


def _check(problem: Problem) -> int:
    if not problem.vendors or not problem.queues:
        raise ValueError("vendors and queues: at least one of each")
    if abs(sum(problem.scenarios.values()) - 1) > 1e-6 or any(p < 0 for p in problem.scenarios.values()):
        raise ValueError("scenarios: probabilities that sum to 1")
    if not 0 < problem.exposure_cap <= 1:
        raise ValueError("exposure_cap: above 0, at most 1")
    lengths = {len(values) for q in problem.queues for values in [*q.need.values(), q.decisions_per_agent]}
    if len(lengths) != 1:
        raise ValueError("every queue's needs and decisions cover the same intervals")
    for q in problem.queues:
        if set(q.need) != set(problem.scenarios):
            raise ValueError(f"queue {q.key}: a need for every scenario")
        if problem.base is not None and problem.base not in problem.scenarios:
            raise ValueError(f"base scenario {problem.base!r} unknown")
        if q.legal is not None and q.legal not in problem.scenarios:
            raise ValueError(f"queue {q.key}: legal scenario {q.legal!r} unknown")
        if any(v < 0 for values in q.need.values() for v in values) or q.credit < 0 or q.error_cost < 0:
            raise ValueError(f"queue {q.key}: needs, credits and error costs are not negative")
    for v in problem.vendors:
        if v.max_agents is not None and v.max_agents < v.min_agents:
            raise ValueError(f"vendor {v.key}: max_agents below min_agents")
        if any(p < 0 for p in v.price.values()) or any(not 0 <= a <= 1 for a in v.accuracy.values()):
            raise ValueError(f"vendor {v.key}: prices not negative, accuracy within 0..1")
    return lengths.pop()


def solve(problem: Problem) -> dict:
    T = _check(problem)
    V, Q = problem.vendors, problem.queues
    pairs = [(i, j) for i, v in enumerate(V) for j, q in enumerate(Q) if not eligibility(v, q)]
    excluded = [{"vendor": v.key, "queue": q.key, "reason": eligibility(v, q)}
                for v in V for q in Q if eligibility(v, q) and q.key in v.price]
    names = list(problem.scenarios)
    nx, ns = len(pairs) * T, len(Q) * T * len(names)
    xi = {pair: n for n, pair in enumerate(pairs)}        # x index = xi[pair] * T + t

    def x(pair, t):
        return xi[pair] * T + t

    def s(j, t, k):
        return nx + (j * T + t) * len(names) + k

    price, error = np.zeros(nx), np.zeros(nx)
    for (i, j), n in xi.items():
        v, q = V[i], Q[j]
        per_agent = np.asarray(q.decisions_per_agent, dtype=float)
        price[n * T:(n + 1) * T] = v.price[q.key]
        error[n * T:(n + 1) * T] = (1 - v.accuracy.get(q.key, 1.0)) * per_agent * q.error_cost
    credit = np.zeros(ns)
    for j, q in enumerate(Q):
        for t in range(T):
            for k, name in enumerate(names):
                credit[s(j, t, k) - nx] = problem.scenarios[name] * q.credit
    cost = np.concatenate([price + error, credit])

    rows, cols, vals, lower, upper, labels = [], [], [], [], [], []

    def add(entries, lo, hi, label):
        r = len(lower)
        for c, value in entries:
            rows.append(r)
            cols.append(c)
            vals.append(value)
        lower.append(lo)
        upper.append(hi)
        labels.append(label)

    for j, q in enumerate(Q):
        staffed = [(i, j) for i in range(len(V)) if (i, j) in xi]
        for t in range(T):
            for k, name in enumerate(names):
                add([(x(p, t), 1) for p in staffed] + [(s(j, t, k), 1)], q.need[name][t], np.inf,
                    ("cover", q.key, t, name))
            if q.legal is not None:
                add([(x(p, t), 1) for p in staffed], q.need[q.legal][t], np.inf, ("legal", q.key, t))
            if problem.base is not None and problem.base != q.legal:
                add([(x(p, t), 1) for p in staffed], q.need[problem.base][t], np.inf, ("base", q.key, t))
    cap = problem.exposure_cap
    for i, v in enumerate(V):
        mine = [(i, j) for j in range(len(Q)) if (i, j) in xi]
        if not mine:
            continue
        for t in range(T):
            add([(x(p, t), 1) for p in mine], v.min_agents, np.inf if v.max_agents is None else v.max_agents,
                ("floor", v.key, t))
            if cap < 1 and any(Q[j].severe for _, j in mine):
                add([(x(p, t), (1 - cap) if Q[p[1]].severe else -cap) for p in mine], -np.inf, 0,
                    ("exposure", v.key, t))
    if not lower:
        raise ValueError("nothing to allocate")
    matrix = sparse.csr_array((vals, (rows, cols)), shape=(len(lower), nx + ns))
    integrality = np.concatenate([np.ones(nx), np.zeros(ns)])
    result = milp(cost, constraints=LinearConstraint(matrix, lower, upper), integrality=integrality,
                  bounds=(0, np.inf), options={"time_limit": problem.time_limit, "disp": False})
    if result.x is None:
        return {"status": "infeasible" if result.status == 2 else "no_solution", "message": result.message,
                "excluded": excluded, "binding": _infeasible_hints(problem, pairs)}
    solution = np.round(result.x[:nx]).astype(int)
    short = result.x[nx:]
    activity = matrix @ np.concatenate([solution, short])
    return _explain(problem, pairs, xi, T, names, solution, short, price, error, credit, activity,
                    np.asarray(lower), np.asarray(upper), labels, excluded, result)


def _infeasible_hints(problem: Problem, pairs) -> list[str]:
    hints = []
    for j, q in enumerate(problem.queues):
        if not any(pj == j for _, pj in pairs):
            hints.append(f"no eligible vendor for queue {q.key}")
        else:
            room = sum(problem.vendors[i].max_agents or np.inf for i, pj in pairs if pj == j)
            for scenario, what in ((q.legal, "the legal clock"), (problem.base, "the SLA target")):
                peak = max(q.need[scenario]) if scenario is not None else 0
                if peak > room:
                    hints.append(f"queue {q.key}: {what} needs {peak:g} agents; vendors' maxima allow {room:g}")
                    break
    return hints or ["the vendors' maxima, minima and the exposure cap cannot all hold"]


def _explain(problem, pairs, xi, T, names, solution, short, price, error, credit, activity, lower, upper,
             labels, excluded, result) -> dict:
    V, Q = problem.vendors, problem.queues
    allocation = []
    for (i, j), n in xi.items():
        agents = solution[n * T:(n + 1) * T]
        if agents.any():
            allocation.append({"vendor": V[i].key, "queue": Q[j].key, "agents": agents.tolist(),
                               "agent_intervals": int(agents.sum()),
                               "price": float(agents @ price[n * T:(n + 1) * T]),
                               "expected_error_cost": float(agents @ error[n * T:(n + 1) * T])})
    binding: dict[tuple, dict] = {}
    for r, label in enumerate(labels):
        kind = label[0]
        at_lower = np.isfinite(lower[r]) and activity[r] - lower[r] <= TOLERANCE and lower[r] > 0
        at_upper = np.isfinite(upper[r]) and upper[r] - activity[r] <= TOLERANCE
        if kind == "cover" or not (at_lower or at_upper):
            continue
        which = "max" if kind == "floor" and at_upper else "min" if kind == "floor" else ""
        key = (kind, label[1], which)
        entry = binding.setdefault(key, {"constraint": kind + (f"_{which}" if which else ""), "on": label[1],
                                         "intervals": 0})
        entry["intervals"] += 1
    shortfall = {q.key: {name: round(float(sum(short[(j * T + t) * len(names) + k] for t in range(T))), 3)
                         for k, name in enumerate(names)} for j, q in enumerate(Q)}
    return {"status": "optimal" if result.status == 0 else "time_limit", "objective": float(result.fun),
            "costs": {"price": float(sum(a["price"] for a in allocation)),
                      "expected_error_cost": float(sum(a["expected_error_cost"] for a in allocation)),
                      "expected_credits": float(credit @ short)},
            "allocation": allocation, "binding": list(binding.values()), "shortfall": shortfall,
            "excluded": excluded}
