"""Seeding a database with the synthetic world: the operating setup, demo people, and a month of history.

History is replayed through the real intake services with the clock moved back, so cases carry realistic
ages, priorities and SLA deadlines. Hour by hour between the intake slices, reviewers work the queues through
the real casework services (`shifts`); then QA samples, audits and calibrates the month (`qa`), and last
month's Monthly Quality Report is kept.
"""
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path

from django.conf import settings
from django.db import transaction

from trustops.identity import services as identity
from trustops.identity.auth import authenticate_token
from trustops.identity.models import User
from trustops.identity.roles import default_scopes
from trustops.intake import services as intake
from trustops.intake.schemas import SignalIn
from trustops.kernel import clock
from trustops.kernel.errors import DomainError
from trustops.policies.selectors import active_catalogue
from trustops.simulation import (
    compliance,
    merchants,
    planning,
    platform,
    risk,
    rosters,
    services,
    support,
    vendors,
    workforce,
)
from trustops.simulation.models import Seeding
from trustops.simulation.qa import QualityMonth
from trustops.simulation.shifts import Month
from trustops.simulation.world import DAY, HISTORY_SECONDS, HOUR, RECENT_SECONDS, World, generate, scale_of

log = logging.getLogger(__name__)

DEMO_PASSWORD = "trustops-demo"  # for the demo database only
INTEGRATION = "integration"
# username, role, vendor, team, cleared regions
DEMO_PEOPLE = [
    ("admin", "admin", None, None, ("*",)),
    ("lead", "team_lead", None, platform.IN_HOUSE_TEAM, ("*",)),
    ("moderator", "moderator", None, platform.IN_HOUSE_TEAM, ("*",)),
    ("agent.northwind", "vendor_agent", platform.VENDOR_A, f"{platform.VENDOR_A} agents", ("US",)),
    ("agent.lumen", "vendor_agent", platform.VENDOR_B, f"{platform.VENDOR_B} agents", ("*",)),
    ("qa", "qa_auditor", None, None, ("*",)),
    ("qa.lead", "qa_lead", None, None, ("*",)),
    ("vendor.manager", "vendor_manager", platform.VENDOR_A, None, ("*",)),
    ("compliance", "compliance_officer", None, None, ("*",)),
    ("investigator", "investigator", None, None, ("*",)),
    ("support.desk", "support_specialist", None, None, ("*",)),
    ("engineer", "engineer", None, None, ("*",)),
    ("merchants", "merchant_specialist", None, platform.MERCHANT_TEAM, ("*",)),
    ("merchants.ana", "merchant_specialist", None, platform.MERCHANT_TEAM, ("*",)),   # works the others' appeals
    (INTEGRATION, "integration", None, None, ("*",)),
]
# A few specialists hold the restricted-content clearances; the admin does not, and so cannot open those cases.
DEMO_CLEARANCES = {"moderator": (platform.CHILD_SAFETY, platform.TERRORISM_NCII),
                   "qa": (platform.CHILD_SAFETY, platform.TERRORISM_NCII)}
# The demo token may also read queue depth, so the API can be tried with it straight away.
DEMO_TOKEN_EXTRA_SCOPES = ["queues:read"]
WINDOW_SECONDS = 10 * 60       # reports and signals are replayed in ten-minute slices, one intake batch each…
QUIET_WINDOW_SECONDS = 3 * 3600  # …and in three-hour slices before the recent days, where they are sparse
PUBLISH_WINDOW_SECONDS = 12 * 3600  # the platform shares new accounts and items twice a day
WORK_SECONDS = 3600            # reviewers' work is replayed an hour at a time, between the intake slices
BATCH_MAX = 1000


def token_path() -> Path:
    return settings.VAR_DIR / "demo-integration-token"


def current_seeding() -> Seeding | None:
    return Seeding.objects.first()


def _password_for(role: str) -> str | None:
    # The integrating platform is a machine: it signs in with its token, never through the console.
    return None if role == "integration" else DEMO_PASSWORD


def create_people() -> dict[str, User]:
    return {username: platform.person(username, role, vendor=vendor, team=team, regions=regions,
                                      password=_password_for(role), clearances=DEMO_CLEARANCES.get(username, ()))
            for username, role, vendor, team, regions in DEMO_PEOPLE}


