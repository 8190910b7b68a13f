from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_regions(apps, schema_editor):
    """Existing decisions take their case subject's region, as new ones do when written."""
    Decision = apps.get_model("review", "Decision")
    Case = apps.get_model("review", "Case")
    Decision.objects.update(region=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("subject__region")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0010_queue_requires_certification"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="region",
            field=models.CharField(blank=True, db_default="", default="", max_length=8),
        ),
        migrations.RunPython(copy_regions, migrations.RunPython.noop, elidable=True),
    ]
