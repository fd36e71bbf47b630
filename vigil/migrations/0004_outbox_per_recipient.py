"""One outbox row per recipient and message, each with its own lease and
idempotency key. Notices written before this went to every editor as one row:
an undelivered one becomes one row per editor (as it would be written now), a
delivered one keeps its history under a key of its own."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Q


def per_recipient(apps, schema_editor):
    Outbox = apps.get_model("vigil", "OutboxMessage")
    User = apps.get_model("auth", "User")
    editors = list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=["Editors", "Admins"]) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .values_list("email", flat=True)
    )
    for row in Outbox.objects.all():
        if row.sent_at is not None:
            row.idempotency_key = f"legacy:{row.pk}"
            row.save(update_fields=["idempotency_key"])
            continue
        for email in editors:
            Outbox.objects.create(
                kind=row.kind,
                object_id=row.object_id,
                recipient=email,
                idempotency_key=f"{row.kind}:{row.object_id}:{email}",
                created_at=row.created_at,
                due_at=row.created_at,
            )
        row.delete()


def one_row_per_notice(apps, schema_editor):
    Outbox = apps.get_model("vigil", "OutboxMessage")
    seen = set()
    for row in Outbox.objects.order_by("pk"):
        if row.sent_at is None and (row.kind, row.object_id) in seen:
            row.delete()
        seen.add((row.kind, row.object_id))


class Migration(migrations.Migration):
    dependencies = [
        ("vigil", "0003_follow_up_retry"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="outboxmessage", name="outbox_unsent_idx"),
        migrations.RenameField(model_name="outboxmessage", old_name="event", new_name="kind"),
        migrations.AddField(
            model_name="outboxmessage",
            name="channel",
            field=models.CharField(default="email", max_length=20),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="recipient",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="idempotency_key",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="due_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(per_recipient, one_row_per_notice),
        migrations.AlterField(
            model_name="outboxmessage",
            name="idempotency_key",
            field=models.CharField(max_length=200, unique=True),
        ),
        migrations.AlterModelOptions(name="outboxmessage", options={"ordering": ["due_at", "pk"]}),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(sent_at__isnull=True), fields=["due_at", "id"], name="outbox_due_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(fields=["recipient", "channel"], name="outbox_recipient_idx"),
        ),
    ]
