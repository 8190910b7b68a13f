"""Serving the console and the API with waitress."""
from django.core.wsgi import get_wsgi_application
from waitress import serve

from trustops.kernel.runtime import prepare_for_serving


def serve_forever(*, host: str, port: int, threads: int) -> None:
    application = get_wsgi_application()
    prepare_for_serving()
    serve(application, host=host, port=port, threads=threads, ident="trustops")
