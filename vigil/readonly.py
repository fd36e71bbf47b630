"""Resources that only read: the JSON API, its OpenAPI description, robots.txt.

    @read_only(json=True)
    def claim_list(request): ...

GET and HEAD are served (HEAD with GET's headers; the server, gunicorn or
runserver, sends no body). Any other method is answered 405 with an Allow
header — in JSON for API clients — before the CSRF check, which would
otherwise answer a tool's POST with the HTML page meant for a person whose
form went stale. Exempting these views from CSRF is safe because they change
nothing whatever the method.
"""

from functools import wraps

from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

ALLOWED = ("GET", "HEAD")


def method_not_allowed(request, *, json):
    allow = ", ".join(ALLOWED)
    if json:
        response = JsonResponse(
            {
                "error": f"{request.method} is not allowed: this API is read-only ({allow}).",
                "allowed": list(ALLOWED),
            },
            status=405,
        )
        response["Allow"] = allow
    else:
        response = HttpResponseNotAllowed(
            ALLOWED, content=f"{request.method} is not allowed: {allow} only.\n"
        )
        response["Content-Type"] = "text/plain; charset=utf-8"
    # Nothing to keep: an edge cache must not serve this to a GET.
    response["Cache-Control"] = "no-store"
    return response


def read_only(view=None, *, json=False):
    if view is None:
        return lambda view: read_only(view, json=json)

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ALLOWED:
            return method_not_allowed(request, json=json)
        return view(request, *args, **kwargs)

    return wrapped
