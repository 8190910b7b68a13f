import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from trustops.runtime.serving import serve_forever
from trustops.simulation import receiver
from trustops.simulation.seed import (
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    INTEGRATION,
    current_seeding,
    enrol_demo_authenticators,
    ensure_demo_token,
    seed_world,
)
from trustops.simulation.world import scale_of

STOP_GRACE_SECONDS = 10


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _spawn(command: str, *args: str) -> subprocess.Popen:
    """A child `trustops` process with this one's settings and var directory."""
    env = {**os.environ, "TRUSTOPS_VAR_DIR": str(settings.VAR_DIR),
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "trustops.settings")}
    return subprocess.Popen([sys.executable, "-m", "trustops", command, *args], env=env)


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _interrupt(signum, frame):
    # SIGTERM ends the demo like Ctrl-C does: the server closes, then the children are stopped.
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = ("Run the demo platform: migrate, seed the synthetic world once, then serve the console and API "
            "with a background worker and a live stream of reports and signals. Ctrl-C stops everything.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--size", default="default",
                            help="tiny, default, large, or a whole number multiplying the default size.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-stream", action="store_true",
                            help="Do not keep sending live reports and signals.")
        parser.add_argument("--stream-interval", type=float, default=3.0, help="Seconds between live bursts.")
        parser.add_argument("--receiver-port", type=int, default=8001,
                            help="Port of the demo's own webhook receiver (0: run none).")

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        try:
            scale_of(options["size"])
        except ValueError as error:
            raise CommandError(str(error))
        if not _port_is_free(host, port):
            raise CommandError(f"Port {port} on {host} is in use; choose another with --port.")

        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("init", verbosity=0)   # the demo's platform is seeded on top of a fresh install's
        seeding = current_seeding()
        if seeding is not None:
            self.stdout.write(f"Using the synthetic world already seeded here (seed {seeding.seed}, "
                              f"size {seeding.size}).")
        else:
            self.stdout.write(f"Seeding the synthetic world (seed {options['seed']}, "
                              f"size {options['size']})…")
            summary = seed_world(seed=options["seed"], size=options["size"])
            self.stdout.write(f"  {summary['accounts']} accounts, {summary['items']} items, "
                              f"{summary.get('reports', 0)} reports, {summary.get('signals', 0)} signals, "
                              f"{summary.get('cases_opened', 0)} cases — in {summary['seconds']} s")
            self.stdout.write(f"  {summary.get('decisions', 0)} decisions, {summary.get('appeals', 0)} appeals, "
                              f"{summary.get('audits', 0)} audits, {summary.get('golden_items', 0)} golden items, "
                              f"{summary.get('calibration_sessions', 0)} calibration session(s), "
                              f"{summary.get('monthly_reports', 0)} Monthly Quality Report(s)")
        token = ensure_demo_token()
        enrol_demo_authenticators()
        receiver_port = options["receiver_port"]
        if receiver_port and not _port_is_free(host, receiver_port):
            self.stdout.write(f"Port {receiver_port} is in use: the demo runs no webhook receiver this time "
                              "(choose another with --receiver-port).")
            receiver_port = 0
        self._banner(host, port, token, stream=not options["no_stream"], receiver_port=receiver_port)

        children = [_spawn("worker")]
        if receiver_port:
            secret = receiver.register(host=host, port=receiver_port)
            children.append(_spawn("webhookreceiver", "--host", host, "--port", str(receiver_port),
                                   "--secret-file", str(secret)))
        if not options["no_stream"]:
            children.append(_spawn("stream", "--interval", str(options["stream_interval"]),
                                   "--exit-with-parent"))
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            serve_forever(host=host, port=port, threads=options["threads"])
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping the worker, the stream and the webhook receiver…")
            _stop(children)
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("Stopped.")

    def _banner(self, host: str, port: int, token, *, stream: bool, receiver_port: int = 0) -> None:
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{port}"
        people = [(username, role) for username, role, *_ in DEMO_PEOPLE if username != INTEGRATION]
        width = max(len(username) for username, _ in people)
        lines = [
            "",
            f"trustops demo is starting at {url}",
            "",
            f"  Sign in (password for every demo login: {DEMO_PASSWORD}):",
            *[f"    {username.ljust(width)}  {role.replace('_', ' ')}" for username, role in people],
            "    (admin and lead confirm a TOTP code after the password: scan the QR code with an authenticator",
            "     app, or print the current code with `trustops totpcode admin` / `trustops totpcode lead`)",
            "",
            f"  API docs:           {url}/api/v1/docs",
            f"  Integration token:  {token}",
            f"      curl -H \"Authorization: Bearer $(cat {token})\" {url}/api/v1/queues",
            f"  Live platform stream: {'on' if stream else 'off'}; background worker: on",
            *([f"  Webhook receiver:   http://{shown_host}:{receiver_port}/trustops (verified deliveries kept in "
               f"{receiver.folder() / 'deliveries.jsonl'}; see {url}/deliveries/)"] if receiver_port else []),
            "",
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write("\n".join(lines))
