import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trustops.config import platform_file
from trustops.config.document import Refused


class Command(BaseCommand):
    help = "The platform's configuration as one YAML file: `config export > platform.yaml`, `config apply FILE`."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("export", help="Write the configuration as YAML to standard output")
        apply = actions.add_parser("apply", help="Make the platform's configuration what the file says")
        apply.add_argument("file", help="The YAML file, or - for standard input")
        apply.add_argument("--dry-run", action="store_true", help="Show the changes without making them")

    def handle(self, *args, action, **options):
        if action == "export":
            self.stdout.write(platform_file.export_yaml(), ending="")
            return
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {name}: {error}") from error
        try:
            changes = platform_file.apply(text, dry_run=options["dry_run"])
        except Refused as refused:
            for problem in refused.problems:
                self.stderr.write(f"{name}:{problem.line or '-'}: {problem.field or '(document)'}: "
                                  f"{problem.message}")
            raise CommandError(f"{name} refused: {len(refused.problems)} problem(s); nothing was changed.")
        for change in changes:
            self.stdout.write(str(change))
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(f"{len(changes)} {verb}." if changes else "Nothing to change.")
