"""The topic library and study coverage pages."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.test_url_matrix import Case, S

READERS = S("office_staff", "dangzu_office", "branch_secretary", "member", "outsider")
EDITORS = S("office_staff", "dangzu_office")


def _topic(tree, name):
    from dangjian.study import services
    from dangjian.study.models import Topic

    topic = Topic.objects.filter(title=f"矩阵议题{name}").first()
    if topic is None:
        import datetime

        topic = services.topic_create(
            actor=None,
            check=False,
            # Owned by the organ committee: both offices above it may change it.
            organization=tree.orgs["committee"],
            kind="speech",
            title=f"矩阵议题{name}",
            given_on=datetime.date(2026, 1, 5),
            text="全文",
        )
    return topic.pk


def _attachment(tree, name):
    from dangjian.study import services
    from dangjian.study.models import Topic

    topic = Topic.objects.get(pk=_topic(tree, name))
    found = topic.attachments.first()
    if found is None:
        upload = SimpleUploadedFile(
            "说明.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf"
        )
        found = services.attachment_add(actor=None, check=False, topic=topic, upload=upload)
    return found.pk


RESOLVERS = {"study_topic": _topic, "study_topicfile": _attachment}

CASES = {
    "study:topic_list": Case(READERS, query="?q=讲话&kind=speech"),
    "study:topic_detail": Case(READERS, {"pk": "study_topic:a"}),
    "study:topic_create": Case(EDITORS),
    "study:topic_update": Case(EDITORS, {"pk": "study_topic:a"}),
    "study:topic_delete": Case(EDITORS, {"pk": "study_topic:a"}, method="post"),
    "study:attachment_add": Case(EDITORS, {"pk": "study_topic:a"}, method="post"),
    "study:attachment_delete": Case(EDITORS, {"pk": "study_topicfile:a"}, method="post"),
    "study:attachment_download": Case(READERS, {"pk": "study_topicfile:a"}),
    "study:coverage": Case(READERS),
}
