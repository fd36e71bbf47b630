"""The pages a person sees when something goes wrong: a request the site cannot
read (400), a fault of ours (500) and a form whose security token no longer
matches (403 CSRF), each in the site's look, none with a stack trace.

The 400 and 500 pages are rendered without the request: the context processors
may need the database or the session, which may be what failed. The CSRF page
has the request (nothing is broken, a form only went stale) and gives the
person back what they typed, so the text is not lost, but only when the post
came from this site: a page another site posts to must not echo its words here.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseServerError
from django.template import loader

from .ratelimit import HONEYPOT_FIELD

logger = logging.getLogger(__name__)

# Never given back: secrets, and what the form machinery adds itself.
_NOT_GIVEN_BACK = ("password", "token", "csrf", "secret", "otp", HONEYPOT_FIELD)
# A long paste is given back whole; past this, a post is not a person's form.
_MAX_FIELDS = 30


def _bare_context():
    return {"publication_name": settings.VIGIL["PUBLICATION_NAME"], "site_url": settings.SITE_URL}


def _private(response):
    # An error is never kept by an edge cache or the browser.
    response["Cache-Control"] = "private, no-store"
    return response


def bad_request(request, exception=None):
    html = loader.render_to_string("400.html", _bare_context())
    return _private(HttpResponseBadRequest(html))


def server_error(request):
    html = loader.render_to_string("500.html", _bare_context())
    return _private(HttpResponseServerError(html))


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _from_this_site(request):
    """The browser says the post came from one of this site's pages."""
    ours = {_origin(settings.SITE_URL), *settings.CSRF_TRUSTED_ORIGINS}
    try:
        ours.add(f"{request.scheme}://{request.get_host()}")
    except Exception:  # noqa: BLE001 - a host not allowed is simply not ours
        pass
    sent = request.headers.get("Origin") or _origin(request.headers.get("Referer"))
    return sent is not None and sent in ours


def _typed(request):
    """What the person typed into the form, field by field, secrets left out."""
    if not _from_this_site(request):
        return []
    try:
        fields = list(request.POST.lists())
    except Exception:  # noqa: BLE001 - an unreadable body gives nothing back
        return []
    typed = []
    for name, values in fields[:_MAX_FIELDS]:
        if any(word in name.lower() for word in _NOT_GIVEN_BACK):
            continue
        # A ticked box ("on") is not something typed.
        text = "\n".join(value for value in values if value.strip() and value != "on")
        if text:
            typed.append({"name": name.replace("_", " "), "text": text})
    return typed


def csrf_failure(request, reason=""):
    logger.warning("CSRF check failed: %s", reason, extra={"path": request.path})
    typed = _typed(request)
    # The page the form was on (the post may go to an address that has no form).
    form_url = request.headers.get("Referer") if typed else None
    context = {"typed": typed, "form_url": form_url or request.get_full_path()}
    html = loader.render_to_string("403_csrf.html", context, request=request)
    return _private(HttpResponseForbidden(html))
