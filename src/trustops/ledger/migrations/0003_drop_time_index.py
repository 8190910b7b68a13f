# The ledger's time is not indexed: ids grow with time, and the index made concurrent writers queue on its last page.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0002_drop_redundant_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerevent',
            name='occurred_at',
            field=models.DateTimeField(),
        ),
    ]
