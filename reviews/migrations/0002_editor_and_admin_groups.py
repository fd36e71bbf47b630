"""The two staff roles, as groups with the model permissions they need.

Editors review claims, weigh dissent, write correction-log entries and draft
rewrites. Admins can do all of that and also sign off rewrites and retirements,
answer sign-off requests and manage people. The desk checks group membership
(vigil.roles); these permissions are what the Django admin, kept for data
repair, lets each role touch.
"""

from django.db import migrations

EDITOR_PERMISSIONS = {
    "articles": [
        "view_article",
        "view_pillar",
        "view_section",
        "view_revision",
        "add_rewrite",
        "change_rewrite",
        "view_rewrite",
    ],
    "claims": ["view_claim", "change_claim", "view_evidencetrigger", "change_evidencetrigger"],
    "reviews": [
        "add_review",
        "view_review",
        "view_reminder",
        "add_editorpreference",
        "change_editorpreference",
        "view_editorpreference",
    ],
    "corrections": [
        "add_correctionentry",
        "view_correctionentry",
        "view_amendment",
        "add_signoffrequest",
        "view_signoffrequest",
        "view_errorreport",
        "change_errorreport",
    ],
    "dissent": ["view_dissent", "change_dissent"],
}

# Admins hold every permission of Vigil's apps, plus managing people.
ADMIN_APPS = ["articles", "claims", "reviews", "corrections", "dissent"]
ADMIN_AUTH_PERMISSIONS = ["add_user", "change_user", "view_user", "view_group"]


def create_groups(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations (post_migrate); make
    # them now so the groups can hold them on a fresh database.
    for app_config in global_apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    editor_permissions = []
    for app_label, codenames in EDITOR_PERMISSIONS.items():
        editor_permissions += Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    admin_permissions = list(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    admin_permissions += Permission.objects.filter(
        content_type__app_label="auth", codename__in=ADMIN_AUTH_PERMISSIONS
    )

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*editor_permissions)
    admins, _ = Group.objects.get_or_create(name="Admins")
    admins.permissions.add(*editor_permissions, *admin_permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Admins"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0001_initial"),
        ("claims", "0001_initial"),
        ("corrections", "0001_initial"),
        ("dissent", "0001_initial"),
        ("reviews", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
