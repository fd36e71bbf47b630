# A rewrite is saved privately while drafted; readers see the banner only once
# it is submitted for sign-off (issue 12).

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def open_rewrites_were_submitted(apps, schema_editor):
    """Rewrites opened before this state existed were submitted when drafted."""
    Rewrite = apps.get_model("articles", "Rewrite")
    Rewrite.objects.filter(submitted_at__isnull=True).update(submitted_at=F("created_at"))
    Rewrite.objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0007_cover_stored_without_metadata"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="rewrite",
            name="one_open_rewrite_per_article",
        ),
        migrations.AddField(
            model_name="rewrite",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="rewrite",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="rewrite",
            name="reader_note",
            field=models.TextField(
                blank=True,
                help_text="Shown to readers in the 'Rewrite in progress' banner once it is submitted.",
            ),
        ),
        migrations.AlterField(
            model_name="rewrite",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Private draft"),
                    ("open", "Awaiting sign-off"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                ],
                db_index=True,
                default="draft",
                max_length=12,
            ),
        ),
        migrations.RunPython(open_rewrites_were_submitted, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="rewrite",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["draft", "open"])),
                fields=("article",),
                name="one_open_rewrite_per_article",
            ),
        ),
    ]
