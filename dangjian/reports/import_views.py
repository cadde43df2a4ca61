"""The import screen (从报道导入): paste or upload a report, correct the draft, save a meeting
or an activity.

Step 1 (``start``) reads the text; step 2 shows the source with the extracted values
highlighted beside the draft as a form — the meeting form, or the activity form when the
report tells of an activity (``importing.default_record_as``; a button switches between
the two); ``save`` writes everything in one transaction (``importing.import_meeting`` or
``importing.import_activity``). Nothing is stored before the user saves: the text travels
in the step 2 form as a hidden field and is parsed again on each step.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin, apply_service_errors
from dangjian.core.uploads import validate_attachment
from dangjian.core.validators import validate_no_markup
from dangjian.core.views import RequireActionMixin
from dangjian.meetings.forms import DATETIME_FORMAT, DateTimeLocalInput, _indented
from dangjian.meetings.models import MeetingKind
from dangjian.organizations.models import Organization, Unit
from dangjian.organizations.selectors import organization_choices
from dangjian.people.widgets import MemberPickerSelect, member_label
from dangjian.reports.parser import InputError, decode_bytes
from dangjian.study.models import Topic, TopicKind

from . import importing
from .importing import MeasureChoice, Study, StudyChoice, Target


class StartForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the report"),
        required=False,
        max_length=importing.MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy("Paste the news report as published, headline included."),
    )
    file = forms.FileField(
        label=gettext_lazy("Or upload a file"),
        required=False,
        help_text=gettext_lazy("A .txt (UTF-8 or GBK) or .docx file of at most 2 MB."),
    )
    switch_to = forms.ChoiceField(
        choices=(
            ("", ""),
            (importing.RECORD_MEETING, importing.RECORD_MEETING),
            (importing.RECORD_ACTIVITY, importing.RECORD_ACTIVITY),
        ),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > importing.MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is too large: a report file may be at most 2 MB."), code="file_size"
            )
        validate_attachment(upload, allowed=("txt", "docx"))
        try:
            return decode_bytes(upload.read())
        except InputError:
            raise ValidationError(
                _(
                    "This file cannot be read as a report. Save the report as a .txt file "
                    "(UTF-8 or GBK) or a .docx document and try again."
                ),
                code="unreadable",
            ) from None

    def clean(self):
        data = super().clean()
        text = data.get("file") or data.get("text") or ""
        if not self.errors and not text.strip():
            raise ValidationError(_("Paste the text of a report or upload a file."))
        if len(text) > importing.MAX_TEXT_CHARS:
            raise ValidationError(
                _("The report is too long: at most %(max)d characters.")
                % {"max": importing.MAX_TEXT_CHARS}
            )
        data["source"] = text
        return data


TARGET_CHOICES = (
    (Target.STUDY, gettext_lazy("Decision of the study item")),
    (Target.DELIBERATION, gettext_lazy("Decision of a deliberation item")),
    (Target.SKIP, gettext_lazy("Leave out")),
)


class ImportForm(BootstrapFormMixin, forms.Form):
    """The draft record, corrected by the user. Rows for study items and requirements are
    added per parsed value (``study-N-*`` and ``measure-N-*``)."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=importing.MAX_TEXT_CHARS)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"), queryset=Topic.objects.none()
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind of meeting"), choices=())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"), widget=DateTimeLocalInput()
    )
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=200, required=False)
    chair = forms.ModelChoiceField(
        label=gettext_lazy("Chair"),
        queryset=Topic.objects.none(),
        required=False,
        widget=MemberPickerSelect(),  # the draft's match, or search: never the whole scope
    )
    chair_name = forms.CharField(
        label=gettext_lazy("Chair (as text)"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("When the chair is not in the tree."),
    )
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Attendees found in the tree"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    invited_leaders_text = forms.CharField(
        label=gettext_lazy("Invited leaders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line: name, then title (people not in the tree)."),
    )

    def __init__(self, *args, user, draft: importing.Draft, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.draft = user, draft
        record = draft.record
        f = self.fields
        f["organization"].queryset = organization_choices(user=user, action=Action.MEETING_MANAGE)
        f["organization"].label_from_instance = _indented
        f["kind"].choices = [("", "---------"), *MeetingKind.choices]
        f["starts_at"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        people = importing.member_candidates(user, None).select_related("organization")
        f["chair"].queryset = people.order_by("organization__path", "name")
        f["attendees"].queryset = people
        f["attendees"].label_from_instance = member_label
        # Only the members matched by name are offered as checkboxes.
        matched = list(dict.fromkeys(draft.attendees))
        f["attendees"].widget.choices = [(m.pk, member_label(m)) for m in matched]
        self.initial.update(
            {
                "text": draft.text,
                "organization": draft.organization.pk if draft.organization else None,
                "kind": draft.kind,
                "title": (record.get("title") or "")[:200],
                "starts_at": draft.starts_at,
                "venue": record.get("venue") or "",
                "chair": draft.chair.pk if draft.chair else None,
                "chair_name": draft.chair_name,
                "attendees": [m.pk for m in matched],
                "invited_leaders_text": "\n".join(
                    f"{p['name']} {p['title']}".strip() for p in draft.unmatched_leaders
                ),
            }
        )
        topics = Topic.objects.restrict(user, Action.MEETING_VIEW)
        can_create = policy.can(user, Action.TOPIC_MANAGE)
        self.study_names = []
        default_given_on = draft.starts_at.date() if draft.starts_at else None
        for i, title in enumerate(record.get("study_items") or ()):
            p = f"study-{i}-"
            suggestions = draft.topic_suggestions[i]
            actions = [(Study.LINK, _("Link a topic of the library"))]
            if can_create:
                actions.append((Study.CREATE, _("Create a new topic")))
            actions.append((Study.SKIP, _("Leave out")))
            f[p + "action"] = forms.ChoiceField(
                label=_("Study item %(n)d") % {"n": i + 1},
                choices=actions,
                widget=forms.RadioSelect,
            )
            topic_field = forms.ModelChoiceField(label=_("Topic"), queryset=topics, required=False)
            topic_field.widget.choices = [("", "---------")] + [
                (t.pk, f"{t.title}（{t.given_on:%Y-%m-%d}）") for t in suggestions
            ]
            f[p + "topic"] = topic_field
            f[p + "title"] = forms.CharField(
                label=_("Title of the new topic"),
                max_length=200,
                required=False,
                validators=[validate_no_markup],
            )
            f[p + "kind"] = forms.ChoiceField(
                label=_("Kind"), choices=TopicKind.choices, required=False
            )
            f[p + "given_on"] = forms.DateField(
                label=_("Given on"), required=False, widget=forms.DateInput()
            )
            self.initial.update(
                {
                    p + "action": Study.LINK
                    if suggestions
                    else (Study.CREATE if can_create else Study.SKIP),
                    p + "topic": suggestions[0].pk if suggestions else None,
                    p + "title": title[:200],
                    p + "kind": draft.topic_kinds[i],
                    p + "given_on": default_given_on,
                }
            )
            self.study_names.append((i, title, p))
        self.measure_names = []
        units = Unit.objects.order_by("sort_order", "name")
        has_study = bool(record.get("study_items"))
        for i, text in enumerate(record.get("measures") or ()):
            p = f"measure-{i}-"
            f[p + "text"] = forms.CharField(
                label=_("Requirement %(n)d") % {"n": i + 1},
                max_length=2000,
                validators=[validate_no_markup],
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            f[p + "target"] = forms.ChoiceField(label=_("Recorded as"), choices=TARGET_CHOICES)
            f[p + "task"] = forms.BooleanField(label=_("Create a task"), required=False)
            f[p + "lead_unit"] = forms.ModelChoiceField(
                label=_("Lead unit"), queryset=units, required=False
            )
            f[p + "deadline"] = forms.DateField(
                label=_("Deadline"), required=False, widget=forms.DateInput()
            )
            self.initial.update(
                {
                    p + "text": text,
                    p + "target": Target.STUDY if has_study else Target.DELIBERATION,
                }
            )
            self.measure_names.append((i, p))
        # BootstrapFormMixin ran before the rows existed: style them too.
        _style(f)

    def study_rows(self):
        return [
            {
                "index": i,
                "parsed": title,
                "action": self[p + "action"],
                "topic": self[p + "topic"],
                "title": self[p + "title"],
                "kind": self[p + "kind"],
                "given_on": self[p + "given_on"],
            }
            for i, title, p in self.study_names
        ]

    def measure_rows(self):
        return [
            {
                "index": i,
                "text": self[p + "text"],
                "target": self[p + "target"],
                "task": self[p + "task"],
                "lead_unit": self[p + "lead_unit"],
                "deadline": self[p + "deadline"],
            }
            for i, p in self.measure_names
        ]

    def clean_invited_leaders_text(self):
        leaders = []
        for line in self.cleaned_data["invited_leaders_text"].splitlines():
            line = line.strip().replace("，", " ").replace(",", " ")
            if line:
                name, _sep, title = line.partition(" ")
                leaders.append({"name": name.strip(), "title": title.strip()})
        return leaders

    def clean(self):
        data = super().clean()
        for _i, _title, p in self.study_names:
            action = data.get(p + "action")
            if action == Study.CREATE:
                for name in ("title", "kind", "given_on"):
                    if not data.get(p + name):
                        self.add_error(p + name, _("This field is required."))
        for _i, p in self.measure_names:
            if data.get(p + "task"):
                if not data.get(p + "deadline"):
                    self.add_error(p + "deadline", _("Enter the task's deadline."))
                if not data.get(p + "lead_unit"):
                    self.add_error(p + "lead_unit", _("Choose the task's lead unit."))
        return data

    def service_data(self) -> dict:
        d = self.cleaned_data
        study = [
            StudyChoice(
                action=d[p + "action"],
                topic=d.get(p + "topic"),
                title=d.get(p + "title") or "",
                kind=d.get(p + "kind") or "",
                given_on=d.get(p + "given_on"),
            )
            for _i, _t, p in self.study_names
        ]
        measures = [
            MeasureChoice(
                text=d[p + "text"],
                target=d[p + "target"],
                task=bool(d.get(p + "task")),
                lead_unit=d.get(p + "lead_unit"),
                deadline=d.get(p + "deadline"),
            )
            for _i, p in self.measure_names
        ]
        return {
            "organization": d["organization"],
            "kind": d["kind"],
            "title": d["title"],
            "starts_at": d["starts_at"],
            "venue": d.get("venue") or "",
            "chair": d.get("chair"),
            "chair_name": d.get("chair_name") or "",
            "attendees": list(d.get("attendees") or ()),
            "invited_leaders": d.get("invited_leaders_text") or [],
            "study": study,
            "study_titles": [t for _i, t, _p in self.study_names],
            "measures": measures,
        }


def _step2(request, form, draft, status=200):
    return render(
        request,
        "reports/import/review.html",
        {
            "form": form,
            "draft": draft,
            "segments": importing.highlight(draft.text, draft.record),
            "study_rows": form.study_rows(),
            "measure_rows": form.measure_rows(),
        },
        status=status,
    )


class ImportStartView(RequireActionMixin, View):
    """Step 1: the text (pasted or uploaded); a valid POST shows step 2 (nothing saved)."""

    required_action = Action.MEETING_MANAGE

    def get(self, request):
        return render(request, "reports/import/start.html", {"form": StartForm()})

    def post(self, request):
        form = StartForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "reports/import/start.html", {"form": form})
        text = form.cleaned_data["source"]
        draft = importing.draft_for(user=request.user, text=text)
        record_as = form.cleaned_data.get("switch_to") or importing.default_record_as(draft.record)
        if record_as == importing.RECORD_ACTIVITY:
            form = ActivityImportForm(user=request.user, draft=draft)
            return _activity_step2(request, form, draft)
        return _step2(request, ImportForm(user=request.user, draft=draft), draft)


class ImportSaveView(RequireActionMixin, View):
    """Step 2 confirmed: save the meeting, or show step 2 again with the errors."""

    required_action = Action.MEETING_MANAGE

    def post(self, request):
        text = request.POST.get("text", "")
        if not text.strip() or len(text) > importing.MAX_TEXT_CHARS:
            form = StartForm({"text": text})
            form.is_valid()  # shows why the text is refused
            return render(request, "reports/import/start.html", {"form": form})
        draft = importing.draft_for(user=request.user, text=text)
        if request.POST.get("record_as") == importing.RECORD_ACTIVITY:
            return self.save_activity(request, draft)
        form = ImportForm(request.POST, user=request.user, draft=draft)
        if form.is_valid():
            try:
                meeting = importing.import_meeting(
                    actor=request.user,
                    text=draft.text,
                    observers=draft.observers,
                    **form.service_data(),
                )
            except importing.AlreadyRecorded as exc:
                # Nothing is created: the office is taken to the record that exists.
                messages.info(request, exc.messages[0])
                return redirect(exc.record)
            except PermissionDenied:
                form.add_error(
                    "organization", _("You may not record meetings of this organization.")
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The meeting was recorded from the report; check its agenda and tasks."),
                )
                return redirect(meeting)
        return _step2(request, form, draft)

    def save_activity(self, request, draft):
        form = ActivityImportForm(request.POST, user=request.user, draft=draft)
        if form.is_valid():
            try:
                activity = importing.import_activity(actor=request.user, **form.service_data())
            except PermissionDenied:
                form.add_error(
                    "organization", _("You may not record activities of this organization.")
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The activity was recorded from the report; check its presentations."),
                )
                return redirect(activity_url(activity))
        return _activity_step2(request, form, draft)


def activity_url(activity) -> str:
    """The activity's own page when the campaigns app has one, else its news draft page."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("campaigns:activity_detail", args=[activity.pk])
    except NoReverseMatch:
        return reverse("reports:activity_news", args=[activity.pk])


def _style(fields) -> None:
    """Bootstrap classes (and date inputs) for fields added after BootstrapFormMixin ran."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs["class"] = "form-control"
        if isinstance(widget, forms.DateInput) and not isinstance(widget, DateTimeLocalInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"


class ActivityImportForm(BootstrapFormMixin, forms.Form):
    """The activity read from the report, corrected by the user. Rows per parsed leader
    (``leader-N-*``) and presentation (``presentation-N-*``), plus one empty row of each."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=importing.MAX_TEXT_CHARS)
    record_as = forms.CharField(widget=forms.HiddenInput, initial=importing.RECORD_ACTIVITY)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organizer"), queryset=Topic.objects.none()
    )
    type = forms.ChoiceField(label=gettext_lazy("Type of activity"), choices=())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    theme = forms.CharField(label=gettext_lazy("Theme"), max_length=200, required=False)
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput())
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=200, required=False)
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Topic.objects.none(), required=False
    )
    participant_groups = forms.CharField(
        label=gettext_lazy("Participant groups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One group per line."),
        validators=[validate_no_markup],
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_no_markup],
    )
    more_types = forms.MultipleChoiceField(
        label=gettext_lazy("also of kind"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organizer_text = forms.CharField(
        label=gettext_lazy("organised in the name of"),
        max_length=100,
        required=False,
        validators=[validate_no_markup],
        help_text=gettext_lazy("e.g. the organ itself; empty: the organizer above"),
    )

    def __init__(self, *args, user, draft: importing.Draft, **kwargs):
        from dangjian.campaigns.models import ActivityType, Campaign, LeaderRole

        super().__init__(*args, **kwargs)
        self.user, self.draft = user, draft
        suggested = importing.activity_draft_for(user=user, draft=draft)
        self.suggested = suggested
        f = self.fields
        f["organization"].queryset = organization_choices(user=user, action=Action.MEETING_MANAGE)
        f["organization"].label_from_instance = _indented
        f["type"].choices = ActivityType.choices
        f["more_types"].choices = ActivityType.choices
        f["campaign"].queryset = (
            Campaign.objects.restrict(user, Action.MEETING_VIEW).distinct().order_by("-starts_on")
        )
        self.initial.update(
            {
                "text": draft.text,
                "record_as": importing.RECORD_ACTIVITY,
                "organization": suggested.organization.pk if suggested.organization else None,
                "type": suggested.type,
                "more_types": suggested.types[1:],
                "organizer_text": suggested.organizer_text,
                "title": suggested.title,
                "theme": suggested.theme,
                "held_on": suggested.held_on,
                "venue": suggested.venue,
                "campaign": suggested.campaign.pk if suggested.campaign else None,
                "participant_groups": suggested.participant_groups,
                "summary": suggested.summary,
            }
        )
        self.leader_names = []
        leaders = [*suggested.leaders, importing.LeaderChoice(name="")]
        for i, leader in enumerate(leaders):
            p = f"leader-{i}-"
            f[p + "name"] = forms.CharField(
                label=_("Leader %(n)d") % {"n": i + 1},
                max_length=50,
                required=False,
                validators=[validate_no_markup],
            )
            f[p + "title"] = forms.CharField(
                label=_("Titles"), max_length=100, required=False, validators=[validate_no_markup]
            )
            f[p + "role"] = forms.ChoiceField(label=_("Role"), choices=LeaderRole.choices)
            f[p + "entrusted_by"] = forms.CharField(
                label=_("Entrusted by"),
                max_length=100,
                required=False,
                validators=[validate_no_markup],
            )
            self.initial.update(
                {
                    p + "name": leader.name,
                    p + "title": leader.title,
                    p + "role": leader.role,
                    p + "entrusted_by": leader.entrusted_by,
                }
            )
            self.leader_names.append((i, p))
        self.presentation_names = []
        orgs = Organization.objects.restrict(user, Action.MEETING_VIEW).order_by("path")
        units = Unit.objects.order_by("sort_order", "name")
        rows = [*suggested.presentations, importing.PresentationChoice(topic="", include=False)]
        for i, pres in enumerate(rows):
            p = f"presentation-{i}-"
            f[p + "include"] = forms.BooleanField(label=_("Record"), required=False)
            f[p + "presenter"] = forms.CharField(
                label=_("Presenter (as text)"),
                max_length=100,
                required=False,
                validators=[validate_no_markup],
            )
            f[p + "organization"] = forms.ModelChoiceField(
                label=_("Presenting organization"), queryset=orgs, required=False
            )
            f[p + "organization"].label_from_instance = _indented
            f[p + "unit"] = forms.ModelChoiceField(
                label=_("Presenting unit"), queryset=units, required=False
            )
            f[p + "topic"] = forms.CharField(
                label=_("Topic"), max_length=200, required=False, validators=[validate_no_markup]
            )
            self.initial.update(
                {
                    p + "include": pres.include,
                    p + "presenter": pres.presenter,
                    p + "organization": pres.organization.pk if pres.organization else None,
                    p + "unit": pres.unit.pk if pres.unit else None,
                    p + "topic": pres.topic,
                }
            )
            self.presentation_names.append((i, p))
        _style(f)

    def leader_rows(self):
        return [
            {
                "index": i,
                "name": self[p + "name"],
                "title": self[p + "title"],
                "role": self[p + "role"],
                "entrusted_by": self[p + "entrusted_by"],
            }
            for i, p in self.leader_names
        ]

    def presentation_rows(self):
        return [
            {
                "index": i,
                "include": self[p + "include"],
                "presenter": self[p + "presenter"],
                "organization": self[p + "organization"],
                "unit": self[p + "unit"],
                "topic": self[p + "topic"],
            }
            for i, p in self.presentation_names
        ]

    def clean(self):
        data = super().clean()
        for _i, p in self.leader_names:
            if not (data.get(p + "name") or "").strip():
                continue
            if (
                data.get(p + "role") == "entrusted"
                and not (data.get(p + "entrusted_by") or "").strip()
            ):
                self.add_error(p + "entrusted_by", _("Name who entrusted this leader."))
        for _i, p in self.presentation_names:
            if not data.get(p + "include"):
                continue
            if not (data.get(p + "topic") or "").strip():
                self.add_error(p + "topic", _("This field is required."))
            if not (
                data.get(p + "organization")
                or data.get(p + "unit")
                or (data.get(p + "presenter") or "").strip()
            ):
                self.add_error(p + "presenter", _("Name who presented, or choose them."))
        return data

    def service_data(self) -> dict:
        d = self.cleaned_data
        leaders = [
            importing.LeaderChoice(
                name=d[p + "name"].strip(),
                role=d[p + "role"],
                title=d.get(p + "title") or "",
                entrusted_by=d.get(p + "entrusted_by") or "",
            )
            for _i, p in self.leader_names
            if (d.get(p + "name") or "").strip()
        ]
        presentations = [
            importing.PresentationChoice(
                topic=d.get(p + "topic") or "",
                presenter=d.get(p + "presenter") or "",
                organization=d.get(p + "organization"),
                unit=d.get(p + "unit"),
            )
            for _i, p in self.presentation_names
            if d.get(p + "include")
        ]
        return {
            "organization": d["organization"],
            "type": d["type"],
            "types": [d["type"], *(t for t in d.get("more_types") or [] if t != d["type"])],
            "organizer_text": d.get("organizer_text") or "",
            "title": d["title"],
            "theme": d.get("theme") or "",
            "held_on": d["held_on"],
            "venue": d.get("venue") or "",
            "campaign": d.get("campaign"),
            "leaders": leaders,
            "participant_groups": d.get("participant_groups") or "",
            "presentations": presentations,
            "summary": d.get("summary") or "",
        }


def _activity_step2(request, form, draft, status=200):
    return render(
        request,
        "reports/import/review_activity.html",
        {
            "form": form,
            "draft": draft,
            "segments": importing.highlight(draft.text, draft.record),
            "leader_rows": form.leader_rows(),
            "presentation_rows": form.presentation_rows(),
        },
        status=status,
    )
