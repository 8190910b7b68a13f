"""trustops behind a TLS-terminating load balancer: the console knows it is served over HTTPS, to whom, and under
which host name, only when the forwarded headers come from the configured proxy; anyone else's are dropped.

Requests go through the WSGI application exactly as `trustops serve` hands it to waitress, with the peer's
address set as waitress sets it, so waitress's own proxy-header translation is what is tested.
"""
import io
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.core.wsgi import get_wsgi_application

from trustops.runtime.serving import behind_proxies
from trustops.simulation import platform as setup

PASSWORD = "correct horse battery staple"
LOAD_BALANCER = "10.0.4.7"
SITE = "trustops.example.org"
ORIGIN = f"https://{SITE}"
# What the load balancer adds to a browser's request that reached it over HTTPS from 203.0.113.9.
FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": SITE,
             "X-Forwarded-Port": "443"}


class Peer:
    """One TCP peer of waitress (the load balancer, or someone reaching the server directly) with a cookie jar.

    Cookies are sent back whatever their Secure flag: the browser sent them over HTTPS to the load balancer,
    which passes them on over the private network."""

    def __init__(self, app, address: str):
        self.app, self.address, self.cookies = app, address, {}

    def request(self, method: str, path: str, *, headers=None, form=None):
        body = urlencode(form or {}).encode()
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "app-1",
            "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": self.address,
            "HTTP_HOST": "app-1:8000", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/x-www-form-urlencoded",
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), response_headers

        # As Django's test client does: the test's transaction must outlive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = self.app(environ, start_response)
            content = b"".join(chunks)
            getattr(chunks, "close", lambda: None)()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    answer.setdefault("secure_cookies", {})[morsel.key] = bool(morsel["secure"])
                    self.cookies[morsel.key] = morsel.value
        return Answer(answer["status"], answer["headers"], content.decode(), answer.get("secure_cookies", {}))

    def sign_in(self, username: str, password: str = PASSWORD, headers=None):
        page = self.request("GET", "/login/", headers=headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.request("POST", "/login/", headers={**(headers or {}), "Origin": ORIGIN},
                            form={"username": username, "password": password, "csrfmiddlewaretoken": token})


class Answer:
    def __init__(self, status, headers, text, secure_cookies):
        self.status, self.text, self.secure_cookies = status, text, secure_cookies
        self.headers = {name.lower(): value for name, value in headers}


@pytest.fixture
def behind_tls(settings, platform):
    """Settings as a deployment behind TLS has them (TRUSTOPS_HTTPS=true), read before the app is built."""
    settings.ALLOWED_HOSTS = [SITE]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    setup.person("mod-behind-lb", "moderator", team=setup.IN_HOUSE_TEAM, password=PASSWORD)

    def served(proxies):
        return behind_proxies(get_wsgi_application(), proxies=proxies, count=1,
                              headers=["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
                                       "x-forwarded-port"])
    return served


def test_through_the_trusted_load_balancer_the_console_is_https_under_the_public_host(behind_tls):
    balancer = Peer(behind_tls([LOAD_BALANCER]), LOAD_BALANCER)

    page = balancer.request("GET", "/login/", headers=FORWARDED)

    assert page.status == 200  # no redirect: the request is secure
    assert page.headers["strict-transport-security"].startswith("max-age=31536000")
    assert page.secure_cookies == {"csrftoken": True}

    signed_in = balancer.sign_in("mod-behind-lb", headers=FORWARDED)
    assert signed_in.status == 302 and signed_in.secure_cookies.get("sessionid") is True
    # A CSRF-protected console form posted from the public origin: Django compares Origin with https://SITE.
    saved = balancer.request("POST", "/preferences/", headers={**FORWARDED, "Origin": ORIGIN},
                             form={"media_preference": "greyscale",
                                   "csrfmiddlewaretoken": balancer.cookies["csrftoken"]})
    assert saved.status == 302 and saved.headers["location"] == "/preferences/"


def test_a_failed_sign_in_through_the_load_balancer_is_counted_against_the_client_not_the_balancer(behind_tls):
    balancer = Peer(behind_tls([LOAD_BALANCER]), LOAD_BALANCER)

    refused = balancer.sign_in("mod-behind-lb", password="not the password", headers=FORWARDED)

    assert refused.status == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_proxies_may_be_given_as_a_network_of_load_balancers(behind_tls):
    balancer = Peer(behind_tls(["10.0.4.0/24"]), LOAD_BALANCER)

    assert balancer.request("GET", "/login/", headers=FORWARDED).status == 200


@pytest.mark.parametrize("proxies", [[], [LOAD_BALANCER]], ids=["no trusted proxy", "another peer"])
def test_forwarded_headers_from_anyone_else_are_ignored(behind_tls, settings, proxies):
    stranger = Peer(behind_tls(proxies), "198.51.100.7")

    page = stranger.request("GET", "/login/", headers={**FORWARDED, "Host": SITE})
    assert page.status == 301 and page.headers["location"] == f"https://{SITE}/login/"
    assert "strict-transport-security" not in page.headers

    # Past the redirect, the forged headers still do not make the request secure or change its host...
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = [SITE, "app-1"]
    stranger = Peer(behind_tls(proxies), "198.51.100.7")
    refused = stranger.sign_in("mod-behind-lb", password="not the password", headers=FORWARDED)
    # ...so the https Origin does not match the plain-HTTP request and the form is refused,
    assert refused.status == 403
    # and a failure is counted against the address that really connected.
    stranger.request("GET", "/login/", headers=FORWARDED)
    token = stranger.cookies["csrftoken"]
    stranger.request("POST", "/login/", headers={**FORWARDED, "Origin": "http://app-1:8000"},
                     form={"username": "mod-behind-lb", "password": "wrong", "csrfmiddlewaretoken": token})
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_proxy_settings_that_cannot_be_right_stop_the_server(behind_tls):
    app = get_wsgi_application()
    with pytest.raises(ImproperlyConfigured, match="TRUSTOPS_TRUSTED_PROXY"):
        behind_proxies(app, proxies=["not-an-address"])
    with pytest.raises(ImproperlyConfigured, match="TRUSTOPS_TRUSTED_PROXY_HEADERS"):
        behind_proxies(app, proxies=[LOAD_BALANCER], headers=["x-real-ip"])
