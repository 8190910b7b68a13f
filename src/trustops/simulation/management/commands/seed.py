from django.core.management.base import BaseCommand, CommandError

from trustops.simulation.seed import seed_world
from trustops.simulation.world import scale_of


class Command(BaseCommand):
    help = ("Fill the database with the synthetic platform (once): setup, demo people, and a month of history "
            "with review work, appeals and QA.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--size", default="default",
                            help="tiny, default, large, or a whole number multiplying the default size.")

    def handle(self, *args, **options):
        try:
            scale_of(options["size"])
        except ValueError as error:
            raise CommandError(str(error))
        summary = seed_world(seed=options["seed"], size=options["size"])
        if summary.get("already_seeded"):
            self.stdout.write(f"Already seeded (seed {summary['seed']}, size {summary['size']}); "
                              "nothing to do.")
            return
        self.stdout.write(
            f"Seeded world {summary['seed']} ({summary['size']}) in {summary['seconds']} s: "
            f"{summary['accounts']} accounts, {summary['items']} items, {summary.get('reports', 0)} reports "
            f"({summary['true_reports']} true, {summary['false_reports']} false), "
            f"{summary.get('signals', 0)} signals, {summary.get('cases_opened', 0)} cases opened; "
            f"{summary.get('decisions', 0)} decisions, {summary.get('appeals', 0)} appeals, "
            f"{summary.get('audits', 0)} audits.")
