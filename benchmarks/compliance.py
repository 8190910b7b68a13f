"""Compliance: statements of reasons built and validated per second in one process (DESIGN §7: ≥ 5,000/s), and
a year's DSA transparency report over N decisions on PostgreSQL (≤ 60 s for 10,000,000).

Statements: `building.build` + `validation.validate` on synthetic decision facts (pure, no database), next to the
JSON encoding of the same statements (what sending them costs at the least) in the same run.

Transparency: the year is loaded with INSERT … SELECT over generate_series (subjects, cases, one notice and one
decision per case, one restriction per decision, appeals on 1%), then `transparency.report.build` is timed next
to the bare aggregate queries it cannot do without (the grouped counts of notices, decisions and actions).

    .venv/bin/python benchmarks/compliance.py [--statements 50000] [--decisions 1000000] [--keep] [--reuse]
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from common import configure_django, recreate_database, run_on_server, with_database

STATEMENT_TARGET = 5000
REPORT_TARGET_SECONDS = 60.0
REPORT_TARGET_DECISIONS = 10_000_000
FIRST_SUBJECT = 1_000_000_000    # the loaded subjects' ids start past anything the setup wrote


def bench_statements(n: int, seed: int) -> None:
    from trustops.compliance.statements import building, validation
    rng = random.Random(seed)
    regions = ["DE", "FR", "NL", "IE", "IT", "ES", "PL", "SE"]
    actions = [("remove",), ("remove", "suspend"), ("age_restrict",), ("reduce_reach",), ("ban",), ("delist",),
               ("restrict_live",), ("hold_payouts",)]
    sources = [frozenset({"user"}), frozenset({"trusted_flagger"}), frozenset(), frozenset({"authority"})]
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    facts = [building.DecisionFacts(
        decision_id=i, decided_at=now, rationale="Repeated insults aimed at a classmate. " * rng.randint(1, 20),
        policy_code="harassment.bullying", policy_title="Bullying", policy_guidance="Targeted insults and degradation.",
        mapping=building.Mapping(category="STATEMENT_CATEGORY_CYBER_VIOLENCE"),
        subject_type=rng.choice(["video", "comment", "creator", "listing"]), region=rng.choice(regions),
        language="de", content_first_seen=now - timedelta(days=rng.randint(1, 900)),
        owner_type=rng.choice(["creator", "merchant", None]),
        restrictions=tuple(building.Restriction(a, None if a in ("remove", "ban") else now + timedelta(days=7))
                           for a in rng.choice(actions)),
        report_sources=rng.choice(sources), automated_detection=rng.random() < 0.3) for i in range(1, n + 1)]
    started = time.process_time()
    built = []
    for f in facts:
        statement = building.build(f)
        if validation.validate(statement):
            raise SystemExit(f"statement {f.decision_id} does not validate")
        built.append(statement)
    seconds = time.process_time() - started
    started = time.process_time()
    for statement in built:
        json.dumps(statement)
    baseline = time.process_time() - started
    rate = n / seconds
    print(f"statements: {n:,} built and validated in {seconds:.2f} s CPU: {rate:,.0f}/s")
    print(f"  baseline: json.dumps of the same statements  {baseline:.2f} s CPU: {n / baseline:,.0f}/s")
    print(f"target ≥ {STATEMENT_TARGET:,}/s: {'PASS' if rate >= STATEMENT_TARGET else 'FAIL'}")


def load_year(decisions: int, start: datetime) -> None:
    from django.db import connection

    from trustops.policies.models import PolicyVersion
    from trustops.review.models import Queue
    from trustops.simulation import platform
    platform.install()
    reviewer = platform.person("bench-reviewer", "moderator", team=platform.IN_HOUSE_TEAM)
    submitter = platform.person("bench-platform", "integration")
    queue_id = Queue.objects.get(key="general-intl").pk
    versions = list(PolicyVersion.objects.filter(active=True).values_list("policy_id", "id"))
    subjects = max(decisions // 5, 1)
    seconds_per = 365 * 86400 / decisions
    policy_ids = "ARRAY[" + ",".join(str(p) for p, _ in versions) + "]"
    version_ids = "ARRAY[" + ",".join(str(v) for _, v in versions) + "]"
    p = len(versions)
    at = f"(%s::timestamptz + (g * {seconds_per}) * interval '1 second')"
    steps = [
        ("subjects", f"""INSERT INTO subjects_subject (id, type, external_id, owner_id, region, language, reach,
            attributes, first_seen_at, updated_at)
            SELECT {FIRST_SUBJECT} + g, 'video', 'bench-' || g, NULL, (ARRAY['DE','FR','NL','IE','IT','ES','PL','SE'])[mod(g, 8) + 1], 'de',
                   0, '{{}}', %s, %s FROM generate_series(1, {subjects}) g""", [start, start]),
        ("cases", f"""INSERT INTO review_case (kind, subject_id, queue_id, status, priority, policy_id, severity,
            report_count, signal_count, max_source_trust, opened_at, last_reported_at, updated_at, sla_due_at,
            resolved_at, version, escalation_count)
            SELECT 'report_review', {FIRST_SUBJECT} + 1 + mod(g, {subjects}), {queue_id}, 'resolved', 0,
                   ({policy_ids})[mod(g, {p}) + 1], 1, 1, 0, 0, {at}, {at}, {at}, {at}, {at}, 1, 0
            FROM generate_series(1, {decisions}) g""", [start] * 5),
        ("notices", f"""INSERT INTO intake_report (submitted_by_id, idempotency_key, fingerprint, subject_id, policy_id,
            policy_version_id, source, reporter_external_id, text, received_at, case_id, opened_case, queue_key,
            resolved_at)
            SELECT {submitter.pk}, 'k' || c.id, '', c.subject_id, c.policy_id,
                   ({version_ids})[array_position({policy_ids}, c.policy_id)],
                   (ARRAY['user','user','user','trusted_flagger','authority','automated'])[mod(c.id, 6) + 1], '', '',
                   c.opened_at - interval '3 hours', c.id, true, 'general-intl', c.opened_at
            FROM review_case c""", []),
        ("decisions", f"""INSERT INTO review_decision (case_id, queue_id, reviewer_id, verdict, policy_id,
            policy_version_id, actions, rationale, handle_seconds, decided_at, bulk_operation, region)
            SELECT c.id, c.queue_id, {reviewer.pk}, 'violation', c.policy_id,
                   ({version_ids})[array_position({policy_ids}, c.policy_id)], '["remove"]', 'bench', 60,
                   c.opened_at, '', s.region
            FROM review_case c JOIN subjects_subject s ON s.id = c.subject_id""", []),
        ("actions", """INSERT INTO enforcement_enforcementaction (target_id, decision_id, action, cause, policy_family,
            starts_at, ends_at, status, close_reason, origin, origin_ref, region)
            SELECT c.subject_id, d.id, (ARRAY['remove','remove','age_restrict','reduce_reach','suspend','ban'])[mod(d.id, 6) + 1],
                   'decision', '', d.decided_at, NULL, 'active', '', '', '', d.region
            FROM review_decision d JOIN review_case c ON c.id = d.case_id""", []),
        ("appeal cases", f"""INSERT INTO review_case (kind, subject_id, queue_id, status, priority, severity,
            report_count, signal_count, max_source_trust, opened_at, last_reported_at, updated_at, sla_due_at,
            resolved_at, version, escalation_count, appeal_of_id)
            SELECT 'appeal', c.subject_id, {queue_id}, 'resolved', 0, 1, 0, 0, 0, d.decided_at, d.decided_at,
                   d.decided_at, d.decided_at, d.decided_at, 1, 0, d.id
            FROM review_decision d JOIN review_case c ON c.id = d.case_id WHERE mod(d.id, 100) = 0""", []),
        ("appeals", f"""INSERT INTO review_appeal (decision_id, case_id, submitted_by_id, idempotency_key, fingerprint,
            statement, received_at, status, decided_at)
            SELECT c.appeal_of_id, c.id, {submitter.pk}, 'a' || c.id, '', 'appeal', c.opened_at,
                   (ARRAY['upheld','upheld','overturned','pending'])[mod(c.id, 4) + 1], c.opened_at + interval '2 days'
            FROM review_case c WHERE c.kind = 'appeal'""", []),
    ]
    with connection.cursor() as cursor:
        for name, sql, params in steps:
            started = time.monotonic()
            cursor.execute(sql, params)
            print(f"  loaded {name}: {cursor.rowcount:,} rows in {time.monotonic() - started:.1f} s", flush=True)
        cursor.execute("ANALYZE")


def bare_aggregates(start, end) -> float:
    from django.db import connection
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("""SELECT v.dsa_category, r.source, count(*) FROM intake_report r
            JOIN policies_policyversion v ON v.id = r.policy_version_id
            WHERE r.received_at >= %s AND r.received_at < %s GROUP BY 1, 2""", [start, end])
        cursor.fetchall()
        cursor.execute("""SELECT d.policy_id, count(*) FROM review_decision d
            WHERE d.decided_at >= %s AND d.decided_at < %s AND d.verdict = 'violation' GROUP BY 1""", [start, end])
        cursor.fetchall()
        cursor.execute("""SELECT a.action, count(*) FROM enforcement_enforcementaction a
            WHERE a.starts_at >= %s AND a.starts_at < %s GROUP BY 1""", [start, end])
        cursor.fetchall()
    return time.monotonic() - started


def bench_report(args) -> None:
    name = args.database_name
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    end = datetime(2026, 1, 1, tzinfo=timezone.utc)
    if not args.reuse:      # --reuse: the year a previous run loaded and kept (--keep), same --decisions
        recreate_database(args.database_url, name)
    configure_django(with_database(args.database_url, name))
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    if not args.reuse:
        print(f"loading a year of {args.decisions:,} decisions", flush=True)
        load_year(args.decisions, start)
    from trustops.compliance.transparency import report
    times, bare = [], []
    for _ in range(args.runs):
        bare.append(bare_aggregates(start, end))
        started = time.monotonic()
        built = report.build(start, end)
        times.append(time.monotonic() - started)
    scaled = statistics.median(times) * REPORT_TARGET_DECISIONS / args.decisions
    print("load average (1, 5, 15 min) after the runs: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"transparency report over {args.decisions:,} decisions: median {statistics.median(times):.2f} s "
          f"({len(built.figures)} figures, {args.runs} runs)")
    print(f"  baseline: the bare grouped counts              median {statistics.median(bare):.2f} s")
    print(f"  scaled linearly to {REPORT_TARGET_DECISIONS:,} decisions: {scaled:.1f} s")
    print(f"target ≤ {REPORT_TARGET_SECONDS:.0f} s for 10M: {'PASS' if scaled <= REPORT_TARGET_SECONDS else 'FAIL'}")
    if not args.keep:
        from django.db import connections
        connections.close_all()
        run_on_server(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--database-name", default="trustops_bench_compliance")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="time the report on the year a --keep run left")
    args = parser.parse_args()
    bench_statements(args.statements, args.seed)
    if not args.skip_report:
        bench_report(args)


if __name__ == "__main__":
    sys.exit(main())
