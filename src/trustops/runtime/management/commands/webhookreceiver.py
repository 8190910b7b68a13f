from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trustops.runtime.receiver import Receiver

DEFAULT_DIR = "webhook-receiver"


class Command(BaseCommand):
    help = ("Receive webhook deliveries as an integrating platform would: check each signature with the "
            "endpoint's secret and keep a line per delivery in a JSON Lines file under the var directory.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--secret-file", help="File holding the endpoint's signing secret "
                                                  f"(default: VAR_DIR/{DEFAULT_DIR}/secret).")
        parser.add_argument("--record", help=f"Where to keep deliveries (default: VAR_DIR/{DEFAULT_DIR}/"
                                              "deliveries.jsonl).")

    def handle(self, *args, **options):
        folder = Path(settings.VAR_DIR) / DEFAULT_DIR
        secret_file = Path(options["secret_file"] or folder / "secret")
        try:
            secret = secret_file.read_text().strip()
        except OSError as error:
            raise CommandError(f"Cannot read the signing secret from {secret_file}: {error.strerror}") from None
        if len(secret) < 16:
            raise CommandError(f"{secret_file} holds no signing secret.")
        record = Path(options["record"] or folder / "deliveries.jsonl")
        try:
            server = Receiver((options["host"], options["port"]), secret=secret, record=record)
        except OSError as error:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {error.strerror}") from None
        self.stdout.write(f"Receiving webhooks on http://{options['host']}:{options['port']}/, keeping them in "
                          f"{record}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
