"""Charts for quality reports, drawn on the server by matplotlib as inline SVG (no scripts, no external files).

Each function takes the report's plain figures and returns an `<svg>` element as text, ready to be placed in
HTML. Figures are drawn with the object API (`Figure` + the SVG canvas), never pyplot, so nothing global is
touched and two requests can draw at once. Intervals are drawn as error bars. Text stays text (`svg.fonttype`
none) so the page's font is used and screen readers can read the labels; every chart also has a text
alternative and sits next to a table of the same figures.
"""
import io
import re
from itertools import count

import matplotlib

matplotlib.use("Agg")  # no display; the SVG canvas below does the drawing

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

from trustops.insights.wording import ERROR_NAMES  # noqa: E402

INK = "#1d2330"
MUTED = "#5d6778"
GRID = "#e4e8ef"
ACCENT = "#2b59c3"
BAND = "#c9d5ef"
BELOW = "#b3483f"
ABOVE = "#2f7d6d"
NEUTRAL = "#3d5a99"
# Calm, distinguishable in print and for the common colour-vision deficiencies; one colour per error type.
ERROR_COLOURS = {"false_positive": "#c9773b", "false_negative": "#3d6fb0", "wrong_policy": "#8a6bb0",
                 "wrong_action": "#6aa39a"}
# Inches. The SVG scales to its container; draw each chart about as wide as it will be shown (at 96 px an inch)
# so its text keeps the size of the page's small print.
WIDTH = 8.6
LAYOUT = "constrained"
STYLE = {
    "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"], "font.size": 9,
    "axes.edgecolor": "#b8c0cc", "axes.labelcolor": MUTED, "axes.titlecolor": INK, "axes.linewidth": 0.8,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "axes.axisbelow": True,
    "grid.color": GRID, "grid.linewidth": 0.8, "xtick.color": MUTED, "ytick.color": MUTED,
    "xtick.major.size": 0, "ytick.major.size": 0, "legend.frameon": False, "legend.fontsize": 8.5,
    "svg.fonttype": "none", "svg.hashsalt": "trustops",
}
_ids = count(1)
PERCENT = PercentFormatter(xmax=1, decimals=0)


def _figure(height: float, width: float = WIDTH) -> Figure:
    figure = Figure(figsize=(width, height), layout=LAYOUT)
    FigureCanvasSVG(figure)
    return figure


def _declarations_as_attributes(match: re.Match) -> str:
    declarations = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in declarations)


def _presentation_attributes(svg: str) -> str:
    """The console's Content-Security-Policy (style-src 'self') refuses `style` attributes and `<style>`
    elements; SVG takes the same properties as presentation attributes, which it does not refuse."""
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)  # matplotlib's default line joins, below
    svg = re.sub(r'style="([^"]*)"', _declarations_as_attributes, svg)
    return svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)


def _svg(figure: Figure, description: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = _presentation_attributes(svg)
    # Several charts share one page: make their element ids unique to each chart.
    prefix = f"c{next(_ids)}-"
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}\1"', svg)
    svg = re.sub(r'\swidth="[^"]+pt" height="[^"]+pt"', ' class="chart"', svg, count=1)
    label = (description.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return svg.strip()


def _style():
    return matplotlib.rc_context(STYLE)


def _empty(message: str, height: float = 1.4, width: float = WIDTH) -> str:
    with _style():
        figure = _figure(height, width)
        ax = figure.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, fontsize=10, transform=ax.transAxes)
        return _svg(figure, message)


def _overall_band(ax, overall: dict, *, horizontal: bool) -> None:
    if overall.get("accuracy") is None:
        return
    span, line = (ax.axhspan, ax.axhline) if horizontal else (ax.axvspan, ax.axvline)
    if overall.get("wilson_low") is not None:
        span(overall["wilson_low"], overall["wilson_high"], color=BAND, alpha=0.45, lw=0, zorder=0)
    line(overall["accuracy"], color=ACCENT, lw=1, ls=(0, (4, 3)), zorder=1,
         label=f"Overall {overall['accuracy']:.1%}")


