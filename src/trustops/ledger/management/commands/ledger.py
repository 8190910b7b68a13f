from django.core.management.base import BaseCommand, CommandError

from trustops.ledger import services, verification


class Command(BaseCommand):
    help = "Seal pending ledger events into blocks, or verify the whole ledger."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Exit non-zero and name the first bad event if anything was altered.")
        seal = sub.add_parser("seal", help="Seal committed events into blocks now.")
        seal.add_argument("--horizon", type=float, default=None, help="Only events older than this (seconds).")
        sub.add_parser("head", help="Print the latest block hash (anchor it somewhere else).")

    def handle(self, *args, action, **options):
        if action == "seal":
            sealed = services.seal_all(horizon_seconds=options.get("horizon"))
            self.stdout.write(f"sealed {sealed} events")
        elif action == "head":
            head = verification.head()
            self.stdout.write(f"block {head['block']} {head['block_hash']}")
        else:
            report = verification.verify()
            if not report.ok:
                raise CommandError(f"ledger verification FAILED at {report.finding}")
            self.stdout.write(self.style.SUCCESS(
                f"ledger OK: {report.events_checked} events, {report.blocks_checked} blocks, "
                f"{report.unsealed} not yet sealed"))
