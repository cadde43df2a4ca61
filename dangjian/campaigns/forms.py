"""Forms of the campaigns: pickers offer only what the user's scope allows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.meetings.models import MeetingKind
from dangjian.organizations.models import Organization, OrganizationKind
from dangjian.organizations.selectors import organization_choices
from dangjian.training.models import TrainingKind

from .models import Activity, ActivityType, Campaign, Capability, LeaderRole, Presentation


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class CampaignForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    notice_upload = forms.FileField(
        label=_("notice attachment"),
        required=False,
        help_text=_("The notice document: PDF, Word (.doc, .docx) or text."),
    )
    notice_remove = forms.BooleanField(label=_("remove the attachment"), required=False)
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
            "issued_by_text",
            "superior_body",
            "covered",
            "starts_on",
            "ends_on",
            "capabilities",
            "main_capability",
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
        if not (self.instance.pk and self.instance.notice_file):
            del self.fields["notice_remove"]

    def clean_notice_upload(self):
        from dangjian.core.uploads import validate_attachment

        from .services import NOTICE_TYPES

        upload = self.cleaned_data.get("notice_upload")
        if upload:
            validate_attachment(upload, allowed=NOTICE_TYPES)
        return upload

    def service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["capabilities"] = list(self.cleaned_data.get("capabilities") or [])
        data["notice_upload"] = self.cleaned_data.get("notice_upload")
        if self.cleaned_data.get("notice_remove"):
            data["notice_remove"] = True
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
    meeting_kind = forms.ChoiceField(
        label=_("met by a meeting of kind"),
        choices=[("", "—"), *MeetingKind.choices],
        required=False,
        help_text=_(
            "The organizations' own meeting of this kind in the campaign's period meets the "
            "requirement (e.g. a themed party day): they submit it with one click."
        ),
    )
    training_kind = forms.ChoiceField(
        label=_("met by a training of kind"),
        choices=[("", "—"), *TrainingKind.choices],
        required=False,
        help_text=_("A training of this kind held by the organization or above it meets it."),
    )

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


# ---------------------------------------------------------------- activities


class ActivityForm(BootstrapFormMixin, forms.ModelForm):
    more_types = forms.MultipleChoiceField(
        label=_("also of kind"),
        choices=ActivityType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One event of several kinds, e.g. a launch ceremony and forum, is one record."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "type",
            "title",
            "theme",
            "held_on",
            "venue",
            "organization",
            "organizer_text",
            "campaign",
            "participant_groups",
            "participants",
            "summary",
        ]
        widgets = {
            "held_on": forms.DateInput(),
            "participant_groups": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "participant_groups": _(
                "Who took part, e.g. “deputy secretaries of the department branches”."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organization_choices(
            user=user, action=Action.MEETING_MANAGE
        )
        self.fields["organization"].label_from_instance = _indented
        self.fields["campaign"].queryset = Campaign.objects.restrict(
            user, Action.MEETING_VIEW
        ).order_by("-starts_on", "id")
        self.fields["campaign"].required = False
        if self.instance.pk:
            self.fields["organization"].disabled = True
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("more_types", self.instance.kinds()[1:])

    def service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        main = data["type"]
        more = [t for t in ActivityType.values if t in self.cleaned_data.get("more_types", [])]
        data["types"] = [main, *(t for t in more if t != main)]
        if self.instance.pk:
            data.pop("organization", None)
        return data


class LeaderForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=50, required=False)
    title = forms.CharField(
        label=_("post"),
        max_length=100,
        required=False,
        help_text=_("e.g. member of the leading party group, deputy director"),
    )
    role = forms.ChoiceField(
        label=_("role"), choices=[("", "—"), *LeaderRole.choices], required=False
    )
    entrusted_by = forms.CharField(
        label=_("entrusted by"),
        max_length=100,
        required=False,
        help_text=_("Only for an entrusted leader: who entrusted them (受…委托)."),
    )

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        role = data.get("role")
        if name and not role:
            self.add_error("role", _("Choose the role of this leader."))
        if not name and (role or (data.get("title") or "").strip()):
            self.add_error("name", _("Give the name of this leader."))
        if role == LeaderRole.ENTRUSTED and not (data.get("entrusted_by") or "").strip():
            self.add_error("entrusted_by", _("Say who entrusted this leader."))
        return data


LeaderFormSet = forms.formset_factory(LeaderForm, extra=2, max_num=30, validate_max=True)


def leader_initial(activity: Activity | None) -> list[dict]:
    return list(activity.leaders) if activity is not None else []


LEADER_KEYS = ("name", "title", "role", "entrusted_by")


def leaders_from(formset) -> list[dict]:
    return [
        {k: (f.cleaned_data.get(k) or "").strip() for k in LEADER_KEYS}
        for f in formset.forms
        if f.cleaned_data and (f.cleaned_data.get("name") or "").strip()
    ]


class PresentationForm(BootstrapFormMixin, forms.ModelForm):
    material_upload = forms.FileField(
        label=_("material"),
        required=False,
        help_text=_("Slides or text of the presentation: PDF, Word, Excel, PowerPoint or text."),
    )
    material_remove = forms.BooleanField(label=_("remove the material"), required=False)

    class Meta:
        model = Presentation
        fields = [
            "order",
            "organization",
            "unit",
            "recommended_by_unit",
            "presenter",
            "topic",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "presenter": _("Free text when the presenter is neither an organization nor a unit."),
        }

    def __init__(self, *args, user, **kwargs):
        from dangjian.organizations.models import Unit

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organization_choices(
            user=user, action=Action.MEETING_VIEW
        )
        self.fields["organization"].label_from_instance = _indented
        self.fields["unit"].queryset = Unit.objects.order_by("sort_order", "name")
        self.fields["recommended_by_unit"].queryset = self.fields["unit"].queryset
        self.fields["order"].required = False
        if not (self.instance.pk and self.instance.material):
            del self.fields["material_remove"]

    def clean(self):
        data = super().clean()
        given = [
            data.get("organization"),
            data.get("unit"),
            (data.get("presenter") or "").strip(),
        ]
        if not any(given):
            self.add_error("presenter", _("Name the presenting organization, unit or presenter."))
        if data.get("organization") and data.get("unit"):
            self.add_error(
                "unit", _("Choose either a presenting organization or a unit, not both.")
            )
        return data

    def service_data(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in self.Meta.fields}
        data["presenter"] = data["presenter"] or ""
        data["summary"] = data["summary"] or ""
        data["material"] = self.cleaned_data.get("material_upload")
        if self.instance.pk:
            if data["order"] is None:
                data.pop("order")
            data["material_remove"] = bool(self.cleaned_data.get("material_remove"))
        return data


class PhotoForm(BootstrapFormMixin, forms.Form):
    # A FileField, not an ImageField: the picture is checked (and re-encoded) once,
    # by core.images in the service, with the platform's own messages.
    image = forms.FileField(
        label=_("photo"), help_text=_("JPEG, PNG, GIF or WebP; location data is removed.")
    )
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].widget.attrs["accept"] = "image/jpeg,image/png,image/gif,image/webp"


class ExemplaryForm(BootstrapFormMixin, forms.Form):
    exemplary = forms.BooleanField(label=_("exemplary case"), required=False)
    note = forms.CharField(
        label=_("why it is exemplary"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("exemplary") and not (data.get("note") or "").strip():
            self.add_error("note", _("Say in a sentence why this is an exemplary case."))
        return data


class AgendaForm(BootstrapFormMixin, forms.Form):
    cases = forms.ModelMultipleChoiceField(
        label=_("exemplary cases"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one exemplary case.")},
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].widget.attrs["class"] = ""
        self.fields["cases"].label_from_instance = lambda p: (
            f"{p.presenter_label()}：{p.topic}（{p.activity.title}）"
        )


class ActivityReportForm(BootstrapFormMixin, forms.Form):
    requirements = forms.MultipleChoiceField(
        label=_("requirements"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one requirement.")},
    )

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirement_map = {str(r.pk): r for r in requirements}
        self.fields["requirements"].choices = [
            (str(r.pk), f"{r.campaign.name} · {r.title}（{r.due_on:%Y-%m-%d}）")
            for r in requirements
        ]
        self.fields["requirements"].widget.attrs["class"] = ""

    def chosen(self):
        return [self.requirement_map[pk] for pk in self.cleaned_data["requirements"]]
