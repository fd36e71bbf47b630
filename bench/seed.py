"""Seed a large publication into PostgreSQL in minutes: INSERT ... SELECT over
generate_series, so every row is made by the database, not by Python.

At --scale N (articles): N articles, 3N claims, 10N reviews, 2N correction-log
entries, 20 pillars, 8 sections, one editor. On top of that, the pages the
benchmark reads have a known shape:

- article `bench-article` (the newest): 20 claims and 50 correction entries;
- its primary claim: 200 reviews.

Run through bench/run.py, which sets up Django against the benchmark database.
"""

import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection

from vigil.rendering import reading_minutes, render_markdown

BENCH_ARTICLE_SLUG = "bench-article"
EDITOR_USERNAME = "bench-editor"
EDITOR_PASSWORD = "bench-editor-password"

PARAGRAPH = (
    "The figure the piece rests on comes from a survey of {n} households, weighted to the "
    "census. Two later studies disagree on the size of the effect but not on its direction; "
    "the evidence that would move the claim is listed below, and an editor reviews it on a "
    "fixed cadence so readers can see whether it is still holding up."
)
BODY_MARKDOWN = "\n\n".join(
    [f"## Part {i}\n\n" + PARAGRAPH.format(n=1200 + i) for i in range(1, 4)]
    + [PARAGRAPH.format(n=900 + i) for i in range(8)]
)

# The realistic article: the shape of a real piece (reference/article-page.txt in
# the design notes) — a body of about 550 words with headings, a list and a
# quotation, 3 claims (one primary) with 2 evidence triggers each, 5 entries.
# bench/wagtail_compare.py publishes the same text in Wagtail.
REALISTIC_SLUG = "realistic-article"
REALISTIC_TITLE = "Four-day weeks: what the trials measured, and what they did not"
REALISTIC_DEK = (
    "Pilot schemes report steady output on fewer hours. The evidence is real but narrow: "
    "self-selected firms, short horizons and output measured by the firms themselves."
)
_REALISTIC_SECTIONS = [
    ("What was tried", [
        "Between 2022 and 2025, more than two hundred employers in six countries cut the "
        "working week to four days without cutting pay, most of them for six months. The "
        "organisers asked each firm to keep output steady and to report revenue, absence, "
        "staff turnover and a handful of self-assessed measures of productivity.",
        "Most firms kept the arrangement after the pilot ended. That is the headline figure "
        "that travels, and it is accurate as far as it goes: of the firms that reported at "
        "the end, roughly nine in ten said they would continue, and a majority made the "
        "change permanent.",
    ]),
    ("What the numbers show", [
        "Revenue, where firms reported it, rose slightly over the trial period, by about "
        "1.4% on a weighted basis. Absence fell by around a third and resignations by more "
        "than half. Staff surveys showed large falls in reported burnout and fatigue, and "
        "smaller but consistent improvements in sleep and in time spent with family.",
        "None of those figures is a measure of output per hour in the sense an economist "
        "would use. Revenue moves with prices, with demand and with the season; the trials "
        "ran through a period of high inflation, and most did not compare themselves with "
        "similar firms that kept a five-day week.",
    ]),
    ("Why the evidence is narrow", [
        "Three features of the trials limit what they can tell us:",
        "- **Self-selection.** Firms volunteered, and firms that expect a shorter week to "
        "work are more likely to volunteer. Most were small, office-based and in services.\n"
        "- **Short horizons.** Six months is long enough to see whether a rota can be made to "
        "work, and too short to see whether the gains in morale survive the novelty.\n"
        "- **Self-reported output.** Firms chose and reported their own measures, and knew "
        "that the results would be published.",
        "> A pilot that a firm chooses, designs and scores itself can tell us that the "
        "arrangement is workable. It cannot tell us, on its own, that it raises productivity.",
        "That is not a reason to dismiss the trials. It is a reason to say precisely what "
        "they found: that a shorter week was workable for the firms that tried it, and that "
        "their staff were markedly happier for it.",
    ]),
    ("What would settle it", [
        "A stronger test would assign the shorter week at random among firms or teams that "
        "had all expressed interest, measure output independently, and follow the firms "
        "for at least two years. Two such studies are under way, one in the public sector "
        "and one across a chain of logistics depots, where output per hour is counted by "
        "machines rather than by managers.",
        "Until they report, the fair summary is the one we give in the claims below: the "
        "wellbeing findings are holding; the productivity finding is partial, because it "
        "rests on revenue and self-report; and the claim that the results generalise to "
        "manufacturing and care work is not yet supported by anything more than hope.",
        "We review each claim on a fixed cadence, and the evidence that would move each "
        "verdict is listed with it. If you think we have weighed something wrongly, the "
        "dissent form below is the place to say so, with your sources.",
    ]),
]
REALISTIC_BODY_MARKDOWN = "\n\n".join(
    f"## {heading}\n\n" + "\n\n".join(paragraphs) for heading, paragraphs in _REALISTIC_SECTIONS
)
REALISTIC_CLAIMS = [
    ("Staff in the four-day-week trials reported markedly less burnout.", "holding"),
    ("Firms in the trials kept output steady on fewer hours.", "partial"),
    ("The trial results carry over to manufacturing and care work.", "not_holding"),
]


