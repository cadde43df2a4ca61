"""Forms of the tasks: pickers offer only what the user's scope allows."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.organizations.models import Organization, Unit
from dangjian.organizations.selectors import organization_choices
from dangjian.people.models import Member
from dangjian.people.widgets import MemberPickerSelect, member_label

from .models import OPEN_STATUSES, Task, TaskPriority


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def unit_choices(*, user, action: str = Action.TASK_MANAGE):
    """Units linked to the organizations in scope, and the units above them."""
    orgs = Organization.objects.restrict(user, action).active()
    linked = Unit.objects.filter(organizations__in=orgs)
    return (
        Unit.objects.filter(
            Q(pk__in=linked.values("pk"))
            | Q(children__in=linked.values("pk"))
            | Q(parent__in=linked.values("pk"))
        )
        .distinct()
        .order_by("sort_order", "name")
    )


class TaskForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Task
        fields = [
            "title",
            "details",
            "organization",
            "origin_meeting",
            "origin_agenda_item",
            "parent",
            "weight",
            "lead_unit",
            "lead_organization",
            "cooperating_units",
            "responsible",
            "deadline",
            "priority",
        ]
        widgets = {
            "deadline": forms.DateInput(),
            "details": forms.Textarea(attrs={"rows": 4}),
            "cooperating_units": forms.SelectMultiple(attrs={"size": 5}),
            # A search box, not a <select> of every member in scope (a million at the organ office).
            "responsible": MemberPickerSelect(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from dangjian.meetings.models import AgendaItem, Meeting

        self.user = user
        f = self.fields
        f["organization"].queryset = organization_choices(user=user, action=Action.TASK_MANAGE)
        f["organization"].label_from_instance = _indented
        f["lead_organization"].queryset = organization_choices(user=user, action=Action.TASK_MANAGE)
        f["lead_organization"].label_from_instance = _indented
        units = unit_choices(user=user)
        f["lead_unit"].queryset = units
        f["cooperating_units"].queryset = units
        f["responsible"].queryset = (
            Member.objects.restrict(user, Action.MEMBER_VIEW)
            .current()
            .select_related("organization")
            .order_by("organization__path", "name")
        )
        f["responsible"].label_from_instance = member_label
        f["responsible"].error_messages = {
            **f["responsible"].error_messages,
            "invalid_choice": _(
                "Choose a current member within your scope as the responsible person."
            ),
        }
        f["origin_meeting"].queryset = Meeting.objects.restrict(user, Action.MEETING_VIEW).order_by(
            "-starts_at"
        )
        meeting_id = self.data.get("origin_meeting") or self.initial.get("origin_meeting")
        if self.instance.pk and self.instance.origin_meeting_id:
            meeting_id = meeting_id or self.instance.origin_meeting_id
        f["origin_agenda_item"].queryset = (
            AgendaItem.objects.filter(
                meeting_id=meeting_id,
                meeting__in=Meeting.objects.restrict(user, Action.MEETING_VIEW).values("pk"),
            ).order_by("order")
            if str(meeting_id or "").isdigit()
            else AgendaItem.objects.none()
        )
        parents = Task.objects.restrict(user, Action.TASK_MANAGE).filter(status__in=OPEN_STATUSES)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        f["parent"].queryset = parents.order_by("deadline", "id")
        f["priority"].initial = TaskPriority.NORMAL
        if self.instance.pk:
            # Where a task comes from and who issued it stay as they were.
            for name in ("organization", "origin_meeting", "origin_agenda_item", "parent"):
                del f[name]
            f["version"].initial = self.instance.version

    def _post_clean(self):
        # The services validate the model (deadline rules, scope); skip ModelForm's own pass.
        pass

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ProgressForm(BootstrapFormMixin, forms.Form):
    reported_on = forms.DateField(label=_("Date"), widget=forms.DateInput())
    percent = forms.IntegerField(
        label=_("Percent complete"),
        help_text=_("0 to 100."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
    )
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, images, Word, Excel or PowerPoint files."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("reported_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, required: bool = False, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if label:
            self.fields["reason"].label = label
