"""Intake throughput: reports/s through `POST /api/v1/reports/batch` on PostgreSQL (DESIGN §7).

Every batch goes through the whole HTTP stack in-process with Django's test client: middleware, bearer
auth, JSON parsing, validation, subject upsert, dedup onto open cases, routing, priority, ledger events and
the response. In the same run a raw `COPY` of as many rows into a scratch copy of the report table gives the
baseline: the fastest those rows could go in at all, with none of the work above.

    .venv/bin/python benchmarks/intake.py [--reports 50000] [--batch 1000] [--clients 1] [--processes 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/] [--keep] [--profile FILE]

Needs a PostgreSQL server where the given role may create databases. The benchmark database is dropped
first and, unless --keep, at the end. Exits non-zero when the target is missed or a check fails.
"""
import argparse
import json
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field

from common import configure_django, drop_database, recreate_database, with_database

TARGET_REPORTS_PER_SECOND = 5_000
SUBJECT_TYPES = {"video": 45, "comment": 20, "livestream": 8, "listing": 7, "poi": 3, "message": 5,
                 "user": 5, "creator": 5, "merchant": 2}
OWNER_TYPE = {"video": "creator", "comment": "user", "livestream": "creator", "message": "user",
              "listing": "merchant", "poi": "merchant"}
REGIONS = {"US": 40, "GB": 10, "DE": 10, "FR": 8, "BR": 12, "ID": 10, "JP": 10}
LANGUAGES = {"US": "en", "GB": "en", "DE": "de", "FR": "fr", "BR": "pt", "ID": "id", "JP": "ja"}
SOURCES = {"user": 70, "automated": 12, "trusted_flagger": 10, "internal": 5, "authority": 3}
# Most reports are about everyday harms; the gravest are rare.
SEVERITY_WEIGHT = {1: 8, 2: 6, 3: 4, 4: 2, 5: 1}
REPEAT_SHARE = 0.30      # reports about a subject that already has an open case
REPLAY_SHARE = 0.02      # a sender resending a report it already sent, byte for byte
REACH_UPDATE_SHARE = 0.2  # of repeats: the platform sends fresher reach, so the subject is updated


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=50_000, help="reports to post (timed)")
    parser.add_argument("--batch", type=int, default=1_000, help="reports per request (at most 1,000)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/",
                        help="PostgreSQL server; the database name in it is ignored")
    parser.add_argument("--database-name", default="trustops_bench_intake")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--clients", type=int, default=1,
                        help="concurrent clients, each a thread with its own connection (default 1)")
    parser.add_argument("--processes", type=int, default=1,
                        help="client processes, each with --clients threads: like a server's worker processes "
                             "(default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the timed part to FILE")
    return parser.parse_args()


# ---- the workload -------------------------------------------------------------------------------------

def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Workload:
    batches: list[str]                 # JSON request bodies, ready to post
    sizes: list[int]
    distinct_keys: set[str] = field(default_factory=set)
    replays: int = 0
    repeats: int = 0


class Settled:
    """What earlier batches introduced (subjects, accounts, reports), for later reports to refer to.

    Concurrent clients may still be sending the last few batches, so a reference goes either to something
    introduced at least LAG batches ago (answered by now) or to something earlier in the same batch.
    """
    LAG = 4

    def __init__(self):
        self.old: list = []
        self.recent: list[list] = []

    def next_batch(self) -> None:
        self.recent.append([])
        while len(self.recent) > self.LAG:
            self.old.extend(self.recent.pop(0))

    def add(self, thing) -> None:
        self.recent[-1].append(thing)

    def pick(self, rng: random.Random, same_batch_share: float, index=None):
        """None when there is nothing to pick; `index(n)` chooses among n old things (default: uniformly)."""
        current = self.recent[-1]
        if current and (not self.old or rng.random() < same_batch_share):
            return rng.choice(current)
        if not self.old:
            return None
        return self.old[index(len(self.old)) if index else rng.randrange(len(self.old))]


