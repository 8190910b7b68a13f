"""The scorecard as XLSX and PDF (the HTML is the console's vendor page)."""
from trustops.workforce import documents

QUEUE_HEADER = ["queue", "volume", "sla_hours", "sla_target", "sla_attainment", "p50_minutes", "p90_minutes",
                "aht_seconds", "decisions_per_productive_hour", "audited", "accuracy", "accuracy_low",
                "accuracy_high", "overturn_rate"]
TREND_HEADER = ["month", "volume", "sla_attainment", "accuracy", "accuracy_low", "accuracy_high", "aht_seconds",
                "total", "credits", "cost_per_decision"]


def _pct(value):
    return None if value is None else round(value * 100, 2)


def _minutes(seconds):
    return None if seconds is None else round(seconds / 60)


def queue_rows(card: dict) -> list[list]:
    return [[q["queue"], q["volume"], q["sla_hours"], _pct(q["sla_target"]), _pct(q["sla_attainment"]),
             _minutes(q["time_to_decision"]["p50"]), _minutes(q["time_to_decision"]["p90"]),
             None if q["aht_seconds"] is None else round(q["aht_seconds"], 1),
             None if q["decisions_per_productive_hour"] is None else round(q["decisions_per_productive_hour"], 1),
             q["audited"], _pct(q["accuracy"]), _pct(q["accuracy_low"]), _pct(q["accuracy_high"]),
             _pct(q["overturn_rate"])] for q in card["queues"]]


def trend_rows(card: dict) -> list[list]:
    return [[r["month"], r["volume"], _pct(r["sla_attainment"]), _pct(r["accuracy"]), _pct(r["accuracy_low"]),
             _pct(r["accuracy_high"]), None if r["aht_seconds"] is None else round(r["aht_seconds"], 1),
             r["total"], r["credits"], r["cost_per_decision"]] for r in card.get("trend", [])]


def summary_rows(card: dict) -> list[list]:
    t, m, h = card["total"], card["money"], card["headcount"]
    return [["vendor", card["vendor"]], ["month", card["month"]], ["decisions", t["volume"]],
            ["sla_attainment_percent", _pct(t["sla_attainment"])], ["accuracy_percent", _pct(t["accuracy"])],
            ["accuracy_low_percent", _pct(t["accuracy_low"])], ["accuracy_high_percent", _pct(t["accuracy_high"])],
            ["aht_seconds", t["aht_seconds"]], ["decisions_per_productive_hour", t["decisions_per_productive_hour"]],
            ["overturn_rate_percent", _pct(t["overturn_rate"])], ["currency", m["currency"]],
            ["total", m["total"]], ["credits", m["credits"]], ["cost_per_decision", m["cost_per_decision"]],
            ["money_source", m["source"]], ["agents_rostered", h["rostered"]], ["agents_working", h["working"]],
            ["agents_joined", h["joined"]], *roster_rows(card)]


def roster_rows(card: dict) -> list[list]:
    """The month's roster figures, when anyone was rostered (adherence is measured against the roster)."""
    r = card.get("roster")
    if not r:
        return []
    return [["shifts_rostered", r["shifts"]], ["absences", r["absences"]], ["late_starts", r["late_starts"]],
            ["early_leaves", r["early_leaves"]], ["scheduled_hours", round(r["scheduled_seconds"] / 3600, 2)],
            ["paid_hours", round(r["paid_seconds"] / 3600, 2)],
            ["productive_hours", round(r["productive_seconds"] / 3600, 2)],
            ["adherence_percent", _pct(r["adherence"])], ["utilisation_percent", _pct(r["utilisation"])],
            ["occupancy_percent", _pct(r["occupancy"])]]


def render(card: dict, fmt: str) -> bytes:
    if fmt == "xlsx":
        return documents.to_xlsx([("Scorecard", ["figure", "value"], summary_rows(card)),
                                  ("Queues", QUEUE_HEADER, queue_rows(card)),
                                  ("Trend", TREND_HEADER, trend_rows(card))])
    if fmt == "pdf":
        intro = [f"{name.replace('_', ' ')}: {'' if value is None else value}" for name, value in summary_rows(card)[2:]]
        return documents.to_pdf(f"Monthly Business Review — {card['vendor']} — {card['month']}", intro,
                                [("Queues", QUEUE_HEADER, queue_rows(card)), ("Trend", TREND_HEADER, trend_rows(card))])
    raise ValueError(f"unknown format {fmt!r}")


def file_name(card: dict, fmt: str) -> str:
    return f"scorecard-{card['vendor_id']}-{card['month']}.{fmt}"
