"""Experiments, read: which exist, how their arms did, and how large an experiment or an audit needs to be.

An experiment compares arms (e.g. the old guideline text against a new one) by reviewer or by item. The
analysis reads decisions through the quality scope and judges them with what QA already knows: audits and
golden items. Every figure the data do not define is null, with the reason beside it.
"""
import statistics as descriptive
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.quality.golden.selectors import golden_outcome
from trustops.quality.models import (
    Audit,
    CalibrationLabel,
    ErrorType,
    Experiment,
    ExperimentStatus,
    GoldenItem,
)
from trustops.quality.selectors import decisions_in_quality_scope
from trustops.quality.stats import comparisons, proportions

BOOTSTRAP_RESAMPLES = 10_000
CALCULATOR_FIELDS = {"expected_accuracy", "margin", "confidence", "population", "p1", "p2", "alpha", "power",
                     "ratio", "n1", "n2"}


def experiments_visible_to(user) -> QuerySet[Experiment]:
    """Quality readers see every experiment; nobody else sees any (a reviewer must not learn their arm)."""
    if access.reads_quality(user):
        return Experiment.objects.all()
    return Experiment.objects.none()


def get_experiment(user, experiment_id: int) -> Experiment:
    experiment = (experiments_visible_to(user).select_related("queue", "created_by").filter(pk=experiment_id)
                  .first())
    if experiment is None:
        raise NotFound("experiment_not_found", f"No experiment {experiment_id}.")
    return experiment


def assignments(experiment: Experiment) -> dict[str, list]:
    """Arm → the usernames (reviewer experiments) or case ids (item experiments) assigned to it."""
    out: dict[str, list] = {arm["key"]: [] for arm in experiment.arms}
    for arm, username, case_id in (experiment.assignments.order_by("arm", "reviewer__username", "case_id")
                                   .values_list("arm", "reviewer__username", "case_id")):
        out.setdefault(arm, []).append(username if experiment.unit == "reviewer" else case_id)
    return out


# ---- the analysis ----

@dataclass
class Judged:
    """One review decision of an arm, with its handle time and, when QA knows it, whether it was right."""
    decision_id: int
    subject_id: int
    handle_seconds: int | None
    correct: bool | None
    source: str | None          # "audit" or "golden"


def _round(value, digits: int = 4):
    return None if value is None else round(value, digits)


def _window(experiment: Experiment):
    return experiment.started_at, experiment.ended_at or clock.now()


def _arm_of(experiment: Experiment) -> tuple[str, dict]:
    """The decision field that places a decision in an arm, and its value → arm."""
    rows = experiment.assignments.values_list("arm", "reviewer_id", "case_id")
    if experiment.unit == "reviewer":
        return "reviewer_id", {reviewer: arm for arm, reviewer, _ in rows}
    return "case_id", {case: arm for arm, _, case in rows}


def _judged_decisions(user, experiment: Experiment) -> dict[str, list[Judged]]:
    start, end = _window(experiment)
    field, arm_of = _arm_of(experiment)
    decisions = (decisions_in_quality_scope(user)
                 .filter(decided_at__gte=start, decided_at__lt=end, verdict__in=["violation", "no_violation"],
                         appeal_of__isnull=True, **{f"{field}__in": list(arm_of)}))
    if experiment.queue_id:
        decisions = decisions.filter(queue_id=experiment.queue_id)
    rows = list(decisions.order_by("id").values("id", field, "case__subject_id", "case_id", "verdict",
                                                "policy__code", "actions", "handle_seconds"))
    ids = [row["id"] for row in rows]
    audited = {}
    for start_at in range(0, len(ids), 2000):
        audited.update(Audit.objects.filter(decision_id__in=ids[start_at:start_at + 2000])
                       .values_list("decision_id", "error_type"))
    golden = {g.case_id: g for g in GoldenItem.objects.select_related("expected_policy")
              .filter(case_id__in={row["case_id"] for row in rows})}
    arms: dict[str, list[Judged]] = defaultdict(list)
    for row in rows:
        # An audit judges this very decision (and may have been arbitrated), so it wins over a golden answer.
        if row["id"] in audited:
            correct, source = audited[row["id"]] == ErrorType.CORRECT, "audit"
        elif row["case_id"] in golden:
            outcome = golden_outcome(verdict=row["verdict"], policy_code=row["policy__code"],
                                     actions=row["actions"], item=golden[row["case_id"]])
            correct, source = outcome == ErrorType.CORRECT, "golden"
        else:
            correct, source = None, None
        arms[arm_of[row[field]]].append(
            Judged(row["id"], row["case__subject_id"], row["handle_seconds"], correct, source))
    return arms


