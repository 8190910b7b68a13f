"""Agreement coefficients reproduce published worked examples; where none was at hand, an independent
second computation in the test stands in, and the comment says so."""
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustops.quality.stats.agreement import (
    Agreement,
    alpha_from_coincidences,
    cohen_kappa,
    coincidence_matrix,
    consensus,
    fleiss_kappa,
    gwet_ac1,
    item_agreement,
    krippendorff_alpha_nominal,
    pairwise_cohen_kappa,
    percent_agreement,
    rater_alignment,
    report,
)

N = None

# Krippendorff K (2011) "Computing Krippendorff's Alpha-Reliability", Annenberg School for Communication,
# University of Pennsylvania: nominal data, 4 coders (A-D) x 12 units with missing values. Here one row
# per unit, one column per coder.
KRIPPENDORFF_2011 = [
    [1, 1, N, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [N, 5, 5, 5],
    [N, N, 1, 1],
    [N, 3, N, N],
]

# Gwet KL (2014) Handbook of Inter-Rater Reliability, 4th ed., Advanced Analytics, p. 120: 4 raters x 12
# subjects, categories 1-5, no rater scored every subject (also shipped as `cac.raw4raters` in the author's
# R package irrCAC). Same ratings as Krippendorff's example except that unit 12's lone rating is under
# rater 3; a single rating never enters p_a, and pi_k does not depend on who gave it.
GWET_2014_P120 = [
    [1, 1, N, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [N, 5, 5, 5],
    [N, N, 1, 1],
    [N, N, 3, N],
]


def table_from_counts(counts: list[list[int]]) -> list[list[int]]:
    # A units x categories count table as a units x raters label table (rater order is immaterial).
    return [[category for category, count in enumerate(row) for _ in range(count)] for row in counts]


def two_raters_from_cells(cells: dict[tuple[str, str], int]) -> tuple[list[str], list[str]]:
    first, second = [], []
    for (a, b), count in cells.items():
        first += [a] * count
        second += [b] * count
    return first, second


# Gwet (2014) Handbook, 4th ed.: two abstractors classify 100 pregnancies as ectopic, abnormal
# intrauterine (AIU) or normal intrauterine (NIU); rows abstractor 1, columns abstractor 2:
# 13 0 0 / 0 20 7 / 0 4 56. Coefficients as printed in the irrCAC package vignette (same author):
# Cohen's kappa 0.7964094, Gwet's AC1 0.8493305, Krippendorff's alpha 0.7972585, percent agreement 0.89.
ABSTRACTORS = two_raters_from_cells({
    ("ectopic", "ectopic"): 13,
    ("aiu", "aiu"): 20, ("aiu", "niu"): 7,
    ("niu", "aiu"): 4, ("niu", "niu"): 56,
})


# --- Krippendorff's alpha ----------------------------------------------------------------------------

def test_krippendorff_alpha_reproduces_krippendorff_2011():
    # Krippendorff (2011), nominal alpha for the table above: 0.743.
    result = krippendorff_alpha_nominal(KRIPPENDORFF_2011)
    assert result.value == pytest.approx(0.743, abs=5e-4)
    assert result.units == 11                                  # unit 12 has one value: not pairable


def test_in_house_coincidence_matrix_cross_checks_the_package():
    # Independent computation: the coincidence matrix by definition, margins counted by hand from the
    # table (value 1: 3 + 1 + 3 + 2 in units 1, 6, 8, 11; ... ; n = 40 pairable values).
    coincidences = coincidence_matrix(KRIPPENDORFF_2011)
    margins = dict(zip(coincidences.categories, coincidences.matrix.sum(axis=1)))
    assert margins == pytest.approx({1: 9, 2: 13, 3: 10, 4: 5, 5: 3})
    ones, twos = coincidences.categories.index(1), coincidences.categories.index(2)
    # 1-1 pairs: unit 1 gives 3*2/2, unit 8 gives 3*2/3, unit 11 gives 2*1/1 -> 3 + 2 + 2 = 7.
    assert coincidences.matrix[ones, ones] == pytest.approx(7)
    # 1-2 pairs: unit 6 gives 1/3, unit 8 gives 3*1/3 -> 4/3.
    assert coincidences.matrix[ones, twos] == pytest.approx(4 / 3)
    in_house = alpha_from_coincidences(coincidences)
    assert in_house.value == pytest.approx(krippendorff_alpha_nominal(KRIPPENDORFF_2011).value, abs=1e-12)
    assert in_house.value == pytest.approx(0.743, abs=5e-4)


def test_krippendorff_alpha_for_two_raters_reproduces_gwet():
    assert krippendorff_alpha_nominal(list(zip(*ABSTRACTORS))).value == pytest.approx(0.7972585, abs=1e-7)


# --- Gwet's AC1 ---------------------------------------------------------------------------------------

def test_gwet_ac1_reproduces_the_handbook_with_missing_ratings():
    # Gwet (2014) p. 120 data; AC1 = 0.77544 with p_a = 0.81818 and p_e = 0.19032 (irrCAC gwet.ac1.raw).
    result = gwet_ac1(GWET_2014_P120)
    assert result.value == pytest.approx(0.77544, abs=5e-6)
    assert result.observed == pytest.approx(0.81818, abs=5e-6)
    assert result.expected == pytest.approx(0.19032, abs=5e-6)
    assert gwet_ac1(KRIPPENDORFF_2011).value == pytest.approx(result.value, abs=1e-12)


def test_gwet_ac1_reproduces_the_handbook_for_two_raters():
    result = gwet_ac1(list(zip(*ABSTRACTORS)))
    assert result.value == pytest.approx(0.8493305, abs=1e-7)
    assert result.observed == pytest.approx(0.89)


def two_rater_ac1(first: list, second: list) -> float:
    # Gwet KL (2008) Br J Math Stat Psychol 61:29-48, two raters: p_a = sum_k p_kk,
    # pi_k = (p_k+ + p_+k) / 2, p_e = sum_k pi_k (1 - pi_k) / (q - 1). Written independently of the module.
    n = len(first)
    categories = set(first) | set(second)
    observed = sum(a == b for a, b in zip(first, second)) / n
    rows, columns = Counter(first), Counter(second)
    pi = {k: (rows[k] + columns[k]) / (2 * n) for k in categories}
    expected = sum(p * (1 - p) for p in pi.values()) / (len(categories) - 1)
    return (observed - expected) / (1 - expected)


def test_multi_rater_ac1_equals_the_two_rater_formula():
    assert gwet_ac1(list(zip(*ABSTRACTORS))).value == pytest.approx(two_rater_ac1(*ABSTRACTORS), abs=1e-12)


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=2, max_size=60))
def test_multi_rater_ac1_equals_the_two_rater_formula_on_any_complete_table(pairs):
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    if len(set(first) | set(second)) < 2:
        assert gwet_ac1(pairs).value is None
    else:
        assert gwet_ac1(pairs).value == pytest.approx(two_rater_ac1(first, second), abs=1e-9)


