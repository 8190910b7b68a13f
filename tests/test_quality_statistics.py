"""Quality statistics reproduce published worked examples; where none was at hand, an independent
second computation in the test stands in, and the comment says so."""
import math
from statistics import mean, variance

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from trustops.quality.stats.comparisons import (
    MCNEMAR_EXACT_BELOW,
    bootstrap_mean_difference_interval,
    mcnemar,
    newcombe_difference_interval,
    power_two_proportions,
    sample_size_two_proportions,
    two_proportion_test,
    welch_test,
)
from trustops.quality.stats.proportions import (
    Stratum,
    precision_recall,
    sample_size_for_proportion,
    stratified_accuracy,
    wilson_interval,
)

Z95 = stats.norm.ppf(0.975)


def wilson_by_hand(x: int, n: int, z: float) -> tuple[float, float]:
    # Wilson (1927) written out directly, independent of the statsmodels call under test.
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# --- Wilson interval ------------------------------------------------------------------------------

@pytest.mark.parametrize("successes, n, low, high", [
    # Newcombe RG (1998) "Two-sided confidence intervals for the single proportion: comparison of seven
    # methods", Statistics in Medicine 17:857-872; worked examples, method 3 (score, no continuity
    # correction), 95%, four decimals as printed.
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_reproduces_newcombe_1998(successes, n, low, high):
    interval = wilson_interval(successes, n)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize("confidence", [0.80, 0.90, 0.99])
def test_wilson_interval_matches_the_closed_form_at_other_levels(confidence):
    # Independent check: the closed form above, not a published table.
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    assert tuple(wilson_interval(37, 52, confidence)) == pytest.approx(wilson_by_hand(37, 52, z), abs=1e-12)


def test_wilson_interval_pins_the_ends_and_is_undefined_without_audits():
    assert wilson_interval(0, 20).low == 0.0
    assert wilson_interval(20, 20).high == 1.0
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(96, 100)     # unpacks like a tuple
    assert low < 0.96 < high


@pytest.mark.parametrize("args", [(5, 4), (-1, 4), (1, -2), (1.5, 4)])
def test_wilson_interval_rejects_impossible_counts(args):
    with pytest.raises(ValueError):
        wilson_interval(*args)


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1])
def test_confidence_must_be_strictly_between_0_and_1(confidence):
    with pytest.raises(ValueError):
        wilson_interval(5, 10, confidence)


@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_interval_lies_in_0_1_and_contains_the_observed_accuracy(n, data):
    x = data.draw(st.integers(0, n))
    low, high = wilson_interval(x, n)
    assert 0.0 <= low <= x / n <= high <= 1.0


@given(n=st.integers(1, 500), factor=st.integers(2, 20), data=st.data())
def test_wilson_interval_narrows_as_audits_grow_at_the_same_accuracy(n, factor, data):
    x = data.draw(st.integers(0, n))
    small = wilson_interval(x, n)
    large = wilson_interval(x * factor, n * factor)
    assert large.high - large.low < small.high - small.low


# --- Newcombe difference -----------------------------------------------------------------------------

@pytest.mark.parametrize("x1, n1, x2, n2, low, high", [
    # Newcombe RG (1998) "Interval estimation for the difference between independent proportions:
    # comparison of eleven methods", Statistics in Medicine 17:873-890; method 10 (hybrid score), 95%.
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
])
def test_newcombe_difference_interval_reproduces_newcombe_1998(x1, n1, x2, n2, low, high):
    interval = newcombe_difference_interval(x1, n1, x2, n2)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize("x1, n1, x2, n2", [(6, 7, 2, 7), (5, 56, 0, 29), (0, 10, 0, 20), (10, 10, 0, 20)])
