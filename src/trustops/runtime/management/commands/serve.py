from django.core.management.base import BaseCommand

from trustops.runtime.serving import serve_forever


class Command(BaseCommand):
    help = "Serve the console and the API with waitress (static files come through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **options):
        serve_forever(host=options["host"], port=options["port"], threads=options["threads"])
