"""The outbox now belongs to vigil (vigil.0002 adopted and renamed its table):
only reviews' state forgets the model; the database is left alone."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0005_feed_stamp_index"),
        ("vigil", "0002_outbox_message"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboxMessage")],
        ),
    ]
