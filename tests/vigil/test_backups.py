"""Backup and restore (vigil/backups.py): a round trip on PostgreSQL, and one
on SQLite, brings back every article, claim, review, correction-log entry and
cover file, into a new empty database, checked by another process than the one
that wrote it."""

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from claims.models import Verdict
from reviews.services import review_record
from tests.factories import make_article, make_claim, make_correction, make_editor

ROOT = Path(__file__).resolve().parent.parent.parent


def cover(name, color):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def publication():
    editor = make_editor()
    for number in range(3):
        article = make_article(cover=cover(f"cover-{number}.png", (number * 60, 90, 120)))
        claim = make_claim(article=article, is_primary=True, verdict=Verdict.PARTIAL)
        review_record(claim=claim, editor=editor, verdict=Verdict.HOLDING, cadence_days=45,
                      reasoning=f"Review {number}: two new surveys agree.")
        make_correction(article=article, text=f"Corrected the figure in paragraph {number}.")


# What a round trip must bring back, row for row.
QUERIES = {
    "articles": "SELECT slug, title, cover FROM articles_article",
    "claims": "SELECT code, verdict, statement FROM claims_claim",
    "reviews": "SELECT verdict_after, reasoning FROM reviews_review",
    "entries": "SELECT kind, text FROM corrections_correctionentry",
}


def rows(conninfo, sql):
    with psycopg.connect(conninfo) as restored:
        return sorted(restored.execute(sql).fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_round_trip_restores_every_article_claim_review_entry_and_cover(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    publication()
    archive = Path(call_command_output("backup", output=str(tmp_path / "backups")))
    assert archive.name.startswith("vigil-backup-") and archive.name.endswith(".tar.gz")

    db = connection.settings_dict
    target = f"{db['NAME']}_restored"
    admin = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    if db.get("PASSWORD"):
        admin += f" password={db['PASSWORD']}"
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{target}"')
        server.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT'] or 5432}/{target}"
        # The project's own settings, as an operator runs it: the environment decides.
        env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(restored_media),
               "DJANGO_SETTINGS_MODULE": "vigil.settings", "DEBUG": "1"}
        done = subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "all checked" in done.stdout

        restored = admin.replace("dbname=postgres", f"dbname={target}")
        queries = QUERIES
        source = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
        if db.get("PASSWORD"):
            source += f" password={db['PASSWORD']}"
        for what, sql in queries.items():
            original = rows(source, sql)
            assert original, what
            assert rows(restored, sql) == original, what
        for (_, _, name) in rows(source, queries["articles"]):
            assert (restored_media / name).read_bytes() == (settings.MEDIA_ROOT / name).read_bytes()
    finally:
        with psycopg.connect(admin, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_on_sqlite_restores_every_row_and_cover_into_an_empty_file(settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (the PostgreSQL one is above)")
    settings.MEDIA_ROOT = tmp_path / "media"
    publication()
    with connection.cursor() as cursor:
        original = {}
        for what, sql in QUERIES.items():
            cursor.execute(sql)
            original[what] = sorted(cursor.fetchall())
            assert original[what], what
    archive = Path(call_command_output("backup", output=str(tmp_path / "backups")))

    target = tmp_path / "restored.sqlite3"
    restored_media = tmp_path / "restored-media"
    # Another process, as an operator runs it, into a database file that does
    # not exist yet: SQLite makes it empty, the restore fills it.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{target}", "MEDIA_ROOT": str(restored_media),
           "DJANGO_SETTINGS_MODULE": "vigil.settings", "DEBUG": "1"}
    done = subprocess.run([sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "all checked" in done.stdout

    # Read back by this process, which wrote neither the archive's copy nor the
    # restored file, straight from the file on disk.
    restored = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        for what, sql in QUERIES.items():
            assert sorted(restored.execute(sql).fetchall()) == original[what], what
        covers = [cover for _, _, cover in original["articles"]]
        assert len(covers) == 3 and all(covers)
        for name in covers:
            assert (restored_media / name).read_bytes() == (settings.MEDIA_ROOT / name).read_bytes()
        # A working database, not only a copy of rows: Django's migrations are all recorded.
        applied = restored.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            assert applied == cursor.fetchone()[0] > 0
    finally:
        restored.close()


@pytest.mark.django_db
def test_a_restore_never_merges_into_a_database_with_data(tmp_path):
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "whatever.tar.gz"))


def call_command_output(*args, **kwargs):
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue().strip()
