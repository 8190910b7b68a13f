"""Estimates for quality audits: accuracy with intervals, comparisons, sample sizes and power.

Pure functions over counts and numbers; no Django. Conventions shared by every function:

- Counts are non-negative integers. Impossible input (``successes > n``, negative counts, a confidence
  level outside (0, 1)) raises ``ValueError``: that is a caller's bug, not a property of the data.
- Where the data do not define an estimate (no audits, no discordant pairs, both groups constant), the
  function returns ``None``, or ``None`` in the affected field of its result, never a made-up number.
- Confidence levels and p-values are two-sided.
- Results are named tuples, so ``low, high = wilson_interval(...)`` works and so does ``.low``.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar as _statsmodels_mcnemar
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize, proportions_ztest

__all__ = [
    "Interval",
    "TwoProportionTest",
    "McNemarTest",
    "WelchTest",
    "SampleSizes",
    "Stratum",
    "StratifiedAccuracy",
    "PrecisionRecall",
    "MCNEMAR_EXACT_BELOW",
    "wilson_interval",
    "newcombe_difference_interval",
    "two_proportion_test",
    "mcnemar",
    "welch_test",
    "bootstrap_mean_difference_interval",
    "sample_size_for_proportion",
    "sample_size_two_proportions",
    "power_two_proportions",
    "stratified_accuracy",
    "precision_recall",
]

# McNemar with exact=None uses the exact binomial test when b + c is below this; a common rule of thumb,
# since the chi-square approximation is poor with few discordant pairs.
MCNEMAR_EXACT_BELOW = 25

# Rounding a sample size up must not turn 385.0000000001 (floating noise) into 386.
_CEILING_TOLERANCE = 1e-9


class Interval(NamedTuple):
    low: float
    high: float


class TwoProportionTest(NamedTuple):
    difference: float          # p1 - p2
    z: float | None            # None when the pooled proportion is 0 or 1 (no variance to test against)
    p_value: float | None


class McNemarTest(NamedTuple):
    statistic: float | None    # chi-square statistic; None for the exact test
    p_value: float
    method: str                # "exact", "chi-square" or "chi-square, continuity corrected"


class WelchTest(NamedTuple):
    difference: float          # mean(a) - mean(b)
    t: float
    df: float                  # Welch-Satterthwaite degrees of freedom
    p_value: float
    interval: Interval         # for the difference of means


class SampleSizes(NamedTuple):
    n1: int
    n2: int


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


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _check_proportion(successes: int, n: int) -> None:
    _check_count("successes", successes)
    _check_count("n", n)
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")


def _check_probability(name: str, value: float, *, open_interval: bool = False) -> None:
    inside = 0 < value < 1 if open_interval else 0 <= value <= 1
    if not inside:
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must lie in {bounds}, got {value!r}")


def _ceil(value: float) -> int:
    return math.ceil(value - _CEILING_TOLERANCE)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval | None:
    """Wilson score interval for a proportion (Newcombe 1998, method 3: no continuity correction).

    Estimates the accuracy behind ``successes`` correct out of ``n`` audited. Undefined (returns None)
    when ``n`` is 0. The limits are exactly 0 at 0 successes and exactly 1 at n successes.
    """
    _check_proportion(successes, n)
    _z(confidence)
    if n == 0:
        return None
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    low = 0.0 if successes == 0 else min(max(float(low), 0.0), 1.0)
    high = 1.0 if successes == n else min(max(float(high), 0.0), 1.0)
    return Interval(low, high)


def newcombe_difference_interval(x1: int, n1: int, x2: int, n2: int,
                                 confidence: float = 0.95) -> Interval | None:
    """Newcombe's hybrid score interval for p1 - p2 of two independent proportions (1998, method 10).

    Combines each group's Wilson limits (l, u) around d = p1 - p2:
    d - sqrt((p1 - l1)^2 + (u2 - p2)^2) to d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Undefined (None) when either group has no observations.
    """
    _check_proportion(x1, n1)
    _check_proportion(x2, n2)
    first = wilson_interval(x1, n1, confidence)
    second = wilson_interval(x2, n2, confidence)
    if first is None or second is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    difference = p1 - p2
    low = difference - math.hypot(p1 - first.low, second.high - p2)
    high = difference + math.hypot(first.high - p1, p2 - second.low)
    return Interval(max(low, -1.0), min(high, 1.0))


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> TwoProportionTest | None:
    """Two-sided z test of p1 = p2 for independent groups, with the pooled variance under the null.

    Equivalent to Pearson's chi-square on the 2x2 table without continuity correction (z^2 = X^2).
    None when a group is empty; z and p_value are None when both groups are all-correct or all-wrong.
    """
    _check_proportion(x1, n1)
    _check_proportion(x2, n2)
    if n1 == 0 or n2 == 0:
        return None
    difference = x1 / n1 - x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return TwoProportionTest(difference, None, None)
    z, p_value = proportions_ztest(np.array([x1, x2]), np.array([n1, n2]), value=0,
                                   alternative="two-sided", prop_var=False)
    return TwoProportionTest(difference, float(z), float(p_value))


def mcnemar(b: int, c: int, exact: bool | None = None, correction: bool = False) -> McNemarTest | None:
    """McNemar's test that two paired raters (or two rounds) are correct equally often.

    ``b`` and ``c`` are the discordant counts of the paired 2x2 table (first right and second wrong,
    and the reverse); concordant pairs carry no information about the difference.
    Rule when ``exact`` is None: exact binomial test (b ~ Binomial(b + c, 1/2)) when
    b + c < MCNEMAR_EXACT_BELOW, else the chi-square test (b - c)^2 / (b + c), with Edwards'
    continuity correction (|b - c| - 1)^2 / (b + c) when ``correction`` is True.
    Undefined (None) when there are no discordant pairs.
    """
    _check_count("b", b)
    _check_count("c", c)
    if b + c == 0:
        return None
    use_exact = (b + c < MCNEMAR_EXACT_BELOW) if exact is None else exact
    result = _statsmodels_mcnemar([[0, b], [c, 0]], exact=use_exact, correction=correction)
    if use_exact:
        return McNemarTest(None, min(float(result.pvalue), 1.0), "exact")
    method = "chi-square, continuity corrected" if correction else "chi-square"
    return McNemarTest(float(result.statistic), float(result.pvalue), method)


def welch_test(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> WelchTest | None:
    """Welch's unequal-variance t test and interval for mean(a) - mean(b) (e.g. handle seconds).

    Undefined (None) when either sample has fewer than two values, or both have zero variance.
    """
    _z(confidence)
    first = np.asarray(a, dtype=float)
    second = np.asarray(b, dtype=float)
    if first.size < 2 or second.size < 2:
        return None
    if np.var(first) == 0 and np.var(second) == 0:
        return None
    with warnings.catch_warnings():
        # scipy warns about precision loss when one group is constant; its variance is exactly 0 here.
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        result = stats.ttest_ind(first, second, equal_var=False)
    ci = result.confidence_interval(confidence_level=confidence)
    return WelchTest(
        difference=float(first.mean() - second.mean()),
        t=float(result.statistic),
        df=float(result.df),
        p_value=float(result.pvalue),
        interval=Interval(float(ci.low), float(ci.high)),
    )


def bootstrap_mean_difference_interval(a: Sequence[float], b: Sequence[float], confidence: float = 0.95,
                                       resamples: int = 10_000, seed: int = 0) -> Interval | None:
    """Percentile bootstrap interval for mean(a) - mean(b), resampling each group independently.

    Reproducible: the same data, settings and ``seed`` give the same interval. Undefined (None) when
    either sample is empty. With very small samples the percentile interval is too narrow.
    """
    _z(confidence)
    if resamples < 1:
        raise ValueError(f"resamples must be positive, got {resamples!r}")
    first = np.asarray(a, dtype=float)
    second = np.asarray(b, dtype=float)
    if first.size == 0 or second.size == 0:
        return None
    generator = np.random.default_rng(seed)
    differences = np.empty(resamples)
    # Resample in blocks so memory stays bounded for large audits.
    block = max(1, 2_000_000 // max(first.size, second.size))
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        means_a = first[generator.integers(0, first.size, (size, first.size))].mean(axis=1)
        means_b = second[generator.integers(0, second.size, (size, second.size))].mean(axis=1)
        differences[start:start + size] = means_a - means_b
    tail = (1 - confidence) / 2
    low, high = np.quantile(differences, [tail, 1 - tail])
    return Interval(float(low), float(high))


def sample_size_for_proportion(expected_accuracy: float, margin: float, confidence: float = 0.95,
                               population: int | None = None) -> int:
    """Audits needed so the normal-approximation interval for accuracy has half-width ``margin``.

    Cochran: n0 = z^2 p (1 - p) / e^2, then for a finite population of N decisions
    n = n0 / (1 + (n0 - 1) / N), rounded up (the correction uses the unrounded n0). Use 0.5 for
    ``expected_accuracy`` when nothing is known: it gives the largest n. Never returns less than 1
    nor more than ``population``.
    """
    _check_probability("expected_accuracy", expected_accuracy)
    _check_probability("margin", margin, open_interval=True)
    z = _z(confidence)
    # Divided twice rather than by margin²: a margin near the smallest float would square to zero.
    n0 = z * z * expected_accuracy * (1 - expected_accuracy) / margin / margin
    if population is None:
        if math.isinf(n0):
            raise ValueError(f"margin {margin!r} is too small: no finite number of audits reaches it")
        return max(1, _ceil(n0))
    _check_count("population", population)
    if population == 0:
        raise ValueError("population must be at least 1")
    if math.isinf(n0):
        return population   # the corrected n tends to N as the margin shrinks: audit everything
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, max(1, _ceil(n)))


def _cohens_h(p1: float, p2: float) -> float:
    # h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)); the arcsine transform makes the variance 1/n per group.
    return float(proportion_effectsize(p1, p2))


def sample_size_two_proportions(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8,
                                ratio: float = 1.0) -> SampleSizes | None:
    """Group sizes for a two-sided test of p1 = p2 to reach ``power`` at level ``alpha``.

    Uses Cohen's effect size h (arcsine transform) with the normal power function, i.e. approximately
    n1 = (1 + 1/ratio) * ((z_{1-alpha/2} + z_{power}) / h)^2 and n2 = ratio * n1, both rounded up.
    Undefined (None) when p1 == p2: no sample size detects a zero difference.
    """
    _check_probability("p1", p1)
    _check_probability("p2", p2)
    _check_probability("alpha", alpha, open_interval=True)
    _check_probability("power", power, open_interval=True)
    if ratio <= 0:
        raise ValueError(f"ratio must be positive, got {ratio!r}")
    h = abs(_cohens_h(p1, p2))
    if h == 0:
        return None
    n1 = float(NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio,
                                            alternative="two-sided"))
    return SampleSizes(_ceil(n1), _ceil(n1 * ratio))


def power_two_proportions(p1: float, p2: float, n1: int, n2: int | None = None,
                          alpha: float = 0.05) -> float:
    """Power of the two-sided test of p1 = p2 with groups of n1 and n2 (default n2 = n1).

    Same model as ``sample_size_two_proportions`` (Cohen's h, normal approximation). When p1 == p2
    the power equals ``alpha``, the test's size.
    """
    _check_probability("p1", p1)
    _check_probability("p2", p2)
    _check_probability("alpha", alpha, open_interval=True)
    n2 = n1 if n2 is None else n2
    _check_count("n1", n1)
    _check_count("n2", n2)
    if n1 == 0 or n2 == 0:
        raise ValueError("both groups need at least one observation")
    h = abs(_cohens_h(p1, p2))
    return float(NormalIndPower().power(effect_size=h, nobs1=n1, alpha=alpha, ratio=n2 / n1,
                                        alternative="two-sided"))


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
    z = _z(confidence)
    population = audited = 0
    rows: list[tuple[int, int, int]] = []
    for stratum in strata:
        size, sample, correct = stratum
        _check_count("population", size)
        _check_count("audited", sample)
        _check_count("correct", correct)
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
    _check_count("tp", tp)
    _check_count("fp", fp)
    _check_count("fn", fn)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if precision is not None and recall is not None else None
    return PrecisionRecall(precision, recall, f1)
