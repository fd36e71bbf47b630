from django.db import migrations

# The day of each claim's newest review that moved its verdict, from here on
# written by reviews.services.review_record.
BACKFILL = """
UPDATE claims_claim SET verdict_changed_on = (
    SELECT max(review.reviewed_on) FROM reviews_review AS review
    WHERE review.claim_id = claims_claim.id AND review.verdict_before <> review.verdict_after
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_claim_verdict_changed_on"),
        ("reviews", "0010_second_reviews"),
    ]

    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop)]
