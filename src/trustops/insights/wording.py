"""How reports word months, codes and numbers for people. Kept light: template tags import it."""
from datetime import date, datetime

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
CATEGORY_NAMES = {"product_tech": "Product / tech", "process": "Process", "policy": "Policy",
                  "human_training": "Human / training", "uncategorised": "No category"}
ERROR_NAMES = {"correct": "Correct", "false_positive": "False positive", "false_negative": "False negative",
               "wrong_policy": "Wrong policy", "wrong_action": "Wrong action"}
STATUS_NAMES = {"open": "Open", "in_progress": "In progress", "done": "Done"}
COEFFICIENTS = [("percent_agreement", "Agreement"), ("krippendorff_alpha", "Krippendorff's alpha"),
                ("fleiss_kappa", "Fleiss' kappa"), ("gwet_ac1", "Gwet's AC1")]


def month_title(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def pct(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def interval(low, high, digits: int = 1) -> str:
    if low is None or high is None:
        return "—"
    return f"{low * 100:.{digits}f}–{high * 100:.{digits}f}%"


def points(value, digits: int = 1) -> str:
    """A difference of proportions in percentage points, signed."""
    if value is None:
        return "—"
    return f"{value * 100:+.{digits}f} pp".replace("-", "−")


def coefficient(value) -> str:
    if value is None:
        return "undefined"
    return f"{value + 0.0 if abs(value) >= 0.005 else 0.0:.2f}".replace("-", "−")


def when(iso: str | None) -> str:
    if not iso:
        return "—"
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def day(iso: str) -> str:
    value = date.fromisoformat(iso[:10])
    return f"{MONTHS[value.month - 1][:3]} {value.day}"


def days(first: str, last: str) -> str:
    """"Mar 3–9", or "Mar 31" for a single day."""
    if first == last:
        return day(first)
    return f"{day(first)}–{date.fromisoformat(last[:10]).day}"


def period(data: dict) -> str:
    start = date.fromisoformat(data["period"]["from"][:10])
    end = date.fromisoformat(data["period"]["to"][:10])
    last = end.toordinal() - start.toordinal()
    return f"1–{last} {MONTHS[start.month - 1]} {start.year}"