def _timed(timings, label, sql, params=None):
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        rows = cursor.rowcount
    seconds = round(time.perf_counter() - started, 2)
    timings.append({"step": label, "rows": rows, "seconds": seconds})
    print(f"  {label:<34} {rows:>9} rows  {timings[-1]['seconds']:>7.2f} s", flush=True)


def seeded_scale():
    """The scale the database holds, or None when it is empty or half-seeded."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_seed') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT scale FROM bench_seed WHERE finished")
        row = cursor.fetchone()
    return row[0] if row else None


def seed(*, scale):
    """Fill an empty, migrated database. Returns the timings of each step."""
    articles, claims, reviews, corrections = scale, 3 * scale, 10 * scale, 2 * scale
    timings = []
    started = time.perf_counter()

    editors = Group.objects.get_or_create(name="Editors")[0]
    editor = User.objects.create(
        username=EDITOR_USERNAME,
        email="bench-editor@example.org",
        is_staff=True,
        password=make_password(EDITOR_PASSWORD),
    )
    editor.groups.add(editors)

    body_html = render_markdown(BODY_MARKDOWN)
    holding_up = "Holding so far: the **two** later studies agree on the direction of the effect."
    params = {
        "articles": articles,
        "claims": claims,
        "reviews": reviews,
        "corrections": corrections,
        "body_md": BODY_MARKDOWN,
        "body_html": body_html,
        "minutes": reading_minutes(BODY_MARKDOWN),
        "editor": editor.pk,
        "holding_md": holding_up,
        "holding_html": render_markdown(holding_up),
        "slug": BENCH_ARTICLE_SLUG,
    }

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("CREATE TABLE bench_seed (scale integer, finished boolean DEFAULT false)")
        cursor.execute("INSERT INTO bench_seed (scale) VALUES (%s)", [scale])

    _timed(timings, "sections", """
        INSERT INTO articles_section (name, slug, description)
        SELECT 'Section ' || i, 'section-' || i, 'Pieces filed under section ' || i || '.'
        FROM generate_series(1, 8) AS i""")
    _timed(timings, "pillars", """
        INSERT INTO articles_pillar (name, slug, description)
        SELECT 'Pillar ' || i, 'pillar-' || i, 'A cluster of related pieces, number ' || i || '.'
        FROM generate_series(1, 20) AS i""")

    # Article i is published (i % 50 != 0, else a draft) on a date spread over
    # ten years, newest last; the last one is the benchmark's article.
    _timed(timings, "articles", """
        INSERT INTO articles_article (
            slug, title, dek, body_markdown, body_html, reading_minutes, cover, cover_alt,
            section_id, pillar_id, status, published_on, revised_on, drafted_by,
            signed_off_by, redirect_to_id, retired_at, retired_by_id, created_at, updated_at)
        SELECT
            CASE WHEN i = %(articles)s THEN %(slug)s ELSE 'article-' || i END,
            'What the evidence says about question ' || i,
            'A standfirst that says what piece ' || i || ' argues, and how sure we are.',
            %(body_md)s, %(body_html)s, %(minutes)s, '', '',
            (SELECT min(id) FROM articles_section) + i %% 8,
            (SELECT min(id) FROM articles_pillar) + i %% 20,
            CASE WHEN i %% 50 = 0 AND i <> %(articles)s THEN 'draft' ELSE 'published' END,
            CURRENT_DATE - ((%(articles)s - i)::bigint * 3650 / %(articles)s)::int,
            CASE WHEN i %% 7 = 0
                 THEN CURRENT_DATE - ((%(articles)s - i)::bigint * 1000 / %(articles)s)::int END,
            'A. Writer', 'E. Ditor', NULL, NULL, NULL, now(), now()
        FROM generate_series(1, %(articles)s) AS i""", params)

    # Three claims per article, the first one primary; due dates spread from
    # 60 days overdue to 90 days ahead.
    _timed(timings, "claims", """
        INSERT INTO claims_claim (
            code, article_id, is_primary, statement, verdict, cadence_days, last_reviewed_on,
            next_review_due, holding_up_note, holding_up_html, assigned_editor_id,
            created_at, updated_at)
        SELECT
            'AM-' || CASE WHEN c < 100 THEN lpad(c::text, 3, '0') ELSE c::text END,
            (SELECT min(id) FROM articles_article) + (c - 1) / 3,
            (c - 1) %% 3 = 0,
            'Checkable statement number ' || c || ' holds within the stated margin.',
            (ARRAY['holding', 'partial', 'not_holding'])[1 + c %% 3],
            30 + c %% 61,
            CASE WHEN c %% 10 <> 0 THEN CURRENT_DATE - (c %% 150) END,
            CURRENT_DATE - 60 + ((c::bigint * 7919) %% 151)::int,
            %(holding_md)s, %(holding_html)s,
            CASE WHEN c %% 4 = 0 THEN %(editor)s END,
            now(), now()
        FROM generate_series(1, %(claims)s) AS c""", params)

    _timed(timings, "reviews", """
        INSERT INTO reviews_review (
            claim_id, editor_id, reviewed_on, verdict_before, verdict_after, cadence_days,
            next_review_due, reasoning, evidence_considered, created_at)
        SELECT
            (SELECT min(id) FROM claims_claim) + r %% %(claims)s,
            %(editor)s,
            CURRENT_DATE - (r %% 1500),
            (ARRAY['holding', 'partial', 'not_holding'])[1 + r %% 3],
            (ARRAY['holding', 'partial', 'not_holding'])[1 + (r / 7) %% 3],
            30 + r %% 61,
            CURRENT_DATE - (r %% 1500) + 30 + r %% 61,
            'Weighed the two newer studies against the original survey; review ' || r || '.',
            'Survey re-run, regional breakdown.',
            now()
        FROM generate_series(1, %(reviews)s) AS r""", params)

    _timed(timings, "correction entries", """
        INSERT INTO corrections_correctionentry (
            article_id, claim_id, kind, entry_on, text, created_by_id, created_at)
        SELECT
            (SELECT min(id) FROM articles_article) + e %% %(articles)s,
            NULL,
            (ARRAY['correction', 'clarification', 'update', 'verdict_change'])[1 + e %% 4],
            CURRENT_DATE - (e %% 3000),
            'Entry ' || e || ': clarified which survey year the figure comes from.',
            %(editor)s,
            now()
        FROM generate_series(1, %(corrections)s) AS e""", params)

    # The benchmark's article: 20 claims, 50 correction entries, and a primary
    # claim with 200 reviews and three evidence triggers per claim.
    _timed(timings, "bench article: 17 more claims", """
        INSERT INTO claims_claim (
            code, article_id, is_primary, statement, verdict, cadence_days, last_reviewed_on,
            next_review_due, holding_up_note, holding_up_html, assigned_editor_id,
            created_at, updated_at)
        SELECT
            'AM-' || (%(claims)s + c),
            (SELECT id FROM articles_article WHERE slug = %(slug)s),
            false,
            'Secondary statement ' || c || ' of the benchmark article.',
            (ARRAY['holding', 'partial', 'not_holding'])[1 + c %% 3],
            60, CURRENT_DATE - 10, CURRENT_DATE + 50, '', '', NULL, now(), now()
        FROM generate_series(1, 17) AS c""", params)
    _timed(timings, "bench article: triggers", """
        INSERT INTO claims_evidencetrigger (claim_id, text, position, fired_at, fired_by_id,
                                            fired_note, fired_url)
        SELECT claim.id, 'A new survey of at least 5,000 households finds no effect (' || t || ').',
               t, NULL, NULL, '', ''
        FROM claims_claim AS claim
        JOIN articles_article AS article ON article.id = claim.article_id
        CROSS JOIN generate_series(1, 3) AS t
        WHERE article.slug = %(slug)s""", params)
    _timed(timings, "bench article: 48 more entries", """
        INSERT INTO corrections_correctionentry (
            article_id, claim_id, kind, entry_on, text, created_by_id, created_at)
        SELECT (SELECT id FROM articles_article WHERE slug = %(slug)s), NULL,
               (ARRAY['correction', 'clarification', 'update'])[1 + e %% 3],
               CURRENT_DATE - e, 'Benchmark article entry ' || e || '.', %(editor)s, now()
        FROM generate_series(1, 50 - (
            SELECT count(*) FROM corrections_correctionentry AS entry
            JOIN articles_article AS article ON article.id = entry.article_id
            WHERE article.slug = %(slug)s)::int) AS e""", params)
    _timed(timings, "bench claim: reviews up to 200", """
        INSERT INTO reviews_review (
            claim_id, editor_id, reviewed_on, verdict_before, verdict_after, cadence_days,
            next_review_due, reasoning, evidence_considered, created_at)
        SELECT claim.id, %(editor)s, CURRENT_DATE - 20 - r * 30,
               (ARRAY['holding', 'partial', 'not_holding'])[1 + r %% 3],
               (ARRAY['holding', 'partial', 'not_holding'])[1 + (r + 1) %% 3],
               30, CURRENT_DATE - 20 - r * 30 + 30, 'Benchmark review ' || r || '.', '', now()
        FROM claims_claim AS claim
        JOIN articles_article AS article ON article.id = claim.article_id
        CROSS JOIN generate_series(1, 200 - (
            SELECT count(*) FROM reviews_review AS review
            JOIN claims_claim AS c ON c.id = review.claim_id
            JOIN articles_article AS a ON a.id = c.article_id
            WHERE a.slug = %(slug)s AND c.is_primary)::int) AS r
        WHERE article.slug = %(slug)s AND claim.is_primary""", params)

    # What reviews.services.review_record writes on each verdict change.
    _timed(timings, "claims: last verdict change", """
        UPDATE claims_claim AS claim SET verdict_changed_on = moved.day
        FROM (SELECT claim_id, max(reviewed_on) AS day FROM reviews_review
              WHERE verdict_before <> verdict_after GROUP BY claim_id) AS moved
        WHERE moved.claim_id = claim.id""")

    _timed(timings, "claim code counter", """
        INSERT INTO claims_claimcodecounter (prefix, last_number)
        VALUES ('AM', %(claims)s + 17)""", params)
    # VACUUM too: it sets the visibility map, so counts can be index-only scans,
    # as they are on a live database that autovacuum has visited.
    _timed(timings, "vacuum analyze", "VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bench_seed SET finished = true")
    total = round(time.perf_counter() - started, 1)
    timings.append({"step": "total", "rows": None, "seconds": total})
    print(f"  {'total':<34} {'':>9}       {total:>7.1f} s", flush=True)
    return timings


def ensure_realistic_article():
    """Add the realistic article (REALISTIC_*) to a seeded database that lacks it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM articles_article WHERE slug = %s", [REALISTIC_SLUG])
        if cursor.fetchone():
            return
        cursor.execute("SELECT id FROM auth_user WHERE username = %s", [EDITOR_USERNAME])
        editor = cursor.fetchone()[0]
        cursor.execute("SELECT last_number FROM claims_claimcodecounter WHERE prefix = 'AM'")
        last_number = cursor.fetchone()[0]
        cursor.execute("""
            INSERT INTO articles_article (
                slug, title, dek, body_markdown, body_html, reading_minutes, cover, cover_alt,
                section_id, pillar_id, status, published_on, revised_on, drafted_by,
                signed_off_by, redirect_to_id, retired_at, retired_by_id, created_at, updated_at)
            VALUES (%s, %s, %s, %s, %s, %s, '', '', (SELECT min(id) FROM articles_section),
                    (SELECT min(id) FROM articles_pillar), 'published', CURRENT_DATE - 40,
                    CURRENT_DATE - 12, 'A. Writer', 'E. Ditor', NULL, NULL, NULL, now(), now())
            RETURNING id""", [REALISTIC_SLUG, REALISTIC_TITLE, REALISTIC_DEK, REALISTIC_BODY_MARKDOWN,
                              render_markdown(REALISTIC_BODY_MARKDOWN),
                              reading_minutes(REALISTIC_BODY_MARKDOWN)])
        article = cursor.fetchone()[0]
        for n, (statement, verdict) in enumerate(REALISTIC_CLAIMS):
            note = f"Reviewed against the {n + 2} trial reports published so far."
            cursor.execute("""
                INSERT INTO claims_claim (
                    code, article_id, is_primary, statement, verdict, cadence_days,
                    last_reviewed_on, verdict_changed_on, next_review_due, holding_up_note,
                    holding_up_html, assigned_editor_id, created_at, updated_at)
                VALUES (%s, %s, %s, %s, %s, 60, CURRENT_DATE - 12, CURRENT_DATE - 12,
                        CURRENT_DATE + 48, %s, %s, %s, now(), now())
                RETURNING id""", [f"AM-{last_number + 1 + n}", article, n == 0, statement, verdict,
                                  note, render_markdown(note), editor])
            claim = cursor.fetchone()[0]
            for position in (1, 2):
                cursor.execute("""
                    INSERT INTO claims_evidencetrigger (claim_id, text, position, fired_at,
                        fired_by_id, fired_note, fired_url)
                    VALUES (%s, %s, %s, NULL, NULL, '', '')""",
                    [claim, f"A randomised trial with independently measured output reports "
                            f"({'a fall' if position == 1 else 'no change'}).", position])
            cursor.execute("""
                INSERT INTO reviews_review (claim_id, editor_id, reviewed_on, verdict_before,
                    verdict_after, cadence_days, next_review_due, reasoning,
                    evidence_considered, created_at)
                VALUES (%s, %s, CURRENT_DATE - 12, 'partial', %s, 60, CURRENT_DATE + 48,
                        'Weighed the published trial reports.', '', now())""",
                [claim, editor, verdict])
        cursor.execute("UPDATE claims_claimcodecounter SET last_number = %s WHERE prefix = 'AM'",
                       [last_number + len(REALISTIC_CLAIMS)])
        for n in range(5):
            cursor.execute("""
                INSERT INTO corrections_correctionentry (article_id, claim_id, kind, entry_on,
                    text, created_by_id, created_at)
                VALUES (%s, NULL, %s, CURRENT_DATE - 35 + 5 * %s, %s, %s, now())""",
                [article, ("correction", "clarification", "update")[n % 3], n,
                 f"Entry {n + 1}: corrected the number of firms in the second trial.", editor])


def bench_claim_code():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT claim.code FROM claims_claim AS claim
               JOIN articles_article AS article ON article.id = claim.article_id
               WHERE article.slug = %s AND claim.is_primary""",
            [BENCH_ARTICLE_SLUG],
        )
        return cursor.fetchone()[0]
