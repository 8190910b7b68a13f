"""What every benchmark does the same way: its own PostgreSQL database, and Django set up against it."""
import itertools
import os
import random
import time
from datetime import datetime, timezone
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


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """A month written YYYY-MM as [its first instant, the next month's first instant) in UTC."""
    year, number = map(int, month.split("-"))
    start = datetime(year, number, 1, tzinfo=timezone.utc)
    return start, datetime(year + number // 12, number % 12 + 1, 1, tzinfo=timezone.utc)


def database_exists(url: str, name: str) -> bool:
    import psycopg
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def timed(function):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


class QueryLog:
    """Times every query a call makes (a Django execute wrapper)."""

    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql))
