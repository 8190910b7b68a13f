"""PostgreSQL keeps each article's weighted search document, and its title's on their own, as stored generated
columns indexed by GIN, so ranking reads the stored vectors instead of re-parsing every matching article's title
and body, and title matches can be found first (SQLite's FTS5 table already stores its index)."""
from django.db import migrations

DOCUMENT = ("setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(body, '')), 'B')")
POSTGRES_UP = [
    f"ALTER TABLE support_article ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED",
    "CREATE INDEX support_article_document ON support_article USING GIN (search_document)",
    "ALTER TABLE support_article ADD COLUMN title_document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, ''))) STORED",
    "CREATE INDEX support_article_title_document ON support_article USING GIN (title_document)",
    "DROP INDEX IF EXISTS support_article_search",
]
POSTGRES_DOWN = [
    f"CREATE INDEX support_article_search ON support_article USING GIN (({DOCUMENT}))",
    "DROP INDEX IF EXISTS support_article_document",
    "DROP INDEX IF EXISTS support_article_title_document",
    "ALTER TABLE support_article DROP COLUMN IF EXISTS title_document",
    "ALTER TABLE support_article DROP COLUMN IF EXISTS search_document",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("support", "0004_open_ticket_due_indexes")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
