# Indexes that other indexes already lead with, or that nothing reads by, dropped: every insert paid for them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0002_penaltyladder'),
        ('review', '0004_case_claim_vacuum'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='excluded_reviewer',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='case',
            name='policy',
            field=models.ForeignKey(blank=True, db_index=False, help_text='The most severe policy reported so far.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.policy'),
        ),
        migrations.AlterField(
            model_name='case',
            name='queue',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='review.queue'),
        ),
    ]
