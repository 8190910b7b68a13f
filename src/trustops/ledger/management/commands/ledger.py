from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from trustops.ledger import services, verification


class Command(BaseCommand):
    help = "Seal pending ledger events into blocks, print the ledger's head, or verify the whole ledger."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Exit non-zero and name every bad event or block if anything was "
                                               "altered.")
        verify.add_argument("--head", type=Path, default=None,
                            help="A file written by `ledger head`: also fail if the ledger no longer holds it.")
        verify.add_argument("--limit", type=int, default=50, help="Print at most this many problems.")
        seal = sub.add_parser("seal", help="Seal committed events into blocks now.")
        seal.add_argument("--horizon", type=float, default=None, help="Only events older than this (seconds).")
        sub.add_parser("head", help="Print the latest block and event with their hashes, as JSON (keep it "
                                    "somewhere else).")

    def handle(self, *args, action, **options):
        if action == "seal":
            sealed = services.seal_all(horizon_seconds=options.get("horizon"))
            self.stdout.write(f"sealed {sealed} events")
        elif action == "head":
            self.stdout.write(verification.head().model_dump_json())
        else:
            self._verify(options["head"], options["limit"])

    def _verify(self, head_file: Path | None, limit: int):
        saved = _read_head(head_file) if head_file else None
        report = verification.verify(head=saved)
        if not report.ok:
            shown = report.findings[:max(limit, 0)]
            lines = [f"ledger verification FAILED: {report.problems} problem(s)", *(f"  {f}" for f in shown)]
            if report.problems > len(shown):
                lines.append(f"  ... and {report.problems - len(shown)} more")
            raise CommandError("\n".join(lines))
        against = f", holds the head at block {saved.block} and event {saved.event_id}" if saved else ""
        self.stdout.write(self.style.SUCCESS(
            f"ledger OK: {report.events_checked} events, {report.blocks_checked} blocks, "
            f"{report.unsealed} not yet sealed{against}"))


def _read_head(path: Path) -> verification.Head:
    try:
        return verification.Head.model_validate_json(path.read_text())
    except OSError as error:
        raise CommandError(f"cannot read the head file {path}: {error.strerror}") from error
    except ValidationError as error:
        raise CommandError(f"{path} is not a ledger head (from `trustops ledger head`): "
                           f"{error.errors()[0]['msg']}") from error
