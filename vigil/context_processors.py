from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .roles import is_editor


def _staff_view(request):
    """Whether staff-only notes (sign-off questions, who amended an entry) show:
    the one home of that rule, for the desk's people (vigil.roles), not for
    whoever holds is_staff."""
    # Only someone with a session cookie can be signed in. Not looking the session
    # up for everyone else keeps a reader's page free of per-visitor state, so the
    # page cache can share it (vigil.pagecache).
    return settings.SESSION_COOKIE_NAME in request.COOKIES and is_editor(request.user)


def site(request):
    return {
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "site_url": settings.SITE_URL,
        # True for signed-in editors and admins: staff-only notes on public pages.
        "staff_view": SimpleLazyObject(lambda: _staff_view(request)),
    }
