"""The Django admin, kept for data repair, on the record like the desk.

Two bases for every model the admin shows:

- ReadOnlyAdmin: records the desk writes through its actions (reviews, rewrites,
  dissent, sign-off requests, events). The admin shows them and changes nothing.
- RecordedAdmin: what the admin may still edit (pillars, sections, pages, people,
  drafts). Each save or delete runs inside one generic action, admin.add,
  admin.change or admin.delete (vigil.actions), so it checks the person's
  Django permission inside the action, writes exactly one Event naming what
  changed, and refreshes cached pages after commit like every other action.

Django's own user and group admins are re-registered on RecordedAdmin here, so
people changes are on the record too.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, User
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from .actions import Role, action
from .models import Event, EventSubject
from .roles import display_name, is_admin, staff_follows_role


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the desk writes through services (reviews, rewrites, dissent,
    sign-off requests): the Django admin shows them and changes nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The admin's own actions ----------------------------------------------------
# Staff reach the admin at all; what each may change is Django's per-model
# permission, checked here inside the action whoever calls it.
STAFF = Role(
    "staff with the admin permission",
    lambda user: user.is_authenticated and user.is_active and user.is_staff,
)


def _admin_action(verb):
    @action(f"admin.{verb}", role=STAFF, actor="user")
    def run(*, user, model, work, record):
        """`work(record)` makes the change and says on `record` what it touched."""
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.{get_permission_codename(verb, opts)}"):
            raise PermissionDenied(
                f"{display_name(user)} may not {verb} {opts.verbose_name_plural} (admin.{verb})."
            )
        return work(record)

    run.__name__ = run.__qualname__ = f"admin_{verb}"
    return run


admin_add = _admin_action("add")
admin_change = _admin_action("change")
admin_delete = _admin_action("delete")


# --- What an event says about an admin edit -------------------------------------
SHORT = 80
# Never on the record, even hashed.
SECRET_FIELDS = {"password"}


def _model_field(obj, name):
    try:
        return obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shown(obj, field):
    """A field's value as the summary shows it."""
    if field.many_to_many:
        return ", ".join(sorted(str(related) for related in getattr(obj, field.name).all()))
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    value = getattr(obj, field.name)
    return "" if value is None or value == "" else str(value)


def _is_short(field):
    return not isinstance(field, models.TextField) and field.name not in SECRET_FIELDS


def _quoted(text):
    return f"“{text}”" if text else "(empty)"


class RecordedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every save and delete is one action on the record.

    The object and its inlines are saved together in save_related, inside one
    admin.add / admin.change action, so a form with inlines writes one event.
    Subclasses name what an object touches (event_subjects) when its model has
    no event_subjects() of its own, and may save the object themselves
    (write_model) when a service must create it.
    """

    def event_subjects(self, obj):
        """The public objects an edit of `obj` touches, as (kind, key) pairs."""
        return obj.event_subjects()

    def write_model(self, request, obj, form, change):
        """Save the object itself, inside the action."""
        super().save_model(request, obj, form, change)

    def after_write(self, obj, record):
        """What follows from the saved object and its relations, in the same action."""

    def save_model(self, request, obj, form, change):
        # Deferred to save_related: the object and its inlines are one change.
        pass

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if change and not form.has_changed() and not any(f.has_changed() for f in formsets):
            # Saved unchanged: nothing is written, nothing to record. The
            # formsets still "save" (writing nothing) for the admin's log message.
            super().save_related(request, form, formsets, change)
            return
        base = super()

        def work(record):
            stored = type(obj)._base_manager.get(pk=obj.pk) if change else None
            # Read before the write: afterwards the database holds the new values.
            before = {name: _shown(stored, field) for name, field in self._changed_fields(form)} if change else {}
            self.write_model(request, obj, form, change)
            base.save_related(request, form, formsets, change)
            self.after_write(obj, record)
            # The stored copy too: a renamed slug's old pages are stale.
            self._touch(record, obj, *([stored] if change else []))
            noun = f"{obj._meta.verbose_name} {_quoted(obj)}"
            record.say(f"Changed {noun}" if change else f"Added {noun}")
            if change:
                for name in form.changed_data:
                    record.say(self._field_line(obj, name, before))
            for formset in formsets:
                for line in self._formset_lines(formset):
                    record.say(line)

        (admin_change if change else admin_add)(user=request.user, model=type(obj), work=work)

    def delete_model(self, request, obj):
        base = super()

        def work(record):
            # Touched before it goes: a deleted object still names what it was.
            self._touch(record, obj)
            record.say(f"Deleted {obj._meta.verbose_name} {_quoted(obj)}")
            base.delete_model(request, obj)

        admin_delete(user=request.user, model=type(obj), work=work)

    def delete_queryset(self, request, queryset):
        base = super()

        def work(record):
            # Subjects may sit behind a relation (a trigger's claim): one query per relation.
            objects = list(queryset.fetch_mode(models.FETCH_PEERS))
            self._touch(record, *objects)
            opts = queryset.model._meta
            record.say(
                f"Deleted {len(objects)} {opts.verbose_name_plural}: "
                + ", ".join(_quoted(obj) for obj in objects)
            )
            base.delete_queryset(request, queryset)

        admin_delete(user=request.user, model=queryset.model, work=work)

    # -- the summary ---------------------------------------------------------
    def _touch(self, record, *objects):
        for obj in objects:
            for kind, key in self.event_subjects(obj):
                record.touch(**{kind: key})

    @staticmethod
    def _changed_fields(form):
        fields = ((name, _model_field(form.instance, name)) for name in form.changed_data)
        return [(name, field) for name, field in fields if field is not None]

    @staticmethod
    def _field_line(obj, name, before):
        field = _model_field(obj, name)
        if field is None:
            return f"{name} changed"  # A form-only field: named, never shown.
        old, new = before[name], _shown(obj, field)
        if _is_short(field) and len(old) <= SHORT and len(new) <= SHORT:
            return f"{field.verbose_name}: {_quoted(old)} -> {_quoted(new)}"
        return f"{field.verbose_name} changed"

    @staticmethod
    def _formset_lines(formset):
        for obj in formset.new_objects:
            yield f"Added {obj._meta.verbose_name} {_quoted(obj)}"
        for obj, fields in formset.changed_objects:
            yield f"Changed {obj._meta.verbose_name} {_quoted(obj)}: {', '.join(fields)}"
        for obj in formset.deleted_objects:
            yield f"Deleted {obj._meta.verbose_name} {_quoted(obj)}"


# --- People ---------------------------------------------------------------------
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(RecordedAdmin, auth_admin.UserAdmin):
    """Django's user admin, with every change on the record. Making a superuser,
    and changing one (their details or password), stay a superuser's acts,
    whatever auth permissions a staff member was given."""

    # Who holds which role: a superuser's to change. Shown to others read-only
    # (direct permissions hidden: one lookup per permission to name it).
    ROLE_FIELDS = ("is_superuser", "groups")

    # Staff status follows the role (vigil.roles): the box would only disagree with it.
    fieldsets = [
        (name, {**options, "fields": [f for f in options["fields"] if f != "is_staff"]})
        for name, options in auth_admin.UserAdmin.fieldsets
    ]

    def event_subjects(self, obj):
        return [("person", obj.get_username())]

    def after_write(self, obj, record):
        record.say(staff_follows_role(obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in self.ROLE_FIELDS if name not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "user_permissions"]})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        view = super().user_change_password
        person = self.get_object(request, unquote(id))
        if request.method != "POST" or person is None:
            return view(request, id, form_url)

        def work(record):
            response = view(request, id, form_url)
            stored = User._base_manager.filter(pk=person.pk).values_list("password", flat=True).get()
            if stored == person.password:
                raise _PasswordUnchanged(response)
            person.password = stored
            self._touch(record, person)
            record.say(
                f"Changed the password of {person.get_username()}"
                if person.has_usable_password()
                else f"Disabled password sign-in for {person.get_username()}"
            )
            return response

        try:
            return admin_change(user=request.user, model=User, work=work)
        except _PasswordUnchanged as unchanged:
            return unchanged.response  # The form is shown again with its errors.


class _PasswordUnchanged(Exception):
    """The password form did not save: no event, the view's answer goes back."""

    def __init__(self, response):
        super().__init__("password unchanged")
        self.response = response


@admin.register(Group)
class GroupAdmin(RecordedAdmin, auth_admin.GroupAdmin):
    """Django's group admin: a role's permissions change on the record."""

    def event_subjects(self, obj):
        return [("group", obj.name)]


# --- The event record: read here, written only by actions ----------------------
class EventSubjectInline(admin.TabularInline):
    model = EventSubject
    fields = ["kind", "key"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Append-only, like correction entries: shown to admins, never changed.
    The desk's audit trail reads the same rows."""

    list_display = ["at", "action", "actor_name", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "subjects__key"]
    date_hierarchy = "at"
    fields = ["at", "action", "actor", "actor_name", "summary"]
    readonly_fields = fields
    inlines = [EventSubjectInline]
    # The record grows without end: never count it all for the paginator's total.
    show_full_result_count = False

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)