def test_newcombe_difference_interval_matches_the_method_10_formula(x1, n1, x2, n2):
    # Independent check of the edge cases (zero cells, a proportion of 1) from the hand-written Wilson
    # limits; not published values.
    l1, u1 = wilson_by_hand(x1, n1, Z95)
    l2, u2 = wilson_by_hand(x2, n2, Z95)
    p1, p2 = x1 / n1, x2 / n2
    expected = (p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
                p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
    assert tuple(newcombe_difference_interval(x1, n1, x2, n2)) == pytest.approx(expected, abs=1e-9)


def test_newcombe_difference_interval_is_undefined_for_an_empty_group():
    assert newcombe_difference_interval(3, 10, 0, 0) is None


@given(n1=st.integers(1, 400), n2=st.integers(1, 400), data=st.data())
def test_newcombe_difference_interval_contains_the_difference(n1, n2, data):
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    low, high = newcombe_difference_interval(x1, n1, x2, n2)
    assert -1.0 <= low <= x1 / n1 - x2 / n2 + 1e-12
    assert x1 / n1 - x2 / n2 - 1e-12 <= high <= 1.0


# --- Two independent proportions ----------------------------------------------------------------------

def test_two_proportion_test_is_the_pooled_z_test():
    # Independent check (no published example used): the pooled z written out, and Pearson's chi-square
    # without continuity correction from scipy, which must equal z squared.
    result = two_proportion_test(56, 70, 48, 80)
    pooled = (56 + 48) / (70 + 80)
    z = (56 / 70 - 48 / 80) / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    chi_square, p_value, _, _ = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert result.difference == pytest.approx(0.2)
    assert result.z == pytest.approx(z, rel=1e-12)
    assert result.z ** 2 == pytest.approx(chi_square, rel=1e-12)
    assert result.p_value == pytest.approx(p_value, rel=1e-9)


def test_two_proportion_test_has_no_z_when_both_groups_are_perfect():
    result = two_proportion_test(40, 40, 25, 25)
    assert result.difference == 0.0 and result.z is None and result.p_value is None
    assert two_proportion_test(1, 2, 0, 0) is None


# --- McNemar --------------------------------------------------------------------------------------------

def test_mcnemar_reproduces_agresti_presidential_approval():
    # Agresti A (1990) Categorical Data Analysis, Wiley, pp. 350-354: approval of the President in two
    # surveys of the same 1600 people, 794 / 150 / 86 / 570; McNemar chi-square 17.36 without continuity
    # correction (p = 3.1e-05, as R's mcnemar.test(correct = FALSE) also prints for this table).
    result = mcnemar(150, 86)
    assert result.method == "chi-square"
    assert result.statistic == pytest.approx(17.36, abs=0.005)
    assert result.p_value == pytest.approx(3.099e-05, rel=1e-3)


def test_mcnemar_continuity_correction_on_request():
    # Derived by hand: (|150 - 86| - 1)^2 / (150 + 86) = 63^2 / 236.
    result = mcnemar(150, 86, correction=True)
    assert result.method == "chi-square, continuity corrected"
    assert result.statistic == pytest.approx(63 ** 2 / 236)


def test_mcnemar_is_exact_for_few_discordant_pairs():
    # Derived by hand from the binomial: 2 * P(X <= 2), X ~ Binomial(12, 1/2) = 2 * (1 + 12 + 66) / 4096.
    result = mcnemar(2, 10)
    assert result.method == "exact" and result.statistic is None
    assert result.p_value == pytest.approx(2 * 79 / 4096, rel=1e-12)


def test_mcnemar_rule_switches_at_the_documented_threshold():
    assert mcnemar(MCNEMAR_EXACT_BELOW - 1, 0).method == "exact"
    assert mcnemar(MCNEMAR_EXACT_BELOW, 0).method == "chi-square"
    assert mcnemar(100, 90, exact=True).method == "exact"
    assert mcnemar(3, 4, exact=False).method == "chi-square"
    assert mcnemar(5, 5, exact=True).p_value == 1.0
    assert mcnemar(0, 0) is None


# --- Means: Welch and bootstrap ---------------------------------------------------------------------

HANDLE_SECONDS_A = [31.0, 44.5, 29.0, 52.0, 38.5, 41.0, 35.5, 47.0, 33.0, 40.0]
HANDLE_SECONDS_B = [55.0, 61.5, 48.0, 72.0, 58.5, 66.0, 51.0, 69.5]


def test_welch_test_matches_the_welch_satterthwaite_formulas():
    # Independent check (no published example used): Welch's t and Satterthwaite's df written out with
    # the standard library's mean and sample variance.
    a, b = HANDLE_SECONDS_A, HANDLE_SECONDS_B
    va, vb = variance(a) / len(a), variance(b) / len(b)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    t = (mean(a) - mean(b)) / se
    critical = stats.t.ppf(0.975, df)

    result = welch_test(a, b)
    assert result.difference == pytest.approx(mean(a) - mean(b))
    assert result.t == pytest.approx(t, rel=1e-12)
    assert result.df == pytest.approx(df, rel=1e-12)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9)
    assert tuple(result.interval) == pytest.approx((mean(a) - mean(b) - critical * se,
                                                    mean(a) - mean(b) + critical * se), rel=1e-9)


