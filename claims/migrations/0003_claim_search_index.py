"""On PostgreSQL, claims carry their weighted search vector in a stored
generated column with a GIN index, as articles do (articles.0003): search then
matches 300k claims through the index instead of parsing every statement. The
model does not declare the column; claims.search reads it by name."""

from django.db import migrations

FORWARD = """
ALTER TABLE claims_claim ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(statement, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(holding_up_note, '')), 'B')
) STORED;
CREATE INDEX claim_search_idx ON claims_claim USING gin (search_document);
"""

BACKWARD = """
DROP INDEX IF EXISTS claim_search_idx;
ALTER TABLE claims_claim DROP COLUMN IF EXISTS search_document;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_claim_ledger_order_idx")]

    operations = [migrations.RunPython(forward, backward)]
