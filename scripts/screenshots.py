"""Capture the console screenshots in docs/screenshots/ from a throwaway platform this script fills itself.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

It builds a fresh embedded database in a temporary directory (your own data is never touched), serves the
console from a thread, and drives Debian's Chromium (/usr/bin/chromium) through Playwright. Nothing is
downloaded. Re-running gives the same pictures, apart from clock times.
"""
import argparse
import os
import random
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PASSWORD = "screenshots only, not a real password"
VIEWPORT = {"width": 1280, "height": 800}


def prepare_django(workdir: str) -> None:
    os.environ["TRUSTOPS_VAR_DIR"] = workdir
    os.environ.pop("TRUSTOPS_DATABASE_URL", None)        # always the fresh embedded database
    os.environ["TRUSTOPS_JOBS_IMMEDIATE"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustops.settings")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below never run inside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def report(submitter, subject: dict, reason: str, *, source="user", text="", reporter="", key: str) -> dict:
    from trustops.intake import services as intake

    body = {"idempotency_key": key, "subject": subject, "reason": reason, "source": source}
    if text:
        body["text"] = text
    if reporter:
        body["reporter_external_id"] = reporter
    outcome = intake.submit_reports(submitter=submitter, items=[body])[0]
    if outcome.error:
        raise SystemExit(f"could not file the report {key}: {outcome.error.message}")
    return outcome.body


def build_platform() -> dict:
    """A US review shift in progress: a backlog across queues, and one creator with a history."""
    from django.db import transaction

    from trustops.intake import services as intake
    from trustops.intake.schemas import SignalIn
    from trustops.kernel import clock
    from trustops.review import casework
    from trustops.simulation import platform as setup
    from trustops.subjects.services import SubjectRef, upsert_many

    setup.install()
    integration = setup.person("platform-integration", "integration")
    moderator = setup.person("maria.k", "moderator", team=setup.IN_HOUSE_TEAM, password=PASSWORD)
    colleague = setup.person("j.osei", "moderator", team=setup.IN_HOUSE_TEAM)

    now = clock.now()
    # The creator under review, known for months, and accounts sharing their device and payout account.
    with clock.frozen(now - timedelta(days=120)), transaction.atomic():
        upsert_many([
            SubjectRef("creator", "creator-lumen042", region="US", language="en-US", reach=86_400, attributes={
                "handle": "@lumen042", "display_name": "Lumen Clips", "verified": False,
                "device_id": "dev-7f3a-91c2", "payout_account": "po-55810"}),
            SubjectRef("creator", "creator-nova311", region="US", language="en-US", reach=2_150, attributes={
                "handle": "@nova311", "display_name": "Nova", "device_id": "dev-7f3a-91c2"}),
            SubjectRef("user", "user-rowan907", region="US", language="en-US", reach=140, attributes={
                "handle": "@rowan907", "payout_account": "po-55810"}),
        ], actor="platform")
    owner = {"type": "creator", "external_id": "creator-lumen042"}

    rng = random.Random(42)
    # An earlier video of the same creator: reported two weeks ago, decided by a colleague (one strike).
    with clock.frozen(now - timedelta(days=14)):
        report(integration, {"type": "video", "external_id": "video-80417", "region": "US", "owner": owner,
                             "reach": 12_300, "attributes": {"caption": "Clip #80417 — placeholder caption"}},
               "harassment.bullying", text="Mocks a classmate by name.", key="history-1")
        earlier = casework.claim_next(actor=colleague, queue_key="general-us")
        casework.decide(actor=colleague, case_id=earlier.pk, version=earlier.version,
                        decision=casework.DecisionInput(
                            verdict="violation", policy="harassment.bullying", actions=["remove", "strike"],
                            rationale="Names and mocks a private person; not criticism of a public role."))

    # The backlog: cases waiting across the queues, some of them for a while.
    backlog = [("general-us", "US", "adult.nudity"), ("general-us", "US", "integrity.impersonation"),
               ("general-intl", "BR", "hate.slurs"), ("general-intl", "DE", "harassment.bullying"),
               ("integrity", "GB", "integrity.spam"), ("merchants", "US", "merchant.fraud.fake_listing"),
               ("live", "ID", "live.gift_begging"), ("child-safety", "US", "minor_safety.dangerous_challenge")]
    for number in range(46):
        queue, region, reason = backlog[number % len(backlog)]
        kind = "listing" if queue == "merchants" else "livestream" if queue == "live" else "video"
        owner_type = "merchant" if kind == "listing" else "creator"
        hours_ago = rng.choice([0.2, 0.5, 1, 2, 3, 5, 8, 12, 19, 21, 30])
        if queue in ("child-safety", "live"):
            hours_ago = rng.choice([0.1, 0.3, 0.6, 0.8, 1.5])
        with clock.frozen(now - timedelta(hours=hours_ago)):
            report(integration, {"type": kind, "external_id": f"{kind}-{70000 + number}", "region": region,
                                 "reach": rng.randint(40, 9000),
                                 "owner": {"type": owner_type, "external_id": f"{owner_type}-{50000 + number}"}},
                   reason, text="Placeholder report text.", key=f"backlog-{number}")

    # The case on screen: a widely seen video, reported twice and flagged by the classifier.
    video = {"type": "video", "external_id": "video-88213", "region": "US", "language": "en-US", "owner": owner,
             "reach": 850_000, "attributes": {"caption": "Clip #88213 — placeholder caption",
                                              "duration_seconds": 41}}
    with clock.frozen(now - timedelta(minutes=50)):
        case = report(integration, video, "violence.graphic", reporter="user-31877", key="case-1",
                      text="Shows a street fight with someone bleeding, posted with laughing emojis.")
    with clock.frozen(now - timedelta(minutes=35)):
        intake.submit_signal(submitter=integration, item=SignalIn(
            detector="video-classifier-v3", score=0.91, policy="violence.graphic", subject=video))
    with clock.frozen(now - timedelta(minutes=12)):
        report(integration, video, "violence.graphic", source="trusted_flagger", reporter="flagger-safe-streets",
               text="Graphic injury footage, apparently shared for shock value rather than news.", key="case-2")
    return {"moderator": moderator, "case_id": case["case_id"]}


def build_quality_month() -> dict:
    """A month of review and QA from the synthetic world (audits, calibration, RCAs, last month's report)."""
    from trustops.identity.models import User
    from trustops.simulation.seed import DEMO_PASSWORD, seed_world
    from trustops.simulation.workforce import QA_LEAD

    summary = seed_world(size="default", monthly_report=True)
    return {"lead": User.objects.get(username=QA_LEAD), "password": DEMO_PASSWORD, "summary": summary}


def capture_quality(base_url: str, quality: dict, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    dashboard_png, report_png = out / "quality-dashboard.png", out / "monthly-quality-report.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(quality["lead"].username)
        page.get_by_label("Password").fill(quality["password"])
        page.get_by_role("button", name="Sign in").click()
        page.goto("/quality/")
        expect(page.get_by_role("heading", name="Quality", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(dashboard_png), full_page=True)
        # Last month's report, the one the schedule generated and kept.
        from trustops.kernel import clock
        last_month = (clock.now().replace(day=1) - timedelta(days=1)).strftime("%B %Y")
        page.get_by_role("region", name="Monthly Quality Reports", exact=True).get_by_role(
            "link", name=last_month).click()
        expect(page.get_by_role("region", name="Summary", exact=True)).to_be_visible()
        page.wait_for_load_state("networkidle")
        # The top of the report (summary, trend, comparisons); the whole page is several screens long.
        page.screenshot(path=str(report_png), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1800})
        workspace_png = capture_qa_workspace(page, out)
        browser.close()
    return [dashboard_png, report_png, workspace_png]


def capture_qa_workspace(page, out: Path) -> Path:
    """The QA workspace's blind audit page: the lead takes the next audit task of a fresh sample of last week."""
    from playwright.sync_api import expect

    from trustops.kernel import clock

    workspace_png = out / "qa-workspace.png"
    today = clock.now().date()
    page.goto("/qa/samples/")
    form = page.get_by_role("form", name="Sample design")
    form.get_by_label("From").fill((today - timedelta(days=7)).isoformat())
    form.get_by_label("To (inclusive)").fill(today.isoformat())
    form.get_by_label("Size", exact=True).fill("20")
    form.get_by_role("button", name="Draw sample").click()
    expect(page.get_by_role("heading", name="Strata")).to_be_visible()
    page.goto("/qa/tasks/")
    page.get_by_role("button", name="Next audit task").click()
    expect(page.get_by_text("Blind audit")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(workspace_png), full_page=True)
    return workspace_png


# Each domain team's workspace in the demo world: who signs in, where, the picture, and a link to follow first.
WORKSPACES = [
    ("vendor.ops", "/vendors/", "vendor-page.png", "Northwind"),
    ("investigator", "/risk/", "risk-rules.png", None),
    ("merchants", "/merchants/", "merchant-workspace.png", None),
    ("support.desk", "/support/", "support-inbox.png", None),
    ("compliance", "/compliance/", "compliance-workspace.png", None),
]


def capture_workspaces(base_url: str, password: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for username, path, picture, follow in WORKSPACES:
            page = browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page()
            page.goto("/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url)
            page.goto(path)
            if follow:
                page.get_by_role("link", name=follow).first.click()
            page.wait_for_load_state("networkidle")
            height = min(1600, page.evaluate("document.documentElement.scrollHeight"))
            page.screenshot(path=str(out / picture), full_page=True,
                            clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})
            written.append(out / picture)
            page.context.close()
        browser.close()
    return written


def build_floor(people: dict) -> dict:
    """The floor mid-shift, on top of the review platform: colleagues holding cases, some decided and skipped
    today, a vendor agent at work, the SLA job run once, and the team lead who watches it all."""
    from datetime import timedelta

    from trustops.identity import services as identity
    from trustops.kernel import clock
    from trustops.review import casework, services
    from trustops.simulation import platform as setup

    lead = setup.person("a.lindqvist", "team_lead", team=setup.IN_HOUSE_TEAM, password=PASSWORD,
                        clearances=[setup.CHILD_SAFETY, setup.TERRORISM_NCII])
    device = identity.start_totp_enrolment(user=lead)
    device.confirmed = True
    device.save()
    crew = {
        "j.osei": setup.person("j.osei", "moderator", team=setup.IN_HOUSE_TEAM),
        "t.nguyen": setup.person("t.nguyen", "moderator", team=setup.IN_HOUSE_TEAM,
                                 clearances=[setup.CHILD_SAFETY, setup.TERRORISM_NCII]),
        "nw.agent-7": setup.person("nw.agent-7", "vendor_agent", vendor=setup.VENDOR_A),
    }
    # name, queue, cases decided (minutes each), cases skipped, then one held since that many minutes ago
    shifts = [("j.osei", "general-intl", [4, 6, 3], 1, 7), ("t.nguyen", "integrity", [2, 3], 0, 3),
              ("t.nguyen", "child-safety", [7], 0, None), ("nw.agent-7", "merchants", [5, 8], 1, 6),
              ("nw.agent-7", "general-us", [], 0, 4)]
    now = clock.now()
    for name, queue, minutes, skips, held_for in shifts:
        reviewer = crew[name]
        at = now - timedelta(minutes=90)
        for spent in minutes:
            with clock.frozen(at):
                case = casework.claim_next(actor=reviewer, queue_key=queue)
            if case is None:
                break
            at += timedelta(minutes=spent)
            with clock.frozen(at):
                casework.decide(actor=reviewer, case_id=case.pk, version=case.version, decision=casework.DecisionInput(
                    verdict="no_violation", rationale="Placeholder content within the guidelines."))
        for _ in range(skips):
            case = casework.claim_next(actor=reviewer, queue_key=queue)
            if case is not None:
                casework.release(actor=reviewer, case_id=case.pk, skip=True)
        if held_for is not None:
            with clock.frozen(now - timedelta(minutes=held_for)):
                casework.claim_next(actor=reviewer, queue_key=queue)
    services.raise_sla_alerts()
    return {"lead": lead, "device": device}


def totp_code(device) -> str:
    """What the lead's authenticator app shows now."""
    import time

    from django_otp.oath import totp

    step_now = int(time.time() - device.t0) // device.step
    drift = max(device.drift, device.last_t + 1 - step_now)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):0{device.digits}d}"


def capture_floor(base_url: str, floor: dict, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    floor_png = out / "floor-view.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(floor["lead"].username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Code").fill(totp_code(floor["device"]))
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", name="Queues")).to_be_visible()
        page.goto("/floor/")
        expect(page.get_by_role("heading", name="Floor", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(floor_png), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1700})
        browser.close()
    return [floor_png]


def serve():
    """The console on a free local port, in a daemon thread; returns its base URL."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def capture(base_url: str, people: dict, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    queues_png, case_png = out / "queues.png", out / "case-page.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(people["moderator"].username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Queues")).to_be_visible()
        page.screenshot(path=str(queues_png), full_page=True)

        page.get_by_role("row").filter(has_text="general-us").get_by_role("button", name="Next case").click()
        expect(page).to_have_url(f"{base_url}/cases/{people['case_id']}/")
        expect(page.get_by_text("Hidden for your wellbeing")).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(case_png), full_page=True)
        browser.close()
    return [queues_png, case_png]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", choices=["floor", "workspaces"], help="take only these pictures")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="trustops-screenshots-") as workdir:
        prepare_django(workdir)
        if args.only == "workspaces":
            quality = build_quality_month()
            for path in capture_workspaces(serve(), quality["password"], Path(args.out)):
                print(f"wrote {path}")
            return
        people = build_platform()
        base_url = serve()
        if args.only is None:
            for path in capture(base_url, people, Path(args.out)):
                print(f"wrote {path}")
        else:
            from trustops.review import casework
            casework.claim_next(actor=people["moderator"], queue_key="general-us")   # what the case page does
        # The floor, once the moderator holds the case on screen.
        for path in capture_floor(base_url, build_floor(people), Path(args.out)):
            print(f"wrote {path}")
        if args.only is not None:
            return
        # Then a month of QA on top (after the review pictures, whose queues it would crowd).
        quality = build_quality_month()
        for path in capture_quality(base_url, quality, Path(args.out)):
            print(f"wrote {path}")
        for path in capture_workspaces(base_url, quality["password"], Path(args.out)):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
