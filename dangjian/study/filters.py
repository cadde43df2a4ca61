"""The topic list's filters, shared by the page and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TopicKind


class TopicFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *TopicKind.choices]
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    given_from = forms.DateField(label=_("Given from"), required=False)
    given_to = forms.DateField(label=_("Given until"), required=False)

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Title or text, e.g. 总书记 讲话")}
        )
        self.fields["tag"].widget = forms.Select(
            choices=[("", _("All tags")), *((t, t) for t in tags)]
        )
        for name in ("given_from", "given_to"):
            self.fields[name].widget.input_type = "date"
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs["class"] = (
                f"{css} form-control-sm"
                if css == "form-control"
                else ("form-select form-select-sm")
            )

    def selector_kwargs(self) -> dict:
        """Arguments for ``selectors.topic_list`` (invalid fields are left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            k: data[k]
            for k in ("q", "kind", "tag", "given_from", "given_to")
            if k in data and data[k] not in (None, "")
        }
