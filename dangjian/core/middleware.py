"""Request-scoped context for code far from the request (the audit log's address)."""

from contextvars import ContextVar

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

_ip: ContextVar[str | None] = ContextVar("dangjian_ip", default=None)
_user: ContextVar[object | None] = ContextVar("dangjian_request", default=None)


def current_ip() -> str | None:
    return _ip.get()


def current_user():
    """The request's logged-in user (export watermarks), or None outside a request."""
    request = _user.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(request.META.get("REMOTE_ADDR") or None)
        user_token = _user.set(request)
        try:
            return self.get_response(request)
        finally:
            _user.reset(user_token)
            _ip.reset(token)


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Chinese unless the user chose another language (the language cookie).

    A browser's Accept-Language is not followed for pages: an office PC with an
    English system must still show the Chinese platform. API clients get what
    their Accept-Language asks for, so scripts can read English error messages.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
