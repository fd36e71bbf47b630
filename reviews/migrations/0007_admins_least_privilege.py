"""Admins hold what the desk and the admin's data repair need, and no more.

Until now the Admins group also held auth's user permissions, so any admin
could make themselves a superuser or set anyone's password in the Django
admin. Managing people (accounts, groups, superusers) is a superuser's act:
the group loses every `auth` permission. It gains what lifting a sign-in
lockout needs (django-axes' access attempts: view and delete; the access
log: view), so an admin can let a locked-out editor back in.
"""

from django.db import migrations

AXES_PERMISSIONS = ["view_accessattempt", "delete_accessattempt", "view_accesslog"]


def narrow(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # axes' permissions are normally made after all migrations (post_migrate).
    app_config = global_apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="Admins")
    admins.permissions.remove(*Permission.objects.filter(content_type__app_label="auth"))
    admins.permissions.add(
        *Permission.objects.filter(content_type__app_label="axes", codename__in=AXES_PERMISSIONS)
    )


def widen(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins = Group.objects.filter(name="Admins").first()
    if admins is None:
        return
    admins.permissions.remove(
        *Permission.objects.filter(content_type__app_label="axes", codename__in=AXES_PERMISSIONS)
    )
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="auth",
            codename__in=["add_user", "change_user", "view_user", "view_group"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_outbox_moves_to_vigil"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(narrow, widen)]
