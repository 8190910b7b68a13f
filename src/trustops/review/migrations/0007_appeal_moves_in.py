# Appeals came from enforcement: take over its table and rename it.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enforcement', '0002_outbox_and_appeals_leave'),
        ('review', '0006_partial_assignee_appeal_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    moved = [
        migrations.CreateModel(
            name='Appeal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('idempotency_key', models.CharField(max_length=200)),
                ('fingerprint', models.CharField(max_length=64)),
                ('statement', models.TextField()),
                ('received_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('upheld', 'Upheld'), ('overturned', 'Overturned')], default='pending', max_length=12)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='appeal', to='review.case')),
                ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appeals', to='review.decision')),
                ('outcome', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='review.decision')),
                ('submitted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'enforcement_appeal',
                'constraints': [models.UniqueConstraint(fields=('submitted_by', 'idempotency_key'), name='appeal_idempotency'), models.UniqueConstraint(fields=('decision',), name='one_appeal_per_decision')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=moved),
        migrations.AlterModelTable(name='appeal', table=None),
    ]
