"""Every console page carries a Content-Security-Policy that runs only this server's scripts and styles, and no
page needs more: no inline script, event-handler attribute, style attribute or <style> element."""
import base64
import hashlib
import re
from datetime import datetime, timezone

import pytest
from django.test import Client

from tests import quality_month
from tests.test_console_access import verified_console
from trustops.kernel import clock
from trustops.simulation import platform as setup

AS_OF = datetime(2025, 4, 8, 12, tzinfo=timezone.utc)
POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "frame-ancestors": "'none'", "form-action": "'self'", "base-uri": "'none'", "object-src": "'none'",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {name: value for name, _, value in (part.strip().partition(" ") for part in header.split(";"))}


def assert_strict_page(response, path):
    assert response.status_code == 200, path
    assert {k: v for k, v in directives(response).items() if k in POLICY} == POLICY, path
    page = response.content.decode()
    for pattern in (INLINE_SCRIPT, HANDLER_ATTRIBUTE, STYLE_ATTRIBUTE, STYLE_ELEMENT):
        assert not pattern.search(page), (path, pattern.search(page).group(0))


@pytest.fixture
def march(world):
    return quality_month.build(world)


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_every_console_page_has_the_policy_and_needs_nothing_it_refuses(march, world):
    assert_strict_page(Client().get("/login/"), "/login/")
    moderator = signed_in(world.moderator("csp-mod"))
    subject = world.subject(region="US")
    case = world.report(subject=subject, reason="harassment.bullying")
    claimed = moderator.post("/queues/general-us/next/")
    assert claimed.status_code == 302
    account = subject["owner"]
    for path in ("/", "/queues/", "/appeals/", "/accounts/", "/preferences/", claimed.headers["Location"],
                 f"/accounts/{account['type']}/{account['external_id']}/", "/queues/general-us/cases/",
                 f"/search/?q={subject['external_id']}", "/notifications/"):
        assert_strict_page(moderator.get(path, follow=True), path)
    assert case["queue"] == "general-us"

    lead = signed_in(march.people["lead"])
    with clock.frozen(AS_OF):
        for path in ("/quality/", "/quality/reports/2025-03/"):
            assert_strict_page(lead.get(path), path)
    floor_lead = verified_console(world.person("csp-lead", "team_lead", team=setup.IN_HOUSE_TEAM).user)
    assert_strict_page(floor_lead.get("/floor/"), "/floor/")
    auditor = signed_in(world.person("csp-auditor", "qa_auditor"))
    for path in ("/qa/", "/qa/samples/", "/qa/tasks/", "/qa/calibrations/", "/qa/rcas/", "/qa/golden/"):
        assert_strict_page(auditor.get(path, follow=True), path)


def test_the_standalone_report_file_admits_its_own_stylesheet_by_hash_and_nothing_else(march):
    lead = signed_in(march.people["lead"])
    with clock.frozen(AS_OF):
        document = lead.get("/quality/reports/2025-03/report.html")
    assert document.status_code == 200
    css = re.search(r"<style>(.*?)</style>", document.content.decode(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert directives(document)["style-src"] == f"'self' 'sha256-{digest}'"
    assert not STYLE_ATTRIBUTE.search(document.content.decode())       # the charts' SVG included


def test_the_admin_has_the_policy_and_the_api_docs_keep_their_own(world):
    assert directives(Client().get("/admin/login/"))["script-src"] == "'self'"
    assert "Content-Security-Policy" not in Client().get("/api/v1/docs").headers
