"""Filters of the task list, shared by the board, the list page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.access.roles import Action
from dangjian.organizations.models import Organization, Unit

from .models import OPEN_STATUSES, Task, TaskPriority, TaskStatus

YES_NO = (("yes", _("yes")), ("no", _("no")))


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    lead_unit = django_filters.ModelChoiceFilter(label=_("Lead unit"), queryset=Unit.objects.none())
    lead_organization = django_filters.ModelChoiceFilter(
        label=_("Lead organization (with everything below it)"),
        queryset=Organization.objects.none(),
        method="filter_lead_subtree",
    )
    origin_meeting = django_filters.NumberFilter(
        label=_("Origin meeting"), field_name="origin_meeting_id", widget=forms.HiddenInput
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=TaskPriority.choices)
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), choices=YES_NO, method="filter_overdue"
    )
    deadline_from = django_filters.DateFilter(
        label=_("Deadline from"),
        field_name="deadline",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_to = django_filters.DateFilter(
        label=_("Deadline to"),
        field_name="deadline",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Task
        fields = [
            "q",
            "lead_unit",
            "lead_organization",
            "status",
            "priority",
            "overdue",
            "deadline_from",
            "deadline_to",
            "origin_meeting",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = (
            Organization.objects.restrict(user, Action.TASK_VIEW).active().order_by("path")
            if user is not None
            else Organization.objects.none()
        )
        self.filters["lead_organization"].queryset = orgs
        self.filters["lead_unit"].queryset = (
            Unit.objects.filter(
                Q(led_tasks__in=Task.objects.restrict(user, Action.TASK_VIEW).values("pk"))
                if user is not None
                else Q(pk__in=[])
            )
            .distinct()
            .order_by("sort_order", "name")
        )
        for f in self.form.fields.values():
            if isinstance(f.widget, forms.HiddenInput):
                continue
            f.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(f.widget, forms.Select)
                else "form-control form-control-sm"
            )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(details__icontains=value))

    def filter_lead_subtree(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(lead_organization__path__startswith=value.path)

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=today)
        if value == "yes":
            return queryset.filter(overdue)
        if value == "no":
            return queryset.exclude(overdue)
        return queryset
