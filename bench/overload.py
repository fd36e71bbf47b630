"""Overload: does Vigil shed load or collapse? One command:

    .venv/bin/python bench/overload.py            # PostgreSQL on 127.0.0.1:5432, Redis on :6379

It migrates and loads the demo publication into its own database
(vigil_bench_overload) and starts the production shape on loopback ports:
gunicorn (`-c python:vigil.gunicorn`, 2 sync workers pinned to CPU 0, DEBUG off,
the page cache off so every request renders) behind Varnish running
deploy/varnish.vcl behind nginx running deploy/nginx.conf (both private
instances on CPU 1, with the client; their configs derived from the shipped
files, only the addresses changed). Every request asks for the article page
with its own query string, so each is a Varnish miss that web renders.

The capacity is the rate the workers sustain flat out, measured straight to
gunicorn with the same client, closed loop and ramped (2 and 3 requests in
flight per worker, the better of them), before the first level and after each:
a level is offered at a multiple of the capacity just before it, and its
goodput is a share of the mean of the capacities around it (on a shared machine
the rate drifts within minutes).
It offers 0.5x, 1x, 2x and 3x that rate open loop through nginx: each
request a new connection sent on schedule whether or not the earlier ones were
answered (nginx stamps X-Request-Start), given up by the client after
CLIENT_TIMEOUT seconds (a reader who leaves). For each it reports goodput
(answered 200, per second, and as a share of capacity), error rate, p99, and
how fast the refusals (503) came.

Three shapes: as shipped (Varnish's bounded queue, .max_connections = twice the
workers, and Vigil's 3 s deadline); the deadline alone (no bound: requests
queue in gunicorn's backlog until the deadline sheds them); neither. Results:
bench/results/overload.{json,md}.
"""

import argparse
import asyncio
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import stop_server  # bench/run.py, beside this script

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
CLIENT_TIMEOUT = 10.0
FACTORS = (0.5, 1.0, 2.0, 3.0)
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# (label, Varnish bounds its queue to web, Vigil's deadline in seconds)
SHAPES = (
    ("as shipped: bounded queue and deadline", True, 3),
    ("deadline only, no bound", False, 3),
    ("neither", False, 1e9),
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8117, help="gunicorn's; Varnish +1, nginx +2")
    parser.add_argument("--seconds", type=float, default=15.0, help="per load level")
    parser.add_argument("--database", default="vigil_bench_overload")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


def environment(args, deadline):
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "REDIS_URL": args.redis,
        "VIGIL_PAGE_CACHE": "0",
        "VIGIL_FRAGMENT_CACHE_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "VIGIL_REQUEST_DEADLINE_SECONDS": str(deadline),
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
    }


