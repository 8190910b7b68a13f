"""Small facts about the database in use, and the one way hot statements are run."""
from django.conf import settings
from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def fetch_one_hot(sql: str, params: list):
    """Run a statement that every reviewer runs all day and return its first row (or None).

    On PostgreSQL it is a prepared statement: the server parses and plans it once per connection instead of on
    every call, and psycopg binds the parameters instead of quoting them into the text. Everything else goes
    through Django's cursor. Set `TRUSTOPS_PREPARED_STATEMENTS=0` behind a pooler that cannot keep prepared
    statements (PgBouncer before 1.21 in transaction mode).
    """
    if is_postgres() and settings.TRUSTOPS["PREPARED_STATEMENTS"]:
        import psycopg

        connection.ensure_connection()
        # Same connection, so the same transaction as the use case; a plain `psycopg.Cursor` binds server-side
        # (Django's own cursors quote parameters client-side, which cannot be prepared). Its errors are raised as
        # Django's (IntegrityError, OperationalError…), like those of any other query.
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchone() if cursor.description else None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None
