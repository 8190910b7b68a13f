"""Checking the arguments of the estimates: impossible input is a caller's bug, so it raises ValueError."""
import math

from scipy import stats

# Rounding a sample size up must not turn 385.0000000001 (floating noise) into 386.
CEILING_TOLERANCE = 1e-9


def z_value(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def check_proportion(successes: int, n: int) -> None:
    check_count("successes", successes)
    check_count("n", n)
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")


def check_probability(name: str, value: float, *, open_interval: bool = False) -> None:
    inside = 0 < value < 1 if open_interval else 0 <= value <= 1
    if not inside:
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must lie in {bounds}, got {value!r}")


def round_up(value: float) -> int:
    return math.ceil(value - CEILING_TOLERANCE)

