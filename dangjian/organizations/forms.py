from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin

from .models import Organization, OrganizationKind, Unit
from .selectors import organization_choices


class OrganizationForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = ["name", "short_name", "kind", "unit", "sort_order", "established_on"]
        widgets = {"established_on": forms.DateInput()}

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.fields["unit"].queryset = Unit.objects.select_related("parent").order_by(
            "parent__sort_order", "sort_order", "name"
        )
        self.fields["unit"].label_from_instance = _unit_label
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


def _unit_label(unit: Unit) -> str:
    return f"{unit.parent.name} · {unit.name}" if unit.parent_id else unit.name


class OrganizationMoveForm(BootstrapFormMixin, forms.Form):
    parent = forms.ModelChoiceField(
        label=_("New parent organization"), queryset=Organization.objects.none()
    )

    def __init__(self, *args, user, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            organization_choices(user=user, action=Action.ORG_MANAGE)
            .exclude(path__startswith=organization.path)
            .exclude(kind=OrganizationKind.GROUP)
        )
        self.fields["parent"].label_from_instance = _indented


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class UnitForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "parent", "sort_order"]
