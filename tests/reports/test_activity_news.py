"""The activity news draft (seed 000's style): the text, the page, saving with a lock."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.core.typography import fullwidth
from dangjian.reports import news, services
from dangjian.reports.models import ActivityNewsDraft
from dangjian.reports.parser import parse_report
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _url(activity, query=""):
    return reverse("reports:activity_news", args=[activity.pk]) + query


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)


def test_seed_000_style_draft(seed_activity):
    draft = news.activity_news_draft(seed_activity)
    paragraphs = draft.strip().split("\n\n")
    assert paragraphs[0] == (
        "测试局机关党委举办“政治机关，政治工作”能力提升行动启动仪式暨“四强”党支部建设论坛"
    )
    lead = paragraphs[1]
    assert lead.startswith(
        "2023年5月6日，测试局机关党委在五四二台举办“政治机关，政治工作”能力提升行动启动仪式"
    )
    assert "活动以“学习新思想 提升新本领”为主题。" in lead
    assert (
        "受局党组成员、副局长乐玉成委托，局党组成员、副局长、机关党委书记杨小伟出席并致辞。" in lead
    )
    assert "机关党委副书记王育宏出席活动。" in lead
    assert lead.endswith(
        "局机关各部门党支部副书记，直属各单位分管党建工作的有关负责同志、党办主任或党支部书记代表"
        "参加活动。"
    )
    campaign = paragraphs[2]
    assert campaign.startswith("此次活动是“政治机关，政治工作”能力提升行动的重要内容。")
    assert "在学习贯彻习近平新时代中国特色社会主义思想主题教育中组织开展" in campaign
    assert "政治能力、调查研究能力、科学决策能力和抓落实能力" in campaign
    presentations = paragraphs[3]
    assert presentations.startswith("活动中，3个部门单位作交流发言。其中，办公厅第三党支部围绕")
    assert "宣传司围绕“深化党建和业务融合”作交流发言" in presentations
    assert "北京地球站节目平台机房党支部围绕“党群零距离”作交流发言" in presentations
    assert paragraphs[4] == fullwidth(seed_activity.summary)
    assert news.activity_news_draft(seed_activity) == draft  # deterministic


def test_seed_000_style_draft_parses_back(seed_activity):
    parsed = parse_report(news.activity_news_draft(seed_activity))
    assert parsed["kind"] == "activity"
    assert parsed["org"] == "测试局机关党委"
    assert parsed["date"] == "2023-05-06"
    assert parsed["venue"] == "五四二台"
    assert parsed["activity_types"] == ["启动仪式", "论坛"]
    assert parsed["campaign"] == "“政治机关，政治工作”能力提升行动"  # as the draft writes it
    assert [(p["name"], p["role"]) for p in parsed["leaders"]] == [
        ("乐玉成", "委托"),
        ("杨小伟", "致辞"),
        ("王育宏", "出席"),
    ]
    assert parsed["presenting_units"] == [
        "办公厅第三党支部",
        "宣传司",
        "北京地球站节目平台机房党支部",
    ]
    assert parsed["capabilities"] == ["政治能力", "调查研究能力", "科学决策能力", "抓落实能力"]
    assert parsed["participant_groups"] == [
        "局机关各部门党支部副书记",
        "直属各单位分管党建工作的有关负责同志、党办主任或党支部书记代表",
    ]
    check = news.activity_draft_check(seed_activity, news.activity_news_draft(seed_activity))
    assert all(row["ok"] for row in check), check


def test_page_shows_the_record_and_the_generated_draft(client, seed_activity):
    _login(client, "jiguan")
    response = client.get(_url(seed_activity))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["text"] == news.activity_news_draft(seed_activity)
    assert form.initial["version"] == 0
    html = response.content.decode()
    assert 'data-testid="save-draft"' in html
    assert "北京地球站节目平台机房党支部" in html
    assert "局党组成员、副局长乐玉成" in html
    assert all(row["ok"] for row in response.context["check"])


def test_save_creates_then_updates_the_draft_with_audit(client, tree, seed_activity):
    _login(client, "jiguan")
    text = news.activity_news_draft(seed_activity).replace("出席活动", "出席论坛")
    response = client.post(_url(seed_activity), {"text": text, "version": 0})
    assert response.status_code == 302
    saved = ActivityNewsDraft.objects.get(activity=seed_activity)
    assert saved.text == text.strip() and saved.version == 1
    event = AuditEvent.objects.get(object_type="reports.activitynewsdraft")
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor == tree.users["office_staff"]
    page = client.get(_url(seed_activity))
    assert page.context["form"].initial == {"text": text.strip(), "version": 1}
    response = client.post(_url(seed_activity), {"text": text + "\n补记。", "version": 1})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.version == 2 and saved.text.endswith("补记。")
    regenerated = client.get(_url(seed_activity, "?regenerate=1"))
    assert regenerated.context["form"].initial["text"] == news.activity_news_draft(seed_activity)
    assert regenerated.context["form"].initial["version"] == 2
    saved.refresh_from_db()
    assert saved.version == 2  # regenerating saves nothing


def test_stale_save_is_refused_and_keeps_the_input(client, seed_activity):
    _login(client, "jiguan")
    assert client.post(_url(seed_activity), {"text": "第一稿", "version": 0}).status_code == 302
    # Someone else opened the page before the first save and saves now.
    response = client.post(_url(seed_activity), {"text": "我的修改稿", "version": 0})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "我的修改稿" in response.content.decode()
    saved = ActivityNewsDraft.objects.get(activity=seed_activity)
    assert saved.text == "第一稿" and saved.version == 1
    assert AuditEvent.objects.filter(object_type="reports.activitynewsdraft").count() == 1


def test_markup_and_overlong_text_are_refused(client, seed_activity):
    _login(client, "jiguan")
    response = client.post(_url(seed_activity), {"text": "<script>x</script>", "version": 0})
    assert response.status_code == 200
    assert response.context["form"].errors
    with pytest.raises(ValidationError):
        services.activity_news_draft_save(
            actor=None,
            activity=seed_activity,
            text="字" * (services.MAX_DRAFT_CHARS + 1),
            version=0,
            check=False,
        )
    assert not ActivityNewsDraft.objects.exists()


def test_member_reads_but_cannot_save(client, tree):
    from tests.reports.conftest import build_seed_activity

    activity = build_seed_activity(tree, org_key="branch")
    _login(client, "dangyuan")
    response = client.get(_url(activity))
    assert response.status_code == 200
    assert 'data-testid="save-draft"' not in response.content.decode()
    assert client.post(_url(activity), {"text": "改", "version": 0}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.activity_news_draft_save(
            actor=tree.users["member"], activity=activity, text="改", version=0
        )
    assert not ActivityNewsDraft.objects.exists()


def test_out_of_scope_is_404(client, seed_activity):
    _login(client, "outsider")
    assert client.get(_url(seed_activity)).status_code == 404
    assert client.post(_url(seed_activity), {"text": "x", "version": 0}).status_code == 404
