"""Who may do what. Editors review, log and draft; admins also sign off.

Every desk view is wrapped in one of these decorators, so the check is made on
the server for every method: anonymous people are sent to sign in, signed-in
people without the role get 403.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q

EDITORS = "Editors"
ADMINS = "Admins"
# The roles people are given at /desk/people/: the word the desk uses -> its group.
ROLES = {"editor": EDITORS, "admin": ADMINS}


def _group_names(user):
    # Cached on the user object: one query per request however often we ask.
    if not hasattr(user, "_vigil_groups"):
        user._vigil_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._vigil_groups


def forget_roles(user):
    """After a person's groups change, ask again next time."""
    user.__dict__.pop("_vigil_groups", None)


def staff_follows_role(user):
    """Staff status (the Django admin's door) is a consequence of a role, never
    set by hand: an editor or admin is staff, nobody else is. Saves when it
    changes, and then says how, for the event's summary; else returns ""."""
    forget_roles(user)
    staff = user.is_superuser or bool(_group_names(user) & {EDITORS, ADMINS})
    if user.is_staff == staff:
        return ""
    user.is_staff = staff
    user.save(update_fields=["is_staff"])
    return f"staff status: “{not staff}” -> “{staff}” (follows the role)"


def held_roles(user):
    """The desk's words for the roles a person holds, in ROLES order."""
    return [word for word, group in ROLES.items() if group in _group_names(user)]


def is_admin(user):
    return user.is_authenticated and user.is_active and (
        user.is_superuser or ADMINS in _group_names(user)
    )


def is_editor(user):
    """Admins can do everything editors can."""
    return user.is_authenticated and user.is_active and (
        is_admin(user) or EDITORS in _group_names(user)
    )


def staff_view(request):
    """True when a public page is seen by the desk's people (editors and admins),
    who see staff-only notes: the one home of that rule, by role, not by the
    is_staff flag. Only someone with a session cookie can be signed in: not
    looking the session up for everyone else keeps a reader's page free of
    per-visitor state, so the page cache can share it (vigil.pagecache)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and is_editor(request.user)


def _role_required(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


editor_required = _role_required(is_editor)
admin_required = _role_required(is_admin)


def display_name(user):
    """How a person is named on the record, in the desk and in bylines."""
    return user.get_full_name() or user.get_username()


def editors():
    """Active people who may review: the Editors and Admins groups and superusers."""
    return get_user_model().objects.filter(
        Q(groups__name__in=[EDITORS, ADMINS]) | Q(is_superuser=True), is_active=True
    ).distinct()


def admins():
    """Active people who may sign off: the Admins group and superusers."""
    return get_user_model().objects.filter(
        Q(groups__name=ADMINS) | Q(is_superuser=True), is_active=True
    ).distinct()
