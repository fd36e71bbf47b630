"""A GIN index on the weighted search vector of articles, on PostgreSQL only
(SQLite searches with LIKE and has no such index). The expression is the one
articles.search ranks on, so the planner can use the index."""

from django.db import migrations

INDEX_NAME = "article_search_idx"


def _index():
    from django.contrib.postgres.indexes import GinIndex

    from articles.search import article_vector

    return GinIndex(article_vector(), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), _index())


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_page_for_method")]

    operations = [migrations.RunPython(create_index, drop_index)]
