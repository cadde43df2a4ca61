"""The meeting list's filters, shared by the page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.organizations.models import Organization

from .models import Meeting, MeetingKind


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization (with everything below it)"),
        queryset=Organization.objects.none(),
        method="filter_subtree",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MeetingKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Meeting.Status.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="starts_at", lookup_expr="date__gte", widget=forms.DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="starts_at", lookup_expr="date__lte", widget=forms.DateInput()
    )

    class Meta:
        model = Meeting
        fields = ["q", "organization", "kind", "status", "date_from", "date_to"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = (
            Organization.objects.restrict(user, Action.MEETING_VIEW).active().order_by("path")
            if user is not None
            else Organization.objects.none()
        )
        self.filters["organization"].field.label_from_instance = lambda o: (
            "\u3000" * o.depth + o.name
        )
        for f in self.form.fields.values():
            if isinstance(f.widget, forms.DateInput):
                f.widget.input_type = "date"
                f.widget.format = "%Y-%m-%d"
            f.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(f.widget, forms.Select)
                else "form-control form-control-sm"
            )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset

    def filter_subtree(self, queryset, name, value):
        return queryset.filter(organization__path__startswith=value.path) if value else queryset