def test_welch_test_is_undefined_for_tiny_or_constant_samples():
    assert welch_test([1.0], [2.0, 3.0]) is None
    assert welch_test([2.0, 2.0, 2.0], [5.0, 5.0]) is None
    assert welch_test([2.0, 2.0, 2.0], [5.0, 6.0]) is not None


def test_bootstrap_interval_is_reproducible_and_seeded():
    first = bootstrap_mean_difference_interval(HANDLE_SECONDS_A, HANDLE_SECONDS_B, seed=7)
    again = bootstrap_mean_difference_interval(HANDLE_SECONDS_A, HANDLE_SECONDS_B, seed=7)
    other = bootstrap_mean_difference_interval(HANDLE_SECONDS_A, HANDLE_SECONDS_B, seed=8)
    assert first == again
    assert first != other
    assert first.low < mean(HANDLE_SECONDS_A) - mean(HANDLE_SECONDS_B) < first.high
    assert bootstrap_mean_difference_interval([], [1.0]) is None


def test_bootstrap_interval_agrees_with_welch_for_large_samples():
    # Cross-check, not a published value: for large, roughly normal samples the percentile bootstrap
    # and the Welch interval estimate the same thing.
    generator = np.random.default_rng(2024)
    a = generator.normal(40, 8, 600)
    b = generator.normal(43, 12, 500)
    boot = bootstrap_mean_difference_interval(a, b, resamples=4000, seed=1)
    welch = welch_test(a, b).interval
    half_width = (welch.high - welch.low) / 2
    assert boot.low == pytest.approx(welch.low, abs=0.1 * half_width)
    assert boot.high == pytest.approx(welch.high, abs=0.1 * half_width)


# --- Sample size and power -----------------------------------------------------------------------------

def test_sample_size_for_proportion_reproduces_cochran():
    # Cochran WG (1977) Sampling Techniques, 3rd ed., Wiley, ch. 4: n0 = z^2 p q / e^2 and
    # n = n0 / (1 + (n0 - 1) / N). p = 0.5, e = 0.05, 95%: n0 = 1.96^2 * 0.25 / 0.0025 = 384.15 -> 385;
    # with N = 1000: 384.15 / 1.38315 = 277.7 -> 278.
    assert sample_size_for_proportion(0.5, 0.05) == 385
    assert sample_size_for_proportion(0.5, 0.05, population=1000) == 278


def test_sample_size_for_proportion_edges():
    # Derived by hand: 384.15 / (1 + 383.15 / 100) = 79.5 -> 80; never more than the population.
    assert sample_size_for_proportion(0.5, 0.05, population=100) == 80
    assert sample_size_for_proportion(0.5, 0.01, population=50) == 50
    assert sample_size_for_proportion(1.0, 0.05) == 1
    assert sample_size_for_proportion(0.9, 0.03) < sample_size_for_proportion(0.5, 0.03)
    with pytest.raises(ValueError):
        sample_size_for_proportion(0.5, 0)


@pytest.mark.parametrize("p1, p2, ratio", [(0.90, 0.95, 1.0), (0.60, 0.75, 1.0), (0.80, 0.88, 2.0)])
def test_sample_size_two_proportions_matches_the_arcsine_formula(p1, p2, ratio):
    # Independent check (no published table used): Cohen's h = 2 asin sqrt(p1) - 2 asin sqrt(p2) and
    # n1 = (1 + 1/ratio) ((z_{0.975} + z_{0.80}) / h)^2; the normal power function used by the module
    # also counts the far rejection tail, so it may need up to one observation fewer.
    h = abs(2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2)))
    n1 = (1 + 1 / ratio) * ((Z95 + stats.norm.ppf(0.8)) / h) ** 2
    sizes = sample_size_two_proportions(p1, p2, ratio=ratio)
    assert math.ceil(n1) - 1 <= sizes.n1 <= math.ceil(n1)
    assert math.ceil(n1 * ratio) - 1 <= sizes.n2 <= math.ceil(n1 * ratio)


def test_power_and_sample_size_are_consistent():
    sizes = sample_size_two_proportions(0.90, 0.95)
    assert sizes.n1 == sizes.n2 == 424     # from the formula above: 2 * (2.8016 / 0.19238)^2 = 424.1
    assert power_two_proportions(0.90, 0.95, sizes.n1) >= 0.8
    assert power_two_proportions(0.90, 0.95, sizes.n1 - 1) < 0.8
    assert power_two_proportions(0.9, 0.9, 100) == pytest.approx(0.05)
    assert sample_size_two_proportions(0.9, 0.9) is None


