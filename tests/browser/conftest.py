"""Browser fixtures: Debian's Chromium driven by Playwright against a live trustops server.

The project never downloads a browser: these tests use the Chromium that Debian packages
(`apt-get install chromium`). Without it they are skipped with a notice, except in CI, where they must run.
"""
import itertools
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.console import PASSWORD
from trustops.simulation import platform as setup

# Playwright's sync API keeps an asyncio event loop running in the test thread from the first browser test to
# the end of the run, and Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation).
# No ORM call is made from inside that loop (it serves only the browser driver), so the guard is lifted for the
# whole pytest run: tests collected after the browser tests share the thread and would trip it too.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
DEFAULT_TIMEOUT_MS = 30_000
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Debian's chromium is not installed ({CHROMIUM} is missing): apt-get install chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def platform(transactional_db):
    """The configured platform, committed, so the live server's thread sees it (overrides the `db` one)."""
    return setup.install()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test: no cookies or storage carried over from another test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


class People:
    """People who sign in to the console with a password."""

    def __init__(self, platform):
        self.platform = platform
        self._numbers = itertools.count(1)

    def person(self, role, *, vendor=None, team=None, regions=("*",), username=None, clearances=()):
        username = username or f"{role.replace('_', '-')}-{next(self._numbers)}"
        return setup.person(username, role, vendor=vendor, team=team, regions=regions, password=PASSWORD,
                            clearances=clearances)

    def moderator(self, **kwargs):
        """An in-house moderator, cleared for restricted content like the demo's (unless told otherwise)."""
        kwargs.setdefault("clearances", (setup.CHILD_SAFETY, setup.TERRORISM_NCII))
        return self.person("moderator", team=setup.IN_HOUSE_TEAM, **kwargs)

    def vendor_agent(self, vendor=setup.VENDOR_A, **kwargs):
        return self.person("vendor_agent", vendor=vendor, **kwargs)


@pytest.fixture
def people(platform):
    return People(platform)


@pytest.fixture
def reported(world) -> dict[str, int]:
    """Reports that give the queues some depth; returns how many cases each queue received."""
    reports = (
        [dict(subject=world.subject(region="US"), reason="harassment.bullying") for _ in range(3)]
        + [dict(subject=world.subject(region="US"), reason="minor_safety.grooming")]
        + [dict(subject=world.subject(region="BR"), reason="hate.slurs") for _ in range(2)]
        + [dict(subject=world.subject(type="listing", region="DE"), reason="merchant.fraud.fake_listing")]
        + [dict(subject=world.subject(region="GB"), reason="integrity.spam") for _ in range(4)]
    )
    cases: dict[str, int] = {}
    for report in reports:
        queue = world.report(**report)["queue"]
        cases[queue] = cases.get(queue, 0) + 1
    return cases
