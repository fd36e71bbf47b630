"""Vigil's performance benchmark: one command, the same measurement every time.

    .venv/bin/python bench/run.py --scale 100000     # 100k articles (the default)
    .venv/bin/python bench/run.py --scale 1000       # the small run, for the p95 ratio

On PostgreSQL and Redis it:

1. seeds a publication of the given scale into its own database (reused when it
   already holds that scale; --reseed starts over) — see bench/seed.py — and
   adds the realistic article (3 claims, 5 entries) beside the bench one;
2. runs EXPLAIN ANALYZE on every SQL query each page makes (planning and
   execution time both), flagging sequential scans on the large tables;
3. starts Vigil under gunicorn with production settings (DEBUG off, whitenoise,
   2 sync workers pinned to CPU 0) and drives it with wrk pinned to CPU 1,
   in up to three modes (--modes): cached, the page and fragment caches on;
   miss, the page cache off and the per-object fragments kept (what a page
   costs after a purge when its objects did not change, or for a signed-in
   editor); cold, nothing cached — VIGIL_FRAGMENT_CACHE_SECONDS=0, so every
   request renders every fragment.
   Each page is measured over --rounds rounds, each round the trivial view
   (/healthz/) and then the page, back to back: on a shared machine the load
   moves, and a ratio is only fair between neighbours. The median ratio and its
   spread (min–max over the rounds) are reported, with p95;
4. measures a read mix over many URLs on the cached server, without writes and
   then with an editor recording a review every --write-interval seconds (each
   one purges what it touched, so readers hit fresh renders);
5. prints a table and writes bench/results/scale-<N>.json and .md, and
   bench/results/latest.md comparing the scales measured so far (and the
   Wagtail comparison of bench/wagtail_compare.py when it has been run).

Pages that do not exist in the current build (404, or a redirect to sign in)
are reported as "not available".
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

# The large tables: a sequential scan on any of them is a finding.
LARGE_TABLES = (
    "articles_article",
    "claims_claim",
    "reviews_review",
    "corrections_correctionentry",
)

GOALS = {
    "article_cached_ratio": 0.5,
    "article_uncached_ratio": 0.15,
    "realistic_uncached_ratio": 0.25,
    "not_modified_ratio": 0.8,
    "list_p95_ms": 100,
    "search_p95_ms": 150,
    "vigil_over_wagtail": 2.0,
    "p95_growth": 1.5,
}
# Cold pages whose p95 must stay within GOALS["list_p95_ms"].
P95_PAGES = ("claim", "claim_oldest", "ledger", "ledger_filtered", "ledger_deep",
             "correction_log", "correction_log_deep", "queue", "queue_deep")
WAGTAIL_RESULT = RESULTS / "wagtail.json"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="articles (default 100000)")
    parser.add_argument("--duration", type=int, default=3,
                        help="seconds of wrk per page and per trivial run, each round")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (trivial view, page) per page")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per page")
    parser.add_argument("--mix-seconds", type=int, default=8,
                        help="seconds of each read-mix run (0 skips the mix)")
    parser.add_argument("--write-interval", type=float, default=0.5,
                        help="seconds between an editor's reviews during the mix with writes")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8107, help="server with the page cache")
    parser.add_argument("--uncached-port", type=int, default=8117, help="server without it")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL, without the database name")
    parser.add_argument("--db", help="database name (default vigil_bench_<scale>)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed again")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--modes", default="cached,miss,cold",
                        help="phases to measure: cached (page cache on), miss (page cache off, "
                             "per-object fragments kept), cold (nothing cached)")
    return parser.parse_args()


# --- Environment and database -------------------------------------------------


def production_env(args, database):
    static_root = BENCH_DIR / ".staticfiles"
    return {
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"{args.pg}/{database}",
        "REDIS_URL": args.redis,
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "vigil.settings",
    }


def prepare_database(args, database):
    """Create the database when missing or holding another scale; True if it must be seeded."""
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        scale = None
        if exists and not args.reseed:
            with psycopg.connect(f"{args.pg}/{database}") as conn:
                if conn.execute("SELECT to_regclass('bench_seed') IS NOT NULL").fetchone()[0]:
                    row = conn.execute("SELECT scale FROM bench_seed WHERE finished").fetchone()
                    scale = row[0] if row else None
        if exists and scale == args.scale:
            return False
        if exists:
            admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    return True


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def signed_in_cookie():
    """A session for the benchmark's editor, as a browser would hold it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from bench.seed import EDITOR_USERNAME

    user = User.objects.get(username=EDITOR_USERNAME)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


