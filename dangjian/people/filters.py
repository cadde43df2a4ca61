"""The member list's filters, shared by the page, its Excel export and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.organizations.models import Organization

from .models import Education, Gender, Member, MemberStatus
from .widgets import NOT_AN_ID_NUMBER_OR_PHONE

# Scopes with more organizations than this get a search box instead of a full list.
ORG_PICKER_FULL_LIST = 300


class SelectedOrganizationSelect(forms.Select):
    """A select that renders only the chosen organization (plus "all"): the
    options are fetched by name from ``people:organization_options`` as the
    user types, instead of listing thousands of organizations in the page."""

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in (value or []) if v not in (None, "")]
        choices = [("", "---------")]
        if chosen:
            org = Organization.objects.filter(pk__in=chosen).first()
            if org is not None:
                choices.append((str(org.pk), org.name))
        self.choices = choices
        return super().optgroups(name, value, attrs)


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization (with everything below it)"),
        queryset=Organization.objects.none(),
        method="filter_subtree",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MemberStatus.choices)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    education = django_filters.ChoiceFilter(label=_("Education"), choices=Education.choices)

    class Meta:
        model = Member
        fields = ["q", "organization", "status", "gender", "education"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = (
            Organization.objects.restrict(user, Action.MEMBER_VIEW).active().order_by("path")
            if user is not None
            else Organization.objects.none()
        )
        field = self.form.fields["organization"]
        if field.queryset.count() > ORG_PICKER_FULL_LIST:
            field.widget = SelectedOrganizationSelect(
                attrs={"data-org-search": reverse("people:organization_options")}
            )
        self.form.fields["q"].widget.attrs.update(
            pattern=NOT_AN_ID_NUMBER_OR_PHONE,
            title=_(
                "Search by name or administrative title; ID numbers and phones are never "
                "searched here."
            ),
        )
        for f in self.form.fields.values():
            f.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(f.widget, forms.Select)
                else "form-control form-control-sm"
            )

    def filter_q(self, queryset, name, value):
        """Name or administrative title contains the text.

        ID numbers and phones are not searched here: a GET query puts them in
        the address and the access log. Exact lookup is POST /api/members/lookup/
        (MEMBER_REVEAL, audited).
        """
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(admin_title__icontains=value))

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(organization__path__startswith=value.path) if value else queryset
