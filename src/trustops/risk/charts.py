"""Backtest and monitor charts, drawn on the server as SVG with the insights charts' style."""
from datetime import datetime

from trustops.insights import charts


def hits_per_day(per_day: list[dict]) -> str:
    figure = charts._figure(2.4)
    axes = figure.add_subplot()
    days = [row["day"][5:] for row in per_day]
    axes.bar(days, [row["hits"] for row in per_day], color=charts.ACCENT)
    axes.set_ylabel("hits")
    axes.tick_params(axis="x", labelrotation=45 if len(days) > 10 else 0)
    return charts._svg(figure, "Backtest hits per day")


def monitor_series(hours: list[datetime], observed: list[int], expected: list[float], alerts: list[datetime]) -> str:
    figure = charts._figure(2.4)
    axes = figure.add_subplot()
    axes.plot(hours, observed, color=charts.INK, linewidth=1.2, label="observed")
    axes.plot(hours, expected, color=charts.BAND, linewidth=2.0, label="seasonal baseline")
    if alerts:
        marks = [observed[hours.index(h)] for h in alerts if h in hours]
        axes.scatter([h for h in alerts if h in hours], marks, color=charts.BELOW, zorder=3, label="alert")
    axes.legend(loc="upper left")
    axes.set_ylabel("events per hour")
    figure.autofmt_xdate()
    return charts._svg(figure, "Hourly volume against its seasonal baseline")
