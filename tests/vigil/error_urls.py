"""The site's URLs plus one page that fails, for tests/vigil/test_error_pages.py:
the handlers are vigil.urls' own, so the test checks what production wires."""

from django.urls import path

from vigil.urls import handler400, handler500, urlpatterns as site_urlpatterns  # noqa: F401


def fails(request):
    raise RuntimeError("a secret detail of the fault: DATABASE password=hunter2")


urlpatterns = [path("fails/", fails), *site_urlpatterns]
