"""Pages of the library and coverage: search, forms, bad input, files, query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.study import services
from dangjian.study.models import Topic, TopicAttachment
from tests.factories import PASSWORD
from tests.study.conftest import make_topic, study

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def test_list_searches_live_with_htmx(tree, client):
    make_topic("习近平总书记在文艺工作座谈会上的重要讲话", given_on=days_ago(5))
    make_topic("全会精神", kind="conference", given_on=days_ago(9))
    login(client, tree.users["member"])
    response = client.get(
        reverse("study:topic_list"),
        {"q": "文艺"},
        headers={"HX-Request": "true", "HX-Target": "topic-results"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # only the results
    assert "文艺工作座谈会" in body and "全会精神" not in body


def test_list_empty_states(tree, client):
    login(client, tree.users["member"])
    body = client.get(reverse("study:topic_list")).content.decode()
    assert 'data-testid="topic-empty"' in body
    make_topic("全会精神")
    body = client.get(reverse("study:topic_list"), {"q": "不存在的词"}).content.decode()
    assert "不存在的词" in body and 'data-testid="topic-empty"' in body


def test_list_query_count_does_not_grow(tree, client, django_assert_max_num_queries):
    login(client, tree.users["office_staff"])
    for i in range(3):
        make_topic(f"议题{i}", tags=["广电"])
    with django_assert_max_num_queries(9) as small:
        client.get(reverse("study:topic_list"), {"q": "议题"})
    for i in range(30):
        make_topic(f"议题多{i}", tags=["广电", f"标签{i}"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("study:topic_list"), {"q": "议题"})
    assert response.context["paginator"].count == 33


def test_create_with_future_date_shows_error_and_saves_nothing(tree, client):
    login(client, tree.users["office_staff"])
    response = client.post(
        reverse("study:topic_create"),
        {
            "kind": "speech",
            "title": "未来的讲话",
            "given_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            "tags": "广电、党建",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "given_on" in errors
    assert "未来的讲话" in response.content.decode()  # the input is kept
    assert not Topic.objects.exists()


def test_create_and_edit_through_the_forms(tree, client):
    login(client, tree.users["dangzu_office"])
    response = client.post(
        reverse("study:topic_create"),
        {
            "kind": "speech",
            "title": "重要讲话",
            "given_on": days_ago(3).isoformat(),
            "tags": "广电, 网络视听",
            "text": "全文内容",
        },
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert topic.tags == ["广电", "网络视听"]
    form = client.get(reverse("study:topic_update", args=[topic.pk])).context["form"]
    assert form["tags"].value() == "广电、网络视听"
    response = client.post(
        reverse("study:topic_update", args=[topic.pk]),
        {
            "kind": "speech",
            "title": "重要讲话（修订）",
            "given_on": days_ago(3).isoformat(),
            "tags": "广电",
            "version": 1,
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.title == "重要讲话（修订）" and topic.version == 2


def test_stale_edit_is_refused_and_keeps_the_input(tree, client):
    topic = make_topic("原标题")
    services.topic_update(actor=None, check=False, topic=topic, version=1, source="别人改的")
    login(client, tree.users["office_staff"])
    response = client.post(
        reverse("study:topic_update", args=[topic.pk]),
        {
            "kind": "speech",
            "title": "我的新标题",
            "given_on": days_ago(3).isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的新标题" in body and response.context["form"].non_field_errors()
    topic.refresh_from_db()
    assert topic.title == "原标题"


def test_detail_shows_records_and_to_be_conveyed(tree, client):
    topic = make_topic("待传达议题", given_on=days_ago(20))
    study(tree.orgs["root"], topic, on=days_ago(18))
    study(tree.orgs["branch"], topic, on=days_ago(10))
    login(client, tree.users["office_staff"])
    response = client.get(reverse("study:topic_detail", args=[topic.pk]))
    body = response.content.decode()
    assert [r.organization.name for r in response.context["records"]] == ["办公厅第三党支部"]
    assert {p.organization.name for p in response.context["pending"]} == {
        "测试局机关党委",
        "宣传司党支部",
    }
    assert body.count('data-testid="to-be-conveyed"') == 2


def test_delete_refused_for_studied_topic_then_allowed(tree, client):
    used = make_topic("已学习")
    study(tree.orgs["branch"], used, on=days_ago(1))
    free = make_topic("未学习")
    login(client, tree.users["office_staff"])
    client.post(reverse("study:topic_delete", args=[used.pk]))
    assert Topic.objects.filter(pk=used.pk).exists()
    response = client.post(reverse("study:topic_delete", args=[free.pk]))
    assert response.status_code == 302 and not Topic.objects.filter(pk=free.pk).exists()


def test_upload_that_is_not_what_it_claims_is_refused(tree, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    topic = make_topic()
    login(client, tree.users["office_staff"])
    fake = SimpleUploadedFile("讲话.pdf", b"<html>not a pdf</html>")
    response = client.post(
        reverse("study:attachment_add", args=[topic.pk]), {"file": fake}, follow=True
    )
    assert not TopicAttachment.objects.exists()
    assert "讲话.pdf" in response.content.decode()  # the message names the file
    real = SimpleUploadedFile("讲话.pdf", PDF)
    client.post(reverse("study:attachment_add", args=[topic.pk]), {"file": real})
    assert TopicAttachment.objects.get().name == "讲话.pdf"


def test_download_is_an_attachment_for_readers_only(tree, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    topic = make_topic()
    a = services.attachment_add(
        actor=None, check=False, topic=topic, upload=SimpleUploadedFile("讲话稿.pdf", PDF)
    )
    url = reverse("study:attachment_download", args=[a.pk])
    login(client, tree.users["member"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    client.logout()
    login(client, tree.users["admin"])  # no meeting rights: the file is not there for them
    assert client.get(url).status_code in (403, 404)


def test_coverage_page(tree, client, django_assert_max_num_queries):
    topic = make_topic("覆盖议题", given_on=days_ago(40))
    study(tree.orgs["root"], topic, on=days_ago(39))
    study(tree.orgs["branch"], topic, on=days_ago(30))
    login(client, tree.users["dangzu_office"])
    url = reverse("study:coverage")
    with django_assert_max_num_queries(14):
        response = client.get(url, {"root": tree.orgs["root"].pk, "windows": "7,15"})
    body = response.content.decode()
    overview = response.context["overview"]
    assert [(w.days, w.studied, w.total) for w in overview.windows] == [(7, 1, 4), (15, 2, 4)]
    assert 'id="coverage-data"' in body and "echarts.min.js" in body
    assert reverse("reports:topic_ledger") + f"?root={tree.orgs['root'].pk}" in body
    # A root outside the user's meeting scope is "not found".
    login(client, tree.users["outsider"])
    assert client.get(url, {"root": tree.orgs["root"].pk}).status_code == 404
    default = client.get(url)
    assert default.context["root"] == tree.orgs["other_branch"]


@pytest.mark.parametrize("value", ["abc", "-1"])
def test_coverage_bad_root_is_not_found(tree, client, value):
    login(client, tree.users["office_staff"])
    assert client.get(reverse("study:coverage"), {"root": value}).status_code == 404


def test_coverage_of_a_branch_lists_what_it_must_convey(tree, client):
    topic = make_topic("上级已学", given_on=days_ago(12))
    study(tree.orgs["root"], topic, on=days_ago(10))
    login(client, tree.users["branch_secretary"])
    response = client.get(reverse("study:coverage"))
    assert response.context["root"] == tree.orgs["branch"]
    assert [i.topic for i in response.context["conveyed"]] == [topic]
    assert 'data-testid="coverage-conveyed"' in response.content.decode()
