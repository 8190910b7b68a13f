"""Accuracy from audits: the Wilson interval, the stratified population estimate, precision and recall, and how
many audits a margin of error needs. The conventions of every function are in the package's docstring."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from statsmodels.stats.proportion import proportion_confint

from trustops.quality.stats.checks import check_count, check_probability, check_proportion, round_up, z_value

__all__ = [
    "Interval",
    "PrecisionRecall",
    "StratifiedAccuracy",
    "Stratum",
    "precision_recall",
    "sample_size_for_proportion",
    "stratified_accuracy",
    "wilson_interval",
]


class Interval(NamedTuple):
    low: float
    high: float


class Stratum(NamedTuple):
    population: int            # N_h: decisions in the stratum (e.g. a queue's decisions in the month)
    audited: int               # n_h: decisions drawn at random and audited
    correct: int               # x_h: audited decisions judged correct


class StratifiedAccuracy(NamedTuple):
    estimate: float
    standard_error: float | None
    interval: Interval | None
    population: int
    audited: int

    def as_dict(self) -> dict[str, float | int | None]:
        """Flat, JSON-ready form: the interval becomes ``low`` and ``high`` (None when undefined)."""
        return {"estimate": self.estimate, "standard_error": self.standard_error,
                "low": None if self.interval is None else self.interval.low,
                "high": None if self.interval is None else self.interval.high,
                "population": self.population, "audited": self.audited}


class PrecisionRecall(NamedTuple):
    precision: float | None    # tp / (tp + fp); None without positive predictions
    recall: float | None       # tp / (tp + fn); None without actual positives
    f1: float | None           # None unless both precision and recall are defined


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval | None:
    """Wilson score interval for a proportion (Newcombe 1998, method 3: no continuity correction).

    Estimates the accuracy behind ``successes`` correct out of ``n`` audited. Undefined (returns None)
    when ``n`` is 0. The limits are exactly 0 at 0 successes and exactly 1 at n successes.
    """
    check_proportion(successes, n)
    z_value(confidence)
    if n == 0:
        return None
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    low = 0.0 if successes == 0 else min(max(float(low), 0.0), 1.0)
    high = 1.0 if successes == n else min(max(float(high), 0.0), 1.0)
    return Interval(low, high)


def sample_size_for_proportion(expected_accuracy: float, margin: float, confidence: float = 0.95,
                               population: int | None = None) -> int:
    """Audits needed so the normal-approximation interval for accuracy has half-width ``margin``.

    Cochran: n0 = z^2 p (1 - p) / e^2, then for a finite population of N decisions
    n = n0 / (1 + (n0 - 1) / N), rounded up (the correction uses the unrounded n0). Use 0.5 for
    ``expected_accuracy`` when nothing is known: it gives the largest n. Never returns less than 1
    nor more than ``population``.
    """
    check_probability("expected_accuracy", expected_accuracy)
    check_probability("margin", margin, open_interval=True)
    z = z_value(confidence)
    # Divided twice rather than by margin²: a margin near the smallest float would square to zero.
    n0 = z * z * expected_accuracy * (1 - expected_accuracy) / margin / margin
    if population is None:
        if math.isinf(n0):
            raise ValueError(f"margin {margin!r} is too small: no finite number of audits reaches it")
        return max(1, round_up(n0))
    check_count("population", population)
    if population == 0:
        raise ValueError("population must be at least 1")
    if math.isinf(n0):
        return population   # the corrected n tends to N as the margin shrinks: audit everything
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, max(1, round_up(n)))


def stratified_accuracy(strata: Iterable[Stratum | tuple[int, int, int]],
                        confidence: float = 0.95) -> StratifiedAccuracy | None:
    """Population accuracy from a stratified audit, strata weighted by their share of decisions.

    Estimate: sum_h W_h p_h with W_h = N_h / N and p_h = x_h / n_h, which equals weighting each audited
    decision by its inverse sampling probability N_h / n_h. Standard error (Cochran, Sampling Techniques,
    ch. 5): sqrt(sum_h W_h^2 (1 - n_h/N_h) p_h (1 - p_h) / (n_h - 1)). Interval: estimate +- z * SE,
    clipped to [0, 1].

    Assumes simple random sampling without replacement inside each stratum, independently across strata,
    and enough audits per stratum for the normal approximation.
    Strata with no decisions are ignored. Returns None when there are no decisions, or when a stratum
    with decisions has no audits (its accuracy is unknown). The standard error and interval are None
    when a partly audited stratum has a single audit (its variance cannot be estimated), and the
    interval is None when the standard error is 0 although some decisions went unaudited (every
    stratum's audits all right or all wrong: the normal approximation then claims false certainty;
    report per-stratum Wilson intervals instead).
    """
    z = z_value(confidence)
    population = audited = 0
    rows: list[tuple[int, int, int]] = []
    for stratum in strata:
        size, sample, correct = stratum
        check_count("population", size)
        check_count("audited", sample)
        check_count("correct", correct)
        if correct > sample:
            raise ValueError(f"correct ({correct}) cannot exceed audited ({sample})")
        if sample > size:
            raise ValueError(f"audited ({sample}) cannot exceed population ({size})")
        if size == 0:
            continue
        rows.append((size, sample, correct))
        population += size
        audited += sample
    if population == 0 or any(sample == 0 for _, sample, _ in rows):
        return None

    estimate = sum(size * correct / sample for size, sample, correct in rows) / population
    variance: float | None = 0.0
    for size, sample, correct in rows:
        weight = size / population
        p = correct / sample
        if sample == size:
            continue  # a census of the stratum: no sampling error
        if sample < 2:
            variance = None
        elif variance is not None:
            variance += weight * weight * (1 - sample / size) * p * (1 - p) / (sample - 1)

    estimate = min(max(estimate, 0.0), 1.0)
    if variance is None:
        return StratifiedAccuracy(estimate, None, None, population, audited)
    standard_error = math.sqrt(variance)
    if standard_error == 0 and audited < population:
        return StratifiedAccuracy(estimate, 0.0, None, population, audited)
    interval = Interval(max(0.0, estimate - z * standard_error), min(1.0, estimate + z * standard_error))
    return StratifiedAccuracy(estimate, standard_error, interval, population, audited)


def precision_recall(tp: int, fp: int, fn: int) -> PrecisionRecall:
    """Precision, recall and F1 of a detector or of reviewers' removals against audit truth.

    F1 = 2 tp / (2 tp + fp + fn), reported only when precision and recall are both defined (it is 0
    when both are 0).
    """
    check_count("tp", tp)
    check_count("fp", fp)
    check_count("fn", fn)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if precision is not None and recall is not None else None
    return PrecisionRecall(precision, recall, f1)

