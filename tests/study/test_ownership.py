"""Topic ownership (issue 11, point 11): everyone who works with meetings reads the
library, but a topic is changed, deleted and given attachments only by the offices
managing topics on its owning organization's subtree."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.access.roles import Action, Role
from dangjian.core.models import AuditEvent
from dangjian.study import services
from dangjian.study.models import Topic, TopicAttachment
from tests.factories import PASSWORD, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n"
GIVEN = datetime.date(2026, 10, 15)


@pytest.fixture
def other_office(tree):
    """The 党组 office of another bureau: it manages topics, but on its own tree."""
    return make_user("qita", role=Role.LEADING_GROUP_OFFICE, organization=tree.orgs["other_root"])


@pytest.fixture
def root_topic(tree):
    """A topic added by the 党组 office of the test bureau: owned by 测试局党组."""
    return services.topic_create(
        actor=tree.users["dangzu_office"], kind="speech", title="党组的议题", given_on=GIVEN
    )


def _pdf():
    return SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")


def test_a_new_topic_belongs_to_the_organization_of_its_creators_grant(tree, other_office):
    mine = services.topic_create(
        actor=tree.users["office_staff"], kind="speech", title="机关议题", given_on=GIVEN
    )
    theirs = services.topic_create(
        actor=other_office, kind="speech", title="外局议题", given_on=GIVEN
    )
    assert mine.organization == tree.orgs["committee"]
    assert theirs.organization == tree.orgs["other_root"]
    event = AuditEvent.objects.get(
        action="create", object_type="study.topic", object_id=str(mine.pk)
    )
    assert event.changes["organization"] == [None, "测试局机关党委"]


def test_an_owner_elsewhere_cannot_be_chosen(tree):
    with pytest.raises(PermissionDenied):
        services.topic_create(
            actor=tree.users["office_staff"],
            organization=tree.orgs["other_root"],
            kind="speech",
            title="越权议题",
            given_on=GIVEN,
        )
    assert not Topic.objects.exists()


def test_another_organs_office_cannot_change_delete_or_attach(
    tree, other_office, root_topic, settings, tmp_path
):
    """The office of another bureau (and the organ office below the owner) is refused,
    with the owner named; nothing changes and no audit row is written."""
    settings.MEDIA_ROOT = tmp_path
    attachment = services.attachment_add(
        actor=tree.users["dangzu_office"], topic=root_topic, upload=_pdf()
    )
    audit_rows = AuditEvent.objects.count()
    for actor in (other_office, tree.users["office_staff"]):
        # Reading stays open.
        assert Topic.objects.restrict(actor, Action.MEETING_VIEW).filter(pk=root_topic.pk)
        assert not Topic.objects.restrict(actor, Action.TOPIC_MANAGE).filter(pk=root_topic.pk)
        with pytest.raises(PermissionDenied) as exc:
            services.topic_update(actor=actor, topic=root_topic, version=1, title="改掉")
        assert "测试局党组" in str(exc.value)
        with pytest.raises(PermissionDenied):
            services.topic_delete(actor=actor, topic=root_topic)
        with pytest.raises(PermissionDenied):
            services.attachment_add(actor=actor, topic=root_topic, upload=_pdf())
        with pytest.raises(PermissionDenied):
            services.attachment_remove(actor=actor, attachment=attachment)
    root_topic.refresh_from_db()
    assert root_topic.title == "党组的议题" and root_topic.version == 1
    assert TopicAttachment.objects.filter(topic=root_topic).count() == 1
    assert AuditEvent.objects.count() == audit_rows


def test_the_office_above_the_owner_may_change_it(tree):
    """Grants cover subtrees: the 党组 office manages the organ committee's topics."""
    topic = services.topic_create(
        actor=tree.users["office_staff"], kind="speech", title="机关议题", given_on=GIVEN
    )
    changed = services.topic_update(
        actor=tree.users["dangzu_office"], topic=topic, version=1, title="机关议题（修订）"
    )
    assert changed.title == "机关议题（修订）"
    services.topic_delete(actor=tree.users["office_staff"], topic=changed)
    assert not Topic.objects.exists()


def test_pages_refuse_with_the_owner_named_and_hide_the_buttons(
    tree, client, other_office, root_topic, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    attachment = services.attachment_add(
        actor=tree.users["dangzu_office"], topic=root_topic, upload=_pdf()
    )
    assert client.login(username=other_office.username, password=PASSWORD)
    detail = client.get(root_topic.get_absolute_url())
    assert detail.status_code == 200
    assert detail.context["can_manage"] is False
    assert reverse("study:topic_update", args=[root_topic.pk]) not in detail.content.decode()
    assert "测试局党组" in detail.content.decode()  # the owner is shown
    for method, url in (
        ("get", reverse("study:topic_update", args=[root_topic.pk])),
        ("post", reverse("study:topic_update", args=[root_topic.pk])),
        ("post", reverse("study:topic_delete", args=[root_topic.pk])),
        ("post", reverse("study:attachment_add", args=[root_topic.pk])),
        ("post", reverse("study:attachment_delete", args=[attachment.pk])),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert "测试局党组" in response.content.decode(), url
    assert Topic.objects.filter(pk=root_topic.pk, title="党组的议题").exists()
    assert TopicAttachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.urls("tests.study.api_urls")
def test_api_refuses_another_organs_change_with_403(tree, other_office, root_topic):
    client = APIClient()
    client.force_authenticate(other_office)
    url = f"/api-test/topics/{root_topic.pk}/"
    assert client.get(url).json()["organization"] == tree.orgs["root"].pk
    response = client.patch(url, {"title": "改掉", "version": 1}, format="json")
    assert response.status_code == 403
    assert "测试局党组" in response.json()["detail"]
    root_topic.refresh_from_db()
    assert root_topic.title == "党组的议题"
    client.force_authenticate(tree.users["dangzu_office"])
    response = client.patch(url, {"title": "党组的议题（修订）", "version": 1}, format="json")
    assert response.status_code == 200


def test_migration_gives_existing_topics_their_creators_organization(tree, other_office):
    """study.0004: the creator's outermost library-managing grant, else the first root."""
    by_office = services.topic_create(
        actor=tree.users["office_staff"], kind="speech", title="甲", given_on=GIVEN
    )
    by_other = services.topic_create(actor=other_office, kind="speech", title="乙", given_on=GIVEN)
    by_member = services.topic_create(
        actor=tree.users["member"], check=False, kind="speech", title="丙", given_on=GIVEN
    )
    Topic.objects.update(organization=None)
    migration = importlib.import_module("dangjian.study.migrations.0004_topic_owner")
    migration.assign_owners(apps, None)
    owners = dict(Topic.objects.values_list("pk", "organization_id"))
    assert owners[by_office.pk] == tree.orgs["committee"].pk
    assert owners[by_other.pk] == tree.orgs["other_root"].pk
    assert owners[by_member.pk] == tree.orgs["root"].pk
