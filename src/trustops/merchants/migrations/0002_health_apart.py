import django.db.models.deletion
from django.db import migrations, models


def keep_scores(apps, schema_editor):
    """Each merchant's last score moves to its health row; the next recomputation fills the figures."""
    Merchant, Health = apps.get_model("merchants", "Merchant"), apps.get_model("merchants", "Health")
    rows = [Health(merchant_id=pk, score=score) for pk, score in Merchant.objects.values_list("pk", "health_score")]
    Health.objects.bulk_create(rows, batch_size=1000)
    if schema_editor.connection.vendor == "postgresql":
        # Room on each page for tonight's version of each row: the nightly rewrite stays heap-only.
        schema_editor.execute("ALTER TABLE merchants_health SET (fillfactor = 50)")


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Health',
            fields=[
                ('merchant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='health', serialize=False, to='merchants.merchant')),
                ('score', models.PositiveSmallIntegerField(default=100)),
                ('violations', models.FloatField(default=0)),
                ('strike_points', models.FloatField(default=0)),
                ('complaints', models.FloatField(default=0)),
                ('refund_rate', models.FloatField(default=0)),
                ('chargeback_rate', models.FloatField(default=0)),
                ('no_show_rate', models.FloatField(default=0)),
                ('response_minutes', models.FloatField(default=0)),
                ('audits_failed', models.FloatField(default=0)),
            ],
        ),
        migrations.RunPython(keep_scores, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='merchant',
            name='contributions',
        ),
        migrations.RemoveField(
            model_name='merchant',
            name='health_score',
        ),
    ]
