from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.organizations.models import Organization
from dangjian.organizations.selectors import organization_choices

from .capabilities import Capability
from .models import Training


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class TrainingForm(BootstrapFormMixin, forms.ModelForm):
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities built"),
        choices=Capability.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one capability the training builds.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Training
        fields = ["organization", "kind", "title", "date", "hours", "capabilities", "summary"]
        widgets = {"date": forms.DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].help_text = _("Hours of study, at most 24 (e.g. 2.5).")
        if self.instance.pk:
            del self.fields["organization"]
            self.fields["version"].initial = self.instance.version
        else:
            org_field = self.fields["organization"]
            org_field.queryset = organization_choices(user=user, action=Action.MEETING_MANAGE)
            org_field.label_from_instance = _indented

    def _post_clean(self):
        # The service validates the model; the form only checks its fields.
        pass

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        data["capabilities"] = list(self.cleaned_data["capabilities"])
        return data


class AttendanceForm(forms.Form):
    """One checkbox and one hours box per candidate member (names ``m<pk>`` and ``h<pk>``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, training: Training, candidates, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.training = training
        self.candidates = list(candidates)
        self.fields["version"].initial = training.version
        for member in self.candidates:
            self.fields[f"m{member.pk}"] = forms.BooleanField(
                required=False, initial=member.pk in current, label=member.name
            )
            self.fields[f"h{member.pk}"] = forms.DecimalField(
                required=False,
                max_digits=4,
                decimal_places=1,
                initial=current.get(member.pk, training.hours),
                label=_("hours"),
                widget=forms.NumberInput(
                    attrs={"class": "form-control form-control-sm", "step": "0.5", "min": "0"}
                ),
            )
            self.fields[f"m{member.pk}"].widget.attrs["class"] = "form-check-input"

    def rows(self):
        for member in self.candidates:
            yield member, self[f"m{member.pk}"], self[f"h{member.pk}"]

    def entries(self):
        return [
            (m, self.cleaned_data.get(f"h{m.pk}"))
            for m in self.candidates
            if self.cleaned_data.get(f"m{m.pk}")
        ]