def _calibration_judgements(user, experiment: Experiment) -> dict[str, dict[int, list[bool]]]:
    """Reviewer experiments: labels given in calibration sessions during the experiment, against the benchmark."""
    if experiment.unit != "reviewer":
        return {}
    start, end = _window(experiment)
    _, arm_of = _arm_of(experiment)
    labels = (CalibrationLabel.objects.filter(participant_id__in=list(arm_of), labelled_at__gte=start,
                                              labelled_at__lt=end)
              .exclude(item__benchmark_label=""))
    labels = labels.filter(access.case_filter(user, "item__case__"))
    out: dict[str, dict[int, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for participant, subject_id, label, benchmark in labels.values_list(
            "participant_id", "item__case__subject_id", "label", "item__benchmark_label"):
        out[arm_of[participant]][subject_id].append(label == benchmark)
    return out


def _accuracy(judged: list[Judged], confidence: float) -> dict:
    known = [j for j in judged if j.correct is not None]
    correct = sum(j.correct for j in known)
    interval = proportions.wilson_interval(correct, len(known), confidence) if known else None
    return {"judged": len(known), "correct": correct,
            "from_audits": sum(j.source == "audit" for j in known),
            "from_golden": sum(j.source == "golden" for j in known),
            "estimate": _round(correct / len(known)) if known else None,
            "low": _round(interval.low) if interval else None,
            "high": _round(interval.high) if interval else None,
            "undefined": None if known else "No decision of this arm was audited or a golden item."}


def _handle_times(judged: list[Judged]) -> list[float]:
    return [float(j.handle_seconds) for j in judged if j.handle_seconds is not None]


def _handle_summary(judged: list[Judged]) -> dict:
    times = _handle_times(judged)
    return {"n": len(times), "mean": _round(descriptive.fmean(times), 1) if times else None,
            "median": _round(descriptive.median(times), 1) if times else None}


def _compare_accuracy(arm: list[Judged], control: list[Judged], confidence: float) -> dict:
    x1, n1 = sum(bool(j.correct) for j in arm), sum(j.correct is not None for j in arm)
    x2, n2 = sum(bool(j.correct) for j in control), sum(j.correct is not None for j in control)
    test = comparisons.two_proportion_test(x1, n1, x2, n2)
    interval = comparisons.newcombe_difference_interval(x1, n1, x2, n2, confidence)
    if test is None:
        reason = "An arm has no judged decision (audit or golden item)."
    elif test.z is None:
        reason = "Both arms were all right or all wrong: there is no variance to test against."
    else:
        reason = None
    return {"difference": _round(test.difference) if test else None, "z": _round(test.z) if test else None,
            "p_value": _round(test.p_value, 6) if test else None,
            "newcombe_low": _round(interval.low) if interval else None,
            "newcombe_high": _round(interval.high) if interval else None,
            "method": "two-proportion z test (pooled); Newcombe hybrid score interval", "undefined": reason}


def _compare_handle_times(arm: list[Judged], control: list[Judged], confidence: float, seed: int) -> dict:
    first, second = _handle_times(arm), _handle_times(control)
    welch = comparisons.welch_test(first, second, confidence)
    bootstrap = comparisons.bootstrap_mean_difference_interval(first, second, confidence,
                                                              resamples=BOOTSTRAP_RESAMPLES, seed=seed)
    undefined = {}
    if welch is None:
        undefined["welch"] = "Needs two handle times per arm and some variation in at least one arm."
    if bootstrap is None:
        undefined["bootstrap"] = "An arm has no handle time."
    difference = descriptive.fmean(first) - descriptive.fmean(second) if first and second else None
    return {
        "difference": _round(difference, 2),
        "welch": None if welch is None else {
            "t": _round(welch.t), "df": _round(welch.df, 2), "p_value": _round(welch.p_value, 6),
            "low": _round(welch.interval.low, 2), "high": _round(welch.interval.high, 2)},
        "bootstrap": None if bootstrap is None else {
            "low": _round(bootstrap.low, 2), "high": _round(bootstrap.high, 2),
            "resamples": BOOTSTRAP_RESAMPLES, "seed": seed},
        "undefined": undefined or None}


def _by_subject(judged: list[Judged], calibration: dict[int, list[bool]]) -> dict[int, list[bool]]:
    out: dict[int, list[bool]] = defaultdict(list)
    for j in judged:
        if j.correct is not None:
            out[j.subject_id].append(j.correct)
    for subject_id, marks in calibration.items():
        out[subject_id].extend(marks)
    return out


def _majority(marks: list[bool]) -> bool | None:
    right = sum(marks)
    return None if right * 2 == len(marks) else right * 2 > len(marks)


def _compare_paired(arm: dict[int, list[bool]], control: dict[int, list[bool]]) -> dict:
    """McNemar on items (subjects) both arms judged: each arm's majority judgement of the item."""
    both = right_arm_only = right_control_only = neither = ties = 0
    for subject_id in sorted(set(arm) & set(control)):
        mine, theirs = _majority(arm[subject_id]), _majority(control[subject_id])
        if mine is None or theirs is None:
            ties += 1
        elif mine and theirs:
            both += 1
        elif mine:
            right_arm_only += 1
        elif theirs:
            right_control_only += 1
        else:
            neither += 1
    pairs = both + right_arm_only + right_control_only + neither
    # b: the control right and the arm wrong; c: the reverse (comparisons.mcnemar's convention, control first).
    b, c = right_control_only, right_arm_only
    test = comparisons.mcnemar(b, c)
    if pairs == 0:
        reason = "No item was judged in both arms (same items: golden copies, calibration, re-reviews)."
    elif test is None:
        reason = "No discordant pair: the arms were right and wrong on the same items."
    else:
        reason = None
    return {"pairs": pairs, "both_correct": both, "b": b, "c": c, "both_wrong": neither,
            "split_items_left_out": ties,
            "mcnemar": None if test is None else {
                "statistic": _round(test.statistic), "p_value": _round(test.p_value, 6), "method": test.method},
            "undefined": reason}


def analysis(user, experiment_id: int, *, confidence: float = 0.95) -> dict:
    experiment = get_experiment(user, experiment_id)
    if experiment.status == ExperimentStatus.DRAFT:
        raise Conflict("experiment_not_started", "The experiment has not started: there is nothing to analyse.")
    judged = _judged_decisions(user, experiment)
    calibration = _calibration_judgements(user, experiment)
    start, end = _window(experiment)
    assigned = assignments(experiment)
    keys = [arm["key"] for arm in experiment.arms]
    control = keys[0]
    arms = [{"arm": key, "description": arm.get("description", ""), "assigned": len(assigned.get(key, [])),
             "decisions": len(judged.get(key, [])), "accuracy": _accuracy(judged.get(key, []), confidence),
             "handle_seconds": _handle_summary(judged.get(key, []))}
            for key, arm in zip(keys, experiment.arms)]
    against_control = []
    for key in keys[1:]:
        against_control.append({
            "arm": key, "against": control,
            "accuracy": _compare_accuracy(judged.get(key, []), judged.get(control, []), confidence),
            "handle_seconds": _compare_handle_times(judged.get(key, []), judged.get(control, []), confidence,
                                                    experiment.seed),
            "paired": _compare_paired(_by_subject(judged.get(key, []), calibration.get(key, {})),
                                      _by_subject(judged.get(control, []), calibration.get(control, {}))),
        })
    return {"experiment_id": experiment.pk, "name": experiment.name, "unit": experiment.unit,
            "status": experiment.status, "window": {"from": start, "to": end}, "confidence": confidence,
            "control": control, "arms": arms, "comparisons": against_control,
            "notes": ["Differences are arm minus control.",
                      "Accuracy counts decisions QA has judged: audits first, then golden items.",
                      "Paired figures use items (subjects) judged in both arms, by judged decisions and by "
                      "calibration labels against the benchmark; an arm's judgement of an item is its reviewers' "
                      "majority, and evenly split items are left out."]}


# ---- how large: the sample-size and power calculator ----

def _require(params: dict, *names: str) -> None:
    for name in names:
        if params.get(name) is None:
            raise Invalid("missing_field", f"{name} is required for this kind of calculation.", field=name)


def _calculate(function, field: str, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValueError as error:
        # statistics names the offending argument first ("margin must lie in (0, 1), got 0.7").
        named = str(error).split(" ", 1)[0]
        raise Invalid("invalid_field", str(error), field=named if named in CALCULATOR_FIELDS else field)
    except ArithmeticError:
        # Extreme inputs (a margin of 1e-300) leave floating point: no finite answer exists for them.
        raise Invalid("out_of_range", f"These inputs give no finite result; {field} is too extreme.", field=field)


def _given(params: dict, name: str, default):
    value = params.get(name)
    return default if value is None else value


def sample_size(kind: str, params: dict) -> dict:
    """`proportion`: audits for a margin of error; `two_proportions`: group sizes for a test; `power`: its power."""
    if kind == "proportion":
        _require(params, "expected_accuracy", "margin")
        confidence = _given(params, "confidence", 0.95)
        population = params.get("population")
        n = _calculate(proportions.sample_size_for_proportion, "margin", params["expected_accuracy"],
                       params["margin"], confidence=confidence, population=population)
        return {"kind": kind, "n": n, "inputs": {"expected_accuracy": params["expected_accuracy"],
                                                 "margin": params["margin"], "confidence": confidence,
                                                 "population": population},
                "method": "Cochran's normal approximation"
                          + (", with the finite population correction" if population else "")}
    if kind == "two_proportions":
        _require(params, "p1", "p2")
        inputs = {"p1": params["p1"], "p2": params["p2"], "alpha": _given(params, "alpha", 0.05),
                  "power": _given(params, "power", 0.8), "ratio": _given(params, "ratio", 1.0)}
        sizes = _calculate(comparisons.sample_size_two_proportions, "p1", inputs["p1"], inputs["p2"],
                           alpha=inputs["alpha"], power=inputs["power"], ratio=inputs["ratio"])
        return {"kind": kind, "n1": sizes.n1 if sizes else None, "n2": sizes.n2 if sizes else None,
                "total": sizes.n1 + sizes.n2 if sizes else None, "inputs": inputs,
                "method": "Cohen's h with the normal power function, two-sided",
                "undefined": None if sizes else "p1 equals p2: no sample size detects a zero difference."}
    if kind == "power":
        _require(params, "p1", "p2", "n1")
        inputs = {"p1": params["p1"], "p2": params["p2"], "n1": params["n1"],
                  "n2": _given(params, "n2", params["n1"]), "alpha": _given(params, "alpha", 0.05)}
        power = _calculate(comparisons.power_two_proportions, "n1", inputs["p1"], inputs["p2"], inputs["n1"],
                           inputs["n2"], alpha=inputs["alpha"])
        return {"kind": kind, "power": _round(power), "inputs": inputs,
                "method": "Cohen's h with the normal power function, two-sided"}
    raise Invalid("unknown_kind", "kind is `proportion`, `two_proportions` or `power`.", field="kind")
