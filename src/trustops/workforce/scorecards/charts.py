"""The scorecard's trend chart: SLA attainment and audited accuracy (with its 95% interval) by month, drawn
server-side as SVG the way the quality reports draw theirs (`insights.charts`)."""
from trustops.insights import charts


def trend(rows: list[dict], *, sla_target: float | None = None) -> str:
    shown = [r for r in rows if r["volume"]]
    if not shown:
        return charts._empty("No decisions in these months")
    with charts._style():
        figure = charts._figure(2.8)
        ax = figure.add_subplot()
        xs = list(range(len(rows)))
        sla = [(i, r["sla_attainment"]) for i, r in enumerate(rows) if r["sla_attainment"] is not None]
        if sla:
            ax.plot([i for i, _ in sla], [v for _, v in sla], marker="s", color=charts.ABOVE, lw=1.4,
                    label="SLA attainment")
        accuracy = [(i, r) for i, r in enumerate(rows) if r["accuracy"] is not None]
        if accuracy:
            ys = [r["accuracy"] for _, r in accuracy]
            errors = [[r["accuracy"] - r["accuracy_low"] for _, r in accuracy],
                      [r["accuracy_high"] - r["accuracy"] for _, r in accuracy]]
            ax.errorbar([i for i, _ in accuracy], ys, yerr=errors, fmt="o", color=charts.NEUTRAL, capsize=3.5,
                        elinewidth=1.2, markersize=5, label="Audited accuracy, 95% interval")
        if sla_target is not None:
            ax.axhline(sla_target, color=charts.BELOW, lw=1, ls=(0, (4, 3)), label=f"SLA target {sla_target:.0%}")
        ax.set_xticks(xs, [r["month"] for r in rows])
        ax.set_ylim(max(0.0, min([v for _, v in sla] + [r["accuracy_low"] for _, r in accuracy] + [1.0]) - 0.05),
                    1.02)
        ax.yaxis.set_major_formatter(charts.PERCENT)
        ax.legend(loc="lower left")
        return charts._svg(figure, "SLA attainment and audited accuracy by month")
