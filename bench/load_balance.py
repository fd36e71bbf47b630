"""
Time the load-balanced due date (issue 14) on PostgreSQL: the proposal for
one review at 300k claims, against the review's own save, and spreading a
pile-up of 100k claims due on one day, with its peak memory.

    .venv/bin/python bench/load_balance.py [--claims 300000] [--pile 100000]
        [--database-url postgres://postgres@127.0.0.1:5432/vigil_bench_load]

The database is its own (created if missing, migrated, reseeded each run with
INSERT ... SELECT generate_series). 300k claims on 3,000 published articles,
due over the next 90 days, 90% assigned to 10 editors. Then:

  proposal   Claim.proposed_due() for an assigned and an unassigned claim:
             one read of the kept per-day counts (claims.due_load), at most
             a row a day of the window (best of 20), beside the grouped count
             of the claims themselves that it replaced, and beside
  save       review_record() of a claim: the whole review (best of 20);
  spread     claims_spread() of `--pile` claims moved onto one day: the plan
             (dry run: time, peak Python memory by tracemalloc, and the same
             for a tenth of the pile); then the real run, one claim.reschedule
             action and event per moved claim, on `--real` claims (time, RSS
             growth; tracemalloc peak on a tenth of them).

  exact      after all of it (a bulk seed, bulk pile-ups, reviews, spreading),
             the kept counts against a GROUP BY of the claims, and a recount.

Results: bench/results/load_balance.{md,json}.
`--seed-only` seeds and stops, so a locked run (`--reuse`) times only the rest.
Goal: a proposal well within the time of the review's own save; spreading in
bounded memory (about the same peak for a tenth of a pile as for all of it).
"""

import argparse
import datetime
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reminder_scan import seed_articles, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_load"
EDITORS = 10


