"""Forecasting intake volume per interval: pure numpy/statsmodels, no Django.

The seasonal model is MSTL (Bandara, Hyndman & Bergmeir 2021; statsmodels' `MSTL`) with a daily and a weekly
period (48 and 336 half-hours): the series is split into a daily and a weekly seasonal component, a trend and a
remainder. The seasonal components are carried forward a period at a time (seasonal naive on each), and the
seasonally adjusted series (trend + remainder) is forecast with simple exponential smoothing (statsmodels'
`ETSModel`, additive error, no trend), whose prediction intervals widen with the horizon; their width is the
larger of the model's own and the backtest's error, since the in-sample fit flatters. Volumes are counts, so
every bound is clipped at zero.

The error shown is WAPE, Σ|actual − forecast| / Σ actual, on the last week of history held out: the model is
fitted without it, asked for it, and compared. A history too short for MSTL and its backtest falls back to the
seasonal naive forecast (same interval last week, or yesterday), whose `reason` says why.
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

DAY, WEEK = 48, 336            # half-hour intervals
LEVEL, LEVEL_95 = 0.80, 0.95


class HistoryTooShort(ValueError):
    pass


@dataclass(frozen=True)
class Forecast:
    model: str                   # "mstl" or "seasonal_naive"
    reason: str                  # why a fallback was used ("" for MSTL)
    mean: np.ndarray
    lower: np.ndarray            # 80% interval
    upper: np.ndarray
    upper_95: np.ndarray
    wape: float | None
    backtest_actual: np.ndarray
    backtest_forecast: np.ndarray


def wape(actual, forecast) -> float | None:
    """Weighted absolute percentage error; None when nothing happened (Σ actual = 0)."""
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    total = actual.sum()
    return None if total <= 0 else float(np.abs(actual - forecast).sum() / total)


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _repeat_last(values: np.ndarray, period: int, horizon: int) -> np.ndarray:
    last = values[-period:]
    return np.resize(last, horizon) if len(last) == period else np.zeros(horizon)


def seasonal_naive(history, horizon: int, period: int) -> tuple[np.ndarray, np.ndarray]:
    """The same interval one period earlier, and the standard error per step ahead (σ·√(seasons ahead))."""
    y = np.asarray(history, dtype=float)
    mean = _repeat_last(y, period, horizon)
    diffs = y[period:] - y[:-period]
    sigma = float(np.sqrt(np.mean(diffs ** 2))) if diffs.size else float(np.std(y))
    seasons = np.arange(horizon) // period + 1
    return mean, sigma * np.sqrt(seasons)


def _mstl(history: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.seasonal import MSTL

    decomposition = MSTL(history, periods=(DAY, WEEK)).fit()
    seasonal = np.asarray(decomposition.seasonal)
    ahead = _repeat_last(seasonal[:, 0], DAY, horizon) + _repeat_last(seasonal[:, 1], WEEK, horizon)
    adjusted = history - seasonal.sum(axis=1)
    fit = ETSModel(pd.Series(adjusted), error="add", trend=None).fit(disp=False)
    level = float(np.asarray(fit.forecast(1))[0])
    alpha, sigma = float(fit.params.iloc[0]), float(np.sqrt(fit.mse))
    # SES: the h-step variance is σ²(1 + (h − 1)α²) (Hyndman & Athanasopoulos, FPP3 §8.7).
    se = sigma * np.sqrt(1 + np.arange(horizon) * alpha ** 2)
    return level + ahead, se


def forecast(history, horizon: int) -> Forecast:
    """The next `horizon` half-hours after `history` (volumes per half-hour, oldest first, ending just before
    the first interval asked for)."""
    y = np.asarray(history, dtype=float)
    if y.size < DAY:
        raise HistoryTooShort(f"at least a day ({DAY} half-hours) of history is needed; there are {y.size}")
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise ValueError("volumes are finite and not negative")
    if y.size >= 3 * WEEK and y.sum() > 0:
        model, reason = "mstl", ""
        back = np.maximum(_mstl(y[:-WEEK], WEEK)[0], 0)
        mean, se = _mstl(y, horizon)
        actual = y[-WEEK:]
        # The in-sample σ of the remainder understates the error: the seasonal components fit noise too. The
        # held-out week's error is honest; widen the intervals to it where it is larger.
        held_out = float(np.sqrt(np.mean((actual - back) ** 2)))
        if se[0] > 0 and held_out > se[0]:
            se = se * (held_out / se[0])
    else:
        period = WEEK if y.size >= 2 * WEEK else DAY
        model = "seasonal_naive"
        have = f"{y.size / DAY:.1f} days of history"
        reason = (f"{have}: MSTL with a backtest needs three weeks; the same interval "
                  f"{'last week' if period == WEEK else 'yesterday'} is the forecast")
        if y.sum() == 0:
            reason = "no intake in the history: the forecast is zero"
        held = period if y.size >= 2 * period else 0
        back = seasonal_naive(y[:-held], held, period)[0] if held else np.array([])
        actual = y[-held:] if held else np.array([])
        mean, se = seasonal_naive(y, horizon, period)
    z80, z95 = _z(LEVEL), _z(LEVEL_95)
    mean = np.maximum(mean, 0)
    return Forecast(model=model, reason=reason, mean=mean, lower=np.maximum(mean - z80 * se, 0),
                    upper=mean + z80 * se, upper_95=mean + z95 * se,
                    wape=wape(actual, back) if actual.size else None, backtest_actual=actual,
                    backtest_forecast=back)
