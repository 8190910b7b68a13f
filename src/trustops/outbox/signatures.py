"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", so receivers can check origin and freshness.

Header: `Trustops-Signature: t=<unix seconds>,v1=<hex digest>`. Receivers should refuse old timestamps.
"""
import hashlib
import hmac
import time

HEADER = "Trustops-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance_seconds: int = 300, now: int | None = None) -> bool:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
