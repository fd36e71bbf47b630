"""Settings for the test suite: vigil.settings with a test key and fast hashing.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite
runs on the SQLite default and, in CI, on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from vigil.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405

# Tests change content and look at once: no per-process memory of the content
# version (vigil.pagecache); tests/test_query_counts.py turns it on where tested.
VIGIL_PAGE_CACHE_LOCAL_SECONDS = 0
