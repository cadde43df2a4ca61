"""Settings of the production-mode server that the browser tests start.

Everything is production mode exactly as ``dangjian/config/settings.py`` computes it
from ``DANGJIAN_PRODUCTION=1``; only what a test server lacks is added: static files
from the finders (no collectstatic run), and the tests' fast hasher accepted for the
users the test process created (a log-in upgrades their hash to PBKDF2, the production
algorithm, with fewer rounds so that a loaded machine answers in time).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher

from dangjian.config.settings import *  # noqa: F403
from dangjian.config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True


class BrowserTestPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 as in production, fewer rounds: a loaded CI machine answers within the timeout."""

    iterations = 10_000


PASSWORD_HASHERS = [
    "tests.security.production_settings.BrowserTestPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
