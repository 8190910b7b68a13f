# The assignee and appealed-decision indexes cover only the cases that have one.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0002_penaltyladder'),
        ('review', '0005_drop_redundant_indexes'),
        ('subjects', '0003_account_link_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='appeal_of',
            field=models.ForeignKey(blank=True, db_index=False, help_text='For appeal cases: the decision under appeal.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='review.decision'),
        ),
        migrations.AlterField(
            model_name='case',
            name='assignee',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_cases', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('assignee__isnull', False)), fields=['assignee'], name='case_assignee'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('appeal_of__isnull', False)), fields=['appeal_of'], name='case_appeal_of'),
        ),
    ]
