"""Nightly recomputation of health, benefits and funds for 1,000,000 merchants on PostgreSQL (target ≤ 60 s).

What is timed is the real nightly pass, `merchants.nightly.run`, in one process: the set-based statement that
computes every merchant's figures (30 days of daily figures, active strikes, 90 days of money), score, band with
its floors and cooldown, payout and reserve; the upsert of the scores and figures that moved into
`merchants_health`; `standing.refresh` for the merchants whose band, payout or reserve changed (with their ledger
events and messages); the run's event. Twice: the first pass writes every merchant's health row (none exists
yet: the worst night, every score moved), the second is an ordinary night where `--moved` of them go bad. In the
same run, over the same rows, the baseline is the bare aggregate query: one GROUP BY over the daily figures in
the window.

    .venv/bin/python benchmarks/merchant_nightly.py [--merchants 1000000] [--days 3] [--moved 0.001] [--keep]

Rows are written with generate_series on the server. Each merchant has `--days` days of figures; a share
`--moved` of them has a bad last day, so its band (and so its benefits and funds) changes tonight.
Needs a PostgreSQL server where the given role may create databases; the database is dropped at the end unless
--keep.
"""
import argparse
import json
import os
import sys
import time

from common import configure_django, drop_database, recreate_database, with_database

TARGET_SECONDS = 60.0
BARE = ("SELECT merchant_id, SUM(orders), SUM(refunds), SUM(chargebacks), SUM(no_shows), SUM(complaints), "
        "SUM(audits_failed), SUM(response_minutes), SUM(gross_amount), SUM(refund_amount), "
        "SUM(chargeback_amount) FROM merchants_dailymetrics WHERE day > %s GROUP BY merchant_id")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=3, help="days of figures per merchant")
    parser.add_argument("--moved", type=float, default=0.001, help="share of merchants whose band moves")
    parser.add_argument("--url", default=os.environ.get("TRUSTOPS_BENCH_POSTGRES_URL",
                                                        "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database", default="trustops_bench_merchants")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def populate(cursor, merchants: int, days: int, moved: float, now) -> None:
    cursor.execute("INSERT INTO subjects_subject (type, external_id, region, language, reach, attributes, "
                   "first_seen_at, updated_at) SELECT 'merchant', 'm-' || g, 'US', '', 0, '{}'::jsonb, %s, %s "
                   "FROM generate_series(1, %s) g", [now, now, merchants])
    cursor.execute("INSERT INTO merchants_category (code, name, requirements, documents, prohibited_services, "
                   "misleading_phrases, active) VALUES ('retail', 'Retail', '{}', '[]', '[]', '[]', true) "
                   "RETURNING id")
    category = cursor.fetchone()[0]
    healthy_funds = json.dumps({"payout": "normal", "reserve_percent": 0, "release_days": 0, "exposure": 0.0,
                                "reasons": []})
    cursor.execute("""
        INSERT INTO merchants_merchant (account_id, external_id, legal_name, category_id, region, status,
            status_reason, registration_number, address, phone, device_id, bank_account_fingerprint, owners, pois,
            verification, evasion_matches, health_band, band_since, benefits, funds,
            licence_state, overrides, settlement, created_at, updated_at)
        SELECT s.id, s.external_id, s.external_id || ' Ltd', %s, 'US', 'active', '', '', '', '', '', '', '[]',
               '[]', '{}', '[]', 'healthy', %s, '{}', %s::jsonb, '{}', '{}', '{}', %s, %s
        FROM subjects_subject s WHERE s.type = 'merchant'""", [category, now, healthy_funds, now, now])
    # Ordinary days: a refund or none a day, exposure about 1% (no reserve).
    cursor.execute("""
        INSERT INTO merchants_dailymetrics (merchant_id, day, orders, gross_amount, refunds, refund_amount,
            chargebacks, chargeback_amount, no_shows, complaints, response_minutes, audits_failed)
        SELECT m.id, %s::date - d, 20 + (m.id + d) %% 30, 900, CASE WHEN false THEN 0 ELSE
               (m.id + d) %% 2 END, 10, 0, 0, (m.id * d) %% 2, 0, 10 + (m.id + d) %% 90, 0
        FROM merchants_merchant m CROSS JOIN generate_series(1, %s) d""",
                   [now.date(), days])
    cursor.execute("ANALYZE")


def main():
    args = parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    recreate_database(args.url, args.database)
    configure_django(with_database(args.url, args.database))
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection

    from trustops.kernel import clock
    from trustops.merchants import nightly
    call_command("migrate", verbosity=0)
    now = clock.now()
    started = time.monotonic()
    with connection.cursor() as cursor:
        populate(cursor, args.merchants, args.days, args.moved, now)
    print(f"populated {args.merchants:,} merchants with {args.days} days each in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    # A first pass brings the stored scores up to date, as last night's would have; tonight's is timed.
    started = time.monotonic()
    first = nightly.run()
    first_seconds = time.monotonic() - started
    print(f"first pass (every score rewritten) {first_seconds:.1f} s {first}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")   # as the nightly statement runs
        started = time.monotonic()
        cursor.execute(BARE, [(now - timedelta(days=30)).date()])
        rows = len(cursor.fetchall())
        bare = time.monotonic() - started
    with connection.cursor() as cursor:   # tonight: one more bad day for the moved share
        cursor.execute("UPDATE merchants_dailymetrics SET refunds = orders, chargebacks = orders / 5, "
                       "chargeback_amount = 300 WHERE day = %s AND merchant_id %% %s = 1",
                       [(now - timedelta(days=1)).date(), max(1, round(1 / args.moved)) if args.moved else 10 ** 12])
    started = time.monotonic()
    outcome = nightly.run()
    service = time.monotonic() - started
    print(json.dumps({"merchants": args.merchants, "daily_rows": args.merchants * args.days,
                      "bare_aggregate_seconds": round(bare, 2), "bare_rows": rows,
                      "nightly_seconds": round(service, 2), "target_seconds": TARGET_SECONDS,
                      "within_target": service <= TARGET_SECONDS, **outcome}, indent=2))
    connection.close()
    if not args.keep:
        drop_database(args.url, args.database)


if __name__ == "__main__":
    main()
