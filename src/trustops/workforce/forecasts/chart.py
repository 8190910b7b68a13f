"""The forecast chart: history's last week, the forecast and its 80%/95% bands, as inline SVG (insights' charts)."""
from datetime import timedelta

import numpy as np

from trustops.insights.charts import ACCENT, BAND, MUTED, _empty, _figure, _style, _svg


def forecast_svg(run) -> str:
    if not run.mean:
        return _empty("No forecast")
    with _style():
        figure = _figure(2.8)
        ax = figure.add_subplot()
        step = timedelta(seconds=run.interval_seconds)
        ahead = [run.starts_at + i * step for i in range(len(run.mean))]
        ax.fill_between(ahead, run.lower, run.upper_95, color=BAND, alpha=0.35, lw=0, label="95% upper bound")
        ax.fill_between(ahead, run.lower, run.upper, color=BAND, alpha=0.9, lw=0, label="80% interval")
        ax.plot(ahead, run.mean, color=ACCENT, lw=1.2, label="Forecast")
        actual = run.backtest.get("actual") or []
        if actual:
            back = [run.starts_at - (len(actual) - i) * step for i in range(len(actual))]
            ax.plot(back, actual, color=MUTED, lw=0.8, label="Held-out week (actual)")
            ax.plot(back, run.backtest.get("forecast") or [], color=ACCENT, lw=0.8, ls=(0, (3, 2)),
                    label="Backtest forecast")
        ax.set_ylabel("Cases per half-hour")
        ax.set_ylim(bottom=0, top=max(1.0, float(np.max(run.upper_95 or [1])) * 1.05))
        ax.legend(loc="upper left", ncols=3)
        figure.autofmt_xdate()
        wape = f"WAPE {run.wape:.1%}" if run.wape is not None else "no backtest"
        return _svg(figure, f"Forecast of {run.queue.key} per half-hour with 80% and 95% bounds ({wape})")
