from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import BootstrapFormMixin
from dangjian.core.validators import validate_no_markup
from dangjian.organizations.models import Organization

from .models import User
from .roles import Role


def _indented(org: Organization) -> str:
    return "\u3000" * org.depth + org.name


class UserCreateForm(BootstrapFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.-]+$",
        error_messages={"invalid": _("Use letters, digits, dots, dashes and underscores.")},
    )
    display_name = forms.CharField(
        label=_("Display name"), max_length=50, required=False, validators=[validate_no_markup]
    )
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)


class GrantForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization = forms.ModelChoiceField(
        label=_("Organization (the role covers everything below it)"),
        queryset=Organization.objects.active().order_by("path"),
        required=False,
        help_text=_("Leave empty for the platform-wide roles."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].label_from_instance = _indented


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name (what the token is for)"),
        max_length=50,
        required=False,
        validators=[validate_no_markup],
    )
