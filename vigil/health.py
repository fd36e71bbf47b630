"""Liveness and readiness.

/healthz/ says the process answers: no database, no cache, no template. The
benchmark uses it as the ceiling, the cheapest page through the full stack.

/readyz/ (and `manage.py readyz` for the worker and beat, which serve no
HTTP) asks the database and the broker, each within READINESS_TIMEOUT_SECONDS,
in a thread of its own so that a hung server costs the probe that long and no
longer. The web is ready when the database answers: it serves readers without
Redis (vigil.cache), so a broker outage is reported ("degraded") but does not
take the site out of rotation. The worker and beat need both.
"""

import concurrent.futures
import json

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

READINESS_TIMEOUT_SECONDS = 2.0


@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread's own connection; the thread ends


def _broker():
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return "inline"  # no broker configured: tasks run in the process
    import redis

    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=READINESS_TIMEOUT_SECONDS,
        socket_timeout=READINESS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"database": _database, "broker": _broker}


def readiness():
    """{check: "ok" | "inline" | "unavailable: …"} for every check, asked at once."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(CHECKS))
    futures = {name: pool.submit(check) for name, check in CHECKS.items()}
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=READINESS_TIMEOUT_SECONDS) or "ok"
        except concurrent.futures.TimeoutError:
            results[name] = f"unavailable: no answer within {READINESS_TIMEOUT_SECONDS:g} s"
        except Exception as exc:  # noqa: BLE001 - any failure is the answer
            results[name] = f"unavailable: {type(exc).__name__}: {exc}"[:300]
    pool.shutdown(wait=False, cancel_futures=True)
    return results


def is_ready(results, require):
    return all(not results[name].startswith("unavailable") for name in require)


@never_cache
def readyz(request):
    results = readiness()
    ready = is_ready(results, require=("database",))
    body = {"ready": ready, "degraded": not is_ready(results, require=CHECKS), **results}
    return HttpResponse(
        json.dumps(body) + "\n", content_type="application/json", status=200 if ready else 503
    )
