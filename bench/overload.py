"""Overload: does Vigil shed load or collapse? One command:

    .venv/bin/python bench/overload.py            # PostgreSQL on 127.0.0.1:5432, Redis on :6379

It migrates and loads the demo publication into its own database
(vigil_bench_overload), starts gunicorn in the production shape
(`-c python:vigil.gunicorn`, 2 sync workers pinned to CPU 0, DEBUG off, the page
cache off so every request renders), finds the sustainable rate of the article
page with wrk (closed loop, CPU 1), then offers 0.5x, 1x, 2x and 3x that rate
open-loop — each request a new connection sent on schedule whether or not the
earlier ones were answered, stamped with X-Request-Start as nginx does, and
given up by the client after CLIENT_TIMEOUT seconds (a reader who leaves). For
each it reports goodput (answered 200 in time, per second, and as a share of
capacity), error rate, p99, and how fast the refusals (503) came. It runs once
with load shedding (the default deadline) and once without (deadline off), and
writes bench/results/overload.{json,md}.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8117)
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


def start_server(env):
    command = [GUNICORN, "vigil.wsgi:application", "-c", "python:vigil.gunicorn"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stderr=subprocess.DEVNULL)
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, _ = asyncio.run(request(port, "/healthz/", 2))
        if status == 200:
            return process
        time.sleep(0.2)
    stop_server(process)
    raise SystemExit("gunicorn did not start")


def capacity(port, url, seconds=10):
    """Requests/s of the article page, closed loop, after a warm-up (templates
    compiled, connections open)."""
    command = ["wrk", "-t1", "-c4", f"-d{int(seconds)}s", f"http://127.0.0.1:{port}{url}"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "1", *command]
    subprocess.run([*command[:-2], "-d3s", command[-1]], capture_output=True, check=True)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("Requests/sec"))
    return float(line.split()[1])


async def request(port, url, timeout):
    """(status, seconds) of one GET on a new connection; status 0 for a timeout or refusal."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                f"X-Request-Start: t={time.time():.3f}\r\n\r\n".encode()
            )
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()
            writer.close()
        return int(status_line.split()[1]), time.monotonic() - started
    except (TimeoutError, OSError, IndexError, ValueError):
        return 0, time.monotonic() - started


async def offer(port, url, rate, seconds):
    """Open loop: a request every 1/rate s for `seconds`, answered or not."""
    tasks = []
    started = time.monotonic()
    total = int(rate * seconds)
    for n in range(total):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(request(port, url, CLIENT_TIMEOUT)))
    return await asyncio.gather(*tasks)


def p99(values):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * 0.99))], 3)


def summarise(results, rate, seconds, sustainable):
    ok = [elapsed for status, elapsed in results if status == 200]
    shed = [elapsed for status, elapsed in results if status == 503]
    goodput = len(ok) / seconds
    return {
        "offered_rps": round(rate, 1),
        "goodput_rps": round(goodput, 1),
        "goodput_of_capacity": round(goodput / sustainable, 2),
        "error_rate": round(1 - len(ok) / len(results), 3),
        "p99_s": p99([elapsed for _, elapsed in results]),
        "p99_ok_s": p99(ok),
        "shed_503": len(shed),
        "p99_503_s": p99(shed),
        "timeouts_or_refused": sum(1 for status, _ in results if status == 0),
    }


def run(args, url, deadline, label):
    env = environment(args, deadline)
    process = start_server(env)
    try:
        sustainable = capacity(args.port, url)
        rows = []
        for factor in FACTORS:
            time.sleep(2)  # let the queue drain from the level before
            results = asyncio.run(offer(args.port, url, sustainable * factor, args.seconds))
            row = {"factor": factor, **summarise(results, sustainable * factor, args.seconds, sustainable)}
            print(label, row, flush=True)
            rows.append(row)
        return {"label": label, "deadline_s": deadline, "capacity_rps": round(sustainable, 1), "rows": rows}
    finally:
        stop_server(process)


def markdown(runs, url):
    lines = [f"# Overload: {url}, 2 sync workers, page cache off", ""]
    for result in runs:
        lines += [
            f"## {result['label']} (deadline {result['deadline_s']} s; capacity {result['capacity_rps']} req/s)",
            "",
            "| load | offered req/s | goodput req/s | of capacity | errors | p99 s | 503s | p99 of 503 s | timeouts |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in result["rows"]:
            lines.append(
                f"| {row['factor']}x | {row['offered_rps']} | {row['goodput_rps']} | "
                f"{row['goodput_of_capacity']} | {row['error_rate']:.1%} | {row['p99_s']} | "
                f"{row['shed_503']} | {row['p99_503_s']} | {row['timeouts_or_refused']} |"
            )
        lines.append("")
    return "\n".join(lines)


def main():
    args = parse_args()
    url = prepare(args)
    runs = [run(args, url, 3, "with shedding"), run(args, url, 1e9, "without shedding")]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "overload.json").write_text(json.dumps(runs, indent=2))
    (RESULTS / "overload.md").write_text(markdown(runs, url))
    print(markdown(runs, url))


if __name__ == "__main__":
    main()