class WorkloadBuilder:
    """Seeded, so two runs post the same reports. Owners follow a long tail: a few creators own many items."""

    def __init__(self, seed: int, catalogue: dict[str, int]):
        self.rng = random.Random(seed)
        leaves = [code for code in catalogue if not any(other.startswith(code + ".") for other in catalogue)]
        self.reasons = {code: SEVERITY_WEIGHT[catalogue[code]] for code in leaves}
        self.merchant_reasons = {c: w for c, w in self.reasons.items() if c.startswith("merchant.")}
        self.live_reasons = {c: w for c, w in self.reasons.items() if c.startswith("live.")}
        # Accounts with their home region: an account's items live where it does.
        self.accounts = {kind: Settled() for kind in ("creator", "user", "merchant")}
        self.reported = Settled()   # subjects already reported: each has an open case
        self.sent = Settled()       # reports already sent, for replays
        self.serial = 0

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def _account(self, account_type: str) -> tuple[str, str]:
        pool = self.accounts[account_type]
        if self.rng.random() < 0.85:
            # Most reported items belong to accounts seen before, the largest (first) ones most often.
            account = pool.pick(self.rng, 0.05, lambda n: min(n - 1, int(self.rng.paretovariate(1.2)) - 1))
            if account is not None:
                return account
        account = (f"{account_type}-{self._next()}", pick(self.rng, REGIONS))
        pool.add(account)
        return account

    def _subject(self) -> dict:
        subject_type = pick(self.rng, SUBJECT_TYPES)
        reach = int(10 ** self.rng.uniform(0, 7.2))
        if subject_type in OWNER_TYPE:
            owner_id, region = self._account(OWNER_TYPE[subject_type])
            subject = {"type": subject_type, "external_id": f"{subject_type}-{self._next()}",
                       "owner": {"type": OWNER_TYPE[subject_type], "external_id": owner_id}}
        else:
            external_id, region = self._account(subject_type)
            subject = {"type": subject_type, "external_id": external_id}
        subject.update(region=region, language=LANGUAGES[region], reach=reach)
        if subject_type in ("video", "livestream"):
            subject["attributes"] = {"duration_s": self.rng.randint(5, 3600),
                                     "caption": "placeholder caption"}
        elif subject_type == "listing":
            subject["attributes"] = {"category": self.rng.choice(["food", "beauty", "fitness", "repair"])}
        return subject

    def _reason(self, subject: dict) -> str:
        if subject["type"] in ("listing", "poi", "merchant") and self.rng.random() < 0.7:
            return pick(self.rng, self.merchant_reasons)
        if subject["type"] == "livestream" and self.rng.random() < 0.5:
            return pick(self.rng, self.live_reasons)
        return pick(self.rng, self.reasons)

    def report(self) -> tuple[dict, str]:
        """A report and what it is: "replay", "repeat" (its subject has an open case) or "new"."""
        if self.rng.random() < REPLAY_SHARE:
            replayed = self.sent.pick(self.rng, 0.2)
            if replayed is not None:
                return replayed, "replay"
        subject = self.reported.pick(self.rng, 0.1) if self.rng.random() < REPEAT_SHARE else None
        if subject is not None:
            kind = "repeat"
            if self.rng.random() < REACH_UPDATE_SHARE:
                subject = {**subject, "reach": subject["reach"] + self.rng.randint(1, 10_000)}
        else:
            kind = "new"
            subject = self._subject()
            self.reported.add(subject)
        source = pick(self.rng, SOURCES)
        body = {"idempotency_key": f"bench-{self._next():09d}", "subject": subject,
                "reason": self._reason(subject), "source": source}
        if source == "user":
            body["reporter_external_id"] = f"user-{self.rng.randint(1, 10**7)}"
        if self.rng.random() < 0.6:
            body["text"] = "placeholder report text " * self.rng.randint(1, 12)
        self.sent.add(body)
        return body, kind

    def build(self, count: int, batch: int) -> Workload:
        workload = Workload([], [])
        for start in range(0, count, batch):
            for settled in (self.reported, self.sent, *self.accounts.values()):
                settled.next_batch()
            items = []
            for _ in range(min(batch, count - start)):
                item, kind = self.report()
                workload.replays += kind == "replay"
                workload.repeats += kind == "repeat"
                workload.distinct_keys.add(item["idempotency_key"])
                items.append(item)
            workload.batches.append(json.dumps({"reports": items}))
            workload.sizes.append(len(items))
        return workload


# ---- measuring -----------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


@dataclass
class Run:
    elapsed: float = 0.0
    timings: list[float] = field(default_factory=list)  # wall time per batch
    cpu: float = 0.0              # this process's CPU time, all clients together
    database_cpu: float = 0.0     # the database backends' CPU time, when they run on this machine
    failures: list[str] = field(default_factory=list)


