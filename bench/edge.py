"""Vigil behind an edge cache (issue 15): the same reads, side by side, against

  (a) nginx serving the pages' saved HTML (what a static copy costs),
  (b) Debian's Varnish with deploy/varnish.vcl in front of Vigil,
  (c) Vigil's own page cache (gunicorn straight),
  (d) Vigil uncached (page cache off, fragment caches off),

first on one article, then in the newsroom mix: reads over every published
article with a popularity skew (a Zipf draw: the newest pieces are read most),
their claim pages and the home page, while an editor records a review every
--write-interval seconds. For each: throughput, p50/p95/p99, the cache's hit
ratio (Varnish's X-Cache, Vigil's X-Vigil-Cache) and, through Varnish, the
time from a review's commit to its new verdict being served (the purge goes
through the outbox and a Celery worker, as in production).

    .venv/bin/python bench/edge.py --seed-only          # outside the lock, under nice
    flock /work/bench.lock .venv/bin/python bench/edge.py

`--code DIR` runs the newsroom mix through Vigil's own cache only, on another
checkout (e.g. `git worktree add --detach /tmp/before 727bb4c^`, the commit
before issue 15, when every review re-rendered every page), with its own
database, and writes bench/results/edge-before.json: the before and after of
the same mix. Start it from DIR (`cd DIR && /path/to/.venv/bin/python
/path/to/bench/edge.py --code=DIR`): from this checkout, the virtualenv's
editable install can import some apps from here instead.

On PostgreSQL + Redis; gunicorn with the production settings (vigil/gunicorn.py,
sync workers), Varnish, nginx and the Celery worker pinned to CPU 0 and wrk to
CPU 1. Every client asks with `Accept-Encoding: gzip`, as browsers do: Varnish
stores gzip, nginx serves a saved .gz beside each page (gzip_static), Vigil
answers uncompressed (compressing is the proxy's job in the production shape).
Writes bench/results/edge.json and edge.md.
"""

import argparse
import gzip
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
# The code measured: this checkout, or the one --code names (read before
# anything of Vigil's is imported).
_CODE = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--code=")), None)
ROOT = Path(_CODE).resolve() if _CODE else BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from bench.run import prepare_database, production_env, setup_django  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
VCL = ROOT / "deploy" / "varnish.vcl"
ACCEPT = {"Accept-Encoding": "gzip"}
# Every target is asked for the same host (Vigil's page cache keys on it): a
# copy Varnish fetched is then the copy Vigil serves straight, so warming one
# warms both. Set in main().
HOST = {"Host": "127.0.0.1"}

GOALS = {
    # The goals: (b) at least 0.8 × (a); in the mix with writes, a hit
    # ratio above 0.95 and p95 within 1.2 × the mix without writes.
    "varnish_over_nginx": 0.8,
    "mix_hit_ratio": 0.95,
    "mix_p95_growth": 1.2,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1000, help="articles (default 1000)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk seconds per target, each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mix-seconds", type=int, default=20, help="wrk seconds per mix run")
    parser.add_argument("--write-interval", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=60_000, help="paths drawn for the mix")
    parser.add_argument("--skew", type=float, default=1.1, help="Zipf exponent of article popularity")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--port", type=int, default=8151, help="first of four ports")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", help="database (default vigil_bench_edge_<scale>)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--code", help="=DIR: measure the mix through Vigil's cache on that checkout")
    return parser.parse_args()


# --- Processes ------------------------------------------------------------------


def pinned(command, cpu):
    return ["taskset", "-c", str(cpu), *command] if shutil.which("taskset") else command


