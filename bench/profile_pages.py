"""Where a cold render spends its time: cProfile over the pages bench/run.py measures.

    .venv/bin/python bench/profile_pages.py --db vigil_speed_1k [--page article] [--rounds 20]

Runs against a database bench/run.py seeded, with production settings, the page
cache and the fragment cache off (every request renders everything), through
Django's test client in this process, so the profile holds the whole request:
middleware, SQL round trips, template rendering. Prints, per page, the mean
wall time of one render and the functions that cost most (own time and
cumulative), with Vigil's own code and Django's template engine marked.
What it found is written up in bench/PROFILE.md.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


OWN_OR_HOT = (r"wt-[a-z0-9]+/(?!\.venv)|/work/main/(?!\.venv)|dateformat|defaultfilters.py.*date|"
              r"library.py.*render|loader_tags.py.*IncludeNode|urls/base.py.*reverse|"
              r"cache.py.*render|psycopg/cursor.py.*execute|redis/.*execute_command")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--page", action="append", help="page key (default: every page)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--fragments", choices=("off", "warm"), default="off",
                        help="off: every fragment renders (nothing cached); warm: the page "
                             "cache off, per-object fragments kept (a page miss after a purge)")
    parser.add_argument("--summary", action="store_true", help="only the per-page line")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.run import production_env

    class Args:
        pg, redis = args.pg, args.redis

    env = production_env(Args, args.db)
    env.update(VIGIL_PAGE_CACHE="0",
               VIGIL_FRAGMENT_CACHE_SECONDS="0" if args.fragments == "off" else "3600")
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", "--noinput", verbosity=0)
    # Count each render's queries (the test client's request_started would empty the log).
    from django.core.signals import request_started
    from django.db import reset_queries

    request_started.disconnect(reset_queries)

    from bench import seed
    from bench.run import deep_cursors, pages, signed_in_cookie

    cookie = signed_in_cookie()
    wanted = set(args.page or [])

    class Scale:
        scale = 1000

    seed.ensure_realistic_article()
    for page in pages(Scale, seed.bench_claim_code(), cookie, deep_cursors(Scale.scale)):
        if page["key"] in ("trivial", "not_modified") or (wanted and page["key"] not in wanted):
            continue
        client = Client()
        if page.get("signed_in"):
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
        # The first candidate URL that answers, as bench/run.py picks it.
        for url in page["urls"]:
            status = client.get(url).status_code  # also warms connections and loaders
            if status == 200:
                break
        # CPU time of a render without the profiler: what a worker's core pays,
        # less moved by the machine's load than wall time.
        cpu_started = time.process_time()
        for _ in range(args.rounds):
            client.get(url)
        cpu_ms = (time.process_time() - cpu_started) / args.rounds * 1000
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.rounds):
            client.get(url)
        profiler.disable()
        per_render = (time.perf_counter() - started) / args.rounds * 1000
        # Calls are the load-free measure of work: wall time on a shared machine is not.
        stats = pstats.Stats(profiler)
        calls = stats.total_calls / args.rounds
        dates = sum(n for (file, _, name), (_, n, *_) in stats.stats.items()
                    if name == "date" and file.endswith("defaultfilters.py")) / args.rounds
        reverses = sum(n for (file, _, name), (_, n, *_) in stats.stats.items()
                       if name == "reverse" and file.endswith("urls/base.py")) / args.rounds
        print(f"\n=== {page['name']} {url} ({status}): {cpu_ms:.1f} ms CPU a render unprofiled, "
              f"{per_render:.1f} ms profiled ({args.rounds} rounds); {calls:,.0f} function calls, "
              f"{len(captured)} queries, {dates:.0f} |date, {reverses:.0f} reverse() a render", flush=True)
        if args.summary:
            continue
        # Own time over everything; cumulative time of our own code and of the
        # template engine's costly nodes (the wrappers above them say nothing).
        for order, restriction in (("tottime", ()), ("cumulative", (OWN_OR_HOT,))):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(order).print_stats(*restriction, args.top)
            lines = out.getvalue().splitlines()
            start = next(i for i, line in enumerate(lines) if "ncalls" in line)
            print(f"--- by {order}")
            print("\n".join(line[:160] for line in lines[start:start + args.top + 1]))


if __name__ == "__main__":
    main()
