import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from trustops.identity.models import User
from trustops.simulation.seed import INTEGRATION
from trustops.simulation.stream import PlatformStream


class Command(BaseCommand):
    help = "Keep the synthetic platform alive: a few reports and signals every few seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=3.0, help="Seconds between bursts.")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--exit-with-parent", action="store_true",
                            help="Stop when the process that started this one goes away (used by demo).")

    def handle(self, *args, **options):
        submitter = User.objects.filter(username=INTEGRATION).first()
        if submitter is None:
            raise CommandError("No integration user: run `trustops seed` first.")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        PlatformStream(submitter=submitter, seed=options["seed"]).run(
            interval=options["interval"], stop=stop, exit_with_parent=options["exit_with_parent"])
