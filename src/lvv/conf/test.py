"""Settings for the test suite: same as base, with a fast password hasher."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The unit tests of other features log in with Client.force_login, which knows no second factor.
# The two-factor tests (lvv/accounts/tests/test_two_factor.py) switch this on again; the browser
# tests run the deployment settings, where it is on (tests/e2e/conftest.py login() enters the code).
LVV_TWO_FACTOR_REQUIRED = False

# No cache between tests: the database is rolled back after each, a process-wide cache is not. The
# monitor cache has its own tests (lvv/monitor/tests/test_cache.py) with a memory cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
