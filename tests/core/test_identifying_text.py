"""Identifying text (issue 11, point 10): names and titles are normalised, and invisible
or direction-changing characters are refused with a message naming the field — in
forms, the roster import, the API and the report import alike (core/text.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from dangjian.core import text
from dangjian.meetings.models import Meeting
from dangjian.organizations import services as org_services
from dangjian.organizations.models import Organization
from dangjian.people import services as people_services
from dangjian.people.models import Member, RosterImport
from dangjian.reports import importing
from dangjian.study.models import Topic
from tests.factories import PASSWORD, synthetic_id_number

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
ZWSP = "\u200b"  # ZERO WIDTH SPACE


@pytest.mark.parametrize(
    "char",
    [
        "\u202e",
        "\u202a",
        "\u200b",
        "\u200d",
        "\u200f",
        "\u2066",
        "\u2069",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\u0007",
        "\u2028",
        "\ue000",
        "\u2800",
    ],
)
def test_invisible_and_control_characters_are_refused(char):
    with pytest.raises(ValidationError) as exc:
        text.clean(f"张{char}三", label="姓名", kind=text.NAME)
    assert exc.value.code == "invisible_character"
    message = exc.value.messages[0]
    assert "姓名" in message and f"U+{ord(char):04X}" in message and "2" in message


def test_names_are_nfkc_titles_keep_chinese_punctuation():
    """NFKC folds full-width Latin letters and odd spaces in names; titles keep the
    full-width punctuation Chinese text uses on purpose (only NFC)."""
    assert text.clean(" ＬＩ\u3000明 ", label="x", kind=text.NAME) == "LI 明"
    title = "宣传司党支部（筹）：学习“两个确立”，落实；"
    assert text.clean(title, label="x", kind=text.TITLE) == title
    assert text.clean("学习\u00a0讲话\u2003", label="x", kind=text.TITLE) == "学习 讲话"
    # A compatibility ideograph (U+F900 豈) becomes the unified one in both kinds.
    assert text.clean("\uf900", label="x") == "\u8c48"
    # Variation selectors stay: rare characters of names are written with them.
    assert text.clean("葛\U000e0100", label="x", kind=text.NAME) == "葛\U000e0100"


def test_every_declared_field_exists():
    """A misspelt field in ``identifying_text`` would fail only when a record is saved."""
    from django.apps import apps

    declared = [m for m in apps.get_models() if issubclass(m, text.IdentifyingTextMixin)]
    assert len(declared) >= 11
    for model in declared:
        for name in model.identifying_text:
            assert model._meta.get_field(name).get_internal_type() == "CharField"


def test_the_model_path_normalises_and_names_the_field(tree, office_staff):
    """Every service's full_clean: a member's name is NFKC'd when saved, refused with U+202E."""
    member = people_services.member_create(
        actor=office_staff, organization=tree.orgs["branch"], name="ＷＡＮＧ　小红", gender="female"
    )
    assert Member.objects.get(pk=member.pk).name == "WANG 小红"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        org_services.organization_create(
            actor=office_staff,
            parent=tree.orgs["committee"],
            name=f"新{RLO}支部",
            kind="branch",
        )
    assert list(exc.value.message_dict) == ["name"]
    assert "名称" in exc.value.message_dict["name"][0]
    assert "U+202E" in exc.value.message_dict["name"][0]
    assert not Organization.objects.filter(name__startswith="新").exists()


def test_form_refuses_with_the_field_named(tree, client):
    assert client.login(username=tree.users["office_staff"].username, password=PASSWORD)
    response = client.post(
        reverse("study:topic_create"),
        {
            "kind": "speech",
            "title": f"重要讲话{RLO}txt.exe",
            "speaker": f"习{ZWSP}近平",
            "given_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "U+202E" in errors["title"][0] and "U+200B" in errors["speaker"][0]
    assert not Topic.objects.exists()


def test_api_refuses_with_a_field_error(tree, office_staff):
    client = APIClient()
    client.force_authenticate(office_staff)
    data = {
        "name": f"周{ZWSP}新人",
        "gender": "female",
        "organization": tree.orgs["branch"].pk,
        "id_number": synthetic_id_number(datetime.date(1995, 5, 5), serial=777),
        "joined_party_on": "2020-07-01",
        "status": "probationary",
    }
    response = client.post("/api/members/", data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == ["name"] and "U+200B" in body["fields"]["name"][0]
    assert not Member.objects.filter(name__startswith="周").exists()
    response = client.post("/api/members/", data | {"name": "ＺＨＯＵ新人"}, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "ZHOU新人"


def test_roster_import_refuses_the_cell(tree, office_staff, settings, tmp_path):
    from tests.people.test_roster import good_rows, upload, xlsx

    settings.MEDIA_ROOT = tmp_path
    rows = good_rows()
    rows[0]["姓名*"] = f"测试{RLO}甲"
    rows[2]["行政职务"] = f"科{ZWSP}员"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.login(username=office_staff.username, password=PASSWORD)
    upload(client, xlsx(rows))
    item = RosterImport.objects.latest("id")
    assert item.status == RosterImport.Status.INVALID
    assert [(e["row"], e["column"]) for e in item.errors] == [(2, "姓名"), (4, "行政职务")]
    assert "U+202E" in item.errors[0]["message"] and "姓名" in item.errors[0]["message"]
    assert "U+200B" in item.errors[1]["message"]


def test_report_import_refuses_and_saves_nothing(tree):
    from tests.reports.test_import_service import SEED, corrections

    user = tree.users["dangzu_office"]
    draft = importing.draft_for(user=user, text=SEED.read_text(encoding="utf-8"))
    data = corrections(draft, tree)
    data["title"] = f"{RLO}{data['title']}"
    with pytest.raises(ValidationError) as exc:
        importing.import_meeting(actor=user, **data)
    assert any("U+202E" in m for m in exc.value.messages)
    assert not Meeting.objects.exists() and not Topic.objects.exists()