def _limits(lows: list[float], overall: dict) -> tuple[float, float]:
    floor = min([v for v in lows if v is not None] + [overall.get("wilson_low") or 1.0])
    return max(0.0, floor - 0.04), 1.025


def _percent_axis(axis, low: float) -> None:
    """Percent ticks from the lower limit up to 100%, never beyond (the limit leaves room for markers)."""
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if (1 - low) / s <= 7)
    first = -(-low // step) * step
    ticks = [round(first + n * step, 4) for n in range(int(round((1 - first) / step)) + 1)]
    axis.set_ticks([t for t in ticks if low <= t <= 1.0])
    axis.set_major_formatter(PERCENT)


def accuracy_trend(weeks: list[dict], overall: dict, *, title: str = "Accuracy by week", width: float = WIDTH) -> str:
    """Weekly accuracy as points with 95% Wilson error bars, over the overall figure and its interval."""
    shown = [w for w in weeks if w.get("accuracy") is not None]
    if not shown:
        return _empty("No audits in this period", width=width)
    with _style():
        figure = _figure(2.9, width)
        ax = figure.add_subplot()
        positions = range(len(weeks))
        index = {w["week"]: i for i, w in enumerate(weeks)}
        xs = [index[w["week"]] for w in shown]
        ys = [w["accuracy"] for w in shown]
        errors = [[w["accuracy"] - w["wilson_low"] for w in shown], [w["wilson_high"] - w["accuracy"] for w in shown]]
        _overall_band(ax, overall, horizontal=True)
        ax.plot(xs, ys, color=NEUTRAL, lw=1.2, alpha=0.55, zorder=2)
        ax.errorbar(xs, ys, yerr=errors, fmt="o", color=NEUTRAL, ecolor=NEUTRAL, elinewidth=1.3, capsize=3.5,
                    markersize=5, zorder=3, label="Week, 95% interval")
        low, high = _limits([w["wilson_low"] for w in shown], overall)
        ax.set_ylim(low, high)
        _percent_axis(ax.yaxis, low)
        ax.set_xticks(list(positions), [f"{_week_tick(w)}\nn={w['audited']:,}" for w in weeks])
        ax.set_xlim(-0.5, len(weeks) - 0.5)
        ax.grid(axis="x", visible=False)
        ax.set_ylabel("Accuracy")
        ax.set_xlabel("ISO week of the decision (n = audits)")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, borderaxespad=0.3)
        text = "; ".join(f"{w['week']}: {w['accuracy']:.1%} ({w['wilson_low']:.1%}–{w['wilson_high']:.1%})"
                         for w in shown)
        return _svg(figure, f"{title}. {text}")


def _week_tick(week: dict) -> str:
    label = week["week"].split("-")[-1]
    first = week.get("first_day") or week.get("starts")
    if not first:
        return label
    return f"{label}\n{_short_date(first)}"


def _short_date(iso: str) -> str:
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    year, month, day = iso[:10].split("-")
    return f"{months[int(month) - 1]} {int(day)}"


