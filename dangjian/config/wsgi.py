import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.config.settings")
application = get_wsgi_application()

# Production mode with a weak secret, DEBUG or demo passwords: the worker fails to boot
# and gunicorn exits with the message (dangjian/security/checks.py).
from dangjian.security.checks import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()