def backend_cpu_reader():
    """CPU seconds used so far by the PostgreSQL backend serving this thread's connection, if it is local."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = f"/proc/{cursor.fetchone()[0]}/stat"
    if not os.path.exists(stat):
        return lambda: 0.0
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        with open(stat) as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / ticks   # utime + stime
    return read


def post_batches(token: str, workload: Workload, clients: int = 1) -> Run:
    """Post every batch; with several clients, each on its own thread and database connection, as the threads
    of one server process would (they share the interpreter, so Python work does not run in parallel)."""
    from django.db import connection

    run = Run()
    tickets = iter(range(len(workload.batches)))
    lock = threading.Lock()

    def next_index():
        with lock:
            return next(tickets, None)

    def client_loop():
        timings, failures, database_cpu = post_some(token, workload, next_index)
        with lock:
            run.timings += timings
            run.failures += failures
            run.database_cpu += database_cpu
        if clients > 1:
            connection.close()

    started, cpu_before = time.perf_counter(), time.process_time()
    if clients == 1:
        client_loop()
    else:
        threads = [threading.Thread(target=client_loop) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    run.elapsed = time.perf_counter() - started
    run.cpu = time.process_time() - cpu_before
    if run.failures:
        sys.exit(run.failures[0])
    return run


def post_some(token: str, workload: Workload, next_index) -> tuple[list[float], list[str], float]:
    """One client: post the batches `next_index` hands out until none are left or one fails."""
    from django.test import Client

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    database_cpu = backend_cpu_reader()
    used_before = database_cpu()
    timings, failures = [], []
    while (index := next_index()) is not None:
        t0 = time.perf_counter()
        response = client.post("/api/v1/reports/batch", workload.batches[index],
                               content_type="application/json", **headers)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            failures.append(f"batch refused: {response.status_code} {response.content[:500]!r}")
            break
        result = response.json()
        if result["failed"] or result["accepted"] + result["replayed"] != workload.sizes[index]:
            failures.append(f"batch had failures: {json.dumps(result['results'][:3])}")
            break
        timings.append(elapsed)
    return timings, failures, database_cpu() - used_before


def post_from_processes(token: str, workload: Workload, processes: int) -> Run:
    """Post every batch from several forked processes, as a server with that many worker processes would
    serve them: each has its own interpreter and database connection, so Python work runs in parallel."""
    import multiprocessing

    from django.db import connections

    connections.close_all()      # a forked child must open its own connection, never share the parent's
    context = multiprocessing.get_context("fork")
    ticket = context.Value("i", 0)
    count = len(workload.batches)
    results = context.Queue()
    gate = context.Barrier(processes + 1)

    def next_index():
        with ticket.get_lock():
            if ticket.value >= count:
                return None
            ticket.value += 1
            return ticket.value - 1

    def child():
        try:
            gate.wait()
            cpu_before = time.process_time()
            timings, failures, database_cpu = post_some(token, workload, next_index)
            results.put((timings, failures, database_cpu, time.process_time() - cpu_before))
        except BaseException as error:  # noqa: BLE001 - the parent must hear of it rather than wait forever
            results.put(([], [f"client process failed: {error!r}"], 0.0, 0.0))
        finally:
            connections.close_all()

    children = [context.Process(target=child) for _ in range(processes)]
    for process in children:
        process.start()
    gate.wait()
    started = time.perf_counter()
    run = Run()
    for _ in children:
        timings, failures, database_cpu, cpu = results.get()
        run.timings += timings
        run.failures += failures
        run.database_cpu += database_cpu
        run.cpu += cpu
    run.elapsed = time.perf_counter() - started
    for process in children:
        process.join()
    if run.failures:
        sys.exit(run.failures[0])
    return run


def copy_baseline(dsn: str, total_rows: int, batch: int) -> tuple[float, list[float]]:
    """COPY the stored reports again (renumbered, repeated up to `total_rows`) into a scratch table."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT * FROM intake_report ORDER BY id")
        columns = [d.name for d in cursor.description]
        stored = cursor.fetchall()
        id_at = columns.index("id")
        rows = []
        for n in range(total_rows):
            row = list(stored[n % len(stored)])
            row[id_at] = n + 1
            rows.append(row)
        cursor.execute("CREATE TEMP TABLE report_copy (LIKE intake_report INCLUDING DEFAULTS)")
        conn.commit()
        statement = f"COPY report_copy ({', '.join(columns)}) FROM STDIN"
        timings = []
        started = time.perf_counter()
        for start in range(0, total_rows, batch):
            t0 = time.perf_counter()
            with conn.transaction(), cursor.copy(statement) as copy:
                for row in rows[start:start + batch]:
                    copy.write_row(row)
            timings.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM report_copy")
        assert cursor.fetchone()[0] == total_rows
    return elapsed, timings


def check(workload_keys: set[str]) -> list[str]:
    """What must hold after the run; returns the problems found."""
    from django.db.models import Count, Sum

    from trustops.intake.models import Report
    from trustops.ledger import services as ledger
    from trustops.ledger import verification
    from trustops.ledger.models import LedgerEvent
    from trustops.review.models import OPEN_STATUSES, Case, CaseKind

    problems = []
    stored = Report.objects.count()
    if stored != len(workload_keys):
        problems.append(f"{stored} reports stored for {len(workload_keys)} distinct keys")
    doubled = (Case.objects.filter(kind=CaseKind.REPORT_REVIEW, status__in=OPEN_STATUSES)
               .values("subject_id").annotate(n=Count("id")).filter(n__gt=1).count())
    if doubled:
        problems.append(f"{doubled} subjects have more than one open case")
    counted = Case.objects.aggregate(n=Sum("report_count"))["n"] or 0
    if counted != stored:
        problems.append(f"cases count {counted} reports, {stored} are stored")
    received = LedgerEvent.objects.filter(kind="report.received").count()
    if received != stored:
        problems.append(f"{received} report.received events for {stored} reports")
    opened = LedgerEvent.objects.filter(kind="case.opened").count()
    if opened != Case.objects.count():
        problems.append(f"{opened} case.opened events for {Case.objects.count()} cases")
    ledger.seal_all(horizon_seconds=0)
    report = verification.verify()
    if not report.ok:
        problems.append(f"ledger verification failed at {report.finding}")
    else:
        print(f"  ledger OK: {report.events_checked:,} events in {report.blocks_checked} blocks")
    return problems


