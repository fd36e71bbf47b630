"""Shed load instead of collapsing.

Under overload, requests wait in the listen queue; by the time a worker takes
one, its reader may have given up. Serving it anyway spends the worker on
nobody while the queue grows. So the proxy stamps each request with the time
it arrived (X-Request-Start, deploy/nginx.conf), and a request that has waited
longer than VIGIL_REQUEST_DEADLINE_SECONDS is answered 503 with Retry-After at
once, before the session, the database or a template is touched. The workers'
time goes to requests that can still be answered in time.

This is the backstop. In the production shape the queue is bounded before it
reaches gunicorn (deploy/varnish.vcl, .max_connections), which refuses in
milliseconds; a deadline can only refuse after the deadline has passed.
"""

import time

from django.conf import settings
from django.http import HttpResponse

# Probes must see the process as it is, not be shed.
EXEMPT_PATHS = ("/healthz/", "/readyz/")


def waited_seconds(header, *, now):
    """Seconds since the proxy stamped `header`: "t=1700000000.123" (nginx's
    $msec), or a whole number of milliseconds or microseconds (other proxies and
    platforms). None for anything unreadable or implausible (clock skew)."""
    value = (header or "").strip().removeprefix("t=")
    try:
        start = float(value)
    except ValueError:
        return None
    if start > 1e14:
        start /= 1e6
    elif start > 1e11:
        start /= 1e3
    waited = now - start
    if not 0 <= waited < 3600:
        return None
    return waited


class ShedLateRequests:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        waited = waited_seconds(request.META.get("HTTP_X_REQUEST_START"), now=time.time())
        if (
            waited is not None
            and waited > settings.VIGIL_REQUEST_DEADLINE_SECONDS
            and request.path not in EXEMPT_PATHS
        ):
            response = HttpResponse(
                "Vigil is busy. Please try again in a few seconds.\n",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(settings.VIGIL_SHED_RETRY_AFTER_SECONDS)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
