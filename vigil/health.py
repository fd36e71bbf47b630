"""Liveness: the process answers. No database, no cache, no template.

Docker's health check calls it, and the benchmark uses it as the ceiling: the
cheapest page Django can serve through the full middleware stack.
"""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")
