"""The outbox moves from the reviews app to vigil. The table is kept, rows and
all (undelivered notices survive): vigil adopts reviews_outboxmessage in its
state, then renames it; reviews.0006 drops the model from reviews' state."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("vigil", "0001_event"),
        ("reviews", "0005_feed_stamp_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("event", models.CharField(max_length=40)),
                        ("object_id", models.CharField(max_length=40)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("claim_token", models.CharField(blank=True, db_index=True, max_length=32)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "ordering": ["created_at", "pk"],
                        "indexes": [models.Index(fields=["sent_at", "created_at"], name="outbox_unsent_idx")],
                        "db_table": "reviews_outboxmessage",
                    },
                ),
            ],
        ),
        # To vigil's own table name: a rename, so every row stays.
        migrations.AlterModelTable(name="outboxmessage", table=None),
    ]
