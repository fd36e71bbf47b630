"""Settings for the test suite: vigil.settings with a test key and fast hashing.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite
runs on the SQLite default and, in CI, on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from vigil.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405

# Tests change content inside transactions that never commit, so the content
# version (bumped on commit) never moves: page and fragment caches are off, and
# tests/test_query_counts.py turns them on where it tests them. No per-process
# memory of the version either.
VIGIL_PAGE_CACHE = False
VIGIL_FRAGMENT_CACHE_SECONDS = 0
VIGIL_PAGE_CACHE_LOCAL_SECONDS = 0

# Which review is sampled for a blind second review hangs on its id, and ids
# depend on the order tests run in: no sampling unless a test asks for it
# (tests/reviews/test_second_reviews.py).
VIGIL = {**VIGIL, "SECOND_REVIEW_PERCENT": 0}  # noqa: F405
