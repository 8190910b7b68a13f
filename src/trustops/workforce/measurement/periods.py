"""Months as the periods vendors are measured and billed by (UTC, [first day, first day of the next))."""
from datetime import date, datetime, timezone

from trustops.kernel.errors import Invalid


def parse_month(value: str, field: str = "month") -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise Invalid("invalid_month", f"{field}: a month is written YYYY-MM", field=field) from None


def following(month: date, step: int = 1) -> date:
    index = month.year * 12 + month.month - 1 + step
    return date(index // 12, index % 12 + 1, 1)


def bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=timezone.utc)
    end_month = following(month)
    return start, datetime(end_month.year, end_month.month, 1, tzinfo=timezone.utc)


def label(month: date) -> str:
    return month.strftime("%Y-%m")
