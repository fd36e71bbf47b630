"""Sign-in throttling on both login forms (/accounts/login/ and /admin/login/).

django-axes counts failed sign-ins by account and, separately, by client
address (settings: AXES_*). Once either reaches AXES_FAILURE_LIMIT within
AXES_COOLOFF_TIME, every attempt for it is refused before any password is
hashed, the right password too, until the cool-off ends or an admin lifts the
lockout in the Django admin (Axes › Access attempts: delete the row).

The counts live in the database, not the cache, so throttling holds while
Redis is down and sign-in never depends on it.
"""

from django.shortcuts import render
from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit

from .ratelimit import client_address


class SignInThrottle(AxesStandaloneBackend):
    """First of AUTHENTICATION_BACKENDS: refuses a locked-out account or address
    before ModelBackend hashes anything.

    Code that checks a password without a request (a shell, the test client's
    login()) has no address to count and no attacker behind it: it passes on.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request):
    """The address sign-ins are counted by: the same one the public forms' limit
    uses (one home for trusting proxies), as a plain address for axes' column;
    an IPv6 client counts by its /64, so its network address stands for it.
    None when there is no address (a request made in code, such as force_login)."""
    address = client_address(request)
    return None if address == "unknown" else address.split("/")[0]


def locked_out(request, response, credentials):
    """The answer to a locked-out sign-in: 429, how long, and who can lift it."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    answer = render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": get_failure_limit(request, credentials),
            "minutes": minutes,
            "username": (credentials or {}).get("username", ""),
        },
        status=429,
    )
    if cool_off:
        answer["Retry-After"] = str(int(cool_off.total_seconds()))
    return answer
