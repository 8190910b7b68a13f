"""What every benchmark does the same way: its own PostgreSQL database, and Django set up against it."""
import itertools
import os
import random
from urllib.parse import urlsplit, urlunsplit


def with_database(url: str, name: str) -> str:
    """The server URL with the database name replaced."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def run_on_server(url: str, *statements: str) -> None:
    """Run statements outside any transaction, connected to the server's `postgres` database."""
    import psycopg
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def recreate_database(url: str, name: str) -> None:
    run_on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    run_on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure_django(dsn: str) -> None:
    # The database must be chosen before Django reads its settings.
    os.environ["TRUSTOPS_DATABASE_URL"] = dsn
    os.environ["DJANGO_SETTINGS_MODULE"] = "trustops.settings"
    os.environ.setdefault("TRUSTOPS_SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("TRUSTOPS_LOG_LEVEL", "WARNING")
    import django
    django.setup()


class Weighted:
    """Draws from a fixed population with fixed weights; the cumulative weights are computed once."""

    def __init__(self, weights: dict):
        self.population = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random):
        return rng.choices(self.population, cum_weights=self.cumulative)[0]
