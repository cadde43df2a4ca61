"""Topic services: validation, derived search columns, optimistic locking, delete rules, files."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.study import services
from dangjian.study.models import Topic, TopicAttachment
from tests.study.conftest import make_topic, study

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n"


def _create(actor, **data):
    data.setdefault("kind", "speech")
    data.setdefault("title", "习近平总书记在文艺工作座谈会上的重要讲话")
    data.setdefault("given_on", datetime.date(2026, 10, 15))
    return services.topic_create(actor=actor, **data)


def test_create_fills_search_columns_tags_and_audit(tree, office_staff):
    topic = _create(
        office_staff, text="坚持以人民为中心的创作导向", tags=["广电", " 网络视听 ", "广电"]
    )
    assert topic.added_by == office_staff
    assert topic.tags == ["广电", "网络视听"]
    assert topic.tag_index == "|广电|网络视听|"
    assert "文艺工作座谈会" in topic.search_text and " " not in topic.search_text
    assert " 讲话 " in topic.search_words and " 人民 " in topic.search_words
    event = AuditEvent.objects.get(action="create", object_type="study.topic")
    assert event.actor == office_staff and event.object_id == str(topic.pk)


def test_tags_typed_in_one_line_are_split():
    assert services.split_tags("广电, 网络视听、党建，意识形态") == [
        "广电",
        "网络视听",
        "党建",
        "意识形态",
    ]


def test_future_date_is_refused_and_nothing_saved(tree, office_staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _create(office_staff, given_on=tomorrow)
    assert "given_on" in exc.value.message_dict
    assert Topic.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="study.topic").exists()


@pytest.mark.parametrize(
    "tags",
    [["这是一个长度远远超过二十个字符限制的非常非常长的标签"], [str(i) for i in range(11)], [1]],
)
def test_bad_tags_are_refused(tree, office_staff, tags):
    with pytest.raises(ValidationError) as exc:
        _create(office_staff, tags=tags)
    assert "tags" in exc.value.message_dict
    assert Topic.objects.count() == 0


def test_markup_in_title_is_refused(tree, office_staff):
    with pytest.raises(ValidationError) as exc:
        _create(office_staff, title="<script>alert(1)</script>")
    assert "title" in exc.value.message_dict


def test_only_library_managers_write(tree, branch_secretary, member_user):
    for user in (branch_secretary, member_user):
        with pytest.raises(PermissionDenied):
            _create(user)
    assert Topic.objects.count() == 0


def test_update_recomputes_search_and_bumps_version(tree, dangzu_office):
    topic = _create(dangzu_office, text="旧的全文")
    updated = services.topic_update(
        actor=dangzu_office, topic=topic, version=topic.version, text="推动高质量发展"
    )
    assert updated.version == topic.version + 1
    assert "高质量发展" in updated.search_text and "旧的" not in updated.search_text
    event = AuditEvent.objects.get(action="update", object_type="study.topic")
    assert event.changes["text"] == ["4 chars", "7 chars"]


def test_stale_version_is_refused_and_changes_nothing(tree, office_staff, dangzu_office):
    topic = _create(office_staff)
    services.topic_update(actor=dangzu_office, topic=topic, version=1, source="人民日报")
    with pytest.raises(ValidationError) as exc:
        services.topic_update(actor=office_staff, topic=topic, version=1, source="新华社")
    assert exc.value.error_list[0].code == "conflict"
    topic.refresh_from_db()
    assert topic.source == "人民日报" and topic.version == 2


def test_update_to_future_date_is_refused(tree, office_staff):
    topic = _create(office_staff)
    with pytest.raises(ValidationError):
        services.topic_update(
            actor=office_staff,
            topic=topic,
            version=1,
            given_on=timezone.localdate() + datetime.timedelta(days=3),
        )
    topic.refresh_from_db()
    assert topic.given_on == datetime.date(2026, 10, 15) and topic.version == 1


def test_delete_is_refused_once_a_meeting_studied_it(tree, office_staff):
    topic = make_topic()
    study(tree.orgs["branch"], topic, on=timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        services.topic_delete(actor=office_staff, topic=topic)
    assert exc.value.error_list[0].code == "in_use"
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_delete_removes_topic_and_audits(tree, office_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    topic = make_topic()
    attachment = services.attachment_add(
        actor=office_staff, topic=topic, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    services.topic_delete(actor=office_staff, topic=topic)
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_type="study.topic").exists()
    assert not TopicAttachment.objects.filter(pk=attachment.pk).exists()


def test_attachment_is_stored_and_audited(tree, office_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    topic = make_topic()
    a = services.attachment_add(
        actor=office_staff, topic=topic, upload=SimpleUploadedFile("讲话稿.pdf", PDF)
    )
    assert a.name == "讲话稿.pdf" and a.size == len(PDF)
    assert a.file.read() == PDF
    assert AuditEvent.objects.filter(action="create", object_type="study.topicattachment").exists()
    services.attachment_remove(actor=office_staff, attachment=a)
    assert not TopicAttachment.objects.exists()


@pytest.mark.parametrize(
    "name,content",
    [
        ("讲话稿.pdf", b"MZ\x90\x00 this is an executable"),  # not what it claims
        ("讲话稿.docx", b"PK\x03\x04 not a real zip"),
        ("讲话稿.exe", b"MZ\x90\x00"),
    ],
)
def test_fake_or_forbidden_upload_is_refused_and_nothing_saved(
    tree, office_staff, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = tmp_path
    topic = make_topic()
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=office_staff, topic=topic, upload=SimpleUploadedFile(name, content)
        )
    assert "file" in exc.value.message_dict
    assert not TopicAttachment.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_too_large_upload_is_refused(tree, office_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=office_staff, topic=make_topic(), upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert not TopicAttachment.objects.exists()


def test_creating_a_topic_already_in_the_library_links_to_it(tree, office_staff):
    """Same title and date: nothing is added; the message names the topic and its page."""
    first = _create(office_staff)
    with pytest.raises(ValidationError) as exc:
        _create(office_staff)
    assert first.get_absolute_url() in exc.value.messages[0]
    assert Topic.objects.count() == 1
