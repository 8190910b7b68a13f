from django.db import migrations

# Claiming moves a case out of the open part of the claim-order index, but its old entry stays at the head of
# the queue until VACUUM; every later claim walks past it. The default trigger (20% of the table dead) lets a
# million-case backlog pile up 200,000 such entries, so vacuum this table after a fixed number of changes.
TUNED = "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000"


def tune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE review_case SET ({TUNED})")


def untune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE review_case RESET (autovacuum_vacuum_scale_factor, "
                              "autovacuum_vacuum_threshold)")


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0003_exposure"),
    ]

    operations = [
        migrations.RunPython(tune, untune, elidable=False),
    ]
