"""Serving the console and the API with waitress, directly or behind trusted proxies."""
import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application
from waitress import serve
from waitress.proxy_headers import PROXY_HEADERS, proxy_headers_middleware

from trustops.kernel.runtime import prepare_for_serving

log = logging.getLogger(__name__)

ANY_PEER = "*"
KNOWN_HEADERS = {h.lower().replace("_", "-") for h in PROXY_HEADERS}


def _networks(proxies: list[str]) -> list:
    try:
        return [ipaddress.ip_network(p, strict=False) for p in proxies if p != ANY_PEER]
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTOPS_TRUSTED_PROXY: {exc}") from None


def behind_proxies(application, *, proxies: list[str], count: int = 1, headers: list[str] | None = None):
    """The application as waitress serves it: forwarded headers from a peer in `proxies` (addresses, networks
    or "*") set the client's address, scheme, host and port, the last `count` hops being trusted proxies;
    the same headers from any other peer are removed before Django sees them.

    waitress trusts one peer address; load balancers often come from a pool, so the peer is matched here and
    waitress's own translation runs for the peers that match."""
    headers = set(headers or [])
    unknown = sorted(headers - KNOWN_HEADERS)
    if unknown:
        raise ImproperlyConfigured(f"TRUSTOPS_TRUSTED_PROXY_HEADERS: unknown {', '.join(unknown)}; "
                                   f"one of {', '.join(sorted(KNOWN_HEADERS))}.")
    if count < 1:
        raise ImproperlyConfigured("TRUSTOPS_PROXY_COUNT must be at least 1.")
    untrusted = proxy_headers_middleware(application, trusted_proxy=None, clear_untrusted=True)
    if not proxies:
        return untrusted
    trusted = proxy_headers_middleware(application, trusted_proxy=ANY_PEER, trusted_proxy_count=count,
                                       trusted_proxy_headers=headers, clear_untrusted=True)
    any_peer = ANY_PEER in proxies
    networks = _networks(proxies)

    def is_trusted(peer: str) -> bool:
        if any_peer:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in networks)

    def dispatch(environ, start_response):
        handler = trusted if is_trusted(environ.get("REMOTE_ADDR", "")) else untrusted
        return handler(environ, start_response)

    return dispatch


def application():
    """The WSGI application with the configured proxies (settings.TRUSTED_PROXIES and friends); `trustops.wsgi`
    serves this one to any WSGI server."""
    if settings.HTTPS and not settings.TRUSTED_PROXIES:
        log.warning("TRUSTOPS_HTTPS is on but no TRUSTOPS_TRUSTED_PROXY is set: waitress does not speak TLS, so "
                    "requests will look like plain HTTP and be redirected to HTTPS again and again.")
    return behind_proxies(get_wsgi_application(), proxies=settings.TRUSTED_PROXIES, count=settings.PROXY_COUNT,
                          headers=settings.TRUSTED_PROXY_HEADERS)


def serve_forever(*, host: str, port: int, threads: int) -> None:
    app = application()
    prepare_for_serving()
    # The proxy headers are handled by `behind_proxies`, so waitress itself trusts no peer.
    serve(app, host=host, port=port, threads=threads, ident="trustops", clear_untrusted_proxy_headers=False)