def get(url, headers=None, timeout=30):
    request = urllib.request.Request(url, headers={**ACCEPT, **HOST, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return response.status, response.headers, body
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for(url, process, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            if get(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer on {url}")


class Processes:
    """What the run starts, stopped in reverse order whatever happens."""

    def __init__(self):
        self.started = []

    def start(self, command, env=None, cwd=ROOT):
        process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.started.append(process)
        return process

    def stop_all(self):
        for process in reversed(self.started):
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def gunicorn(processes, env, port, workers, page_cache):
    """Vigil as the production shape runs it: vigil/gunicorn.py."""
    server_env = {**os.environ, **env, "WEB_CONCURRENCY": str(workers),
                  "GUNICORN_BIND": f"127.0.0.1:{port}", "VIGIL_PAGE_CACHE": "1" if page_cache else "0"}
    if not page_cache:
        server_env["VIGIL_FRAGMENT_CACHE_SECONDS"] = "0"
    command = [str(BIN / "gunicorn"), "vigil.wsgi:application", "--config", "python:vigil.gunicorn"]
    if not (ROOT / "vigil" / "gunicorn.py").exists():  # older code: the same sync workers
        command = [str(BIN / "gunicorn"), "vigil.wsgi:application", "--workers", str(workers),
                   "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    process = processes.start(pinned(command, 0), env=server_env)
    wait_for(f"http://127.0.0.1:{port}/healthz/", process, "gunicorn")
    return f"http://127.0.0.1:{port}"


def celery_worker(processes, env):
    """Delivers the outbox (edge purges) as the worker container does."""
    return processes.start(pinned(
        [str(BIN / "celery"), "-A", "vigil", "worker", "--pool", "solo", "--loglevel", "warning",
         "--without-gossip", "--without-mingle"], 0), env={**os.environ, **env})


def varnish(processes, workdir, port, backend_port, builtin=False):
    """Varnish with the shipped VCL, or (builtin) with Varnish's own defaults
    only: how much the shipped VCL's work costs per request."""
    if builtin:
        vcl = f'vcl 4.1;\nbackend default {{ .host = "127.0.0.1"; .port = "{backend_port}"; }}\n'
    else:
        vcl = VCL.read_text().replace('.host = "web";', '.host = "127.0.0.1";').replace(
            '.port = "8000";', f'.port = "{backend_port}";')
    name = "builtin" if builtin else "varnish"
    (workdir / f"{name}.vcl").write_text(vcl)
    # As docker-compose.yml runs it, with a malloc store big enough for the mix.
    process = processes.start(pinned(
        [VARNISHD, "-F", "-a", f"127.0.0.1:{port}", "-f", str(workdir / f"{name}.vcl"),
         "-n", str(workdir / name), "-s", "malloc,256m", "-T", "none",
         "-p", "default_grace=10", "-p", "http_resp_hdr_len=16k"], 0))
    wait_for(f"http://127.0.0.1:{port}/healthz/", process, "varnishd")
    return f"http://127.0.0.1:{port}"


def nginx(processes, workdir, port, site):
    conf = workdir / "nginx.conf"
    conf.write_text(f"""
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        gzip_static on;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
""")
    process = processes.start(pinned([NGINX, "-c", str(conf), "-p", str(workdir)], 0))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if get(f"http://127.0.0.1:{port}/", timeout=2)[0] in (200, 404):
                return f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("nginx did not answer")


def wrk(base, path, seconds, connections, paths_file=None, cache_header="X-Cache"):
    script = "newsroom.lua" if paths_file else "report.lua"
    command = pinned(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                      "-H", "Accept-Encoding: gzip", "-H", f"Host: {HOST['Host']}", "-s", str(BENCH_DIR / script), base + path], 1)
    env = {**os.environ, "REPORT_LUA": str(BENCH_DIR / "report.lua"), "CACHE_HEADER": cache_header}
    if paths_file:
        env["MIX_PATHS"] = str(paths_file)
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- What is read ---------------------------------------------------------------


def newsroom_paths(args, workdir):
    """Every published article (newest first = most read, Zipf), its primary
    claim's page and the home page: 80% / 15% / 5% of the reads, drawn with a
    fixed seed so every target reads the same sequence."""
    from articles.models import Article
    from claims.models import Claim

    slugs = list(Article.objects.published().order_by("-published_on", "-pk").values_list("slug", flat=True))
    primary = dict(Claim.objects.active().filter(is_primary=True, article__slug__in=slugs)
                   .values_list("article__slug", "code"))
    weights = [1 / (rank + 1) ** args.skew for rank in range(len(slugs))]
    draw = random.Random(15)
    paths = []
    for _ in range(args.requests):
        roll = draw.random()
        slug = draw.choices(slugs, weights)[0]
        if roll < 0.05:
            paths.append("/")
        elif roll < 0.20 and slug in primary:
            paths.append(f"/claims/{primary[slug]}/")
        else:
            paths.append(f"/articles/{slug}/")
    paths_file = workdir / "newsroom.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    # The desk reviews what readers are reading: claims of the twenty most-read pieces.
    hot = [primary[slug] for slug in slugs[:20] if slug in primary]
    return paths_file, sorted(set(paths)), hot


def save_site(base, paths, site):
    """The pages as Vigil rendered them, for nginx: <path>/index.html and .gz."""
    for path in paths:
        status, _, body = get(base + path)
        if status != 200:
            raise SystemExit(f"{path} → {status} while saving the site")
        folder = site / path.strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_bytes(body)
        (folder / "index.html.gz").write_bytes(gzip.compress(body, 6))


# --- The editor --------------------------------------------------------------------


class Desk(threading.Thread):
    """An editor recording a review every `interval` seconds (through the
    action, committed), alternating each claim's verdict; after each, how long
    until Varnish serves the new verdict on the claim's page and its article's."""

    def __init__(self, interval, codes, varnish_url=None):
        super().__init__(daemon=True)
        self.interval, self.codes, self.varnish_url = interval, codes, varnish_url
        self.stop = threading.Event()
        self.reviews, self.errors = 0, []
        self.claim_ms, self.article_ms = [], []

    def run(self):
        from django.contrib.auth.models import User
        from django.db import connection

        from bench.seed import EDITOR_USERNAME
        from claims.models import Claim, Verdict
        from reviews.services import review_record

        editor = User.objects.get(username=EDITOR_USERNAME)
        try:
            while not self.stop.wait(self.interval):
                claim = Claim.objects.select_related("article").get(code=self.codes[self.reviews % len(self.codes)])
                marker = f"Desk review {time.time_ns()}"
                verdict = Verdict.NOT_HOLDING if claim.verdict != Verdict.NOT_HOLDING else Verdict.HOLDING
                article_path = f"/articles/{claim.article.slug}/"
                before = self.fetch(article_path) if self.varnish_url else None
                try:
                    review_record(claim=claim, editor=editor, verdict=verdict, cadence_days=60,
                                  reasoning=f"{marker}: the figures moved.")
                except Exception as error:  # noqa: BLE001 — reported; the mix goes on
                    self.errors.append(repr(error))
                    continue
                committed = time.monotonic()
                self.reviews += 1
                if self.varnish_url:
                    self.claim_ms.append(self.until(f"/claims/{claim.code}/", lambda body: marker.encode() in body, committed))
                    self.article_ms.append(self.until(article_path, lambda body: body != before, committed))
        finally:
            connection.close()

    def fetch(self, path):
        return get(self.varnish_url + path)[2]

    def until(self, path, fresh, since, limit=30):
        while time.monotonic() - since < limit:
            if fresh(self.fetch(path)):
                return round((time.monotonic() - since) * 1000, 1)
            time.sleep(0.01)
        return None


# --- Measuring ----------------------------------------------------------------------


def summary(rows):
    median = statistics.median
    return {key: median(row[key] for row in rows) for key in ("rps", "p50_ms", "p95_ms", "p99_ms")} | {
        "errors": sum(row["non_2xx_3xx"] + row["socket_errors"] for row in rows)}


def one_article(args, targets, path):
    print(f"\n== one article ({path}), {args.rounds} rounds of {args.seconds}s per target", flush=True)
    for base, _ in targets.values():
        wrk(base, path, 1, args.connections)  # warm: every cache holds it
    rounds = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, (base, _) in targets.items():
            rounds[name].append(wrk(base, path, args.seconds, args.connections))
    result = {}
    for name, rows in rounds.items():
        result[name] = summary(rows) | {"rounds": rows}
        print(f"  {name:<34} {result[name]['rps']:>9.0f} req/s  p95 {result[name]['p95_ms']:>7.2f} ms"
              f"  p99 {result[name]['p99_ms']:>7.2f} ms", flush=True)
    per_round = [b["rps"] / a["rps"] for a, b in zip(rounds["nginx"], rounds["varnish"])]
    result["varnish_over_nginx"] = round(statistics.median(per_round), 3)
    result["varnish_over_nginx_rounds"] = [round(r, 3) for r in per_round]
    print(f"  Varnish / nginx: {result['varnish_over_nginx']} (rounds {result['varnish_over_nginx_rounds']})")
    return result


def mix_run(args, name, base, header, paths_file, desk=None):
    seconds = args.mix_seconds
    if desk:
        desk.start()
    row = wrk(base, "/", seconds, args.connections, paths_file, header or "X-Cache")
    if desk:
        desk.stop.set()
        desk.join()
    served = row["requests"] or 1
    cached = row["hit"] + row["stale"]
    row["hit_ratio"] = round(cached / served, 4) if header else None
    if desk:
        row.update(reviews=desk.reviews, review_errors=desk.errors[:3],
                   claim_fresh_ms=desk.claim_ms, article_fresh_ms=desk.article_ms)
    row["load_1min"] = round(os.getloadavg()[0], 2)
    ratio = f"hit ratio {row['hit_ratio']:.3f} ({row['hit']} hit, {row['stale']} stale, {row['miss']} miss)" \
        if header else ""
    print(f"  {name:<34} {row['rps']:>9.0f} req/s  p95 {row['p95_ms']:>7.2f} ms  p99 {row['p99_ms']:>7.2f} ms"
          f"  {ratio}" + (f"  {desk.reviews} reviews" if desk else ""), flush=True)
    if desk and desk.varnish_url:
        print(f"  {'':<34} review → served by Varnish: claim page {desk.claim_ms} ms,"
              f" article page {desk.article_ms} ms", flush=True)
    return row


def newsroom(args, targets, paths_file, hot):
    print(f"\n== newsroom mix: {args.requests:,} reads drawn over {args.scale:,} articles "
          f"(Zipf {args.skew}), {args.mix_seconds}s per run", flush=True)
    headers = {"nginx": None, "varnish": "X-Cache", "vigil_cache": "X-Vigil-Cache", "uncached": None}
    for name, (base, _) in targets.items():
        wrk(base, "/", 3, args.connections, paths_file, headers[name] or "X-Cache")  # warm
    result = {}
    for name, (base, label) in targets.items():
        result[name] = mix_run(args, f"{label}, reads only", base, headers[name], paths_file)
    for name in ("varnish", "vigil_cache"):
        base, label = targets[name]
        desk = Desk(args.write_interval, hot, varnish_url=targets["varnish"][0] if name == "varnish" else None)
        result[f"{name}_writes"] = mix_run(
            args, f"{label}, review every {args.write_interval:g}s", base, headers[name], paths_file, desk)
    return result


# --- Report -------------------------------------------------------------------------


def report(args, single, mix, load_before, load_after):
    verdicts = []
    ratio = single["varnish_over_nginx"]
    verdicts.append(("(b) Varnish ≥ 0.8 × (a) nginx on one article", ratio >= GOALS["varnish_over_nginx"],
                     f"{ratio:.2f} ×"))
    for name, label in (("varnish", "Varnish"), ("vigil_cache", "Vigil's own cache")):
        quiet, busy = mix[name], mix[f"{name}_writes"]
        growth = busy["p95_ms"] / quiet["p95_ms"] if quiet["p95_ms"] else float("inf")
        verdicts.append((f"newsroom mix through {label}: hit ratio > 0.95 with reviews",
                         busy["hit_ratio"] > GOALS["mix_hit_ratio"], f"{busy['hit_ratio']:.3f}"))
        verdicts.append((f"newsroom mix through {label}: p95 with reviews ≤ 1.2 × without",
                         growth <= GOALS["mix_p95_growth"],
                         f"{busy['p95_ms']:.1f} / {quiet['p95_ms']:.1f} ms = {growth:.2f} ×"))
    fresh = [ms for ms in mix["varnish_writes"].get("claim_fresh_ms", []) if ms is not None]
    lines = [
        f"# Edge benchmark (bench/edge.py), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Scale {args.scale:,} articles on PostgreSQL + Redis; gunicorn (vigil/gunicorn.py, "
        f"{args.workers} sync workers), Varnish, nginx and the Celery worker on CPU 0, wrk "
        f"(-c{args.connections}, Accept-Encoding: gzip) on CPU 1. Load average before "
        f"{load_before}, after {load_after}.",
        "",
        "## One article, side by side (median of the rounds)",
        "",
        "| target | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, label in LABELS.items():
        row = single[name]
        lines.append(f"| {label} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | {row['p99_ms']:.2f} |")
    lines += ["", f"Varnish / nginx: {ratio:.2f} (per round: {single['varnish_over_nginx_rounds']}).", "",
              "## Newsroom mix", "",
              f"{args.requests:,} reads drawn over {args.scale:,} articles (Zipf {args.skew}; 80% "
              "article pages, 15% claim pages, 5% home), each run "
              f"{args.mix_seconds}s; with reviews: one every {args.write_interval:g}s on the claims "
              "of the twenty most-read pieces.", "",
              "| target | req/s | p95 ms | p99 ms | hit ratio | reviews |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for key, row in mix.items():
        name = key.removesuffix("_writes")
        label = LABELS[name] + (f", review every {args.write_interval:g}s" if key.endswith("_writes") else ", reads only")
        hit = f"{row['hit_ratio']:.3f}" if row.get("hit_ratio") is not None else "–"
        lines.append(f"| {label} | {row['rps']:.0f} | {row['p95_ms']:.2f} | {row['p99_ms']:.2f} | {hit} | "
                     f"{row.get('reviews', '')} |")
    if fresh:
        lines += ["", f"Review → new verdict served through Varnish (claim page): median "
                  f"{statistics.median(fresh):.0f} ms, max {max(fresh):.0f} ms over {len(fresh)} reviews "
                  f"({mix['varnish_writes']['claim_fresh_ms']}); the article page: "
                  f"{mix['varnish_writes']['article_fresh_ms']} ms."]
    lines += ["", "## Goals", ""]
    lines += [f"- {'met' if ok else 'NOT met'}: {what} ({value})" for what, ok, value in verdicts]
    return "\n".join(lines) + "\n", verdicts


LABELS = {
    "nginx": "(a) nginx, saved HTML",
    "varnish": "(b) Varnish (deploy/varnish.vcl)",
    "vigil_cache": "(c) Vigil's page cache",
    "uncached": "(d) Vigil uncached",
    "varnish_builtin": "Varnish, its builtin VCL only (for comparison)",
}


def before(args, env, processes, workdir):
    """The newsroom mix through Vigil's own cache on the code --code names."""
    cached = gunicorn(processes, env, args.port, args.workers, page_cache=True)
    paths_file, distinct, hot = newsroom_paths(args, workdir)
    site = workdir / "site"
    site.mkdir(mode=0o755)
    print(f"Warming Vigil's cache with {len(distinct):,} pages ({ROOT})", flush=True)
    save_site(cached, distinct, site)
    wrk(cached, "/", 3, args.connections, paths_file, "X-Vigil-Cache")
    print(f"\n== newsroom mix on {ROOT}", flush=True)
    return {
        "vigil_cache": mix_run(args, "(c) Vigil's page cache, reads only", cached, "X-Vigil-Cache", paths_file),
        "vigil_cache_writes": mix_run(args, f"(c) Vigil's page cache, review every {args.write_interval:g}s",
                                      cached, "X-Vigil-Cache", paths_file, Desk(args.write_interval, hot)),
    }


def main():
    args = parse_args()
    database = args.db or (f"vigil_bench_edge_before_{args.scale}" if args.code else f"vigil_bench_edge_{args.scale}")
    env = production_env(args, database) | {
        "VIGIL_PURGER": "varnish",
        "VIGIL_VARNISH_URLS": f"http://127.0.0.1:{args.port + 2}/",
    }
    must_seed = prepare_database(args, database)
    setup_django(env)
    from django.core.management import call_command

    from bench import seed

    call_command("migrate", verbosity=0)
    if must_seed:
        print(f"Seeding {args.scale:,} articles into {database}", flush=True)
        seed.seed(scale=args.scale)
    if hasattr(seed, "ensure_realistic_article"):
        seed.ensure_realistic_article()
    if args.seed_only:
        return
    call_command("collectstatic", "--noinput", verbosity=0)
    from vigil.freshness import content_changed

    content_changed()
    HOST["Host"] = f"127.0.0.1:{args.port}"
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="vigil-edge-"))
    workdir.chmod(0o755)
    processes = Processes()
    if args.code:
        try:
            mix = before(args, env, processes, workdir)
        finally:
            processes.stop_all()
            shutil.rmtree(workdir, ignore_errors=True)
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "edge-before.json").write_text(json.dumps(
            {"scale": args.scale, "code": str(ROOT), "args": vars(args), "load_before": load_before,
             "load_after": load_after, "newsroom": mix}, indent=2) + "\n")
        print(f"load average before {load_before}, after {load_after}")
        return
    try:
        cached = gunicorn(processes, env, args.port, args.workers, page_cache=True)
        uncached = gunicorn(processes, env, args.port + 1, args.workers, page_cache=False)
        celery_worker(processes, env)
        edge = varnish(processes, workdir, args.port + 2, args.port)
        paths_file, distinct, hot = newsroom_paths(args, workdir)
        site = workdir / "site"
        site.mkdir(mode=0o755)
        article_path = f"/articles/{seed.REALISTIC_SLUG}/"
        save_site(edge, [article_path], site)
        static = nginx(processes, workdir, args.port + 3, site)
        builtin = varnish(processes, workdir, args.port + 4, args.port, builtin=True)
        targets = {
            "nginx": (static, LABELS["nginx"]),
            "varnish": (edge, LABELS["varnish"]),
            "vigil_cache": (cached, LABELS["vigil_cache"]),
            "uncached": (uncached, LABELS["uncached"]),
        }
        # The editor's reviews and the polls are the server side's work: they
        # share CPU 0 with Vigil and Varnish, and leave CPU 1 to wrk.
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {0})
        single = one_article(args, {**targets, "varnish_builtin": (builtin, LABELS["varnish_builtin"])},
                             article_path)
        # Right before the mix (Vigil keeps a copy VIGIL_PAGE_CACHE_SECONDS): a
        # site that has been up a while holds its pages, at the edge and in Vigil.
        print(f"\nSaving {len(distinct):,} pages for nginx, through Varnish (which warms it and Vigil)",
              flush=True)
        save_site(edge, distinct, site)
        mix = newsroom(args, targets, paths_file, hot)
    finally:
        processes.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text, verdicts = report(args, single, mix, load_before, load_after)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "edge.json").write_text(json.dumps(
        {"scale": args.scale, "args": vars(args), "load_before": load_before, "load_after": load_after,
         "one_article": single, "newsroom": mix,
         "goals": [{"goal": what, "met": ok, "value": value} for what, ok, value in verdicts]},
        indent=2) + "\n")
    (RESULTS / "edge.md").write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
