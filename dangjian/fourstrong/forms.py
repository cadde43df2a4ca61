from django import forms
from django.utils.translation import gettext_lazy as _


class StepForm(forms.Form):
    """The fields any step may take; each step reads the ones it needs."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)
    start = forms.DateField(label=_("Public notice from"), required=False)
    end = forms.DateField(label=_("Public notice until"), required=False)
    text = forms.CharField(label=_("Objection"), required=False, widget=forms.Textarea)
    objection = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea)
