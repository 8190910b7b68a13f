from django.core.management.base import BaseCommand

from trustops.risk.worker.stream import StreamWorker


class Command(BaseCommand):
    help = "Read platform events from NATS JetStream (durable pull consumer) into the risk rules."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=None, help="NATS server (default TRUSTOPS_NATS_URL or localhost)")
        parser.add_argument("--stream", default="TRUSTOPS_EVENTS")
        parser.add_argument("--subject", default="trustops.events")
        parser.add_argument("--durable", default="riskworker")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--ack-wait", type=float, default=30.0)
        parser.add_argument("--stop-after-idle", type=int, default=None,
                            help="Stop after this many empty fetches in a row (default: run until stopped)")

    def handle(self, *args, **options):
        worker = StreamWorker(url=options["url"], stream=options["stream"], subject=options["subject"],
                              durable=options["durable"], batch=options["batch"], ack_wait=options["ack_wait"])
        worker.connect()
        self.stdout.write(f"riskworker reading {options['subject']} from stream {options['stream']}")
        try:
            worker.run(stop_after_idle=options["stop_after_idle"])
        except KeyboardInterrupt:
            pass
        finally:
            worker.close()
