from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.core.validators import validate_no_markup
from dangjian.organizations.models import Organization, OrganizationKind, Unit
from dangjian.organizations.selectors import organization_choices
from dangjian.people.models import Member
from dangjian.people.widgets import MemberPickerSelect, member_label

from .models import (
    LEADING_GROUP_KINDS,
    AgendaItem,
    AttendanceRole,
    AttendanceStatus,
    LifeRule,
    Meeting,
    MeetingKind,
)
from .services import attendance_candidates

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class MeetingForm(BootstrapFormMixin, forms.ModelForm):
    invited_leaders_text = forms.CharField(
        label=_("Invited leaders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: name, then title (e.g. 张三 驻局纪检监察组组长)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = [
            "organization",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "chair",
            "chair_name",
            "recorder",
            "summary",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            # Search boxes, not <select>s of every member in scope (a million at the organ office).
            "chair": MemberPickerSelect(),
            "recorder": MemberPickerSelect(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        org_field = self.fields["organization"]
        org_field.queryset = organization_choices(user=user, action=Action.MEETING_MANAGE)
        org_field.label_from_instance = _indented
        people = Member.objects.restrict(user, Action.MEETING_MANAGE).current()
        refusals = {
            "chair": _("Choose a current member within your scope as the chair."),
            "recorder": _("Choose a current member within your scope as the recorder."),
        }
        if self.instance.pk:
            del self.fields["organization"]
            self.fields["version"].initial = self.instance.version
            people = attendance_candidates(self.instance)
            refusals = {
                "chair": _("Choose a current member of the meeting's organization as the chair."),
                "recorder": _(
                    "Choose a current member of the meeting's organization as the recorder."
                ),
            }
            if self.instance.kind not in LEADING_GROUP_KINDS:
                # The candidates are the organization's subtree: search only there. A leading
                # group's meeting also has its post holders from elsewhere: the whole scope.
                for name in ("chair", "recorder"):
                    self.fields[name].widget.pick_params = {"org": self.instance.organization_id}
            self.fields["invited_leaders_text"].initial = "\n".join(
                f"{e.get('name', '')} {e.get('title', '')}".strip()
                for e in self.instance.invited_leaders
            )
        for name in ("chair", "recorder"):
            self.fields[name].queryset = people.select_related("organization").order_by(
                "organization__path", "name"
            )
            self.fields[name].label_from_instance = member_label
            self.fields[name].error_messages = {
                **self.fields[name].error_messages,
                "invalid_choice": refusals[name],
            }

    def clean_invited_leaders_text(self):
        leaders = []
        for line in self.cleaned_data["invited_leaders_text"].splitlines():
            line = line.strip().replace("，", " ").replace(",", " ")
            if not line:
                continue
            name, _sep, title = line.partition(" ")
            leaders.append({"name": name.strip(), "title": title.strip()})
        return leaders

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["invited_leaders"] = data.pop("invited_leaders_text", [])
        return data


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, validators=[validate_no_markup]
    )


class AttendanceRowForm(forms.Form):
    member = forms.ModelChoiceField(queryset=Member.objects.none(), required=False)
    role = forms.ChoiceField(choices=AttendanceRole.choices, required=False)
    status = forms.ChoiceField(choices=AttendanceStatus.choices, required=False)
    reason = forms.CharField(max_length=200, required=False, validators=[validate_no_markup])

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates
        self.fields["member"].label_from_instance = member_label
        self.fields["member"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["role"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["reason"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": _("Reason for leave")}
        )


class BaseAttendanceFormSet(forms.BaseFormSet):
    def __init__(self, *args, candidates=None, **kwargs):
        self.candidates = candidates
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "candidates": self.candidates}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            member = form.cleaned_data.get("member")
            if member is None:
                continue
            if member.pk in seen:
                raise forms.ValidationError(
                    _("%(name)s is listed twice; a member appears once per meeting."),
                    params={"name": member.name},
                    code="duplicate",
                )
            seen.add(member.pk)
            if (
                form.cleaned_data.get("status") == AttendanceStatus.LEAVE
                and not (form.cleaned_data.get("reason") or "").strip()
            ):
                form.add_error("reason", _("Give the reason for the leave."))

    def entries(self) -> list[dict]:
        return [
            {
                "member": f.cleaned_data["member"],
                "status": f.cleaned_data.get("status") or AttendanceStatus.EXPECTED,
                "role": f.cleaned_data.get("role") or AttendanceRole.ATTENDING,
                "reason": f.cleaned_data.get("reason", ""),
            }
            for f in self.forms
            if f.cleaned_data.get("member") is not None
        ]


AttendanceFormSet = forms.formset_factory(
    AttendanceRowForm, formset=BaseAttendanceFormSet, extra=2, max_num=500
)


class AgendaItemForm(BootstrapFormMixin, forms.ModelForm):
    block_topics = forms.ModelMultipleChoiceField(
        label=_("Topics named only in the blocks"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4, "data-topic-select": "1"}),
        help_text=_(
            "Topics a block answers that are not in the list of what was studied "
            "(e.g. an instruction recalled under 会议指出)."
        ),
    )
    statements = forms.CharField(
        label=_("What the meeting stated (blocks and measures)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "A line 会议指出, 会议强调, 会议要求 or 会议认为 starts a block; after it, in 【】, "
            "the topics it answers (their numbers or words of their titles, separated by ；). "
            "Then the block's words; a line starting 一要, 二要… is a numbered measure; a line "
            "starting with * is a measure without a number (words from the prose). Each "
            "measure can later become tasks."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AgendaItem
        fields = ["kind", "title", "topics", "minutes"]
        widgets = {
            "topics": forms.SelectMultiple(attrs={"size": 8, "data-topic-select": "1"}),
            "minutes": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user, meeting, **kwargs):
        from dangjian.meetings.services import item_topics
        from dangjian.meetings.statements import format_blocks
        from dangjian.study.models import Topic

        super().__init__(*args, **kwargs)
        topics = Topic.objects.restrict(user, Action.MEETING_VIEW).order_by("-given_on", "-id")
        for name in ("topics", "block_topics"):
            self.fields[name].queryset = topics
            self.fields[name].label_from_instance = lambda t: f"{t.given_on:%Y-%m-%d} {t.title}"
        self.fields["topics"].help_text = _(
            "Study items only. Type in the search box to filter. New topics are added after "
            "the others; put them in the report's order with the arrows on the meeting page."
        )
        self.fields["version"].initial = meeting.version
        self.current_topics = item_topics(self.instance) if self.instance.pk else []
        if self.instance.pk:
            listed = item_topics(self.instance, listed=True)
            self.initial["topics"] = [t.pk for t in listed]
            self.fields["block_topics"].initial = [
                t.pk for t in self.current_topics if t not in listed
            ]
            self.fields["statements"].initial = format_blocks(
                self.instance.blocks.prefetch_related("topics", "measures").order_by("order"),
                self.current_topics,
            )

    def ordered_topics(self) -> tuple[list, list]:
        """(listed, named only in blocks): the topics already linked keep their order, new
        ones follow in the order of the list."""
        chosen = list(self.cleaned_data.get("topics") or ())
        extra = [t for t in self.cleaned_data.get("block_topics") or () if t not in chosen]
        rank = {t.pk: i for i, t in enumerate(self.current_topics)}

        def key(t):
            return rank.get(t.pk, len(rank))

        return sorted(chosen, key=key), sorted(extra, key=key)

    def clean(self):
        from dangjian.meetings.statements import parse_blocks

        data = super().clean()
        if self.errors:
            return data
        listed, extra = self.ordered_topics()
        try:
            data["blocks"] = parse_blocks(data.get("statements") or "", listed + extra)
        except ValidationError as exc:
            self.add_error("statements", exc)
        return data

    def service_data(self) -> dict:
        listed, _extra = self.ordered_topics()
        data = {name: self.cleaned_data[name] for name in ("kind", "title", "minutes", "blocks")}
        data["topics"] = listed
        return data


class DecisionTaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, validators=[validate_no_markup])
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput())
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.order_by("sort_order", "name"), required=False
    )
    lead_organization = forms.ModelChoiceField(
        label=_("Lead organization"), queryset=Organization.objects.none(), required=False
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"),
        queryset=Member.objects.none(),
        required=False,
        # A search box, not a <select> of every member below the meeting's organization.
        widget=MemberPickerSelect(),
        error_messages={
            "invalid_choice": _(
                "Choose a current member of the meeting's organization as the responsible person."
            )
        },
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=())

    def __init__(self, *args, user=None, meeting=None, **kwargs):
        from dangjian.tasks.models import TaskPriority

        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = TaskPriority.choices
        self.fields["priority"].initial = TaskPriority.NORMAL
        orgs = Organization.objects.active().filter(path__startswith=meeting.organization.path)
        self.fields["lead_organization"].queryset = orgs.order_by("path")
        self.fields["lead_organization"].label_from_instance = _indented
        self.fields["responsible"].queryset = (
            Member.objects.current()
            .filter(organization__path__startswith=meeting.organization.path)
            .select_related("organization")
            .order_by("organization__path", "name")
        )
        self.fields["responsible"].label_from_instance = member_label
        self.fields["responsible"].widget.pick_params = {"org": meeting.organization_id}
        for f in self.fields.values():
            widget = f.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css + " form-control-sm" if css == "form-control" else css
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class BaseDecisionTaskFormSet(forms.BaseFormSet):
    def __init__(self, *args, user=None, meeting=None, **kwargs):
        self.user, self.meeting = user, meeting
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user, "meeting": self.meeting}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            user=self.user,
            meeting=self.meeting,
        )
        self.add_fields(form, None)
        return form

    def tasks(self) -> list[dict]:
        rows = []
        for form in self.forms:
            if not form.has_changed() or not form.cleaned_data:
                continue
            rows.append({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
        return rows


DecisionTaskFormSet = forms.formset_factory(
    DecisionTaskForm, formset=BaseDecisionTaskFormSet, extra=1, max_num=20, min_num=1
)


class LifeRuleForm(BootstrapFormMixin, forms.ModelForm):
    organization_kinds = forms.MultipleChoiceField(
        label=_("Applies to"),
        choices=OrganizationKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = LifeRule
        fields = ["organization_kinds", "min_count", "remind_days_before", "active", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization_kinds"].widget.attrs["class"] = ""
        self.fields["min_count"].min_value = 1


class ComplianceForm(forms.Form):
    day = forms.DateField(label=_("Periods containing"), required=False, widget=forms.DateInput())
    organization = forms.ModelChoiceField(
        label=_("Organization (with everything below it)"),
        queryset=Organization.objects.none(),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organization_choices(
            user=user, action=Action.MEETING_VIEW
        )
        self.fields["organization"].label_from_instance = _indented
        self.fields["organization"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["day"].widget.input_type = "date"
        self.fields["day"].widget.format = "%Y-%m-%d"
        self.fields["day"].widget.attrs["class"] = "form-control form-control-sm"


KIND_CHOICES = MeetingKind.choices
