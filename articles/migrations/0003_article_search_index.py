"""On PostgreSQL, articles carry their weighted search vector in a stored
generated column with a GIN index, so search neither re-parses every body to
filter nor to rank. The column lives only in the database: the model does not
declare it (SQLite has no tsvector and searches with LIKE), and claims.search
reads it by name. PostgreSQL keeps it current on every insert and update,
whoever writes the row."""

from django.db import migrations

FORWARD = """
ALTER TABLE articles_article ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(dek, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(body_markdown, '')), 'C')
) STORED;
CREATE INDEX article_search_idx ON articles_article USING gin (search_document);
"""

BACKWARD = """
DROP INDEX IF EXISTS article_search_idx;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_document;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_page_for_method")]

    operations = [migrations.RunPython(forward, backward)]
