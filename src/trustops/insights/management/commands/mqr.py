from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trustops.insights import exports, monthly_quality, rendering, services
from trustops.kernel import clock
from trustops.kernel.errors import DomainError


class Command(BaseCommand):
    help = "Generate the Monthly Quality Report for a month (default: last month), keep it, and optionally write it."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the previous month)")
        parser.add_argument("--output", type=Path,
                            help="also write the report to this file; .html, .csv or .xlsx picks the format")
        parser.add_argument("--no-keep", action="store_true", help="build and write it without keeping a version")

    def handle(self, *args, month=None, output=None, no_keep=False, **options):
        try:
            first = monthly_quality.parse_month(month) if month else monthly_quality.previous_month(clock.now())
        except DomainError as error:
            raise CommandError(error.message)
        if output is not None and output.suffix.lower() not in {".html", ".csv", ".xlsx"}:
            raise CommandError("--output must end in .html, .csv or .xlsx")
        if no_keep:
            data = monthly_quality.build(monthly_quality.ORGANISATION, first)
            body = None
        else:
            kept = services.keep_monthly_quality_report(month=first)
            data, body = kept.data, kept.html
            self.stdout.write(f"kept report {kept.pk} for {data['month']}")
        summary = data["summary"]
        accuracy = "—" if summary["accuracy"] is None else f"{summary['accuracy']:.1%}"
        self.stdout.write(f"{data['month']}: {summary['audited']:,} audits of {summary['decisions']:,} decisions, "
                          f"accuracy {accuracy}, {summary['warnings']} warning(s)")
        if output is not None:
            suffix = output.suffix.lower()
            if suffix == ".html":
                output.write_text(rendering.document(data, body))
            elif suffix == ".csv":
                output.write_text(exports.to_csv(data))
            else:
                output.write_bytes(exports.to_xlsx(data))
            self.stdout.write(f"wrote {output}")
