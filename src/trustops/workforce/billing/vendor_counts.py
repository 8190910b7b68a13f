"""The vendor's own count of decisions, from its CSV: `queue,day,decisions`, one row per queue and day.

Every problem is found before anything is written and listed with its row and column (`csv.row 3.queue`):
unknown queues, days outside the invoice's month or not a date, counts that are not whole numbers ≥ 0,
duplicate rows, missing columns. A count that cannot be imported whole is not imported at all.
"""
import csv
import io
from datetime import date

from trustops.review.models import Queue

COLUMNS = ("queue", "day", "decisions")
MAX_ROWS = 100_000
MAX_DECISIONS = 2_000_000_000


def parse(text: str, *, month: date) -> tuple[list[tuple[str, date, int]], list[dict]]:
    problems: list[dict] = []
    rows: list[tuple[str, date, int]] = []
    if "\x00" in text:
        return [], [{"field": "csv", "message": "the file holds a NUL character"}]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [{"field": "csv.header", "message": f"missing column(s): {', '.join(missing)}; "
                                                       f"expected {','.join(COLUMNS)}"}]
    reader.fieldnames = header
    known = set(Queue.objects.values_list("key", flat=True))
    seen: dict[tuple[str, date], int] = {}
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            problems.append({"field": "csv", "message": f"more than {MAX_ROWS:,} rows"})
            break
        where = f"csv.row {number}"
        queue = (record.get("queue") or "").strip()
        day_text = (record.get("day") or "").strip()
        count_text = (record.get("decisions") or "").strip()
        ok = True
        if queue not in known:
            problems.append({"field": f"{where}.queue", "message": f"unknown queue {queue!r}"})
            ok = False
        try:
            day = date.fromisoformat(day_text)
            if (day.year, day.month) != (month.year, month.month):
                problems.append({"field": f"{where}.day", "message": f"{day_text} is outside {month:%Y-%m}"})
                ok = False
        except ValueError:
            problems.append({"field": f"{where}.day", "message": f"not a date (YYYY-MM-DD): {day_text!r}"})
            ok = False
        try:
            decisions = int(count_text)
            if decisions < 0 or decisions > MAX_DECISIONS:
                raise ValueError
        except ValueError:
            problems.append({"field": f"{where}.decisions",
                             "message": f"not a whole number of decisions ≥ 0: {count_text!r}"})
            ok = False
        if not ok:
            continue
        if (queue, day) in seen:
            problems.append({"field": f"{where}", "message":
                             f"duplicate of row {seen[(queue, day)]} ({queue}, {day.isoformat()})"})
            continue
        seen[(queue, day)] = number
        rows.append((queue, day, decisions))
    if not rows and not problems:
        problems.append({"field": "csv", "message": "no rows"})
    return rows, problems
