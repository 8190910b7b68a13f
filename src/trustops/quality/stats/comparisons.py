"""Comparing two arms (or two rounds): the two-proportion test, Newcombe's interval for a difference, McNemar's
paired test, Welch's t test and a bootstrap interval for handle times, and the power and group sizes of a
planned comparison. The conventions of every function are in the package's docstring."""
from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar as _statsmodels_mcnemar
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize, proportions_ztest

from trustops.quality.stats.checks import check_count, check_probability, check_proportion, round_up, z_value
from trustops.quality.stats.proportions import Interval, wilson_interval

__all__ = [
    "MCNEMAR_EXACT_BELOW",
    "McNemarTest",
    "SampleSizes",
    "TwoProportionTest",
    "WelchTest",
    "bootstrap_mean_difference_interval",
    "mcnemar",
    "newcombe_difference_interval",
    "power_two_proportions",
    "sample_size_two_proportions",
    "two_proportion_test",
    "welch_test",
]

# McNemar with exact=None uses the exact binomial test when b + c is below this; a common rule of thumb,
# since the chi-square approximation is poor with few discordant pairs.
MCNEMAR_EXACT_BELOW = 25


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


def newcombe_difference_interval(x1: int, n1: int, x2: int, n2: int,
                                 confidence: float = 0.95) -> Interval | None:
    """Newcombe's hybrid score interval for p1 - p2 of two independent proportions (1998, method 10).

    Combines each group's Wilson limits (l, u) around d = p1 - p2:
    d - sqrt((p1 - l1)^2 + (u2 - p2)^2) to d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Undefined (None) when either group has no observations.
    """
    check_proportion(x1, n1)
    check_proportion(x2, n2)
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
    check_proportion(x1, n1)
    check_proportion(x2, n2)
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
    check_count("b", b)
    check_count("c", c)
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
    z_value(confidence)
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
    z_value(confidence)
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
    check_probability("p1", p1)
    check_probability("p2", p2)
    check_probability("alpha", alpha, open_interval=True)
    check_probability("power", power, open_interval=True)
    if ratio <= 0:
        raise ValueError(f"ratio must be positive, got {ratio!r}")
    h = abs(_cohens_h(p1, p2))
    if h == 0:
        return None
    n1 = float(NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio,
                                            alternative="two-sided"))
    return SampleSizes(round_up(n1), round_up(n1 * ratio))


def power_two_proportions(p1: float, p2: float, n1: int, n2: int | None = None,
                          alpha: float = 0.05) -> float:
    """Power of the two-sided test of p1 = p2 with groups of n1 and n2 (default n2 = n1).

    Same model as ``sample_size_two_proportions`` (Cohen's h, normal approximation). When p1 == p2
    the power equals ``alpha``, the test's size.
    """
    check_probability("p1", p1)
    check_probability("p2", p2)
    check_probability("alpha", alpha, open_interval=True)
    n2 = n1 if n2 is None else n2
    check_count("n1", n1)
    check_count("n2", n2)
    if n1 == 0 or n2 == 0:
        raise ValueError("both groups need at least one observation")
    h = abs(_cohens_h(p1, p2))
    return float(NormalIndPower().power(effect_size=h, nobs1=n1, alpha=alpha, ratio=n2 / n1,
                                        alternative="two-sided"))

