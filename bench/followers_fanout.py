"""
One verdict change with 100k followers, on PostgreSQL and Redis.

    .venv/bin/python bench/followers_fanout.py [--followers 100000]
        [--database-url postgres://postgres@127.0.0.1:5432/vigil_bench_followers]
        [--redis-url redis://127.0.0.1:6379/15]

Its own database (created if missing, migrated, emptied each run). Followers
are seeded with INSERT ... SELECT generate_series. It measures:

  review request  review_record() on a claim with no followers and on one with
                  N followers, as the review form calls it (the after-commit
                  hook only queues the fan-out on Redis): median of 15 each;
  fan-out         event_fan_out() for that review's event, as the worker runs
                  it: time, outbox rows written, peak Python memory (tracemalloc).

No e-mail is sent. Results: bench/results/followers_fanout.md and .json.
Goals: the review's time with followers / without ≤ 1.1; fan-out memory flat
(bounded by its chunk, not by N).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_followers"
ROUNDS = 15

from bench.reminder_scan import setup_django  # noqa: E402 - after sys.path


def seed(followers):
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from tests.factories import make_article, make_claim

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE followers_subscription, followers_eventfanout, vigil_outboxmessage, "
            "vigil_eventsubject, vigil_event, reviews_review, corrections_correctionentry, "
            "dissent_dissent, claims_evidencetrigger, claims_claim, articles_article, "
            "articles_section, claims_claimcodecounter CASCADE"
        )
    editor, _ = User.objects.get_or_create(username="bench-editor", defaults={"email": "ed@example.org"})
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    quiet, followed = make_claim(), make_claim()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO followers_subscription (email, kind, key, every_review, created_at, confirmed_at) "
            "SELECT 'reader' || n || '@example.org', 'claim', %s, false, now(), now() "
            "FROM generate_series(1, %s) AS n",
            [followed.code, followers],
        )
        cursor.execute("ANALYZE followers_subscription")
    return editor, quiet, followed


def time_reviews(editor, claims):
    """Median time of review_record per claim, the claims taking turns so a
    busy machine slows them alike."""
    from claims.models import Verdict
    from reviews.services import review_record

    timings = {claim.pk: [] for claim in claims}
    verdicts = [Verdict.HOLDING, Verdict.PARTIAL]
    for n in range(ROUNDS):
        for claim in claims:
            started = time.perf_counter()
            review_record(claim=claim, editor=editor, verdict=verdicts[n % 2], cadence_days=60, reasoning="Bench.")
            timings[claim.pk].append(time.perf_counter() - started)
    return [statistics.median(timings[claim.pk][3:]) for claim in claims]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    setup_django(args.database_url, args.redis_url)

    from reviews.followers.fanout import event_fan_out
    from vigil.celery import app
    from vigil.models import Event, OutboxMessage

    editor, quiet, followed = seed(args.followers)
    without, with_followers = time_reviews(editor, [quiet, followed])
    app.control.purge()  # the queued fan-outs: run one here instead, measured

    event = Event.objects.filter(action="review.record", subjects__key=followed.code).latest("pk")
    tracemalloc.start()
    started = time.perf_counter()
    recipients = event_fan_out(event_id=event.pk)
    fan_out_seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows = OutboxMessage.objects.filter(object_id=str(event.pk), kind="follower_change").count()

    result = {
        "followers": args.followers,
        "review_without_followers_ms": round(without * 1000, 2),
        "review_with_followers_ms": round(with_followers * 1000, 2),
        "ratio": round(with_followers / without, 2),
        "fan_out_seconds": round(fan_out_seconds, 2),
        "fan_out_rows": rows,
        "fan_out_recipients": recipients,
        "fan_out_peak_python_memory_mib": round(peak / 2**20, 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "followers_fanout.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["# One verdict change with many followers", "", "| measure | value |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in result.items()]
    (out / "followers_fanout.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
