"""API of the import from news reports: parse (no writes) and import (creates a meeting or
an activity).

Both need ``meeting.manage`` somewhere. The import goes through the same services as the
screen (:func:`dangjian.reports.importing.import_meeting` /
:func:`~dangjian.reports.importing.import_activity`); ``record_as`` chooses (by default
what the screen would choose); every field the client leaves out takes the value the
screen would have suggested. This module is also the urlconf the
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
from dangjian.campaigns.models import ActivityType, Campaign, LeaderRole
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


class ImportActivityLeaderSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, validators=[validate_no_markup])
    title = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[validate_no_markup]
    )
    role = NamedChoiceField(enum_name="ImportLeaderRoleEnum", choices=LeaderRole.choices)
    entrusted_by = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[validate_no_markup]
    )


class ImportPresentationSerializer(serializers.Serializer):
    topic = serializers.CharField(max_length=200, validators=[validate_no_markup])
    presenter = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[validate_no_markup]
    )
    organization = ScopedPrimaryKeyRelatedField(
        model=Organization, action=Action.MEETING_VIEW, required=False, allow_null=True
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )


class ImportSerializer(serializers.Serializer):
    record_as = NamedChoiceField(
        enum_name="ImportRecordAsEnum",
        choices=[importing.RECORD_MEETING, importing.RECORD_ACTIVITY],
        required=False,
        help_text="meeting or activity; by default what the report reads as "
        "(themed party days and party lectures alone are meetings).",
    )
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
    # Activities (record_as = activity).
    activity_type = NamedChoiceField(
        enum_name="ImportActivityTypeEnum", choices=ActivityType.choices, required=False
    )
    activity_types = serializers.ListField(
        child=NamedChoiceField(enum_name="ImportActivityTypeEnum", choices=ActivityType.choices),
        required=False,
        help_text="Every kind of the event in order (启动仪式暨论坛); default: as parsed.",
    )
    organizer_text = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        validators=[validate_no_markup],
        help_text="The body that held the event when not the organization (广电总局).",
    )
    theme = serializers.CharField(
        max_length=200, required=False, allow_blank=True, validators=[validate_no_markup]
    )
    held_on = serializers.DateField(required=False)
    campaign = ScopedPrimaryKeyRelatedField(
        model=Campaign, action=Action.MEETING_VIEW, required=False, allow_null=True
    )
    leaders = ImportActivityLeaderSerializer(many=True, required=False)
    participant_groups = serializers.CharField(
        required=False, allow_blank=True, validators=[validate_no_markup]
    )
    presentations = ImportPresentationSerializer(many=True, required=False)
    summary = serializers.CharField(
        required=False, allow_blank=True, validators=[validate_no_markup]
    )

    def validate(self, attrs):
        text, record = attrs.get("text", ""), attrs.get("record")
        if not text.strip() and not record:
            raise serializers.ValidationError(
                {"text": [_("Paste the text of a report or upload a file.")]}
            )
        return attrs


class ImportResultSerializer(serializers.Serializer):
    record = serializers.ChoiceField(choices=[importing.RECORD_MEETING, importing.RECORD_ACTIVITY])
    id = serializers.IntegerField()
    url = serializers.CharField()
    agenda_items = serializers.IntegerField(required=False, help_text="meetings")
    tasks = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="meetings"
    )
    presentations = serializers.IntegerField(required=False, help_text="activities")


def suggestions(draft: importing.Draft, user=None) -> dict:
    out = {
        "record_as": importing.default_record_as(draft.record),
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
    if user is not None and draft.is_activity:
        a = importing.activity_draft_for(user=user, draft=draft)
        out["activity"] = {
            "activity_type": a.type,
            "activity_types": a.types,
            "organizer_text": a.organizer_text,
            "title": a.title,
            "theme": a.theme,
            "held_on": a.held_on.isoformat() if a.held_on else None,
            "campaign": a.campaign.pk if a.campaign else None,
            "leaders": [leader.as_json() for leader in a.leaders],
            "participant_groups": a.participant_groups,
            "presentations": [
                {
                    "topic": p.topic,
                    "presenter": p.presenter,
                    "organization": p.organization.pk if p.organization else None,
                    "unit": p.unit.pk if p.unit else None,
                }
                for p in a.presentations
            ],
            "summary": a.summary,
        }
    return out


class _ImportBase(APIView):
    permission_classes = [permissions.IsAuthenticated, HasPolicyAction]
    throttle_scope = "reports"  # the stricter rate of DANGJIAN_API_RATE_REPORTS
    parser_classes = [parsers.JSONParser]
    metadata_class = None

    def get_policy_action(self):
        return Action.MEETING_MANAGE


class ReportParseView(_ImportBase):
    @extend_schema(
        summary="Parse a news report (saves nothing)",
        request=TextSerializer,
        responses={200: dict, **error_responses(400, 403, 429)},
    )
    def post(self, request):
        s = TextSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        draft = importing.draft_for(user=request.user, text=s.validated_data["text"])
        record = {k: v for k, v in draft.record.items() if k != "furniture"}
        return Response({"record": record, "suggestions": suggestions(draft, request.user)})


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
        summary="Record a meeting or an activity from a news report",
        request=ImportSerializer,
        responses={201: ImportResultSerializer, **error_responses(400, 403, 429)},
    )
    def post(self, request):

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
        record_as = d.get("record_as") or importing.default_record_as(record)
        if record_as == importing.RECORD_ACTIVITY:
            return self.import_activity(request, d, draft, organization)
        if organization is None:
            raise serializers.ValidationError(
                {"organization": [_("Choose the organization holding the meeting.")]}
            )
        try:
            meeting = self._import_meeting(request, d, draft, organization)
        except importing.AlreadyRecorded as exc:
            raise serializers.ValidationError(
                {"__all__": [f"{exc.messages[0]} {exc.record.get_absolute_url()}"]}
            ) from None
        body = {
            "record": importing.RECORD_MEETING,
            "id": meeting.pk,
            "url": meeting.get_absolute_url(),
            "agenda_items": meeting.agenda_items.count(),
            "tasks": list(meeting.tasks.order_by("pk").values_list("pk", flat=True)),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    def _import_meeting(self, request, d, draft, organization):
        from dangjian.access import policy

        record = draft.record
        return importing.import_meeting(
            actor=request.user,
            text=draft.text,
            observers=draft.observers,
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

    def import_activity(self, request, d, draft, organization):
        if organization is None:
            raise serializers.ValidationError(
                {"organization": [_("Choose the organization holding the activity.")]}
            )
        a = importing.activity_draft_for(user=request.user, draft=draft)
        leaders = a.leaders
        if "leaders" in d:
            leaders = [
                importing.LeaderChoice(
                    name=x["name"],
                    role=x["role"],
                    title=x.get("title", ""),
                    entrusted_by=x.get("entrusted_by", ""),
                )
                for x in d["leaders"]
            ]
        presentations = a.presentations
        if "presentations" in d:
            presentations = [
                importing.PresentationChoice(
                    topic=x["topic"],
                    presenter=x.get("presenter", ""),
                    organization=x.get("organization"),
                    unit=x.get("unit"),
                )
                for x in d["presentations"]
            ]
        activity = importing.import_activity(
            actor=request.user,
            organization=organization,
            type=d.get("activity_type", a.type),
            types=d.get("activity_types", a.types if "activity_type" not in d else ()),
            organizer_text=d.get("organizer_text", a.organizer_text),
            title=d.get("title", a.title),
            theme=d.get("theme", a.theme),
            held_on=d.get("held_on", a.held_on),
            venue=d.get("venue", a.venue),
            campaign=d.get("campaign", a.campaign),
            leaders=leaders,
            participant_groups=d.get("participant_groups", a.participant_groups),
            presentations=presentations,
            summary=d.get("summary", a.summary),
        )
        from .import_views import activity_url

        body = {
            "record": importing.RECORD_ACTIVITY,
            "id": activity.pk,
            "url": activity_url(activity),
            "presentations": activity.presentations.count(),
        }
        return Response(body, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("parse/", ReportParseView.as_view(), name="api-report-parse"),
    path("import/", ReportImportView.as_view(), name="api-report-import"),
]
