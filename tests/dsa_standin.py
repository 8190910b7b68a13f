"""A local stand-in for the DSA Transparency Database's batch endpoint, in a thread of the test process.

It answers like the database: bearer token or 401; 1 to 100 statements per call; every statement checked by the
database's rules; one bad statement refuses the whole batch (422, errors keyed `statement_N`); a `puid` already
stored is refused as not unique. It can be told to fail: answer 5xx for the next calls, hang past the client's
timeout, or refuse given puids as the real database would refuse a statement its rules changed about.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from trustops.compliance.statements.validation import validate


class StandIn:
    def __init__(self, token="test-token"):
        self.token = token
        self.stored: dict[str, dict] = {}
        self.calls: list[list[str]] = []          # the puids of every call, in order
        self.fail_next = 0                        # answer 503 to this many calls
        self.hang_next = 0                        # sleep past the client's timeout on this many calls
        self.hang_seconds = 1.0
        self.refuse_puids: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, auth: str, body: bytes) -> tuple[int, dict]:
        if auth != f"Bearer {self.token}":
            return 401, {"message": "Unauthenticated."}
        try:
            statements = json.loads(body)["statements"]
        except (ValueError, KeyError, TypeError):
            return 422, {"message": "The statements field is required."}
        if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
            return 422, {"message": "Send 1 to 100 statements."}
        with self.lock:
            self.calls.append([s.get("puid") for s in statements])
            if self.fail_next:
                self.fail_next -= 1
                return 503, {"message": "Service unavailable"}
            errors = {}
            seen = set()
            for n, statement in enumerate(statements):
                problems = {p["field"]: [p["message"]] for p in validate(statement)}
                puid = statement.get("puid")
                if puid in self.stored or puid in seen:
                    problems["puid"] = ["The identifier given is not unique within this platform."]
                if puid in self.refuse_puids:
                    problems["decision_facts"] = ["The decision facts are not acceptable."]
                seen.add(puid)
                if problems:
                    errors[f"statement_{n}"] = problems
            if errors:
                return 422, {"message": "The given data was invalid.", "errors": errors}
            for statement in statements:
                self.stored[statement["puid"]] = statement
            return 201, {"statements": [{"puid": s["puid"], "uuid": f"uuid-{s['puid']}"} for s in statements]}

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path != "/api/v1/statements":
                    status, answer = 404, {"message": "Not found"}
                else:
                    with stand_in.lock:
                        hang = stand_in.hang_next > 0
                        stand_in.hang_next -= hang
                    if hang:
                        time.sleep(stand_in.hang_seconds)
                    status, answer = stand_in.answer(self.headers.get("Authorization", ""), body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        return Handler
