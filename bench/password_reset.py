"""
Time the password reset for an address with an account and one without, as
Django sends it (the mail inside the request) and as Vigil queues it (one
outbox row; the worker sends it), in the production shape: PostgreSQL, Redis
as the broker, an SMTP server.

    .venv/bin/python bench/password_reset.py [--rounds 300]
        [--database-url postgres://postgres@127.0.0.1:5432/vigil_bench_reset]
        [--redis-url redis://127.0.0.1:6379/7]

In-process through Django's test client, interleaved round by round (each round
runs every variant once, in a shuffled order), with /healthz/ as the trivial
view the others are compared to:

  django known / unknown   Django's own PasswordResetView, its mail to a local
                           SMTP server that answers at once;
  vigil known / unknown    /accounts/password_reset/, with SMTP pointed at a
                           server that accepts and never answers: a request
                           that waited on it would take its 10 s timeout.

Results: bench/results/password_reset.md and .json.

Instruction counts, steadier than milliseconds on a shared machine: run

    valgrind --tool=callgrind --callgrind-out-file=/tmp/reset.%p \
        .venv/bin/python bench/password_reset.py --only "vigil known" --count 20

once with --count 0 (the warm-up alone) and subtract: per request, the
difference divided by the count (bench/results/password_reset.md has them).

Goal: vigil known ≈ vigil unknown (the same work, nothing sent in the request).
"""

import argparse
import json
import os
import platform
import random
import socket
import socketserver
import statistics
import sys
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_reset"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"


class SinkHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to take a message and say 250."""

    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.wfile.write(b"250 queued\r\n")
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def smtp(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }


def setup_django(url, redis_url, migrate=True):
    import psycopg

    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings"
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.views import PasswordResetView
    from django.core.management import call_command
    from django.urls import clear_url_caches, include, path

    if migrate:
        call_command("migrate", verbosity=0)
    # As in production: no per-query log, any host (the test client's).
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    urls = types.ModuleType("bench_reset_urls")
    urls.urlpatterns = [
        path("django-reset/", PasswordResetView.as_view()),
        path("", include("vigil.urls")),
    ]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()


def measure(rounds, only=None, count=0):
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from vigil.models import OutboxMessage

    User.objects.filter(username="bench-edith").delete()
    User.objects.create_user("bench-edith", "bench-edith@example.org", "correct horse battery")
    OutboxMessage.objects.filter(kind="password_reset").delete()

    sink = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SinkHandler)
    sink.daemon_threads = True
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    black_hole = socket.socket()
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(1024)

    client = Client()
    variants = {
        "healthz": ("get", "/healthz/", None, None),
        "django known": ("post", "/django-reset/", "bench-edith@example.org", sink.server_address[1]),
        "django unknown": ("post", "/django-reset/", "nobody@example.org", sink.server_address[1]),
        "vigil known": ("post", "/accounts/password_reset/", "bench-edith@example.org", black_hole.getsockname()[1]),
        "vigil unknown": ("post", "/accounts/password_reset/", "nobody@example.org", black_hole.getsockname()[1]),
    }
    if only:
        # For callgrind: a warm-up of the two Vigil variants, then `count` of one.
        variants = {name: variants[name] for name in ("vigil known", "vigil unknown")}
        plan = [list(variants)] * 5 + [[only]] * count
    else:
        plan = [list(variants) for _ in range(20 + rounds)]
    times = {name: [] for name in variants}
    for warm, order in enumerate(plan):
        random.shuffle(order)
        for name in order:
            method, url, email, port = variants[name]
            if port:
                settings.MAILERS = smtp(port)
            started = time.perf_counter()
            response = client.get(url) if method == "get" else client.post(url, {"email": email})
            elapsed = time.perf_counter() - started
            assert response.status_code in (200, 302), (name, response.status_code)
            if warm >= 20:
                times[name].append(elapsed * 1000)
    queued = OutboxMessage.objects.filter(kind="password_reset")
    rows = {"known": queued.exclude(object_id="none").count(), "unknown": queued.filter(object_id="none").count()}
    unsent = queued.filter(sent_at__isnull=True).count()
    sink.shutdown()
    black_hole.close()
    return times, rows, unsent


def summarise(times):
    base = statistics.median(times["healthz"])
    out = {}
    for name, values in times.items():
        values = sorted(values)
        median = statistics.median(values)
        out[name] = {
            "median_ms": round(median, 2),
            "p95_ms": round(values[int(len(values) * 0.95) - 1], 2),
            "max_ms": round(values[-1], 2),
            "ratio_to_healthz": round(median / base, 2),
        }
    return out


def forget_queue(redis_url):
    """The tasks this run queued have no worker: take them off the benchmark's Redis db."""
    import redis

    db = redis.Redis.from_url(redis_url)
    db.delete("celery", *db.keys("_kombu.binding.*"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--only", choices=["vigil known", "vigil unknown"], help="callgrind: one variant")
    parser.add_argument("--count", type=int, default=20, help="with --only: how many requests")
    args = parser.parse_args()
    if args.only:
        setup_django(args.database_url, args.redis_url, migrate=False)
        measure(0, only=args.only, count=args.count)
        forget_queue(args.redis_url)
        return
    setup_django(args.database_url, args.redis_url)
    load_before = os.getloadavg()
    times, rows, unsent = measure(args.rounds)
    load_after = os.getloadavg()
    forget_queue(args.redis_url)
    result = {
        "rounds": args.rounds,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "variants": summarise(times),
        "outbox_rows": rows,
        "outbox_rows_unsent": unsent,
    }
    results = ROOT / "bench" / "results"
    (results / "password_reset.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Password reset: an address with an account and one without",
        "",
        (f"{args.rounds} interleaved rounds, in-process (Django test client), PostgreSQL, Redis broker; "
        f"{result['machine']}; load average {result['load_before']} before, {result['load_after']} after."),
        "",
        "| variant | median ms | p95 ms | max ms | median / healthz |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, row in result["variants"].items():
        lines.append(
            f"| {name} | {row['median_ms']} | {row['p95_ms']} | {row['max_ms']} | {row['ratio_to_healthz']} |"
        )
    lines += [
        "",
        (f"Vigil's requests wrote {rows['known']} rows for the known address and {rows['unknown']} that send "
        f"nothing for the unknown one; {unsent} still unsent (no worker ran: nothing was sent in a request, "
        "and SMTP pointed at a server that never answers)."),
    ]
    (results / "password_reset.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
