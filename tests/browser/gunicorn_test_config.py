"""gunicorn settings for the browser tests' server (``-c`` in conftest.app_server).

The server lives for the whole test session, but every ``transactional_db`` test ends
with a flush that deletes the content types and lets ``post_migrate`` create them
again under new ids. Django caches content types per process, so the server would go
on writing the old ids (a record seal or signature then fails its foreign key at
COMMIT). A production server never sees its content types recreated under it; the
test server forgets its cache before each request.
"""


def pre_request(worker, req):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