def issue_demo_token(user: User) -> Path:
    """A fresh integration token, written where the demo banner says it is."""
    _, plaintext = identity.issue_token(user=user, name="demo",
                                        scopes=default_scopes(user.role) + DEMO_TOKEN_EXTRA_SCOPES,
                                        actor="simulation")
    path = token_path()
    path.write_text(plaintext + "\n")
    path.chmod(0o600)
    return path


def ensure_demo_token() -> Path:
    """Keep a token that still works (a restart should not invalidate a copied token); else issue one."""
    path = token_path()
    if path.exists():
        try:
            authenticate_token(path.read_text().strip())
            return path
        except DomainError:
            pass
    return issue_demo_token(platform.person(INTEGRATION, "integration"))


def enrol_demo_authenticators() -> list[str]:
    """Start an authenticator for each demo person whose role signs in with a second factor, so that
    `trustops totpcode USER` prints a code before their first sign-in; the console's enrolment page shows the
    same authenticator's QR code. Someone who already confirmed one keeps it."""
    enrolled = []
    for user in User.objects.filter(username__in=[username for username, *_ in DEMO_PEOPLE],
                                    role__in=settings.TRUSTOPS["TOTP_ROLES"]).order_by("username"):
        try:
            identity.start_totp_enrolment(user=user)
        except DomainError:
            pass   # already confirmed
        enrolled.append(user.username)
    return enrolled


