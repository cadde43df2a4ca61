"""Pages are Chinese by default whatever the browser asks; the user may switch."""

from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD


def test_pages_are_chinese_even_for_an_english_browser(client, tree):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_switching_language_sets_the_cookie_and_is_followed(client, tree):
    user = tree.users["office_staff"]
    assert client.login(username=user.username, password=PASSWORD)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("core:home"))
    assert page["Content-Language"] == "en"


def test_api_follows_accept_language(client, tree):
    response = client.get("/api/organizations/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (401, 403)
    assert response["Content-Language"] == "en"