def test_gwet_ac1_depends_on_the_form_categories():
    unanimous = [["remove", "remove"], ["remove", "remove", ], ["remove", N]]
    assert gwet_ac1(unanimous).value is None
    assert "one category" in gwet_ac1(unanimous).reason
    # With the form's two verdicts, chance agreement is 0 and AC1 equals the observed agreement, 1.
    assert gwet_ac1(unanimous, categories=["remove", "keep"]).value == pytest.approx(1.0)
    with pytest.raises(ValueError):
        gwet_ac1(unanimous, categories=["keep", "escalate"])


# --- Fleiss' kappa ------------------------------------------------------------------------------------

# The widely reproduced example (Wikipedia, "Fleiss' kappa", worked example): 10 subjects, 14 raters,
# 5 categories; P-bar = 0.378, P-bar-e = 0.213, kappa = 0.210.
FLEISS_WIKIPEDIA_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss JL (1971) "Measuring nominal scale agreement among many raters", Psychological Bulletin
# 76:378-382: 30 patients, 6 psychiatrists each, 5 diagnoses (1 depression, 2 personality disorder,
# 3 schizophrenia, 4 neurosis, 5 other); kappa = 0.430. Raw ratings as distributed in R's irr package
# (`diagnoses`), for which kappam.fleiss gives 0.4302445.
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]


def test_fleiss_kappa_reproduces_the_worked_example():
    result = fleiss_kappa(table_from_counts(FLEISS_WIKIPEDIA_COUNTS))
    assert result.value == pytest.approx(0.210, abs=5e-4)
    assert result.observed == pytest.approx(0.378, abs=5e-4)
    assert result.expected == pytest.approx(0.213, abs=5e-4)


