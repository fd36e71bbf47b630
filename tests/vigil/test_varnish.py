"""The shipped edge (deploy/varnish.vcl) in front of a live Vigil: Debian's
varnishd on a loopback port, purged by tag after a review (vigil.purgers)."""

import datetime
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

import articles.views
from claims.models import Verdict
from reviews.services import review_record
from tests.factories import make_editor
from tests.ports import free_port
from tests.test_query_counts import publish
from vigil.notifications import outbox_drain

VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VCL = Path(settings.BASE_DIR) / "deploy" / "varnish.vcl"

pytestmark = pytest.mark.skipif(
    not Path(VARNISHD).exists(),
    reason="needs Debian's varnish and varnish-modules (apt-get install varnish varnish-modules; .ci/run does)",
)



def _get(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def varnish(live_server, settings):
    yield from _varnish(live_server, settings)


@pytest.fixture
def varnish_bounded_to_one(live_server, settings):
    """The shipped VCL with web's bound at one connection, to reach it in a test."""
    yield from _varnish(live_server, settings, bound=1)


def _varnish(live_server, settings, bound=None):
    host, port = live_server.thread.host, live_server.thread.port
    vcl = VCL.read_text().replace('.host = "web";', f'.host = "{host}";').replace(
        '.port = "8000";', f'.port = "{port}";'
    )
    if bound is not None:
        assert ".max_connections = 8;" in vcl
        vcl = vcl.replace(".max_connections = 8;", f".max_connections = {bound};")
    workdir = Path(tempfile.mkdtemp(prefix="vigil-varnish-"))
    workdir.chmod(0o755)
    (workdir / "default.vcl").write_text(vcl)
    (workdir / "default.vcl").chmod(0o644)
    listen = free_port()
    process = subprocess.Popen(
        [VARNISHD, "-F", "-a", f"127.0.0.1:{listen}", "-f", str(workdir / "default.vcl"),
         "-n", str(workdir / "n"), "-s", "malloc,32m", "-T", "none"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{listen}"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.VIGIL_PAGE_CACHE = True
    settings.VIGIL_EDGE = {**settings.VIGIL_EDGE, "PURGER": "varnish", "VARNISH_URLS": [url + "/"],
                           "S_MAXAGE": 24 * 60 * 60}
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            # Up once it answers and its probe finds Vigil healthy.
            if process.poll() is not None:
                pytest.fail(f"varnishd exited: {process.stdout.read().decode()}")
            try:
                if _get(url + "/healthz/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("varnishd did not answer within 20 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


# The verdict badge of a claim that is not holding (templates/includes/badge.html).
NEW_VERDICT = "badge--not_holding"


@pytest.mark.django_db(transaction=True)
def test_readers_are_served_by_varnish_and_a_review_purges_only_its_pages(varnish):
    article, other = publish(articles=2, claims_each=2)
    claim = article.claims.get(is_primary=True)
    # Reviewed before: a first review moves the footer's count on every page.
    claim.last_reviewed_on = datetime.date(2026, 1, 20)
    claim.save(update_fields=["last_reviewed_on"])
    pages = {
        "article": varnish + article.get_absolute_url(),
        "claim": varnish + claim.get_absolute_url(),
        "other": varnish + other.get_absolute_url(),
    }

    def cache_states(name):
        return [_get(pages[name])[1]["X-Cache"] for _ in range(2)]

    for name in pages:
        assert cache_states(name) == ["miss", "hit"], name

    review_record(
        claim=claim, editor=make_editor(), verdict=Verdict.NOT_HOLDING, cadence_days=30,
        reasoning="The new figures undercut it.",
    )
    outbox_drain()  # the purge was owed through the outbox (inline without a broker)

    assert _get(pages["other"])[1]["X-Cache"] == "hit"
    for name in ("article", "claim"):
        # The first reader gets the previous copy while Varnish fetches the
        # new one (grace: nobody waits on the render)...
        status, headers, body = _get(pages[name])
        assert (status, headers["X-Cache"]) == (200, "stale"), name
        assert NEW_VERDICT not in body
        # ...and moments later every reader gets the new verdict, from the cache.
        deadline = time.monotonic() + 10
        while NEW_VERDICT not in body and time.monotonic() < deadline:
            time.sleep(0.05)
            status, headers, body = _get(pages[name])
        assert NEW_VERDICT in body, name
        assert headers["X-Cache"] == "hit", name
        assert _get(pages[name])[1]["X-Cache"] == "hit", name
    assert _get(pages["other"])[1]["X-Cache"] == "hit"
    # The tags are for the edge, not for browsers.
    assert "xkey" not in _get(pages["article"])[1]


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_request_always_reaches_vigil(varnish):
    [article] = publish(articles=1, claims_each=1)
    url = varnish + article.get_absolute_url()
    _get(url)
    client = Client()
    client.force_login(make_editor())
    cookie = f"sessionid={client.cookies[settings.SESSION_COOKIE_NAME].value}; csrftoken=x"
    for _ in range(2):
        status, headers, body = _get(url, cookie=cookie)
        assert (status, headers["X-Cache"]) == (200, "pass")
        assert headers["Cache-Control"] == "private, no-store"
    # And a reader still gets the shared copy.
    assert _get(url)[1]["X-Cache"] == "hit"
    # Marketing parameters share the reader's copy too.
    assert _get(url + "?utm_source=news&utm_campaign=x")[1]["X-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_at_webs_bound_a_miss_is_refused_at_once_and_kept_pages_are_still_served(
    varnish_bounded_to_one, monkeypatch,
):
    """deploy/varnish.vcl's bounded queue (.max_connections): with every
    connection to web taken, a page web would have to render is answered 503
    with Retry-After in milliseconds, not queued; a page Varnish keeps is
    served as ever; and the refusal is not kept once web has room again."""
    article, slow = publish(articles=2, claims_each=1)
    url = varnish_bounded_to_one + article.get_absolute_url()
    assert _get(url)[1]["X-Cache"] == "miss"  # now kept

    # Web's one connection taken: a request for `slow` that web (this
    # process's live server) holds until released.
    entered, release = threading.Event(), threading.Event()
    looked_up = articles.views.get_object_or_404

    def held(queryset, **lookup):
        if lookup.get("slug") == slow.slug:
            entered.set()
            release.wait(timeout=20)
        return looked_up(queryset, **lookup)

    monkeypatch.setattr(articles.views, "get_object_or_404", held)
    holder = threading.Thread(target=_get, args=(varnish_bounded_to_one + slow.get_absolute_url(),))
    holder.start()
    try:
        assert entered.wait(timeout=10)
        started = time.monotonic()
        # Its own URL: a miss that web would have to render.
        status, headers, body = _get(url + "?not-kept=1")
        elapsed = time.monotonic() - started
        assert status == 503
        assert elapsed < 1  # not the 3 s of Vigil's own deadline, nor a queue's wait
        assert headers["Retry-After"] == "5"
        assert headers["Cache-Control"] == "no-store"
        assert body.startswith("Vigil is busy")
        status, headers, _ = _get(url)
        assert (status, headers["X-Cache"]) == (200, "hit")
    finally:
        release.set()
        holder.join(timeout=20)

    deadline = time.monotonic() + 10
    while _get(url + "?not-kept=1")[0] != 200:  # the refused URL itself
        assert time.monotonic() < deadline, "the refusal outlived the bound"
        time.sleep(0.2)
