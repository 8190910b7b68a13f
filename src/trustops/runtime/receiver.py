"""A small webhook receiver, as an integrating platform would run one: it checks each delivery's signature with
the endpoint's secret and keeps a line per delivery (verified or refused) in a JSON Lines file.

The demo runs it beside the server and the worker and registers an endpoint on it, so the delivery log shows
deliveries arriving and verified. It is also a worked example for integrators of `outbox/signatures.py`.
"""
import json
import logging
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from trustops.outbox import signatures

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], *, secret: str, record: Path):
        super().__init__(address, _Handler)
        self.secret, self.record = secret, Path(record)
        self.record.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def keep(self, line: dict) -> None:
        with self._lock, self.record.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, sort_keys=True) + "\n")


class _Handler(BaseHTTPRequestHandler):
    server: Receiver
    server_version = "trustops-webhook-receiver/1"

    def do_POST(self):  # noqa: N802 (the name http.server calls)
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            return self._answer(413, {"error": "body too large or without a length"})
        body = self.rfile.read(length)
        verified = signatures.verify(self.server.secret, body, self.headers.get(signatures.HEADER, ""))
        try:
            payload = json.loads(body) if verified else None
        except ValueError:
            payload = None
        self.server.keep({
            "received_at": datetime.now(UTC).isoformat(timespec="seconds"), "path": self.path,
            "event": self.headers.get("Trustops-Event", ""), "delivery": self.headers.get("Trustops-Delivery", ""),
            "verified": verified, "bytes": len(body), "body": payload})
        if not verified:
            return self._answer(401, {"error": "signature does not verify"})
        return self._answer(200, {"received": True})

    def do_GET(self):  # noqa: N802
        self._answer(200, {"receiver": "trustops webhooks", "record": self.server.record.name})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        log.info("webhook receiver: " + format, *args)


def received(record: Path) -> list[dict]:
    """What the receiver kept, oldest first."""
    path = Path(record)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