# --- Stratified accuracy -------------------------------------------------------------------------------

def test_stratified_accuracy_weights_strata_by_their_share_of_decisions():
    # Derived by hand (no published example used) from Cochran (1977) ch. 5, stratified proportions:
    # three queues with N_h decisions, n_h audited, x_h correct.
    strata = [Stratum(1000, 50, 45), Stratum(200, 40, 30), Stratum(5000, 100, 98)]
    total = 6200
    estimate = (1000 * 0.90 + 200 * 0.75 + 5000 * 0.98) / total          # = 5950 / 6200
    inverse_probability = (1000 / 50 * 45 + 200 / 40 * 30 + 5000 / 100 * 98) / total
    variance_ = ((1000 / total) ** 2 * (1 - 50 / 1000) * 0.90 * 0.10 / 49
                 + (200 / total) ** 2 * (1 - 40 / 200) * 0.75 * 0.25 / 39
                 + (5000 / total) ** 2 * (1 - 100 / 5000) * 0.98 * 0.02 / 99)

    result = stratified_accuracy(strata)
    assert result.estimate == pytest.approx(estimate) == pytest.approx(inverse_probability)
    assert result.standard_error == pytest.approx(math.sqrt(variance_))
    assert tuple(result.interval) == pytest.approx((estimate - Z95 * math.sqrt(variance_),
                                                    estimate + Z95 * math.sqrt(variance_)))
    assert (result.population, result.audited) == (6200, 190)


def test_stratified_accuracy_with_one_stratum_is_the_simple_proportion_with_fpc():
    result = stratified_accuracy([(500, 80, 72)])
    assert result.estimate == pytest.approx(0.9)
    assert result.standard_error == pytest.approx(math.sqrt((1 - 80 / 500) * 0.9 * 0.1 / 79))


def test_stratified_accuracy_undefined_and_degenerate_cases():
    assert stratified_accuracy([]) is None
    assert stratified_accuracy([(100, 10, 9), (50, 0, 0)]) is None           # a stratum never audited
    assert stratified_accuracy([(100, 10, 9), (0, 0, 0)]).estimate == pytest.approx(0.9)
    one_audit = stratified_accuracy([(100, 10, 9), (50, 1, 1)])
    assert one_audit.standard_error is None and one_audit.interval is None
    census = stratified_accuracy([(10, 10, 7), (5, 5, 5)])
    assert census.standard_error == 0 and tuple(census.interval) == pytest.approx((0.8, 0.8))
    all_correct = stratified_accuracy([(100, 20, 20), (80, 10, 10)])
    assert all_correct.estimate == 1.0 and all_correct.interval is None
    with pytest.raises(ValueError):
        stratified_accuracy([(10, 12, 5)])


@given(st.lists(st.tuples(st.integers(2, 2000), st.floats(0.01, 1), st.floats(0, 1)), min_size=1, max_size=6))
def test_stratified_accuracy_interval_contains_the_estimate(raw):
    strata = []
    for size, share, accuracy in raw:
        audited = max(2, min(size, round(size * share)))
        strata.append((size, audited, round(audited * accuracy)))
    result = stratified_accuracy(strata)
    assert 0.0 <= result.estimate <= 1.0
    if result.interval is not None:
        assert result.interval.low <= result.estimate + 1e-12
        assert result.estimate - 1e-12 <= result.interval.high


# --- Precision and recall ------------------------------------------------------------------------------

def test_precision_recall_and_their_undefined_cases():
    assert precision_recall(8, 2, 4) == pytest.approx((0.8, 8 / 12, 16 / 22))
    assert precision_recall(0, 0, 3) == (None, 0.0, None)       # nothing flagged: precision undefined
    assert precision_recall(0, 3, 0) == (0.0, None, None)       # nothing to find: recall undefined
    assert precision_recall(0, 2, 3) == (0.0, 0.0, 0.0)
    assert precision_recall(0, 0, 0) == (None, None, None)


def test_stratified_accuracy_flattens_for_json():
    flat = stratified_accuracy([(500, 80, 72)]).as_dict()
    assert set(flat) == {"estimate", "standard_error", "low", "high", "population", "audited"}
    assert flat["low"] < flat["estimate"] < flat["high"]
    assert stratified_accuracy([(100, 20, 20)]).as_dict()["low"] is None