def test_fleiss_kappa_reproduces_fleiss_1971():
    # Data-entry check: category totals over the 180 ratings.
    assert sorted(Counter(label for row in FLEISS_1971 for label in row).items()) == \
        [(1, 26), (2, 26), (3, 30), (4, 55), (5, 43)]
    assert fleiss_kappa(FLEISS_1971).value == pytest.approx(0.430, abs=5e-4)
    assert fleiss_kappa(FLEISS_1971).value == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_kappa_needs_the_same_number_of_labels_on_every_unit():
    result = fleiss_kappa(KRIPPENDORFF_2011)
    assert result.value is None and "same number" in result.reason
    # Unlabelled units are ignored rather than counted as units with zero ratings.
    assert fleiss_kappa(FLEISS_1971 + [[N] * 6]).value == pytest.approx(0.4302445, abs=1e-7)


# --- Cohen's kappa ------------------------------------------------------------------------------------

def test_cohen_kappa_reproduces_the_textbook_two_by_two():
    # Wikipedia, "Cohen's kappa", worked example: 50 proposals, yes/yes 20, yes/no 5, no/yes 10,
    # no/no 15; p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a, b = two_raters_from_cells({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    result = cohen_kappa(a, b)
    assert result.value == pytest.approx(0.4)
    assert (result.observed, result.expected, result.units) == (pytest.approx(0.7), pytest.approx(0.5), 50)


def test_cohen_kappa_reproduces_gwet_abstractors():
    assert cohen_kappa(*ABSTRACTORS).value == pytest.approx(0.7964094, abs=1e-7)


def test_cohen_kappa_uses_only_units_both_raters_labelled():
    result = cohen_kappa(["a", "b", N, "a", "b"], ["a", "b", "a", N, "a"])
    # Derived by hand on the three shared units (a,a), (b,b), (b,a): p_o = 2/3,
    # p_e = (1/3)(2/3) + (2/3)(1/3) = 4/9, kappa = (2/3 - 4/9) / (5/9) = 0.4.
    assert result.units == 3
    assert result.value == pytest.approx(0.4)
    assert cohen_kappa([N, "a"], ["b", N]).value is None
    assert cohen_kappa(["a", "a"], ["a", "a"]).value is None
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


def test_pairwise_cohen_kappa_is_keyed_by_rater_pair():
    result = pairwise_cohen_kappa(KRIPPENDORFF_2011, ["ana", "ben", "chloe", "dev"])
    assert list(result) == ["ana|ben", "ana|chloe", "ana|dev", "ben|chloe", "ben|dev", "chloe|dev"]
    columns = list(zip(*KRIPPENDORFF_2011))
    assert result["ben|dev"] == cohen_kappa(columns[1], columns[3])
    with pytest.raises(ValueError):
        pairwise_cohen_kappa(KRIPPENDORFF_2011, ["ana", "ben"])
    with pytest.raises(ValueError):
        pairwise_cohen_kappa(KRIPPENDORFF_2011, ["ana", "ben", "ben", "dev"])


# --- Unit-level agreement, consensus and alignment ----------------------------------------------------

def test_item_agreement_and_consensus():
    assert item_agreement(["remove", "remove", "keep", N]).value == pytest.approx(1 / 3)
    assert item_agreement(["remove", "remove"]).value == 1.0
    assert item_agreement(["remove", N]).value is None
    assert consensus(["remove", "remove", "keep", N]) == "remove"
    assert consensus(["remove", "keep"]) is None                 # tie
    assert consensus([N, N]) is None


def test_percent_agreement_is_the_mean_unit_agreement():
    # Gwet (2014) p. 120 data: p_a = 0.81818 (= 9/11, see the AC1 test above).
    assert percent_agreement(GWET_2014_P120).value == pytest.approx(9 / 11)
    assert percent_agreement(list(zip(*ABSTRACTORS))).value == pytest.approx(0.89)
    assert percent_agreement([["a", N], [N, "b"]]).value is None


def test_rater_alignment_compares_each_rater_with_the_others_consensus():
    table = [
        ["remove", "remove", "remove"],
        ["remove", "keep", "keep"],
        ["keep", "keep", N],
        [N, "remove", "keep"],            # for rater 2 the others (only rater 3) say keep
    ]
    first, second, third = rater_alignment(table)
    # Rater 1: agrees on units 1 and 3, not on unit 2 (others: keep) -> 2/3.
    assert (first.value, first.units) == (pytest.approx(2 / 3), 3)
    # Rater 2: unit 1 yes; unit 2: others tie (remove, keep) -> skipped; unit 3 yes; unit 4 no -> 2/3.
    assert (second.value, second.units) == (pytest.approx(2 / 3), 3)
    # Rater 3: unit 1 yes; unit 2 tie -> skipped; unit 4: others say remove -> 1/2.
    assert (third.value, third.units) == (pytest.approx(1 / 2), 2)
    lonely = rater_alignment([["a", N], [N, "b"]])
    assert all(result.value is None and result.reason for result in lonely)


