from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_regions(apps, schema_editor):
    """Existing actions take the region new ones are written with: their decision's subject's, or for an
    automatic action (no decision) their target's."""
    Action = apps.get_model("enforcement", "EnforcementAction")
    Decision = apps.get_model("review", "Decision")
    Subject = apps.get_model("subjects", "Subject")
    Action.objects.filter(decision__isnull=False).update(region=Subquery(
        Decision.objects.filter(pk=OuterRef("decision_id")).values("case__subject__region")[:1]))
    Action.objects.filter(decision__isnull=True).update(region=Subquery(
        Subject.objects.filter(pk=OuterRef("target_id")).values("region")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("enforcement", "0005_automatic_actions_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="enforcementaction",
            name="region",
            field=models.CharField(blank=True, db_default="", default="", max_length=8),
        ),
        migrations.RunPython(copy_regions, migrations.RunPython.noop, elidable=True),
    ]
