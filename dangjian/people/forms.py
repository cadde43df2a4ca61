from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.core.forms import BootstrapFormMixin
from dangjian.core.validators import validate_no_markup
from dangjian.organizations.models import Organization, OrganizationKind
from dangjian.organizations.selectors import organization_choices

from .models import Member, PostTitle


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class MemberForm(BootstrapFormMixin, forms.ModelForm):
    """Member fields; ID number and phone are entered in clear and stored encrypted."""

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters. Stored encrypted and shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "phone",
            "education",
            "joined_party_on",
            "full_member_on",
            "status",
            "organization",
            "admin_title",
        ]
        widgets = {
            "birth_date": forms.DateInput(),
            "joined_party_on": forms.DateInput(),
            "full_member_on": forms.DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        org_field = self.fields["organization"]
        # A 党组 is a leading body: nobody's membership is in it.
        org_field.queryset = organization_choices(user=user, action=Action.MEMBER_MANAGE).exclude(
            kind=OrganizationKind.LEADING_GROUP
        )
        org_field.label_from_instance = _indented
        if self.instance.pk:
            # Moving is a transfer with its own form and history.
            del self.fields["organization"]
            self.fields["version"].initial = self.instance.version
            self.fields["id_number"].help_text = _(
                "Leave empty to keep the stored number ({masked})."
            ).format(masked=self.instance.id_number_masked or "—")
            self.fields["phone"].help_text = _(
                "Leave empty to keep the stored number ({masked})."
            ).format(masked=self.instance.phone_masked or "—")

    def service_data(self) -> dict:
        """Cleaned data as the services take it (empty secrets mean "unchanged" on edit)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if self.instance.pk:
            for secret in ("id_number", "phone"):
                if not data.get(secret):
                    data.pop(secret, None)
        return data


class TransferForm(BootstrapFormMixin, forms.Form):
    to_organization = forms.ModelChoiceField(
        label=_("Transfer to"), queryset=Organization.objects.none()
    )
    transferred_on = forms.DateField(label=_("Date"), widget=forms.DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, validators=[validate_no_markup]
    )

    def __init__(self, *args, user, member, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_organization"]
        field.queryset = (
            organization_choices(user=user, action=Action.MEMBER_MANAGE)
            .exclude(pk=member.organization_id)
            .exclude(kind=OrganizationKind.LEADING_GROUP)
        )
        field.label_from_instance = _indented


class PostForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    title = forms.ChoiceField(label=_("Post"), choices=PostTitle.choices)
    started_on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organization_choices(user=user, action=Action.MEMBER_MANAGE)
        field.label_from_instance = _indented