# --- Undefined cases and the result shape -------------------------------------------------------------

def test_every_coefficient_is_undefined_rather_than_invented_when_one_category_is_used():
    unanimous = [["keep", "keep", "keep"], ["keep", "keep", N], ["keep", "keep", "keep"]]
    results = [
        krippendorff_alpha_nominal(unanimous),
        alpha_from_coincidences(coincidence_matrix(unanimous)),
        fleiss_kappa([row for row in unanimous if N not in row]),
        cohen_kappa(*list(zip(*unanimous))[:2]),
        gwet_ac1(unanimous),
    ]
    assert all(result.value is None and result.reason for result in results)
    assert percent_agreement(unanimous).value == 1.0


def test_empty_and_unpairable_tables_are_undefined():
    for table in ([], [[N, N]], [["a", N], [N, "b"]]):
        for coefficient in (percent_agreement, krippendorff_alpha_nominal, fleiss_kappa, gwet_ac1):
            assert coefficient(table).value is None


def test_ragged_tables_are_rejected():
    with pytest.raises(ValueError):
        gwet_ac1([["a", "b"], ["a"]])


def test_agreement_has_either_a_value_or_a_reason():
    with pytest.raises(ValueError):
        Agreement(None)
    with pytest.raises(ValueError):
        Agreement(0.5, reason="both")


# --- Properties ---------------------------------------------------------------------------------------

calibration_tables = st.integers(2, 5).flatmap(
    lambda raters: st.lists(st.lists(st.sampled_from(["keep", "remove", "escalate", N]),
                                     min_size=raters, max_size=raters), min_size=1, max_size=25))


@given(calibration_tables)
def test_package_alpha_equals_in_house_alpha_with_missing_labels(table):
    package = krippendorff_alpha_nominal(table)
    in_house = alpha_from_coincidences(coincidence_matrix(table))
    if package.value is None:
        assert in_house.value is None
    else:
        assert in_house.value == pytest.approx(package.value, abs=1e-9)


@given(calibration_tables)
def test_coefficients_are_bounded_above_by_one(table):
    for result in (percent_agreement(table), gwet_ac1(table), krippendorff_alpha_nominal(table),
                   fleiss_kappa(table)):
        if result.value is not None:
            assert result.value <= 1.0 + 1e-12
    shares = percent_agreement(table).value
    if shares is not None:
        assert 0.0 <= shares <= 1.0


@given(st.lists(st.tuples(st.sampled_from(["keep", "remove", N]), st.sampled_from(["keep", "remove", N])),
                max_size=40))
def test_cohen_kappa_is_symmetric(pairs):
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    forward, backward = cohen_kappa(a, b), cohen_kappa(b, a)
    assert (forward.value is None) == (backward.value is None)
    if forward.value is not None:
        assert forward.value == pytest.approx(backward.value, abs=1e-12)


# --- The calibration report ---------------------------------------------------------------------------

def test_report_gathers_every_figure_and_says_why_one_is_missing():
    table = [
        ["harassment.bullying", "harassment.bullying", "harassment.bullying"],
        ["harassment.bullying", "no_violation", N],
        ["no_violation", "no_violation", "no_violation"],
        ["harassment.bullying", "harassment.bullying", "no_violation"],
    ]
    result = report(table, ["ana", "ben", "chloe"])
    assert result.gwet_ac1 == gwet_ac1(table)
    assert result.krippendorff_alpha == krippendorff_alpha_nominal(table)
    assert [item.agreement for item in result.items] == pytest.approx([1.0, 0.0, 1.0, 1 / 3])
    assert [item.consensus for item in result.items] == [
        "harassment.bullying", None, "no_violation", "harassment.bullying"]
    assert [p.rater for p in result.participants] == ["ana", "ben", "chloe"]

    figures = result.coefficients()
    assert figures["fleiss_kappa"] is None and "same number" in figures["reasons"]["fleiss_kappa"]
    assert figures["percent_agreement"] == pytest.approx((1 + 0 + 1 + 1 / 3) / 4)
    assert set(figures["pairwise_cohen_kappa"]) == {"ana|ben", "ana|chloe", "ben|chloe"}
    assert "gwet_ac1" not in figures["reasons"]


def test_report_on_an_empty_calibration_is_all_undefined():
    result = report([], ["ana", "ben"])
    figures = result.coefficients()
    assert figures["gwet_ac1"] is None and figures["reasons"]["gwet_ac1"]
    assert [p.alignment for p in result.participants] == [None, None]
    with pytest.raises(ValueError):
        report([["a", "b"]], ["ana"])
