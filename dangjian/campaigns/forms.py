"""Forms of the campaigns: pickers offer only what the user's scope allows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.organizations.models import Organization, OrganizationKind
from dangjian.organizations.selectors import organization_choices

from .models import ActivityType, Campaign, Capability


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class CampaignForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    capabilities = forms.MultipleChoiceField(
        label=_("capabilities"),
        choices=Capability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "parent",
            "organization",
            "covered",
            "starts_on",
            "ends_on",
            "capabilities",
            "notice",
            "goals",
        ]
        widgets = {
            "starts_on": forms.DateInput(),
            "ends_on": forms.DateInput(),
            "notice": forms.Textarea(attrs={"rows": 5}),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].widget.attrs["class"] = ""
        orgs = organization_choices(user=user, action=Action.CAMPAIGN_MANAGE)
        for name in ("organization", "covered"):
            self.fields[name].queryset = orgs
            self.fields[name].label_from_instance = _indented
        self.fields["parent"].queryset = Campaign.objects.restrict(
            user, Action.MEETING_VIEW
        ).order_by("-starts_on")
        if self.instance.pk:
            self.fields["organization"].disabled = True
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk=self.instance.pk
            )
            self.initial.setdefault("version", self.instance.version)

    def service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["capabilities"] = list(self.cleaned_data.get("capabilities") or [])
        return data


class RequirementForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organization_kinds = forms.MultipleChoiceField(
        label=_("applies to organization kinds"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every organization in the covered subtree."),
    )
    due_on = forms.DateField(label=_("due date"), widget=forms.DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization_kinds"].widget.attrs["class"] = ""


class ReportForm(BootstrapFormMixin, forms.Form):
    """Report an existing activity, or record a new one in the same step."""

    activity = forms.ModelChoiceField(
        label=_("existing activity"),
        queryset=None,
        required=False,
        empty_label=_("— record a new activity below —"),
    )
    type = forms.ChoiceField(label=_("type"), choices=ActivityType.choices, required=False)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    theme = forms.CharField(label=_("theme"), max_length=200, required=False)
    held_on = forms.DateField(label=_("date"), widget=forms.DateInput(), required=False)
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)
    participant_groups = forms.CharField(
        label=_("participant groups"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(
        label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
        self.fields["activity"].label_from_instance = lambda a: (
            f"{a.held_on:%Y-%m-%d} {a.title}（{a.organization.name}）"
        )

    def clean(self):
        data = super().clean()
        if not data.get("activity"):
            for name in ("type", "title", "held_on"):
                if not data.get(name):
                    self.add_error(
                        name, _("Pick an existing activity or fill in this field for a new one.")
                    )
        return data


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class PlannedActivityForm(BootstrapFormMixin, forms.Form):
    type = forms.ChoiceField(label=_("type"), choices=ActivityType.choices)
    theme = forms.CharField(label=_("theme"), max_length=200)
    owner_organization = forms.ModelChoiceField(
        label=_("owner organization"), queryset=None, required=False
    )
    owner_unit = forms.ModelChoiceField(label=_("owner unit"), queryset=None, required=False)
    starts_on = forms.DateField(label=_("from"), widget=forms.DateInput(), required=False)
    ends_on = forms.DateField(label=_("until"), widget=forms.DateInput(), required=False)

    def __init__(self, *args, user, campaign, **kwargs):
        from dangjian.organizations.models import Unit

        super().__init__(*args, **kwargs)
        orgs = organization_choices(user=user, action=Action.MEETING_VIEW).filter(
            path__startswith=campaign.organization.path
        )
        self.fields["owner_organization"].queryset = orgs
        self.fields["owner_organization"].label_from_instance = _indented
        self.fields["owner_unit"].queryset = Unit.objects.order_by("sort_order", "name")
