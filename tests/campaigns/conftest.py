"""Fixtures for campaigns: one campaign issued by the organ committee (jiguan)
covering its subtree, with one requirement for every branch."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.campaigns import services


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def campaign(tree, office_staff, today):
    return services.campaign_create(
        actor=office_staff,
        name="能力提升行动",
        organization=tree.orgs["committee"],
        covered=tree.orgs["committee"],
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        capabilities=["political", "implementation"],
        notice="关于开展能力提升行动的通知",
    )


@pytest.fixture
def requirement(campaign, office_staff, today):
    return services.requirement_add(
        actor=office_staff,
        campaign=campaign,
        title="开展“我为广电勇担当”主题党日",
        due_on=today + datetime.timedelta(days=20),
        organization_kinds=["branch"],
    )


@pytest.fixture
def make_activity(tree, branch_secretary, campaign, today):
    def make(**kw):
        kw.setdefault("actor", branch_secretary)
        kw.setdefault("type", "themed_party_day")
        kw.setdefault("title", "我为广电勇担当主题党日")
        kw.setdefault("held_on", today)
        kw.setdefault("organization", tree.orgs["branch"])
        kw.setdefault("campaign", campaign)
        return services.activity_create(**kw)

    return make


@pytest.fixture
def media(settings, tmp_path):
    """A private MEDIA_ROOT per test, so "no file left behind" can be counted."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def logged_in(user):
    """A test client logged in as ``user``."""
    from django.test import Client

    from tests.factories import PASSWORD

    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def image_bytes(fmt="PNG", size=(800, 600), color=(200, 30, 40), exif=False) -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x0131] = "Editor 1.0"  # Software
        kwargs["exif"] = data.tobytes()
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)
