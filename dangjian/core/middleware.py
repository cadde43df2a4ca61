"""Request-scoped context for code far from the request (the audit log's address)."""

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("dangjian_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
