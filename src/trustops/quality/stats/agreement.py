"""Agreement between reviewers on nominal labels (calibration sessions, double reviews).

Input is a units x raters table: one row per item (case, decision under calibration), one column per
rater, each cell a label (any hashable: a verdict, a policy code) or ``None`` when that rater did not
label that unit. Missing labels are normal; rows with no labels at all are ignored everywhere.

Every coefficient returns an ``Agreement``: ``value`` is None exactly when the coefficient is undefined
for the data, and ``reason`` then says why in a sentence fit for a report. Impossible input (rows of
different lengths, wrong number of rater names) raises ``ValueError``.

Pure Python with numpy/statsmodels/krippendorff; no Django.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import krippendorff
import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa as _statsmodels_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as _statsmodels_fleiss_kappa

__all__ = [
    "Agreement",
    "Coincidences",
    "percent_agreement",
    "item_agreement",
    "consensus",
    "rater_alignment",
    "coincidence_matrix",
    "alpha_from_coincidences",
    "krippendorff_alpha_nominal",
    "fleiss_kappa",
    "cohen_kappa",
    "pairwise_cohen_kappa",
    "gwet_ac1",
    "ItemSummary",
    "RaterSummary",
    "CalibrationReport",
    "report",
]

Label = Hashable
Row = Sequence[Label | None]
Table = Sequence[Row]

NO_PAIRS = "no unit has two or more labels, so there is nothing to compare"
NO_CONSENSUS = "this rater labelled no unit on which the other raters reached a consensus"
ONE_CATEGORY = "every label is the same category, so chance agreement is 1 and the coefficient is 0/0"


@dataclass(frozen=True)
class Agreement:
    """One agreement figure. ``value`` is None exactly when ``reason`` is set.

    ``observed`` and ``expected`` are the observed and chance agreement the coefficient compares
    (value = (observed - expected) / (1 - expected)) when they exist; ``units`` counts the units that
    entered the computation.
    """
    value: float | None
    reason: str | None = None
    observed: float | None = None
    expected: float | None = None
    units: int = 0

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("an Agreement has either a value or a reason, not both")

    @classmethod
    def undefined(cls, reason: str, **fields) -> Agreement:
        return cls(None, reason, **fields)


@dataclass(frozen=True)
class Coincidences:
    """Krippendorff's coincidence matrix: ``matrix[c][k]`` weighs the c-k pairs of labels within units.

    ``units`` counts the pairable units (two or more labels) behind it.
    """
    categories: list[Label]
    matrix: np.ndarray
    units: int


def _rows(table: Table) -> list[list[Label | None]]:
    rows = [list(row) for row in table]
    if rows and any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("every row of the table must have one cell per rater")
    return rows


def _labels(row: Row) -> list[Label]:
    return [label for label in row if label is not None]


def _categories(rows: Iterable[Row]) -> list[Label]:
    # First-seen order keeps results stable and does not require labels to be sortable.
    seen: dict[Label, None] = {}
    for row in rows:
        for label in _labels(row):
            seen.setdefault(label, None)
    return list(seen)


def _chance_corrected(observed: float, expected: float, units: int) -> Agreement:
    # Sums of fractional pair weights can land a rounding error below 1.
    if expected >= 1.0 - 1e-12:
        return Agreement.undefined(ONE_CATEGORY, observed=observed, expected=expected, units=units)
    return Agreement((observed - expected) / (1 - expected), observed=observed, expected=expected,
                     units=units)


def item_agreement(row: Row) -> Agreement:
    """Share of agreeing pairs among the raters who labelled this unit (2 of 3 agree: 1/3).

    Undefined with fewer than two labels.
    """
    labels = _labels(row)
    m = len(labels)
    if m < 2:
        return Agreement.undefined("fewer than two raters labelled this unit")
    agreeing = sum(count * (count - 1) for count in Counter(labels).values())
    share = agreeing / (m * (m - 1))
    return Agreement(share, observed=share, units=1)


def consensus(row: Row) -> Label | None:
    """The modal label of a unit; None when no one labelled it or the top labels tie."""
    ranked = Counter(_labels(row)).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def percent_agreement(table: Table) -> Agreement:
    """Mean of ``item_agreement`` over units with two or more labels (Gwet's observed agreement p_a).

    Each unit counts equally however many raters labelled it. Undefined when no unit has two labels.
    """
    shares = [item_agreement(row).value for row in _rows(table) if len(_labels(row)) >= 2]
    if not shares:
        return Agreement.undefined(NO_PAIRS)
    mean = sum(shares) / len(shares)
    return Agreement(mean, observed=mean, units=len(shares))


def rater_alignment(table: Table) -> list[Agreement]:
    """For each rater (column order): share of their labels equal to the other raters' consensus.

    Only units where the rater gave a label and the others have a consensus (at least one label, no
    tie) count. Undefined for a rater with no such unit.
    """
    rows = _rows(table)
    raters = len(rows[0]) if rows else 0
    results = []
    for rater in range(raters):
        compared = agreed = 0
        for row in rows:
            own = row[rater]
            if own is None:
                continue
            others = consensus(row[:rater] + row[rater + 1:])
            if others is None:
                continue
            compared += 1
            agreed += own == others
        if compared == 0:
            results.append(Agreement.undefined(NO_CONSENSUS))
        else:
            results.append(Agreement(agreed / compared, observed=agreed / compared, units=compared))
    return results


def coincidence_matrix(table: Table) -> Coincidences:
    """Krippendorff's coincidence matrix for nominal labels, computed in-house.

    Each unit with m >= 2 labels contributes, for every ordered pair of different raters labelling
    it (c, k), the weight 1 / (m - 1); units with fewer than two labels are not pairable.
    """
    rows = [row for row in _rows(table) if len(_labels(row)) >= 2]
    categories = _categories(rows)
    index = {label: position for position, label in enumerate(categories)}
    matrix = np.zeros((len(categories), len(categories)))
    for row in rows:
        counts = Counter(_labels(row))
        m = sum(counts.values())
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                matrix[index[c], index[k]] += pairs / (m - 1)
    return Coincidences(categories, matrix, len(rows))


def alpha_from_coincidences(coincidences: Coincidences) -> Agreement:
    """Nominal Krippendorff's alpha from a coincidence matrix (Krippendorff 2011).

    alpha = 1 - D_o / D_e with D_o = sum_{c != k} o_ck / n and
    D_e = sum_{c != k} n_c n_k / (n (n - 1)), n_c the row margins and n their total.
    Reported as (A_o - A_e) / (1 - A_e) with A_o = 1 - D_o and A_e = 1 - D_e.
    """
    matrix = coincidences.matrix
    n = float(matrix.sum())
    if n < 2:
        return Agreement.undefined(NO_PAIRS)
    margins = matrix.sum(axis=1)
    observed = float(np.trace(matrix)) / n
    expected = float((margins * (margins - 1)).sum()) / (n * (n - 1))
    if np.count_nonzero(margins) < 2:
        return Agreement.undefined(ONE_CATEGORY, observed=observed, expected=expected,
                                   units=coincidences.units)
    return _chance_corrected(observed, expected, units=coincidences.units)


def krippendorff_alpha_nominal(table: Table) -> Agreement:
    """Krippendorff's alpha for nominal labels with missing data, via the ``krippendorff`` package.

    Uses every unit with two or more labels (``units``). Undefined when no unit has two labels or
    when all pairable labels are one category.
    """
    rows = _rows(table)
    pairable = [row for row in rows if len(_labels(row)) >= 2]
    if not pairable:
        return Agreement.undefined(NO_PAIRS)
    categories = _categories(pairable)
    # Observed and chance agreement for the report come from the coincidence matrix.
    reference = alpha_from_coincidences(coincidence_matrix(pairable))
    if len(categories) < 2:
        return Agreement.undefined(ONE_CATEGORY, observed=reference.observed,
                                   expected=reference.expected, units=len(pairable))
    index = {label: position for position, label in enumerate(categories)}
    value_counts = np.zeros((len(pairable), len(categories)))
    for unit, row in enumerate(pairable):
        for label in _labels(row):
            value_counts[unit, index[label]] += 1
    value = float(krippendorff.alpha(value_counts=value_counts, level_of_measurement="nominal"))
    return Agreement(value, observed=reference.observed, expected=reference.expected,
                     units=len(pairable))


def fleiss_kappa(table: Table) -> Agreement:
    """Fleiss' kappa, via statsmodels on the units x categories count table.

    Defined only when every labelled unit has the same number m >= 2 of labels (Fleiss 1971 assumes a
    fixed number of ratings per subject); otherwise undefined, and Gwet's AC1 or Krippendorff's alpha,
    which allow missing labels, should be reported instead. Also undefined when one category is used
    throughout.
    """
    rows = [row for row in _rows(table) if _labels(row)]
    if not rows:
        return Agreement.undefined(NO_PAIRS)
    sizes = {len(_labels(row)) for row in rows}
    if len(sizes) > 1:
        return Agreement.undefined(
            "units have different numbers of labels; Fleiss' kappa needs the same number on every unit")
    m = sizes.pop()
    if m < 2:
        return Agreement.undefined(NO_PAIRS)
    categories = _categories(rows)
    index = {label: position for position, label in enumerate(categories)}
    counts = np.zeros((len(rows), len(categories)))
    for unit, row in enumerate(rows):
        for label in _labels(row):
            counts[unit, index[label]] += 1
    observed = float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())
    shares = counts.sum(axis=0) / counts.sum()
    expected = float((shares * shares).sum())
    if len(categories) < 2:
        return Agreement.undefined(ONE_CATEGORY, observed=observed, expected=expected, units=len(rows))
    value = float(_statsmodels_fleiss_kappa(counts, method="fleiss"))
    return Agreement(value, observed=observed, expected=expected, units=len(rows))


def cohen_kappa(labels_a: Sequence[Label | None], labels_b: Sequence[Label | None]) -> Agreement:
    """Cohen's kappa for two raters over the units both labelled, via statsmodels.

    Chance agreement is sum_k p_a(k) p_b(k) from each rater's own label shares. Undefined when no unit
    was labelled by both, or when both used one and the same category throughout.
    """
    if len(labels_a) != len(labels_b):
        raise ValueError("both raters' label lists must cover the same units")
    pairs = [(a, b) for a, b in zip(labels_a, labels_b) if a is not None and b is not None]
    if not pairs:
        return Agreement.undefined("no unit was labelled by both raters")
    categories = _categories(pairs)
    index = {label: position for position, label in enumerate(categories)}
    contingency = np.zeros((len(categories), len(categories)))
    for a, b in pairs:
        contingency[index[a], index[b]] += 1
    total = contingency.sum()
    observed = float(np.trace(contingency) / total)
    expected = float((contingency.sum(axis=1) * contingency.sum(axis=0)).sum() / (total * total))
    if len(categories) < 2:
        return Agreement.undefined(ONE_CATEGORY, observed=observed, expected=expected, units=len(pairs))
    value = float(_statsmodels_cohens_kappa(contingency, return_results=False))
    return Agreement(value, observed=observed, expected=expected, units=len(pairs))


def pairwise_cohen_kappa(table: Table, rater_names: Sequence[str]) -> dict[str, Agreement]:
    """Cohen's kappa for every pair of raters, keyed "a|b" in column order (a's column before b's)."""
    rows = _rows(table)
    names = list(rater_names)
    if rows and len(names) != len(rows[0]):
        raise ValueError("give one rater name per column")
    if len(set(names)) != len(names) or any("|" in name for name in names):
        raise ValueError("rater names must be unique and must not contain '|'")
    columns = list(zip(*rows)) if rows else [() for _ in names]
    return {f"{names[i]}|{names[j]}": cohen_kappa(columns[i], columns[j])
            for i, j in combinations(range(len(names)), 2)}


def gwet_ac1(table: Table, categories: Iterable[Label] | None = None) -> Agreement:
    """Gwet's AC1 for any number of raters with missing labels (Gwet 2014, Handbook, 4th ed.).

    p_a: mean over units with r_i >= 2 labels of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)).
    p_e = 1/(q - 1) * sum_k pi_k (1 - pi_k), with pi_k = mean over units with at least one label of
    r_ik / r_i, and q the number of categories. AC1 = (p_a - p_e) / (1 - p_e).

    ``categories`` is the full label set of the form; q depends on it, so pass it when some category
    went unused. By default q is the number of labels seen. Undefined when no unit has two labels or
    when q < 2 (a single category, with no list of categories given).
    """
    rows = [row for row in _rows(table) if _labels(row)]
    seen = _categories(rows)
    if categories is None:
        domain = seen
    else:
        domain = list(dict.fromkeys(categories))
        unknown = [label for label in seen if label not in set(domain)]
        if unknown:
            raise ValueError(f"labels not among the categories: {unknown!r}")
    pairable = [row for row in rows if len(_labels(row)) >= 2]
    if not pairable:
        return Agreement.undefined(NO_PAIRS)
    if len(domain) < 2:
        return Agreement.undefined(
            "only one category is in use and no wider list of categories was given, so AC1's "
            "chance agreement 1/(q - 1) is undefined")
    index = {label: position for position, label in enumerate(domain)}
    q = len(domain)

    observed = 0.0
    for row in pairable:
        counts = Counter(_labels(row))
        r = sum(counts.values())
        observed += sum(n * (n - 1) for n in counts.values()) / (r * (r - 1))
    observed /= len(pairable)

    pi = np.zeros(q)
    for row in rows:
        labels = _labels(row)
        for label, count in Counter(labels).items():
            pi[index[label]] += count / len(labels)
    pi /= len(rows)
    expected = float((pi * (1 - pi)).sum() / (q - 1))
    return _chance_corrected(observed, expected, units=len(pairable))


@dataclass(frozen=True)
class ItemSummary:
    """One unit of a calibration: its ``item_agreement`` value and its ``consensus`` label."""
    agreement: float | None
    consensus: Label | None


@dataclass(frozen=True)
class RaterSummary:
    """One rater: ``rater_alignment`` value and the number of units it was computed on."""
    rater: str
    alignment: float | None
    units: int


@dataclass(frozen=True)
class CalibrationReport:
    """Everything ``report`` computes for one calibration table."""
    percent_agreement: Agreement
    krippendorff_alpha: Agreement
    fleiss_kappa: Agreement
    gwet_ac1: Agreement
    pairwise_cohen_kappa: dict[str, Agreement]
    items: list[ItemSummary]
    participants: list[RaterSummary]

    def coefficients(self) -> dict:
        """JSON-ready values (None where undefined) and, under ``reasons``, why each undefined one is.

        Pairwise kappas sit under ``pairwise_cohen_kappa`` keyed "a|b"; their reasons are keyed
        "pairwise_cohen_kappa.a|b".
        """
        named = {"percent_agreement": self.percent_agreement, "krippendorff_alpha": self.krippendorff_alpha,
                 "fleiss_kappa": self.fleiss_kappa, "gwet_ac1": self.gwet_ac1}
        reasons = {name: result.reason for name, result in named.items() if result.reason}
        reasons.update({f"pairwise_cohen_kappa.{pair}": result.reason
                        for pair, result in self.pairwise_cohen_kappa.items() if result.reason})
        return {
            **{name: result.value for name, result in named.items()},
            "pairwise_cohen_kappa": {pair: result.value for pair, result in self.pairwise_cohen_kappa.items()},
            "reasons": reasons,
        }


def report(table: Table, rater_names: Sequence[str],
           categories: Iterable[Label] | None = None) -> CalibrationReport:
    """All agreement figures for one calibration table (columns in ``rater_names`` order).

    ``categories`` is passed to ``gwet_ac1`` (the form's full label set, when known).
    """
    rows = _rows(table)
    names = list(rater_names)
    if rows and len(names) != len(rows[0]):
        raise ValueError("give one rater name per column")
    alignment = rater_alignment(rows) if rows else [Agreement.undefined(NO_CONSENSUS) for _ in names]
    return CalibrationReport(
        percent_agreement=percent_agreement(rows),
        krippendorff_alpha=krippendorff_alpha_nominal(rows),
        fleiss_kappa=fleiss_kappa(rows),
        gwet_ac1=gwet_ac1(rows, categories),
        pairwise_cohen_kappa=pairwise_cohen_kappa(rows, names),
        items=[ItemSummary(item_agreement(row).value, consensus(row)) for row in rows],
        participants=[RaterSummary(name, result.value, result.units) for name, result in zip(names, alignment)],
    )
