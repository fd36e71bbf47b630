"""What one cached hit of Vigil's own page cache costs: Redis round trips, SQL
queries and Python function calls (cProfile), per page kind, on this checkout
or on another one (--code=DIR, e.g. the code before issue 15).

    .venv/bin/python bench/hit_path.py --db vigil_bench_edge_1000 [--code=/tmp/before]

Production settings on PostgreSQL + Redis, the page cache on, through Django's
test client in this process. Each page is rendered once (a miss), then asked
--rounds times as a hit, three ways: "nothing", with everything this process
remembers dropped before each hit (a worker's first request for the page);
"mix", with the page and its tags' versions dropped (a page this worker
served more than a second ago: the common case in the newsroom mix over
~1,800 pages and 2 workers, whose in-memory copies hold 200 pages; before
issue 15 the one site-wide version read within the second stays); and
"warm" (the same page again at once: served from the process's memory).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
_CODE = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--code=")), None)
ROOT = Path(_CODE).resolve() if _CODE else BENCH_DIR.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--code", help="=DIR: measure that checkout")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions of a mix hit")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    env = {
        "DEBUG": "0", "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0", "DATABASE_URL": f"{args.pg}/{args.db}",
        "REDIS_URL": args.redis, "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "vigil.settings",
        "VIGIL_PAGE_CACHE": "1", "STATIC_ROOT": str(Path(tempfile.gettempdir()) / f"vigil-hitpath-static-{ROOT.name}"),
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from redis.connection import Connection

    from articles.models import Article
    from claims.models import Claim
    from vigil import pagecache

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    cache.clear()
    article = Article.objects.published().order_by("-published_on", "-pk").first()
    claim = Claim.objects.active().filter(is_primary=True).order_by("-pk").first()
    pages = {"article": f"/articles/{article.slug}/", "claim": f"/claims/{claim.code}/", "home": "/"}

    round_trips = [0]
    send = Connection.send_packed_command

    def counting_send(self, command, check_health=True):
        round_trips[0] += 1
        return send(self, command, check_health)

    Connection.send_packed_command = counting_send
    queries = [0]

    def count_query(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    client = Client(HTTP_ACCEPT_ENCODING="gzip")

    def drop_local(mode):
        if mode == "nothing":  # neither pages nor versions (tag or content) in memory
            pagecache.forget_local_state()
        elif mode == "mix":  # neither the page nor its tags' versions (a page served > 1 s ago)
            pagecache._local_pages.clear()
            getattr(pagecache, "_local_versions", {}).clear()  # before issue 15: one site-wide version

    print(f"code: {ROOT}")
    for name, path in pages.items():
        first = client.get(path)
        assert first.status_code == 200, (path, first.status_code)
        client.get(path)
        for mode in ("nothing", "mix", "warm"):
            trips = sqls = calls = 0
            statuses = set()
            for _ in range(args.rounds):
                drop_local(mode)
                round_trips[0] = queries[0] = 0
                profile = cProfile.Profile()
                with connection.execute_wrapper(count_query):
                    profile.enable()
                    response = client.get(path)
                    profile.disable()
                statuses.add(response.get("X-Vigil-Cache"))
                trips += round_trips[0]
                sqls += queries[0]
                calls += pstats.Stats(profile).total_calls
            n = args.rounds
            times = []
            for _ in range(n):
                drop_local(mode)
                started = time.perf_counter()
                client.get(path)
                times.append(time.perf_counter() - started)
            if args.top and mode == "mix":
                pstats.Stats(profile).sort_stats("ncalls").print_stats(args.top)
            print(f"  {name:<8} {mode:<5} X-Vigil-Cache={','.join(map(str, statuses)):<8} "
                  f"round trips {trips / n:.1f}  queries {sqls / n:.1f}  function calls {calls / n:,.0f}  "
                  f"{statistics.median(times) * 1e6:,.0f} µs (median, unprofiled)")


if __name__ == "__main__":
    main()
