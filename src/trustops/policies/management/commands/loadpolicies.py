from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trustops.kernel.errors import DomainError
from trustops.policies import services


class Command(BaseCommand):
    help = "Load a policy taxonomy file (JSON). Changed policies get a new version; missing ones are retired."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=services.DEFAULT_FILE)

    def handle(self, *args, file, **options):
        try:
            result = services.load_taxonomy_file(file, actor="cli")
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}")
        self.stdout.write(", ".join(f"{k} {v}" for k, v in result.items()))
