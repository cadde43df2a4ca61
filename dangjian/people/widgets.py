"""A member picker for forms: the chosen member plus a search box, never the whole scope.

A ``<select>`` of every member a user may view is a million options for the organ
office of a large installation. This widget renders only the current choice; typing
in its search box fetches at most a few matches from ``people:member_pick`` (htmx)
into the same ``<select>``. The field stays a ``ModelChoiceField`` on the scoped
queryset, so a posted id outside the scope is refused as before.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.http import urlencode

# A name search box must not send an ID number or a phone: a GET query puts it in the
# address and the access log. The browser refuses to submit (form) or send (htmx with
# hx-validate) a value of 7 or more digits, spaces and dashes; the server refuses it too.
NOT_AN_ID_NUMBER_OR_PHONE = r"(?![\d\s\-\(\)（）]{7,}[xX]?$).*"


def member_label(member) -> str:
    org = member.organization
    return f"{member.name}（{org.short_name or org.name}）"


class MemberPickerSelect(forms.Select):
    template_name = "people/widgets/member_picker.html"

    def __init__(self, attrs=None, choices=(), *, pick_params=None):
        super().__init__(attrs, choices)
        # Extra query of the search, e.g. {"org": 12} to find only members of that
        # organization's subtree (checked by the endpoint); never anything personal.
        self.pick_params = dict(pick_params or {})

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in (value or []) if v not in (None, "")]
        choices = [("", "---------")]
        queryset = getattr(self.choices, "queryset", None)
        if chosen and queryset is not None:
            member = (
                queryset.select_related("organization")
                .filter(pk__in=[v for v in chosen if str(v).isdigit()])
                .first()
            )
            if member is not None:
                choices.append((str(member.pk), member_label(member)))
        full, self.choices = self.choices, choices
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = full

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        query = urlencode({"field": name, **self.pick_params})
        context["widget"]["pick_url"] = f"{reverse('people:member_pick')}?{query}"
        context["widget"]["search_pattern"] = NOT_AN_ID_NUMBER_OR_PHONE
        return context