def prepare(args):
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database],
                   capture_output=True)
    env = environment(args, 3)
    for command in (["migrate", "--no-input"], ["demo"], ["collectstatic", "--no-input"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    env["DJANGO_SETTINGS_MODULE"] = "vigil.settings"
    slug = subprocess.run(
        [PYTHON, "-c", "import django; django.setup(); from articles.models import Article; "
         "print(Article.objects.published().order_by('pk').first().slug)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    return f"/articles/{slug}/"


def pinned(command, cpu):
    return ["taskset", "-c", str(cpu), *command] if shutil.which("taskset") else command


def wait_for(port, process, what):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited")
        status, *_ = asyncio.run(request(port, "/healthz/", 2))
        if status == 200:
            return process
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start")


def started(command, port, what, **popen):
    """`command` started in its own session and answering /healthz/ on
    `port`; stopped again if it does not (never left running)."""
    port_free(port)
    process = subprocess.Popen(command, start_new_session=True, **popen)
    try:
        return wait_for(port, process, what)
    except BaseException:
        stop_server(process)
        raise


def port_free(port):
    """Refuse to start on a port something already answers on: the levels
    would measure that server (an earlier run's, other settings) instead."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"something already listens on 127.0.0.1:{port}; use --port")


def start_server(env):
    command = pinned([GUNICORN, "vigil.wsgi:application", "-c", "python:vigil.gunicorn"], 0)
    return started(command, int(env["GUNICORN_BIND"].rsplit(":", 1)[1]), "gunicorn",
                   cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


def replaced(text, old, new):
    """`text` with `old` replaced, or a loud stop: a changed shipped file must
    not be benchmarked as if it were the old one."""
    if old not in text:
        raise SystemExit(f"the shipped config no longer has {old!r}: update bench/overload.py")
    return text.replace(old, new)


def varnish_config(web_port, workers, bounded):
    vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
    vcl = replaced(vcl, '.host = "web";', '.host = "127.0.0.1";')
    vcl = replaced(vcl, '.port = "8000";', f'.port = "{web_port}";')
    bound = f".max_connections = {2 * workers};" if bounded else ""
    return replaced(vcl, ".max_connections = 8;", bound)


def nginx_config(workdir, varnish_port, listen_port):
    server = (ROOT / "deploy" / "nginx.conf").read_text()
    server = replaced(server, "server varnish:80;", f"server 127.0.0.1:{varnish_port};")
    server = replaced(server, "listen 80;", f"listen 127.0.0.1:{listen_port};")
    server = replaced(server, "alias /srv/media/;", f"alias {ROOT / 'var' / 'media'}/;")
    server = replaced(server, "${PUBLIC_SCHEME}", "http")
    temp = " ".join(f"{kind}_temp_path {workdir / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"daemon off;\nworker_processes 1;\nworker_rlimit_nofile 16384;\n"
        f"pid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'} error;\n"
        "events { worker_connections 8192; }\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp}\n{server}\n}}\n"
    )


def start_edge(web_port, workers, bounded):
    """Varnish (deploy/varnish.vcl) in front of gunicorn and nginx
    (deploy/nginx.conf) in front of Varnish; returns (nginx's port, stop)."""
    workdir = Path(tempfile.mkdtemp(prefix="vigil-overload-"))
    workdir.chmod(0o755)
    (workdir / "default.vcl").write_text(varnish_config(web_port, workers, bounded))
    (workdir / "default.vcl").chmod(0o644)
    varnish_port, nginx_port = web_port + 1, web_port + 2
    (workdir / "nginx.conf").write_text(nginx_config(workdir, varnish_port, nginx_port))
    running = []

    def stop():
        for process in reversed(running):
            stop_server(process)
        shutil.rmtree(workdir, ignore_errors=True)

    try:
        running.append(started(
            pinned([VARNISHD, "-F", "-a", f"127.0.0.1:{varnish_port}",
                    "-f", str(workdir / "default.vcl"), "-n", str(workdir / "n"),
                    "-s", "malloc,128m", "-T", "none"], 1),
            varnish_port, "varnishd", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        running.append(started(pinned([NGINX, "-c", str(workdir / "nginx.conf")], 1),
                               nginx_port, "nginx", stderr=subprocess.DEVNULL))
    except BaseException:
        stop()
        raise
    return nginx_port, stop


def capacity(port, url, workers, seconds=4):
    """Requests/s the workers sustain flat out (answered 200), measured with
    the same client as the levels (a new connection per request, its own URL)
    in a closed loop straight to gunicorn, ramped: two, then three requests in
    flight per worker, `seconds` each; the better of the two."""
    return max(asyncio.run(closed_loop(port, url, in_flight * workers, seconds))
               for in_flight in (2, 3))


async def closed_loop(port, url, in_flight, seconds):
    """200s per second with `in_flight` requests always outstanding."""
    stop = time.monotonic() + seconds
    answered = 0

    async def loop(k):
        nonlocal answered
        for n in itertools.count():
            if time.monotonic() >= stop:
                return
            status, _, finished, _ = await request(port, f"{url}?c={k}-{n}", CLIENT_TIMEOUT)
            answered += status == 200 and finished <= stop

    await asyncio.gather(*(loop(k) for k in range(in_flight)))
    return answered / seconds


async def request(port, url, timeout):
    """(status, seconds, finished, retry_after) of one GET on a new connection:
    status 0 for a timeout or refusal, `finished` on the monotonic clock, and
    whether the answer said Retry-After."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            # No X-Request-Start: nginx stamps it (and would replace this one).
            writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Connection: close\r\n\r\n".encode())
            await writer.drain()
            answer = await reader.read()
            writer.close()
        head = answer.split(b"\r\n\r\n", 1)[0].lower()
        finished = time.monotonic()
        return int(head.split()[1]), finished - started, finished, b"\r\nretry-after:" in head
    except (TimeoutError, OSError, IndexError, ValueError):
        finished = time.monotonic()
        return 0, finished - started, finished, False


async def offer(port, url, rate, seconds):
    """Open loop: a request every 1/rate s for `seconds`, answered or not, each
    for its own URL (a Varnish miss that web renders); and beside every ninth
    one, a request for the page as published (`url` itself, kept by Varnish).
    Returns (started, rendered results, cached results)."""
    rendered, cached = [], []
    started = time.monotonic()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        own = f"{url}?n={rate:.0f}-{n}"
        rendered.append(asyncio.create_task(request(port, own, CLIENT_TIMEOUT)))
        if n % 9 == 8:
            cached.append(asyncio.create_task(request(port, url, CLIENT_TIMEOUT)))
    return started, await asyncio.gather(*rendered), await asyncio.gather(*cached)


def p99(values):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * 0.99))], 3)


def summarise(started, results, cached, rate, seconds, sustainable):
    """Goodput is the 200s over the time they took to come: from the first
    request to the last 200, or the offering window if that is longer. (Over
    the window alone, a queue still being worked off after it would count as
    goodput the workers never had: up to CLIENT_TIMEOUT/seconds of capacity.)"""
    ok = [elapsed for status, elapsed, *_ in results if status == 200]
    shed = [(elapsed, retry_after) for status, elapsed, _, retry_after in results if status == 503]
    last_ok = max((finished for status, _, finished, _ in results if status == 200),
                  default=started)
    span = max(seconds, last_ok - started)
    goodput = len(ok) / span
    return {
        "offered_rps": round(rate, 1),
        "goodput_rps": round(goodput, 1),
        "goodput_of_capacity": round(goodput / sustainable, 2),
        "span_s": round(span, 1),
        "error_rate": round(1 - len(ok) / len(results), 3),
        "p99_s": p99([elapsed for _, elapsed, *_ in results]),
        "p99_ok_s": p99(ok),
        "shed_503": len(shed),
        "shed_with_retry_after": sum(1 for _, retry_after in shed if retry_after),
        "p99_503_s": p99([elapsed for elapsed, _ in shed]),
        "timeouts_or_refused": sum(1 for status, *_ in results if status == 0),
        "cached_ok": f"{sum(1 for status, *_ in cached if status == 200)}/{len(cached)}",
        "cached_p99_s": p99([elapsed for _, elapsed, *_ in cached]),
    }


def run(args, url, label, bounded, deadline):
    """Each level is offered at a multiple of the capacity measured just before
    it, and its goodput is a share of the mean of the capacities measured just
    before and just after it: on a shared machine the rate the workers sustain
    drifts within minutes, and a level is judged against its own minute."""
    env = environment(args, deadline)
    process = start_server(env)
    try:
        proxy, stop_edge = start_edge(args.port, args.workers, bounded)
        try:
            # Warm-up: templates compiled, connections to the database and Redis open.
            asyncio.run(closed_loop(args.port, url, args.workers, 3))
            before = capacity(args.port, url, args.workers)
            # The published page, from now on kept by Varnish.
            asyncio.run(request(proxy, url, CLIENT_TIMEOUT))
            rows = []
            for factor in FACTORS:
                rate = before * factor
                started, results, cached = asyncio.run(offer(proxy, url, rate, args.seconds))
                time.sleep(2)  # let what is still queued drain
                after = capacity(args.port, url, args.workers)
                row = {"factor": factor, "capacity_before_rps": round(before, 1),
                       "capacity_after_rps": round(after, 1),
                       **summarise(started, results, cached, rate, args.seconds,
                                   (before + after) / 2)}
                print(label, row, flush=True)
                rows.append(row)
                before = after
        finally:
            stop_edge()
        return {"label": label, "bounded": bounded, "deadline_s": deadline, "rows": rows}
    finally:
        stop_server(process)


def markdown(runs, url):
    lines = [f"# Overload: {url}?n=..., nginx -> Varnish -> gunicorn, "
             "2 sync workers, page cache off", ""]
    for result in runs:
        bound = "Varnish max_connections 2x workers" if result["bounded"] else "no bound"
        deadline = (f"deadline {result['deadline_s']:g} s" if result["deadline_s"] < 1e6
                    else "no deadline")
        lines += [
            f"## {result['label']} ({bound}; {deadline})",
            "",
            "| load | capacity before/after req/s | offered req/s | goodput req/s | of capacity "
            "| errors | p99 s | 503s (with Retry-After) | p99 of 503 s | timeouts "
            "| cached page: 200s, p99 s |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in result["rows"]:
            lines.append(
                f"| {row['factor']}x | {row['capacity_before_rps']}/{row['capacity_after_rps']} | "
                f"{row['offered_rps']} | {row['goodput_rps']} | "
                f"{row['goodput_of_capacity']} | {row['error_rate']:.1%} | {row['p99_s']} | "
                f"{row['shed_503']} ({row['shed_with_retry_after']}) | {row['p99_503_s']} | "
                f"{row['timeouts_or_refused']} | {row['cached_ok']}, {row['cached_p99_s']} |"
            )
        lines.append("")
    return "\n".join(lines)


def main():
    args = parse_args()
    url = prepare(args)
    for program in (VARNISHD, NGINX):
        if not Path(program).exists():
            raise SystemExit(f"needs varnishd and nginx (make edge proxy): {program}")
    runs = [run(args, url, label, bounded, deadline) for label, bounded, deadline in SHAPES]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "overload.json").write_text(json.dumps(runs, indent=2))
    (RESULTS / "overload.md").write_text(markdown(runs, url))
    print(markdown(runs, url))


if __name__ == "__main__":
    main()
