"""Full-text search over articles: a GIN index on PostgreSQL, an FTS5 table kept by triggers on SQLite.

Each runs only on its own database; the other does nothing (kb/search.py reads whichever exists).
"""
from django.db import migrations

# The same expression as kb/search.py's DOCUMENT: the planner uses the index only for that expression.
DOCUMENT = ("setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(body, '')), 'B')")
POSTGRES_UP = [f"CREATE INDEX support_article_search ON support_article USING GIN (({DOCUMENT}))"]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS support_article_search"]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE support_article_fts USING fts5(title, body, content='support_article', "
    "content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER support_article_fts_insert AFTER INSERT ON support_article BEGIN "
    "INSERT INTO support_article_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER support_article_fts_delete AFTER DELETE ON support_article BEGIN "
    "INSERT INTO support_article_fts(support_article_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER support_article_fts_update AFTER UPDATE OF title, body ON support_article BEGIN "
    "INSERT INTO support_article_fts(support_article_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO support_article_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO support_article_fts(support_article_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS support_article_fts_insert", "DROP TRIGGER IF EXISTS support_article_fts_delete",
               "DROP TRIGGER IF EXISTS support_article_fts_update", "DROP TABLE IF EXISTS support_article_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
                             _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})),
    ]
