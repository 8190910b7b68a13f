"""Reading calibration sessions and how far their participants agree (the coefficients live in `stats.agreement`)."""
from trustops.kernel.errors import NotFound
from trustops.quality.models import CalibrationLabel, CalibrationSession
from trustops.quality.selectors import calibrations_visible_to
from trustops.quality.stats import agreement


def get_calibration(user, session_id: int) -> CalibrationSession:
    session = calibrations_visible_to(user).filter(pk=session_id).first()
    if session is None:
        raise NotFound("calibration_not_found", f"No calibration session {session_id}.")
    return session


def calibration_agreement(user, session_id: int) -> dict:
    session = get_calibration(user, session_id)
    items = list(session.items.order_by("case_id"))
    raters = sorted(session.participants.values_list("username", flat=True))
    labels: dict[tuple[int, str], str] = {}
    for item_id, username, label in CalibrationLabel.objects.filter(item__session=session).values_list(
            "item_id", "participant__username", "label"):
        labels[(item_id, username)] = label
    table = [[labels.get((item.pk, r)) for r in raters] for item in items]
    # Gwet's AC1 counts the categories actually used; a form of every policy code would inflate it.
    report = agreement.report(table, raters)
    coefficients = report.coefficients()
    item_rows = []
    for item, row, summary in zip(items, table, report.items):
        item_rows.append({"item": item.case_id, "agreement": _round(summary.agreement),
                          "consensus": summary.consensus, "labels": sum(label is not None for label in row),
                          "benchmark": item.benchmark_label or None,
                          # Reviewers who disagree on the same content usually point at unclear policy text.
                          "likely_policy_ambiguity": summary.agreement is not None
                          and summary.agreement < AMBIGUITY_BELOW})
    return {
        "calibration_id": session.pk, "closed": session.closed_at is not None,
        "units": len(items), "raters": len(raters),
        **{name: _round(coefficients[name]) for name in ("percent_agreement", "krippendorff_alpha",
                                                         "fleiss_kappa", "gwet_ac1")},
        "pairwise_cohen_kappa": {pair: _round(v) for pair, v in coefficients["pairwise_cohen_kappa"].items()},
        "undefined": coefficients["reasons"],
        "items": item_rows,
        "participants": [{"username": p.rater, "alignment": _round(p.alignment), "units": p.units,
                          "benchmark_accuracy": _benchmark_accuracy(items, labels, p.rater)}
                         for p in report.participants],
    }


AMBIGUITY_BELOW = 0.6


def _round(value):
    return None if value is None else round(value, 4)


def _benchmark_accuracy(items, labels, rater) -> float | None:
    judged = [(labels.get((i.pk, rater)), i.benchmark_label) for i in items if i.benchmark_label]
    judged = [(given, right) for given, right in judged if given is not None]
    return round(sum(g == r for g, r in judged) / len(judged), 4) if judged else None
