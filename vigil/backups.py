"""Backup and restore: the database and the uploaded media in one dated archive.

    python manage.py backup --output /backups        # -> vigil-backup-20260302-090000.tar.gz
    python manage.py restore /backups/vigil-backup-20260302-090000.tar.gz

The archive holds the database (PostgreSQL: pg_dump's custom format; SQLite:
a consistent copy through SQLite's backup API), every file under MEDIA_ROOT,
and a manifest: the row count of every table and the SHA-256 of every file.
A restore goes into an empty database only (it never merges into live data),
then checks the restored rows and files against the manifest and fails
loudly if anything is missing.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
ARCHIVE_PREFIX = "vigil-backup-"


class BackupError(Exception):
    pass


def _pg_environment():
    db = connection.settings_dict
    env = {**os.environ}
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")]:
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command):
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def _row_counts():
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _media_files(root):
    root = Path(root)
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup(*, output, now=None):
    """Write a dated archive of the database and media into `output`; returns its path."""
    now = now or datetime.datetime.now(datetime.UTC)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    archive = output / f"{ARCHIVE_PREFIX}{now:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        vendor = connection.vendor
        if vendor == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={work / 'database.dump'}"])
        elif vendor == "sqlite":
            # Through Django's own connection, not a new one opened by name: the
            # same database whatever NAME says (a file, or a shared in-memory
            # one under the tests), copied page by page as one consistent snapshot.
            connection.ensure_connection()
            target = sqlite3.connect(work / "database.sqlite3")
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            raise BackupError(f"no backup for a {vendor} database")
        manifest = {
            "created_at": now.isoformat(),
            "vendor": vendor,
            "rows": _row_counts(),
            "media": _media_files(settings.MEDIA_ROOT),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for name in sorted(os.listdir(work)):
                tar.add(work / name, arcname=name)
            if Path(settings.MEDIA_ROOT).exists():
                tar.add(settings.MEDIA_ROOT, arcname="media")
        partial.rename(archive)  # never a half-written archive under the real name
    return archive


def restore(*, archive):
    """Restore `archive` into the (empty) configured database and MEDIA_ROOT,
    then check it against the manifest. Returns the manifest."""
    if connection.introspection.table_names():
        raise BackupError(
            "the database is not empty: restore only into a new, empty database"
        )
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")  # no absolute paths, no escaping links
        manifest = json.loads((work / MANIFEST).read_text())
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"this is a {manifest['vendor']} backup; the database is {connection.vendor}"
            )
        if connection.vendor == "postgresql":
            connection.close()
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                  f"--dbname={connection.settings_dict['NAME']}", str(work / "database.dump")])
        else:
            # Into the configured database through SQLite's backup API (not a
            # file copy beside an open journal): the new file is whole or absent.
            connection.ensure_connection()
            source = sqlite3.connect(work / "database.sqlite3")
            with source:
                source.backup(connection.connection)
            source.close()
            connection.close()
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").exists():
            shutil.copytree(work / "media", media, dirs_exist_ok=True)
    _check(manifest)
    return manifest


def _check(manifest):
    rows = _row_counts()
    missing = {
        label: (count, rows.get(label)) for label, count in manifest["rows"].items()
        if rows.get(label) != count
    }
    files = _media_files(settings.MEDIA_ROOT)
    lost = [name for name, digest in manifest["media"].items() if files.get(name) != digest]
    if missing or lost:
        raise BackupError(f"restore incomplete: rows {missing}, files {lost[:20]}")