# --- Pages ----------------------------------------------------------------------


def deep_cursors(scale):
    """The keys that a reader following "next" deep into each long list would
    hold: the lists are keyset-paged, so a deep page is named by its first row's
    predecessor, not by a number. Found once here, with OFFSET, in this process."""
    from claims.models import Claim
    from corrections.models import NEWEST_FIRST, CorrectionEntry
    from reviews.queue import QUEUE_ORDER, review_queue
    from vigil.pagination import KeysetPaginator

    from bench import seed

    def cursor(queryset, order, position):
        rows = list(queryset.order_by(*order)[position:position + 1])
        if not rows:
            rows = list(queryset.order_by(*order).reverse()[:1])
        return KeysetPaginator(queryset, 1, order=order).cursor(rows[0]) if rows else ""

    # As deep as the old ?page=3% of the scale went: 150k rows in at 100k articles.
    deep = 50 * (max(2, (3 * scale) // 100) - 1)
    ledger_order = ("next_review_due", "code")
    claim = Claim.objects.get(code=seed.bench_claim_code())
    return {
        "ledger": cursor(Claim.objects.active(), ledger_order, deep),
        "log": cursor(CorrectionEntry.objects.public(), NEWEST_FIRST, min(deep, scale)),
        "queue": cursor(review_queue(), QUEUE_ORDER, min(deep, scale // 4)),
        "claim_reviews": cursor(claim.reviews.all(), ("-reviewed_on", "-pk"), 185),
    }


def pages(args, claim_code, cookie, cursors):
    """What is measured. Each page lists candidate URLs: the first that answers 200 is used."""
    from bench import seed

    signed_in = {"Cookie": cookie}
    return [
        {"name": "trivial view (/healthz/)", "key": "trivial", "urls": ["/healthz/"]},
        {"name": "home", "key": "home", "urls": ["/"]},
        {"name": "article (20 claims, 50 entries)", "key": "article",
         "urls": [f"/articles/{seed.BENCH_ARTICLE_SLUG}/"]},
        {"name": "realistic article (3 claims, 5 entries)", "key": "realistic",
         "urls": [f"/articles/{seed.REALISTIC_SLUG}/"]},
        {"name": "realistic article, signed-in editor", "key": "realistic_editor",
         "urls": [f"/articles/{seed.REALISTIC_SLUG}/"], "headers": signed_in, "signed_in": True},
        {"name": "claim page (200 reviews)", "key": "claim", "urls": [f"/claims/{claim_code}/"]},
        {"name": "claim page, oldest reviews", "key": "claim_oldest",
         "urls": [f"/claims/{claim_code}/?after={cursors['claim_reviews']}"], "cold_only": True},
        {"name": "claim ledger", "key": "ledger", "urls": ["/claims/", "/ledger/"]},
        {"name": "claim ledger, filtered", "key": "ledger_filtered",
         "urls": ["/claims/?verdict=not_holding&due=overdue", "/claims/?verdict=not_holding"]},
        {"name": "claim ledger, deep page", "key": "ledger_deep",
         "urls": [f"/claims/?after={cursors['ledger']}"], "cold_only": True},
        {"name": "correction log", "key": "correction_log", "urls": ["/corrections/"]},
        {"name": "correction log, deep page", "key": "correction_log_deep",
         "urls": [f"/corrections/?after={cursors['log']}"], "cold_only": True},
        {"name": "search, common words", "key": "search",
         "urls": ["/search/?q=survey+households", "/search/?q=survey"]},
        {"name": "search, a rare word", "key": "search_rare", "urls": ["/search/?q=logistics"],
         "cold_only": True},
        {"name": "feed", "key": "feed",
         "urls": ["/feeds/articles/", "/feeds/articles.atom", "/feeds/", "/feed/", "/rss/"]},
        {"name": "editor review queue (signed in)", "key": "queue", "headers": signed_in,
         "urls": ["/desk/queue/", "/desk/reviews/", "/desk/review-queue/", "/desk/"],
         "signed_in": True, "cold_only": True},
        {"name": "editor review queue, deep page", "key": "queue_deep", "headers": signed_in,
         "urls": [f"/desk/?after={cursors['queue']}"], "signed_in": True, "cold_only": True},
        {"name": "304 on the article (If-None-Match)", "key": "not_modified",
         "urls": [f"/articles/{seed.BENCH_ARTICLE_SLUG}/"], "conditional": True},
    ]


def fetch(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def resolve(page, port):
    """The URL and headers to measure, or (None, reason) when the page is not available."""
    reasons = []
    for url in page["urls"]:
        status, headers, _ = fetch(port, url, page.get("headers"))
        if status != 200:
            reasons.append(f"{url} → {status}")
            continue
        if not page.get("conditional"):
            return {"url": url, "headers": page.get("headers", {})}, None
        validators = {}
        if headers.get("ETag"):
            validators["If-None-Match"] = headers["ETag"]
        elif headers.get("Last-Modified"):
            validators["If-Modified-Since"] = headers["Last-Modified"]
        else:
            reasons.append(f"{url} sends no ETag or Last-Modified")
            continue
        status, _, _ = fetch(port, url, validators)
        if status == 304:
            return {"url": url, "headers": validators}, None
        reasons.append(f"{url} with {validators} → {status}, not 304")
    return None, "; ".join(reasons)


# --- Server and load ------------------------------------------------------------


def start_server(env, port, workers, page_cache, fragments=None):
    """gunicorn with the page and fragment caches on; cold: both off; or a
    page miss: the page cache off, per-object fragments on (`fragments=True`)."""
    server_env = {**os.environ, **env, "VIGIL_PAGE_CACHE": "1" if page_cache else "0"}
    if fragments is None:
        fragments = page_cache
    if not fragments:
        server_env["VIGIL_FRAGMENT_CACHE_SECONDS"] = "0"
    command = [GUNICORN, "vigil.wsgi:application", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if fetch(port, "/healthz/")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise SystemExit(f"gunicorn did not answer on port {port}")


def stop_server(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def wrk(port, target, seconds, connections, script="report.lua", extra_env=None):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(BENCH_DIR / script)]
    for name, value in target["headers"].items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{target['url']}")
    if shutil.which("taskset"):
        command = ["taskset", "-c", "1", *command]
    wrk_env = {**os.environ, "REPORT_LUA": str(BENCH_DIR / "report.lua"), **(extra_env or {})}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=wrk_env).stdout
    return json.loads(output.strip().splitlines()[-1])


def rounds_summary(rounds):
    """Median and spread of a page's rounds, each ratio taken against the
    trivial run right before it."""
    ratios = [r["rps"] / r["trivial_rps"] for r in rounds if r["trivial_rps"]]
    median = statistics.median

    def pick(key):
        return [r[key] for r in rounds]

    return {
        "rounds": rounds,
        "ratio": round(median(ratios), 4) if ratios else 0.0,
        "ratio_min": round(min(ratios), 4) if ratios else 0.0,
        "ratio_max": round(max(ratios), 4) if ratios else 0.0,
        "rps": median(pick("rps")),
        "p50_ms": median(pick("p50_ms")),
        "p95_ms": median(pick("p95_ms")),
        "p95_max_ms": max(pick("p95_ms")),
        "p99_ms": median(pick("p99_ms")),
        "trivial_rps": median(pick("trivial_rps")),
        "trivial_rps_min": min(pick("trivial_rps")),
        "trivial_rps_max": max(pick("trivial_rps")),
        "trivial_p95_ms": median(pick("trivial_p95_ms")),
        "non_2xx_3xx": sum(pick("non_2xx_3xx")),
    }


MODES = {
    # mode: (page cache, per-object fragments)
    "cached": (True, True),
    # A page miss (after a purge, a new filter, a signed-in editor): the page
    # renders, the objects on it that did not change come from their fragments.
    "miss": (False, True),
    # Nothing cached at all: every fragment renders.
    "cold": (False, False),
}


def measure_phase(args, env, port, page_list, mode):
    label = mode
    page_cache, fragments = MODES[mode]
    print(f"\n== {label}: gunicorn on 127.0.0.1:{port}, {args.rounds} rounds of "
          f"(trivial {args.duration}s, page {args.duration}s)", flush=True)
    # A fresh content version: no copy kept by an earlier run (another scale) is served.
    from vigil.freshness import content_changed

    content_changed()
    process = start_server(env, port, args.workers, page_cache, fragments)
    rows = []
    trivial = {"url": "/healthz/", "headers": {}}
    try:
        for page in page_list:
            if page_cache and page.get("cold_only"):
                continue  # the desk has no page cache; deep pages are read cold
            target, reason = resolve(page, port)
            row = {"page": page["name"], "key": page["key"], "mode": label}
            if target is None:
                row.update(available=False, reason=reason)
                print(f"  {page['name']:<42} not available ({reason})", flush=True)
            else:
                wrk(port, target, args.warmup, args.connections)
                rounds = []
                for _ in range(args.rounds):
                    beside = wrk(port, trivial, args.duration, args.connections)
                    measured = wrk(port, target, args.duration, args.connections)
                    rounds.append({**measured, "trivial_rps": beside["rps"],
                                   "trivial_p95_ms": beside["p95_ms"]})
                row.update(available=True, url=target["url"], **rounds_summary(rounds))
                print(f"  {page['name']:<42} {row['rps']:>8.1f} req/s  ratio {row['ratio']:.3f} "
                      f"({row['ratio_min']:.3f}–{row['ratio_max']:.3f})  p95 {row['p95_ms']:>7.2f} ms"
                      f"  (trivial {row['trivial_rps_min']:.0f}–{row['trivial_rps_max']:.0f} req/s)",
                      flush=True)
            # Other work on the machine skews every figure: say how busy it was.
            row["load_1min"] = round(os.getloadavg()[0], 2)
            rows.append(row)
    finally:
        stop_server(process)
    return rows


# --- Read mix ---------------------------------------------------------------------


def mix_paths(scale):
    """Many URLs a reader population asks for: articles old and new, claim pages,
    ledger filters, searches, the log, the home page."""
    from articles.models import Article
    from claims.models import Claim

    slugs = list(Article.objects.published().order_by("-published_on", "-pk")
                 .values_list("slug", flat=True)[:60])
    slugs += list(Article.objects.published().order_by("pk").values_list("slug", flat=True)[:40])
    codes = list(Claim.objects.active().order_by("-pk").values_list("code", flat=True)[:40])
    words = ["survey", "census", "evidence", "households", "effect", "studies", "direction",
             "trial", "weighted", "figure", "review", "claim"]
    paths = ["/", "/corrections/", "/claims/", "/claims/?verdict=holding", "/claims/?due=overdue",
             "/claims/?sort=-next", "/pillars/"]
    paths += [f"/articles/{slug}/" for slug in slugs]
    paths += [f"/claims/{code}/" for code in codes]
    paths += [f"/search/?q={word}" for word in words]
    return paths


class Writer(threading.Thread):
    """An editor recording a review every `interval` seconds, through the action."""

    def __init__(self, interval):
        super().__init__(daemon=True)
        self.interval = interval
        self.stop = threading.Event()
        self.writes = 0
        self.errors = []

    def run(self):
        from django.contrib.auth.models import User
        from django.db import connection

        from bench.seed import EDITOR_USERNAME
        from claims.models import Claim
        from reviews.services import review_record

        editor = User.objects.get(username=EDITOR_USERNAME)
        # Claims on the mix's newest articles, so the writes purge pages the readers read.
        claims = list(Claim.objects.active().order_by("-pk")[:40])
        try:
            while not self.stop.wait(self.interval):
                claim = claims[self.writes % len(claims)]
                try:
                    review_record(claim=claim, editor=editor, verdict=claim.verdict,
                                  cadence_days=60, reasoning="Benchmark review during the mix.")
                    self.writes += 1
                except Exception as error:  # noqa: BLE001 — reported, the mix goes on
                    self.errors.append(repr(error))
                    if len(self.errors) > 20:
                        return
        finally:
            connection.close()


def measure_mix(args, env, port):
    if args.mix_seconds <= 0:
        return []
    import tempfile

    paths = mix_paths(args.scale)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
        mix_file = handle.name
    print(f"\n== read mix over {len(paths)} URLs, page cache on (127.0.0.1:{port})", flush=True)
    from vigil.freshness import content_changed

    content_changed()
    process = start_server(env, port, args.workers, page_cache=True)
    trivial = {"url": "/healthz/", "headers": {}}
    target = {"url": "/", "headers": {}}
    mix_env = {"MIX_PATHS": mix_file}
    rows = []
    try:
        wrk(port, target, args.warmup * 3, args.connections, "mix.lua", mix_env)
        for with_writes in (False, True):
            rounds, writes, errors = [], 0, []
            for _ in range(args.rounds):
                beside = wrk(port, trivial, args.duration, args.connections)
                writer = Writer(args.write_interval) if with_writes else None
                if writer:
                    writer.start()
                measured = wrk(port, target, args.mix_seconds, args.connections, "mix.lua", mix_env)
                if writer:
                    writer.stop.set()
                    writer.join()
                    writes += writer.writes
                    errors += writer.errors
                rounds.append({**measured, "trivial_rps": beside["rps"],
                               "trivial_p95_ms": beside["p95_ms"]})
            name = "read mix, with writes" if with_writes else "read mix, no writes"
            row = {"page": f"{name} ({len(paths)} URLs)", "key": "mix_writes" if with_writes else "mix",
                   "mode": "cached", "available": True, "url": f"{len(paths)} URLs",
                   **rounds_summary(rounds)}
            if with_writes:
                row.update(writes=writes, write_errors=errors[:3],
                           writes_per_s=round(writes / (args.rounds * args.mix_seconds), 2))
            print(f"  {row['page']:<42} {row['rps']:>8.1f} req/s  ratio {row['ratio']:.3f} "
                  f"({row['ratio_min']:.3f}–{row['ratio_max']:.3f})  p95 {row['p95_ms']:>7.2f} ms"
                  + (f"  {writes} reviews written" if with_writes else ""), flush=True)
            row["load_1min"] = round(os.getloadavg()[0], 2)
            rows.append(row)
    finally:
        stop_server(process)
        os.unlink(mix_file)
    return rows


# --- EXPLAIN ----------------------------------------------------------------------


def explain_pages(page_list, resolved):
    """Every query each page makes, with its plan; seq scans on large tables flagged."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from claims.context_processors import REVIEWED_COUNT_KEY

    # The footer's site-wide count is cached for an hour; show its query once (on home).
    cache.delete(REVIEWED_COUNT_KEY)
    report = []
    with override_settings(VIGIL_PAGE_CACHE=False):
        for page in page_list:
            target = resolved.get(page["key"])
            if target is None or page["key"] in ("trivial", "not_modified"):
                continue
            client = Client(headers={"Host": "127.0.0.1"})
            cookie = page.get("headers", {}).get("Cookie")
            if cookie:
                name, value = cookie.split("=", 1)
                client.cookies[name] = value
            with CaptureQueriesContext(connection) as captured:
                status = client.get(target["url"]).status_code
            queries = []
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                seq_scans = sorted(
                    table for table in LARGE_TABLES if f"Seq Scan on {table}" in plan
                )
                queries.append({"sql": sql, "plan": plan, "seq_scans_on_large_tables": seq_scans})
            # What the database spends on the page, free of the machine's load on
            # gunicorn and wrk: the fairest view of how a page grows with scale.
            # Planning counts: every request plans its queries again.
            def total(label):
                return sum(
                    float(line.split(":")[1].split()[0])
                    for q in queries for line in q["plan"].splitlines()
                    if line.startswith(label)
                )

            execution_ms, planning_ms = total("Execution Time:"), total("Planning Time:")
            report.append({"page": page["name"], "key": page["key"], "url": target["url"],
                           "status": status, "queries": queries,
                           "sql_ms": round(execution_ms + planning_ms, 2),
                           "execution_ms": round(execution_ms, 2), "planning_ms": round(planning_ms, 2)})
            flagged = sum(1 for q in queries if q["seq_scans_on_large_tables"])
            print(f"  {page['name']:<42} {len(queries):>3} queries, {execution_ms:7.2f} ms executing"
                  f" + {planning_ms:6.2f} ms planning, {flagged} with a seq scan on a large table",
                  flush=True)
    return report


# --- Report -----------------------------------------------------------------------


def wagtail_ratio():
    """The last run of bench/wagtail_compare.py, which measures both sides interleaved."""
    if not WAGTAIL_RESULT.exists():
        return None
    return json.loads(WAGTAIL_RESULT.read_text())


def goals(rows):
    def row(key, mode):
        return next((r for r in rows if r["key"] == key and r["mode"] == mode
                     and r.get("available")), None)

    def ratio(key, mode):
        found = row(key, mode)
        return found["ratio"] if found else None

    def at_least(name, value, target):
        return {"goal": name, "value": value, "target": target,
                "met": None if value is None else value >= target}

    def at_most(name, value, target):
        return {"goal": name, "value": value, "target": target,
                "met": None if value is None else value <= target}

    not_modified = [r for r in (ratio("not_modified", "cached"), ratio("not_modified", "cold")) if r]
    checks = [
        at_least("article, cached ≥ 0.5 of trivial", ratio("article", "cached"),
                 GOALS["article_cached_ratio"]),
        at_least("bench article, cold render ≥ 0.15 of trivial", ratio("article", "cold"),
                 GOALS["article_uncached_ratio"]),
        at_least("realistic article, cold render ≥ 0.25 of trivial", ratio("realistic", "cold"),
                 GOALS["realistic_uncached_ratio"]),
        at_least("304 ≥ 0.8 of trivial", max(not_modified) if not_modified else None,
                 GOALS["not_modified_ratio"]),
    ]
    for mode, words in (("miss", "page miss, fragments kept"), ):
        checks += [
            at_least(f"bench article, {words} ≥ 0.15 of trivial", ratio("article", mode),
                     GOALS["article_uncached_ratio"]),
            at_least(f"realistic article, {words} ≥ 0.25 of trivial", ratio("realistic", mode),
                     GOALS["realistic_uncached_ratio"]),
        ]
    for mode in ("cold", "miss"):
        for key in P95_PAGES:
            found = row(key, mode)
            checks.append(at_most(f"{found['page'] if found else key}, {mode} p95 ≤ "
                                  f"{GOALS['list_p95_ms']} ms", found["p95_ms"] if found else None,
                                  GOALS["list_p95_ms"]))
    search = row("search", "cold")
    checks.append(at_most(f"search for common words, cold p95 ≤ {GOALS['search_p95_ms']} ms",
                          search["p95_ms"] if search else None, GOALS["search_p95_ms"]))
    wagtail = wagtail_ratio()
    checks.append(at_least(
        "Vigil ÷ Wagtail, the same article rendered cold, each against its own trivial view "
        "(bench/wagtail_compare.py) ≥ 2",
        wagtail["vigil_over_wagtail"] if wagtail else None, GOALS["vigil_over_wagtail"]))
    return checks


def results_table(rows):
    lines = ["| page | mode | URL | req/s | ratio to trivial (median, min–max) | "
             "trivial req/s beside it (min–max) | p50 ms | p95 ms (median, max) | p99 ms | "
             "non-2xx/3xx | load (1 min) |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        load = row.get("load_1min", "")
        if row.get("available"):
            url = row["url"] if len(row["url"]) < 60 else row["url"][:57] + "…"
            lines.append(
                f"| {row['page']} | {row['mode']} | `{url}` | {row['rps']:.0f} | "
                f"{row['ratio']:.3f} ({row.get('ratio_min', row['ratio']):.3f}–"
                f"{row.get('ratio_max', row['ratio']):.3f}) | "
                f"{row.get('trivial_rps_min', 0):.0f}–{row.get('trivial_rps_max', 0):.0f} | "
                f"{row['p50_ms']:.1f} | {row['p95_ms']:.1f} ({row.get('p95_max_ms', row['p95_ms']):.1f})"
                f" | {row['p99_ms']:.1f} | {row['non_2xx_3xx']} | {load} |")
        else:
            lines.append(
                f"| {row['page']} | {row['mode']} | not available | | | | | | | | {load} |")
    return lines


def write_scale_report(args, result):
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"scale-{args.scale}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    lines = [f"# Vigil benchmark at scale {args.scale:,}", "",
             f"Run {result['finished_at']} on {result['machine']}; {args.rounds} rounds per page, "
             f"each wrk {args.duration}s on the trivial view then {args.duration}s on the page, "
             f"{args.connections} connections; gunicorn {args.workers} sync workers. "
             "Cold: nothing cached (page cache off and VIGIL_FRAGMENT_CACHE_SECONDS=0: every "
             "fragment renders). Miss: page cache off, per-object fragments kept (vigil.objectcache): "
             "what a page costs after a purge when its objects did not change.", "",
             "## Seeding", "", "| step | rows | seconds |", "| --- | ---: | ---: |"]
    for step in result["seeding"] or []:
        lines.append(f"| {step['step']} | {step['rows'] if step['rows'] is not None else ''} | "
                     f"{step['seconds']} |")
    if not result["seeding"]:
        lines.append("| (not recorded: database seeded before timings were kept) | | |")
    lines += ["", "## Throughput and latency", "", *results_table(result["rows"]), "",
              "## Goals", "", "| goal | value | met |", "| --- | ---: | --- |"]
    for goal in result["goals"]:
        value = "n/a" if goal["value"] is None else f"{goal['value']:.3g}"
        met = {True: "yes", False: "**no**", None: "not measurable"}[goal["met"]]
        lines.append(f"| {goal['goal']} | {value} | {met} |")
    lines += ["", "## EXPLAIN ANALYZE of each page's queries", ""]
    for page in result["explain"]:
        flagged = [q for q in page["queries"] if q["seq_scans_on_large_tables"]]
        lines += [f"### {page['page']} — `{page['url']}` ({len(page['queries'])} queries, "
                  f"{len(flagged)} with a seq scan on a large table)", ""]
        for query in page["queries"]:
            mark = (" — **seq scan on " + ", ".join(query["seq_scans_on_large_tables"]) + "**"
                    if query["seq_scans_on_large_tables"] else "")
            sql = query["sql"] if len(query["sql"]) < 600 else query["sql"][:600] + " …"
            lines += [f"```sql\n{sql}\n```{mark}", "", "```", query["plan"], "```", ""]
        if "planning_ms" in page:
            lines += [f"SQL: {page['execution_ms']:.2f} ms executing + {page['planning_ms']:.2f} ms "
                      "planning.", ""]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    return stem


def write_latest():
    """bench/results/latest.md: the newest figures of every scale, and the p95 growth."""
    runs = {}
    for path in sorted(RESULTS.glob("scale-*.json")):
        data = json.loads(path.read_text())
        runs[data["scale"]] = data
    if not runs:
        return
    lines = ["# Latest benchmark figures", ""]
    for scale, data in sorted(runs.items()):
        lines += [f"## Scale {scale:,} articles ({data['finished_at']})", "",
                  *results_table(data["rows"]), ""]
    scales = sorted(runs)
    if len(scales) >= 2:
        small, large = scales[0], scales[-1]
        lines += [f"## p95 at {large:,} articles against p95 at {small:,} (goal ≤ "
                  f"{GOALS['p95_growth']}×)", "",
                  "The trivial view's p95 measured beside each page shows how much of a "
                  "change is the machine's: on a shared machine, read the two together.", "",
                  "| page | mode | p95 small ms | p95 large ms | growth | trivial p95 growth "
                  "beside it | met |",
                  "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
        small_rows = {(r["key"], r["mode"]): r for r in runs[small]["rows"] if r.get("available")}
        for row in runs[large]["rows"]:
            base = small_rows.get((row["key"], row["mode"]))
            if not row.get("available") or base is None:
                continue
            growth = row["p95_ms"] / base["p95_ms"] if base["p95_ms"] else float("inf")
            if row.get("trivial_p95_ms") and base.get("trivial_p95_ms"):
                machine = f"{row['trivial_p95_ms'] / base['trivial_p95_ms']:.2f}×"
            else:
                machine = "n/a"
            met = "yes" if growth <= GOALS["p95_growth"] else "**no**"
            lines.append(f"| {row['page']} | {row['mode']} | {base['p95_ms']:.1f} | "
                         f"{row['p95_ms']:.1f} | {growth:.2f}× | {machine} | {met} |")
        small_sql = {p["key"]: p for p in runs[small]["explain"]}
        lines += ["", f"## Database time per page (EXPLAIN ANALYZE, page cache off), "
                  f"{small:,} against {large:,} articles", "",
                  "| page | queries | SQL ms small (execution + planning) | SQL ms large | "
                  "seq scans on large tables |",
                  "| --- | ---: | ---: | ---: | --- |"]
        for page in runs[large]["explain"]:
            base = small_sql.get(page["key"])
            if base is None or "sql_ms" not in page or "sql_ms" not in base:
                continue
            scans = sorted({t for q in page["queries"] for t in q["seq_scans_on_large_tables"]})
            lines.append(f"| {page['page']} | {len(page['queries'])} | {base['sql_ms']:.2f} | "
                         f"{page['sql_ms']:.2f} | {', '.join(scans) or 'none'} |")
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")


def main():
    args = parse_args()
    database = args.db or f"vigil_bench_{args.scale}"
    env = production_env(args, database)
    print(f"Vigil benchmark: scale {args.scale:,}, database {database}", flush=True)

    must_seed = prepare_database(args, database)
    setup_django(env)
    from django.core.management import call_command

    from bench import seed

    call_command("migrate", verbosity=0)
    seed_record = RESULTS / f"seed-{args.scale}.json"
    if must_seed:
        print("Seeding:", flush=True)
        RESULTS.mkdir(exist_ok=True)
        seed_record.write_text(json.dumps(seed.seed(scale=args.scale), indent=2) + "\n")
    # The timings of the seeding that made this database (perhaps an earlier run).
    seeding = json.loads(seed_record.read_text()) if seed_record.exists() else None
    if args.seed_only:
        return
    call_command("collectstatic", "--noinput", verbosity=0)

    seed.ensure_realistic_article()
    cookie = signed_in_cookie()
    page_list = pages(args, seed.bench_claim_code(), cookie, deep_cursors(args.scale))

    # Resolve once against a cached server to know which pages exist, for EXPLAIN.
    resolved = {}
    if not args.no_explain:
        print("\nEXPLAIN ANALYZE of every query each page makes:", flush=True)
        process = start_server(env, args.uncached_port, 1, page_cache=False)
        try:
            for page in page_list:
                target, _ = resolve(page, args.uncached_port)
                if target:
                    resolved[page["key"]] = {**target, "headers": page.get("headers", {})}
        finally:
            stop_server(process)
    explain = explain_pages(page_list, resolved) if resolved else []

    rows = []
    for mode in args.modes.split(","):
        rows += measure_phase(args, env, args.port if mode == "cached" else args.uncached_port,
                              page_list, mode)
    rows += measure_mix(args, env, args.port)

    result = {
        "scale": args.scale,
        "finished_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()} ({os.cpu_count()} CPUs, Python {platform.python_version()})",
        "settings": {"duration_s": args.duration, "rounds": args.rounds,
                     "connections": args.connections, "workers": args.workers,
                     "mix_seconds": args.mix_seconds, "write_interval_s": args.write_interval},
        "seeding": seeding,
        "rows": rows,
        "goals": goals(rows),
        "explain": explain,
    }
    stem = write_scale_report(args, result)
    write_latest()

    print()
    print("\n".join(results_table(rows)))
    print()
    for goal in result["goals"]:
        print(f"  {goal['goal']:<40} {goal['value']}  met: {goal['met']}")
    print(f"\nWritten: {stem}.json, {stem}.md, {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
