"""An integrator reads the API docs on a machine with no way out: everything comes from trustops itself."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The policy the console is served under: scripts and styles from this server only, no inline script.
POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'"


def test_the_api_docs_render_their_operations_with_no_network_beyond_trustops(page, live_server):
    local = urlsplit(live_server.url).netloc
    refused, violations = [], []

    def only_trustops(route):
        if urlsplit(route.request.url).netloc != local:
            refused.append(route.request.url)
            route.abort()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": POLICY})

    page.route("**/*", only_trustops)
    page.on("console", lambda message: message.type == "error" and "Content Security Policy" in message.text
            and violations.append(message.text))

    page.goto("/api/v1/docs")

    expect(page.get_by_role("heading", name="trustops API")).to_be_visible()
    expect(page.get_by_text("/api/v1/reports/batch", exact=True)).to_be_visible()
    expect(page.get_by_text("/api/v1/cases/{case_id}", exact=True).first).to_be_visible()
    assert refused == []
    assert violations == []