def seed(n, today):
    from django.contrib.auth.models import Group, User
    from django.db import connection

    group, _ = Group.objects.get_or_create(name="Editors")
    users = []
    for i in range(EDITORS + 1):
        user, _ = User.objects.get_or_create(
            username=f"bench-editor-{i}", defaults={"email": f"e{i}@example.org"}
        )
        user.groups.add(group)
        users.append(user)
    first_editor = min(u.pk for u in users)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE vigil_eventsubject, vigil_event, reviews_secondreview, reviews_review, "
            "reviews_reminderdelivery, reviews_reminder, dissent_dissent, claims_evidencetrigger, "
            "claims_claim, articles_article, articles_section CASCADE"
        )
        articles = max(1, n // 100)
        first_article = seed_articles(
            cursor, articles, published_on=today - datetime.timedelta(days=30)
        )
        # Reviewed 0-29 days ago on a 60-day cadence: due 31-90 days ahead, uneven.
        cursor.execute(
            """
            INSERT INTO claims_claim (code, article_id, is_primary, statement, verdict, cadence_days,
                last_reviewed_on, next_review_due, holding_up_note, holding_up_html,
                assigned_editor_id, created_at, updated_at)
            SELECT 'B-' || lpad(i::text, 7, '0'), %s + (i %% %s), false, 'A bench claim.', 'partial', 60,
                   %s::date - (i * 7 %% 30), %s::date + 60 - (i * 7 %% 30),
                   '', '', CASE WHEN i %% 10 = 0 THEN NULL ELSE %s + (i %% %s) END, now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [first_article, articles, today, today, first_editor, EDITORS, n],
        )
        cursor.execute("VACUUM ANALYZE claims_claim")
        cursor.execute("VACUUM ANALYZE articles_article")
    return users


def best_of(fn, repeat):
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def pile_up(count, on, *, residue=0, offset=0):
    """Move `count` claims (those with id % 3 = `residue`, from the `offset`th
    row) onto one day, all last reviewed a cadence before it: an imported archive."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE claims_claim SET next_review_due = %s, last_reviewed_on = %s::date - 60
            WHERE id IN (SELECT id FROM claims_claim ORDER BY id OFFSET %s LIMIT %s * 3)
              AND id %% 3 = %s
            """,
            [on, on, offset, count, residue],
        )
        cursor.execute("VACUUM ANALYZE claims_claim")
        cursor.execute("SELECT count(*) FROM claims_claim WHERE next_review_due = %s", [on])
        return cursor.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=300_000)
    parser.add_argument("--pile", type=int, default=100_000, help="claims piled up and planned")
    parser.add_argument("--real", type=int, default=10_000, help="claims piled up and spread for real")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed-only", action="store_true", help="seed the database and stop")
    parser.add_argument("--reuse", action="store_true", help="time a database seeded by --seed-only")
    parser.add_argument(
        "--real-only", action="store_true",
        help="only the real run of `--real` claims (results in load_balance_real.{md,json})",
    )
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from django.contrib.auth.models import User

    from claims import due_load
    from claims.models import Claim, DueLoad
    from claims.scheduling import load_window
    from claims.spreading import claims_spread
    from reviews.services import review_record

    today = timezone.localdate()
    load_before = os.getloadavg()
    started = time.perf_counter()
    if args.reuse:
        users = list(User.objects.filter(username__startswith="bench-editor-").order_by("pk"))
        seeded = None
    else:
        users = seed(args.claims, today)
        seeded = time.perf_counter() - started
        if args.seed_only:
            print(f"seeded {Claim.objects.count():,} claims in {seeded:.1f} s")
            return
    actor = users[-1]
    if args.real_only:
        return real_only(args, actor, today, load_before)

    # --- the proposal, beside the review's own save ----------------------------
    assigned = Claim.objects.filter(assigned_editor__isnull=False).order_by("code").first()
    unassigned = Claim.objects.filter(assigned_editor__isnull=True).order_by("code").first()
    proposal_assigned = best_of(lambda: assigned.proposed_due(base=today, cadence_days=60), 20)
    proposal_unassigned = best_of(lambda: unassigned.proposed_due(base=today, cadence_days=60), 20)
    shortest, longest = load_window(60, settings.VIGIL["LOAD_WINDOW_PERCENT"])
    window = (today + datetime.timedelta(days=shortest), today + datetime.timedelta(days=longest))
    rows_read = len(DueLoad.objects.of(None).per_day(*window))
    plan = (
        DueLoad.objects.of(None)
        .filter(day__range=window)
        .exclude(due=0)
        .values_list("day", "due")
        .explain(analyze=True)
    )
    # What the proposal read before the kept counts: every claim due in the window.
    counting = best_of(lambda: Claim.objects.load_of(None).due_per_day(*window), 20)
    counted_rows = Claim.objects.filter(next_review_due__range=window).count()
    to_review = iter(Claim.objects.order_by("-code").select_related("article")[:40])

    def one_review():
        review_record(
            claim=next(to_review),
            editor=actor,
            verdict="holding",
            cadence_days=60,
            reasoning="Bench review.",
        )

    save = best_of(one_review, 20)

    # --- spreading a pile-up ----------------------------------------------------
    def spread(day, dry_run):
        return claims_spread(due_from=day, due_to=day, editor=actor, dry_run=dry_run)

    def traced(fn):
        tracemalloc.start()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return result, peak

    # The plan of the whole pile (a dry run writes nothing), and of a tenth of it.
    pile_day = today + datetime.timedelta(days=45)
    piled = pile_up(args.pile, pile_day)
    planned, plan_peak = traced(lambda: spread(pile_day, True))
    started = time.perf_counter()
    spread(pile_day, True)
    plan_s = time.perf_counter() - started
    tenth_day = today + datetime.timedelta(days=20)
    tenth = pile_up(args.pile // 10, tenth_day, residue=1)
    _, tenth_plan_peak = traced(lambda: spread(tenth_day, True))

    # The real run: one claim.reschedule action (transaction, lock, event) per
    # moved claim, on `--real` claims, and on a tenth of that under tracemalloc.
    real_day = today + datetime.timedelta(days=70)
    real = pile_up(args.real, real_day, residue=2)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    done = spread(real_day, False)
    spread_s = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM vigil_event WHERE action = 'claim.reschedule'")
        events = cursor.fetchone()[0]
    small_day = today + datetime.timedelta(days=75)
    small = pile_up(max(1, args.real // 10), small_day, residue=1, offset=args.pile * 3 // 10 + 3)
    small_done, small_peak = traced(lambda: spread(small_day, False))
    # Round trips a moved claim costs: steadier than seconds on a shared machine.
    # Counted on a run of its own, so the count is not in the peak above.
    count_day = today + datetime.timedelta(days=77)
    pile_up(max(1, args.real // 20), count_day, residue=0, offset=args.pile * 3 // 10 + 3)
    statements = [0]

    def count_statement(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_statement):
        counted = spread(count_day, False)
    started = time.perf_counter()
    drift = due_load.drift()
    check_s = time.perf_counter() - started
    started = time.perf_counter()
    recounted = due_load.rebuild()
    rebuild_s = time.perf_counter() - started
    load = os.getloadavg()

    row = {
        "claims": args.claims,
        "seed_s": round(seeded, 1) if seeded is not None else None,
        "proposal_assigned_ms": round(proposal_assigned * 1000, 2),
        "proposal_unassigned_ms": round(proposal_unassigned * 1000, 2),
        "proposal_rows_read": rows_read,
        "counting_claims_ms": round(counting * 1000, 2),
        "counting_claims_rows": counted_rows,
        "review_save_ms": round(save * 1000, 2),
        "pile": piled,
        "pile_would_move": planned.moved,
        "pile_busiest_before": planned.busiest_before,
        "pile_busiest_after": planned.busiest_after,
        "plan_s": round(plan_s, 2),
        "plan_peak_kib": round(plan_peak / 1024),
        "tenth_pile": tenth,
        "tenth_plan_peak_kib": round(tenth_plan_peak / 1024),
        "real_pile": real,
        "real_moved": done.moved,
        "events_written": events,
        "real_busiest_before": done.busiest_before,
        "real_busiest_after": done.busiest_after,
        "spread_s": round(spread_s, 1),
        "spread_per_claim_ms": round(1000 * spread_s / max(1, done.moved), 2),
        "spread_rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
        "small_pile": small,
        "small_pile_real_run_peak_kib": round(small_peak / 1024),
        "small_pile_moved": small_done.moved,
        "statements_per_moved_claim": round(statements[0] / max(1, counted.moved), 2),
        "counts_off_after_all": len(drift),
        "check_s": round(check_s, 2),
        "rebuild_rows": recounted,
        "rebuild_s": round(rebuild_s, 2),
        "load_average_1m": round(load[0], 1),
        "load_average_1m_before": round(load_before[0], 1),
    }
    print(json.dumps(row, indent=2))
    summary = {
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "postgres": "{}.{}".format(*divmod(connection.cursor().connection.info.server_version, 10000)),
        "row": row,
        "proposal_plan": plan,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load_balance.json").write_text(json.dumps(summary, indent=2) + "\n")
    r = row
    (out / "load_balance.md").write_text(
        "# Load-balanced due dates benchmark\n\n"
        f"`bench/load_balance.py` on PostgreSQL {summary['postgres']}, {summary['machine']}; "
        f"{summary['generated']}.\n\n"
        "| measure | result |\n| --- | ---: |\n"
        f"| claims in the table | {r['claims']:,} |\n"
        f"| proposal, assigned claim (best of 20) | {r['proposal_assigned_ms']} ms |\n"
        f"| proposal, unassigned claim (every editor's load; {r['proposal_rows_read']} rows read) | {r['proposal_unassigned_ms']} ms |\n"
        f"| before: counting the claims due in that window ({r['counting_claims_rows']:,} rows) | {r['counting_claims_ms']} ms |\n"
        f"| the review's own save, proposal included (best of 20) | {r['review_save_ms']} ms |\n"
        f"| pile-up: claims due on one day | {r['pile']:,} |\n"
        f"| plan (dry run): would move | {r['pile_would_move']:,}; busiest day {r['pile_busiest_before']:,} → {r['pile_busiest_after']:,} |\n"
        f"| plan (dry run): time, peak memory | {r['plan_s']} s, {r['plan_peak_kib']:,} KiB |\n"
        f"| plan of a tenth of the pile ({r['tenth_pile']:,}): peak memory | {r['tenth_plan_peak_kib']:,} KiB |\n"
        f"| real run: claims piled, moved (one claim.reschedule event each) | {r['real_pile']:,}, {r['real_moved']:,} ({r['events_written']:,} events) |\n"
        f"| real run: busiest day before → after | {r['real_busiest_before']:,} → {r['real_busiest_after']:,} |\n"
        f"| real run: time | {r['spread_s']} s ({r['spread_per_claim_ms']} ms a claim), RSS growth {r['spread_rss_growth_mib']} MiB |\n"
        f"| real run on a tenth ({r['small_pile']:,}): peak memory | {r['small_pile_real_run_peak_kib']:,} KiB |\n"
        f"| real run: SQL statements per moved claim (commits not counted) | {r['statements_per_moved_claim']} |\n"
        f"| kept counts off a GROUP BY of the claims, after all of it | {r['counts_off_after_all']} rows (check {r['check_s']} s) |\n"
        f"| recount of every row (`manage.py due_load --rebuild`) | {r['rebuild_rows']:,} rows, {r['rebuild_s']} s |\n"
        f"| machine load average (1 min) at the start, at the end | {r['load_average_1m_before']}, {r['load_average_1m']} |\n\n"
        "Query plan of the proposal's read (unassigned claim, the widest):\n\n```\n" + plan + "\n```\n"
    )


def real_only(args, actor, today, load_before):
    """The real spreading run alone, on a pile of `--real` claims due one day."""
    from django.db import connection

    from claims import due_load
    from claims.spreading import claims_spread

    def reschedule_events():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM vigil_event WHERE action = 'claim.reschedule'")
            return cursor.fetchone()[0]

    day = today + datetime.timedelta(days=70)
    piled = pile_up(args.real, day, residue=2)
    events_before = reschedule_events()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    done = claims_spread(due_from=day, due_to=day, editor=actor)
    spread_s = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    events = reschedule_events() - events_before
    drift = due_load.drift()
    load = os.getloadavg()
    row = {
        "claims": claim_count(),
        "real_pile": piled,
        "real_moved": done.moved,
        "events_written": events,
        "real_busiest_before": done.busiest_before,
        "real_busiest_after": done.busiest_after,
        "spread_s": round(spread_s, 1),
        "spread_per_claim_ms": round(1000 * spread_s / max(1, done.moved), 2),
        "spread_rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
        "counts_off_after": len(drift),
        "load_average_1m_before": round(load_before[0], 1),
        "load_average_1m": round(load[0], 1),
    }
    print(json.dumps(row, indent=2))
    generated = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    out = ROOT / "bench" / "results"
    (out / "load_balance_real.json").write_text(json.dumps({"generated": generated, "row": row}, indent=2) + "\n")
    r = row
    (out / "load_balance_real.md").write_text(
        "# Spreading a pile-up for real\n\n"
        f"`bench/load_balance.py --real-only --real {args.real}`, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {generated}.\n\n"
        "| measure | result |\n| --- | ---: |\n"
        f"| claims in the table | {r['claims']:,} |\n"
        f"| claims piled on one day, moved (one claim.reschedule event each) | {r['real_pile']:,}, {r['real_moved']:,} ({r['events_written']:,} events) |\n"
        f"| busiest day before → after | {r['real_busiest_before']:,} → {r['real_busiest_after']:,} |\n"
        f"| time | {r['spread_s']} s ({r['spread_per_claim_ms']} ms a claim), RSS growth {r['spread_rss_growth_mib']} MiB |\n"
        f"| kept counts off a GROUP BY of the claims afterwards | {r['counts_off_after']} rows |\n"
        f"| machine load average (1 min) at the start, at the end | {r['load_average_1m_before']}, {r['load_average_1m']} |\n"
    )


def claim_count():
    from claims.models import Claim

    return Claim.objects.count()


if __name__ == "__main__":
    main()