def history_seconds_for(anchor: datetime) -> int:
    """A month at least, reaching back to the first of last month so that last month's report is whole."""
    first_of_month = anchor.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    first_of_last_month = (first_of_month - timedelta(days=1)).replace(day=1)
    return max(HISTORY_SECONDS, int((anchor - first_of_last_month).total_seconds()) // HOUR * HOUR + HOUR)


def seed_world(*, seed: int = 7, size: str = "default", anchor: datetime | None = None,
               monthly_report: bool | None = None) -> dict:
    """Seed once. A database that already holds a world keeps it, and its summary is returned.

    Last month's Monthly Quality Report is kept at the end, except at the `tiny` size (tests), where rendering
    its charts would take most of the time; `monthly_report` decides either way.
    """
    scale_of(size)  # refuse an unknown size before writing anything
    seeding = current_seeding()
    if seeding is not None:
        return {**seeding.summary, "already_seeded": True}
    started = time.monotonic()
    anchor = anchor or clock.now()
    history = history_seconds_for(anchor)
    with clock.frozen(anchor - timedelta(seconds=history + DAY + 3600)):
        platform.install()
        people = {**create_people(), **workforce.create()}
        compliance.configure()
    token = issue_demo_token(people[INTEGRATION])
    enrol_demo_authenticators()
    severities = {code: policy.severity for code, policy in active_catalogue().items()}
    world = generate(seed=seed, size=size, severities=severities, history_seconds=history)
    month = Month(world=world, anchor=anchor, people=people, integration=people[INTEGRATION])
    totals = replay(world, anchor=anchor, submitter=people[INTEGRATION], month=month)
    if monthly_report is None:
        monthly_report = size != "tiny"
    quality = {**QualityMonth(month).run(monthly_report=monthly_report), **compliance.seed()}
    quality.update(risk.seed(anchor=anchor, seed=seed, size=size, submitter=people[INTEGRATION]))
    vendor_month = vendors.seed(anchor=anchor, password=DEMO_PASSWORD, seed=seed)
    vendor_month.update(rosters.seed(anchor=anchor, seed=seed))
    quality["planning"] = planning.seed(anchor=anchor, size=size)
    summary = {
        "seed": seed, "size": size, "accounts": len(world.accounts), "items": len(world.items),
        "violating_subjects": sum(1 for s in world.subjects if s.violation),
        "history_seconds": world.history_seconds,
        **totals, **month.summary(), **quality, **support.seed(seed=seed, size=size, anchor=anchor),
        "merchants": merchants.seed(specialist=people["merchants"], integration=people[INTEGRATION], anchor=anchor),
        **vendor_month,
        "people": [username for username, *_ in DEMO_PEOPLE], "token_file": str(token),
        "seconds": round(time.monotonic() - started, 1),
    }
    services.record_seeding(seed=seed, size=size, summary=summary)
    log.debug("seeded world %s", summary)
    return summary


def replay(world: World, *, anchor: datetime, submitter: User, month=None) -> dict:
    """Send the world's history, oldest first: new subjects published twice a day, intake in ten-minute
    slices and, with a `month`, an hour of reviewers' work after the intake that came before it."""
    publications: dict[int, list] = defaultdict(list)
    for subject in world.subjects:
        publications[subject.age // PUBLISH_WINDOW_SECONDS].append(subject)
    # Each slice is sent at its youngest moment (its key, an age), after every notice in it was sent.
    slices: dict[int, dict[str, list]] = defaultdict(lambda: {"reports": [], "signals": []})
    for report in world.reports:
        slices[_slice_age(report.age)]["reports"].append(report)
    for signal in world.signals:
        slices[_slice_age(signal.age)]["signals"].append(signal)

    hours = range(world.history_seconds // WORK_SECONDS, 0, -1) if month is not None else ()
    timeline = sorted([((window + 1) * PUBLISH_WINDOW_SECONDS, PUBLISH, window) for window in publications]
                      + [(slice_age, TAKE_IN, slice_age) for slice_age in slices]
                      + [(hour * WORK_SECONDS, WORK, hour) for hour in hours], key=lambda t: (-t[0], t[1]))
    totals = defaultdict(int)
    # A simulated day is committed at once. Every service still runs its use case in its own transaction (a
    # savepoint inside the day's), but thousands of small commits would take much of the seeding time.
    for _, day in groupby(timeline, key=lambda entry: entry[0] // DAY):
        with transaction.atomic():
            for age, step, index in day:
                _replay_step(anchor - timedelta(seconds=age), step, index, publications=publications,
                             slices=slices, totals=totals, submitter=submitter, month=month)
    totals["true_reports"] = sum(1 for r in world.reports if r.subject.violation)
    totals["false_reports"] = len(world.reports) - totals["true_reports"]
    return dict(totals)


PUBLISH, TAKE_IN, WORK = 0, 1, 2    # at one moment: publications first, then intake, then an hour of work


def _replay_step(at: datetime, step: int, index: int, *, publications, slices, totals, submitter, month) -> None:
    if step == WORK:
        month.hour(at)
        return
    with clock.frozen(at):
        if step == PUBLISH:
            # Published at the start of its window, so no report can arrive before its subject is known;
            # accounts before items, so an item's owner is known when the item arrives.
            plans = sorted(publications[index], key=lambda s: s.owner is not None)
            found = services.publish(plans=plans, actor=submitter)
            if month is not None:
                month.published(plans, found)
            return
        opened = totals["cases_opened"]
        reports, signals = slices[index]["reports"], slices[index]["signals"]
        for start in range(0, len(reports), BATCH_MAX):
            chunk = reports[start:start + BATCH_MAX]
            _count_reports(totals, intake.submit_reports(submitter=submitter, items=[r.as_intake() for r in chunk]))
        for signal in signals:
            _count_signal(totals, intake.submit_signal(submitter=submitter,
                                                       item=SignalIn.model_validate(signal.as_intake())))
        if month is not None:
            month.opened(totals["cases_opened"] - opened)


def _slice_age(age: int) -> int:
    width = WINDOW_SECONDS if age < RECENT_SECONDS else QUIET_WINDOW_SECONDS
    return age // width * width


def _count_reports(totals: dict, outcomes: list) -> None:
    for outcome in outcomes:
        if outcome.error is not None:
            totals["reports_refused"] += 1
            log.warning("a synthetic report was refused: %s", outcome.error.message)
            continue
        totals["reports"] += 1
        totals["cases_opened"] += outcome.body["case_created"]


def _count_signal(totals: dict, outcome) -> None:
    totals["signals"] += 1
    if outcome.body["case_id"] is not None:
        totals["signals_above_threshold"] += 1
        totals["cases_opened"] += outcome.body["case_created"]
