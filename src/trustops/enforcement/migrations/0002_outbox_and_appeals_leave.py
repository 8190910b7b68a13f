# The outbox and appeals move to their own owners (outbox, review); their tables stay and are renamed there.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('enforcement', '0001_initial'),
    ]

    moved = [
        migrations.RemoveField(
            model_name='delivery',
            name='endpoint',
        ),
        migrations.RemoveField(
            model_name='delivery',
            name='message',
        ),
        migrations.RemoveField(
            model_name='deliveryattempt',
            name='delivery',
        ),
        migrations.DeleteModel(
            name='Appeal',
        ),
        migrations.DeleteModel(
            name='WebhookEndpoint',
        ),
        migrations.DeleteModel(
            name='OutboxMessage',
        ),
        migrations.DeleteModel(
            name='Delivery',
        ),
        migrations.DeleteModel(
            name='DeliveryAttempt',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=moved),
    ]
