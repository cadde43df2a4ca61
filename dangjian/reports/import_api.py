"""API of the import from news reports: parse (no writes) and import (creates a meeting).

Both need ``meeting.manage`` somewhere. The import goes through the same service as the
screen (:func:`dangjian.reports.importing.import_meeting`); every field the client leaves
out takes the value the screen would have suggested. This module is also the urlconf the
API includes at ``reports/``.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.access.roles import Action
from dangjian.core.api import (
    HasPolicyAction,
    NamedChoiceField,
    ScopedPrimaryKeyRelatedField,
    error_responses,
)
from dangjian.core.validators import validate_no_markup
from dangjian.meetings.models import MeetingKind
from dangjian.organizations.models import Organization, Unit
from dangjian.people.models import Member
from dangjian.study.models import Topic, TopicKind

from . import importing
from .importing import MeasureChoice, Study, StudyChoice, Target


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=importing.MAX_TEXT_CHARS, trim_whitespace=False)

    def validate_text(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Paste the text of a report or upload a file."))
        return value


class StudyChoiceSerializer(serializers.Serializer):
    action = NamedChoiceField(
        enum_name="ImportStudyActionEnum", choices=[Study.LINK, Study.CREATE, Study.SKIP]
    )
    topic = ScopedPrimaryKeyRelatedField(
        model=Topic, action=Action.MEETING_VIEW, required=False, allow_null=True
    )
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, validators=[validate_no_markup]
    )
    kind = NamedChoiceField(enum_name="TopicKindEnum", choices=TopicKind.choices, required=False)
    given_on = serializers.DateField(required=False, allow_null=True)


class MeasureChoiceSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, validators=[validate_no_markup]
    )
    target = NamedChoiceField(
        enum_name="ImportMeasureTargetEnum",
        choices=[Target.STUDY, Target.DELIBERATION, Target.SKIP],
        required=False,
    )
    task = serializers.BooleanField(required=False, default=False)
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    deadline = serializers.DateField(required=False, allow_null=True)


class ImportLeaderSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ImportSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=importing.MAX_TEXT_CHARS, required=False, trim_whitespace=False
    )
    record = serializers.DictField(required=False)
    organization = ScopedPrimaryKeyRelatedField(
        model=Organization, action=Action.MEETING_MANAGE, required=False, allow_null=True
    )
    kind = NamedChoiceField(
        enum_name="MeetingKindEnum", choices=MeetingKind.choices, required=False
    )
    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    chair = ScopedPrimaryKeyRelatedField(
        model=Member, action=Action.MEMBER_VIEW, required=False, allow_null=True
    )
    chair_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    attendees = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(model=Member, action=Action.MEMBER_VIEW),
        required=False,
    )
    invited_leaders = ImportLeaderSerializer(many=True, required=False)
    study = StudyChoiceSerializer(many=True, required=False)
    measures = MeasureChoiceSerializer(many=True, required=False)

    def validate(self, attrs):
        text, record = attrs.get("text", ""), attrs.get("record")
        if not text.strip() and not record:
            raise serializers.ValidationError(
                {"text": [_("Paste the text of a report or upload a file.")]}
            )
        return attrs


class ImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    agenda_items = serializers.IntegerField()
    tasks = serializers.ListField(child=serializers.IntegerField())


def suggestions(draft: importing.Draft) -> dict:
    return {
        "organization": draft.organization.pk if draft.organization else None,
        "kind": draft.kind or None,
        "starts_at": draft.starts_at.isoformat() if draft.starts_at else None,
        "chair": draft.chair.pk if draft.chair else None,
        "chair_name": draft.chair_name,
        "attendees": [m.pk for m in draft.attendees],
        "invited_leaders": draft.unmatched_leaders,
        "topics": [
            [{"id": t.pk, "title": t.title, "given_on": t.given_on.isoformat()} for t in found]
            for found in draft.topic_suggestions
        ],
        "topic_kinds": draft.topic_kinds,
    }


class _ImportBase(APIView):
    permission_classes = [permissions.IsAuthenticated, HasPolicyAction]
    parser_classes = [parsers.JSONParser]
    metadata_class = None

    def get_policy_action(self):
        return Action.MEETING_MANAGE


class ReportParseView(_ImportBase):
    @extend_schema(
        summary="Parse a news report (saves nothing)",
        request=TextSerializer,
        responses={200: dict, **error_responses(400, 403)},
    )
    def post(self, request):
        s = TextSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        draft = importing.draft_for(user=request.user, text=s.validated_data["text"])
        record = {k: v for k, v in draft.record.items() if k != "furniture"}
        return Response({"record": record, "suggestions": suggestions(draft)})


def _study_choices(draft, given, can_create: bool) -> list[StudyChoice]:
    if given is not None:
        return [
            StudyChoice(
                action=g["action"],
                topic=g.get("topic"),
                title=g.get("title", ""),
                kind=g.get("kind", ""),
                given_on=g.get("given_on"),
            )
            for g in given
        ]
    choices = []
    given_on = draft.starts_at.date() if draft.starts_at else timezone.localdate()
    for i, title in enumerate(draft.record.get("study_items") or ()):
        found = draft.topic_suggestions[i]
        if found:
            choices.append(StudyChoice(action=Study.LINK, topic=found[0]))
        elif can_create:
            choices.append(
                StudyChoice(
                    action=Study.CREATE,
                    title=title[:200],
                    kind=draft.topic_kinds[i],
                    given_on=given_on,
                )
            )
        else:
            choices.append(StudyChoice(action=Study.SKIP))
    return choices


def _measure_choices(draft, given) -> list[MeasureChoice]:
    parsed = list(draft.record.get("measures") or ())
    default_target = Target.STUDY if draft.record.get("study_items") else Target.DELIBERATION
    if given is None:
        return [MeasureChoice(text=t, target=default_target) for t in parsed]
    return [
        MeasureChoice(
            text=g.get("text") or (parsed[i] if i < len(parsed) else ""),
            target=g.get("target") or default_target,
            task=g.get("task", False),
            lead_unit=g.get("lead_unit"),
            deadline=g.get("deadline"),
        )
        for i, g in enumerate(given)
    ]


class ReportImportView(_ImportBase):
    @extend_schema(
        summary="Record a meeting from a news report",
        request=ImportSerializer,
        responses={201: ImportResultSerializer, **error_responses(400, 403)},
    )
    def post(self, request):
        from dangjian.access import policy

        s = ImportSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = s.validated_data
        draft = importing.draft_for(
            user=request.user,
            text=d.get("text", ""),
            record=d.get("record"),
            organization=d.get("organization"),
        )
        record = draft.record
        organization = d.get("organization", draft.organization)
        if organization is None:
            raise serializers.ValidationError(
                {"organization": [_("Choose the organization holding the meeting.")]}
            )
        meeting = importing.import_meeting(
            actor=request.user,
            organization=organization,
            kind=d.get("kind", draft.kind),
            title=d.get("title", (record.get("title") or "")[:200]),
            starts_at=d.get("starts_at", draft.starts_at),
            venue=d.get("venue", record.get("venue") or ""),
            chair=d.get("chair", draft.chair),
            chair_name=d.get("chair_name", draft.chair_name),
            attendees=d.get("attendees", draft.attendees),
            invited_leaders=d.get("invited_leaders", draft.unmatched_leaders),
            study=_study_choices(
                draft, d.get("study"), policy.can(request.user, Action.TOPIC_MANAGE)
            ),
            study_titles=list(record.get("study_items") or ()),
            measures=_measure_choices(draft, d.get("measures")),
        )
        body = {
            "id": meeting.pk,
            "url": meeting.get_absolute_url(),
            "agenda_items": meeting.agenda_items.count(),
            "tasks": list(meeting.tasks.order_by("pk").values_list("pk", flat=True)),
        }
        return Response(body, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("parse/", ReportParseView.as_view(), name="api-report-parse"),
    path("import/", ReportImportView.as_view(), name="api-report-import"),
]
