from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.organizations.models import Organization, OrganizationKind

from .models import Indicator, IndicatorSystem, SystemStatus


class StepForm(forms.Form):
    """The fields any step may take; each step reads the ones it needs."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)
    start = forms.DateField(label=_("Public notice from"), required=False)
    end = forms.DateField(label=_("Public notice until"), required=False)
    text = forms.CharField(label=_("Objection"), required=False, widget=forms.Textarea)
    objection = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea)


class SystemForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = IndicatorSystem
        fields = ["name"]


class IndicatorForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "dimension",
            "name",
            "weight",
            "max_score",
            "source",
            "computed_key",
            "rule",
            "order",
        ]
        widgets = {"rule": forms.Textarea(attrs={"rows": 3})}


class CycleForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    system = forms.ModelChoiceField(
        label=_("Indicator system"), queryset=IndicatorSystem.objects.none()
    )
    scope = forms.ModelChoiceField(label=_("Scope"), queryset=Organization.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = IndicatorSystem.objects.filter(
            status=SystemStatus.PUBLISHED
        )
        self.fields["scope"].queryset = (
            Organization.objects.restrict(user, Action.FOURSTRONG_REVIEW)
            .active()
            .exclude(kind__in=[OrganizationKind.BRANCH, OrganizationKind.GROUP])
            .order_by("path")
        )
