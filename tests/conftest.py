import os

import pytest
from django.db import connection

# Playwright's sync API runs an event loop in the test thread, and Django then
# refuses ORM calls from it (SynchronousOnlyOperation), even the test database
# set-up. The tests are synchronous code talking to a live server: allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    has_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached pages never leak between tests."""
    from django.core.cache import cache

    from vigil.ratelimit import forget_local_counts

    cache.clear()
    forget_local_counts()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_n_plus_one(request, monkeypatch):
    """Every query in every test raises on an N+1 lazy load (tests/fetch_modes.py).
    A test that means to show the lazy behaviour opts out with
    @pytest.mark.allow_lazy_fetches."""
    if "allow_lazy_fetches" in request.keywords:
        return
    from django.db.models import query

    from tests.fetch_modes import RAISE_ON_N_PLUS_ONE

    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", RAISE_ON_N_PLUS_ONE)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by playwright (playwright cannot download a browser here)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    # Playwright's sync API keeps an event loop running in this thread; Django's
    # ORM calls made by the tests (and the live server set-up) are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def db_vendor():
    return connection.vendor