def group_comparison(rows: list[dict], overall: dict, *, noun: str, limit: int = 14, width: float = WIDTH) -> str:
    """One row per group: accuracy with its 95% interval against the overall figure and its interval.

    Groups significantly below the rest (Newcombe) are drawn in red, significantly above in green.
    """
    rows = [r for r in rows if r.get("accuracy") is not None][:limit]
    if not rows:
        return _empty(f"No audited {noun}s in this period", width=width)
    rows = list(reversed(rows))  # the largest group on top
    with _style():
        figure = _figure(0.75 + 0.36 * len(rows), width)
        ax = figure.add_subplot()
        _overall_band(ax, overall, horizontal=False)
        for y, row in enumerate(rows):
            colour = BELOW if row.get("flag") == "below" else ABOVE if row.get("flag") == "above" else NEUTRAL
            ax.errorbar([row["accuracy"]], [y], xerr=[[row["accuracy"] - row["wilson_low"]],
                                                       [row["wilson_high"] - row["accuracy"]]],
                        fmt="o", color=colour, ecolor=colour, elinewidth=1.4, capsize=3, markersize=5, zorder=3)
            ax.annotate(f"{row['accuracy']:.1%}  n={row['audited']:,}", (row["wilson_high"], y), xytext=(5, 0),
                        textcoords="offset points", va="center", fontsize=7.5, color=MUTED)
        ax.set_yticks(range(len(rows)), [_clip(r.get("label") or r["group"], 30) for r in rows])
        low, _ = _limits([r["wilson_low"] for r in rows], overall)
        ax.set_xlim(low, 1.09)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        _percent_axis(ax.xaxis, low)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Accuracy with 95% interval (dashed: overall)")
        text = "; ".join(f"{r.get('label') or r['group']}: {r['accuracy']:.1%} "
                         f"({r['wilson_low']:.1%}–{r['wilson_high']:.1%}, n={r['audited']})" for r in reversed(rows))
        return _svg(figure, f"Accuracy by {noun}. {text}")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def pareto(rows: list[dict], *, label_of, noun: str = "cause", limit: int = 12, width: float = WIDTH) -> str:
    """Errors per cause as bars, largest first, with the cumulative share as a line and the 80% mark."""
    rows = [r for r in rows if r.get("errors")][:limit]
    if not rows:
        return _empty("No audited errors in this period", width=width)
    with _style():
        figure = _figure(3.1, width)
        ax = figure.add_subplot()
        xs = range(len(rows))
        colours = [NEUTRAL if r.get("vital_few") else "#9fb0cf" for r in rows]
        ax.bar(xs, [r["errors"] for r in rows], color=colours, width=0.62, zorder=2)
        labels = [_clip(label_of(r), 22) for r in rows]
        crowded = sum(len(label) + 3 for label in labels) > width * 9     # about 9 characters an inch at 9 pt
        ax.set_xticks(list(xs), labels, rotation=30 if crowded else 0, ha="right" if crowded else "center",
                      rotation_mode="anchor")
        ax.set_ylabel("Audited errors")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v):,}"))
        ax.grid(axis="x", visible=False)
        share = ax.twinx()
        share.plot(list(xs), [r["cumulative_share"] for r in rows], color=BELOW, marker="o", markersize=3.5, lw=1.3,
                   zorder=3)
        share.axhline(0.8, color=BELOW, lw=0.8, ls=(0, (3, 3)), alpha=0.6)
        share.set_ylim(0, 1.04)
        share.yaxis.set_major_formatter(PERCENT)
        share.set_ylabel("Cumulative share of errors", color=BELOW)
        share.tick_params(axis="y", colors=BELOW)
        share.grid(False)
        share.spines["right"].set_visible(True)
        share.spines["right"].set_color("#e3b7b2")
        text = "; ".join(f"{label_of(r)}: {r['errors']} ({r['cumulative_share']:.0%} cumulative)" for r in rows)
        return _svg(figure, f"Pareto of error {noun}s. {text}")


def errors_by_week(weeks: list[dict], *, width: float = WIDTH) -> str:
    """Audited errors per week, stacked by error type."""
    if not any(sum(w["errors"].values()) for w in weeks):
        return _empty("No audited errors in this period", width=width)
    with _style():
        figure = _figure(2.7, width)
        ax = figure.add_subplot()
        xs = list(range(len(weeks)))
        bottom = [0] * len(weeks)
        for error_type, colour in ERROR_COLOURS.items():
            values = [w["errors"].get(error_type, 0) for w in weeks]
            ax.bar(xs, values, bottom=bottom, color=colour, width=0.6, label=ERROR_NAMES[error_type], zorder=2)
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_xticks(xs, [_week_tick(w) for w in weeks])
        ax.set_ylim(0, max(bottom) * 1.12)
        ax.set_ylabel("Audited errors")
        ax.set_xlabel("ISO week of the decision")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, borderaxespad=0.3)
        text = "; ".join(f"{w['week']}: " + ", ".join(f"{ERROR_NAMES[e]} {w['errors'].get(e, 0)}"
                                                       for e in ERROR_COLOURS) for w in weeks)
        return _svg(figure, f"Audited errors by week and error type. {text}")
