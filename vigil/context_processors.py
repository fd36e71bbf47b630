from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .roles import staff_view


def site(request):
    return {
        "publication_name": settings.VIGIL["PUBLICATION_NAME"],
        "site_url": settings.SITE_URL,
        # True for signed-in editors and admins: staff-only notes on public pages.
        "staff_view": SimpleLazyObject(lambda: staff_view(request)),
    }
