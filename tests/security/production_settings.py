"""Settings of the production-mode server that the browser tests start.

Everything is production mode exactly as ``dangjian/config/settings.py`` computes it
from ``DANGJIAN_PRODUCTION=1``; only what a test server lacks is added: static files
from the finders (no collectstatic run), and the tests' fast hasher accepted for the
users the test process created (a log-in upgrades their hash to the production one).
"""

from dangjian.config.settings import *  # noqa: F403
from dangjian.config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