def main() -> int:
    args = parse_args()
    if not 1 <= args.batch <= 1000:
        sys.exit("--batch must be within 1..1000 (the API's limit)")
    if args.profile and (args.clients != 1 or args.processes != 1):
        sys.exit("--profile needs one client in one process")
    if args.processes > 1 and args.clients != 1:
        sys.exit("--processes runs one client per process; leave --clients at 1")
    dsn = with_database(args.database_url, args.database_name)
    recreate_database(args.database_url, args.database_name)
    configure_django(dsn)
    from django.core.management import call_command
    from django.db import connections

    from trustops.identity import services as identity
    from trustops.policies import selectors as policies
    from trustops.simulation import platform

    try:
        call_command("migrate", verbosity=0)
        platform.install()
        user = identity.create_user(username="bench-integration", role="integration", actor="benchmark")
        _, token = identity.issue_token(user=user, name="benchmark", actor="benchmark")
        catalogue = {code: p.severity for code, p in policies.active_catalogue().items()}

        builder = WorkloadBuilder(args.seed, catalogue)
        warmup = builder.build(args.batch, args.batch)
        workload = builder.build(args.reports, args.batch)
        del builder  # its many small objects would slow every garbage collection during the timed part
        # What `trustops.wsgi` does once the application is loaded; the prebuilt request bodies are frozen
        # too, since they belong to the harness and not to the server.
        from trustops.kernel.runtime import prepare_for_serving
        prepare_for_serving()
        print(f"intake benchmark: {args.reports:,} reports in batches of {args.batch} "
              f"({workload.repeats:,} onto open cases, {workload.replays:,} replays), "
              f"{len(catalogue)} active policies, "
              f"{args.processes} process{'es' if args.processes > 1 else ''} × {args.clients} client"
              f"{'s' if args.clients > 1 else ''}; "
              f"{os.cpu_count()} CPUs, PostgreSQL {connections['default'].pg_version // 10000}")

        post_batches(token, warmup)
        profiler = None
        if args.profile:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        if args.processes > 1:
            run = post_from_processes(token, workload, args.processes)
        else:
            run = post_batches(token, workload, args.clients)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        api_rate = args.reports / run.elapsed

        base_elapsed, base_timings = copy_baseline(dsn, args.reports, args.batch)
        base_rate = args.reports / base_elapsed

        p50, p95 = percentile(run.timings, .5) * 1000, percentile(run.timings, .95) * 1000
        print(f"  intake API:       {api_rate:>9,.0f} reports/s   per batch p50 {p50:,.0f} ms  "
              f"p95 {p95:,.0f} ms   ({run.elapsed:.1f} s)")
        batches = len(workload.batches)
        print(f"    CPU per batch: application {run.cpu / batches * 1000:,.0f} ms, "
              f"database {run.database_cpu / batches * 1000:,.0f} ms")
        p50, p95 = percentile(base_timings, .5) * 1000, percentile(base_timings, .95) * 1000
        print(f"  baseline raw COPY:{base_rate:>9,.0f} rows/s      per batch p50 {p50:,.0f} ms  "
              f"p95 {p95:,.0f} ms   ({base_elapsed:.1f} s)")
        print(f"intake API: {api_rate:,.0f} reports/s | baseline raw COPY: {base_rate:,.0f} rows/s | "
              f"ratio {api_rate / base_rate:.1%}")
        passed = api_rate >= TARGET_REPORTS_PER_SECOND
        print(f"target ≥ {TARGET_REPORTS_PER_SECOND:,} reports/s: {'PASS' if passed else 'FAIL'}")

        problems = check(warmup.distinct_keys | workload.distinct_keys)
        for problem in problems:
            print(f"  CHECK FAILED: {problem}")
        if not problems:
            print("  checks OK: one report per distinct key, one open case per subject, counts and ledger "
                  "agree")
        return 0 if passed and not problems else 1
    finally:
        connections.close_all()
        if args.keep:
            print(f"kept database {args.database_name}")
        else:
            drop_database(args.database_url, args.database_name)


if __name__ == "__main__":
    sys.exit(main())
