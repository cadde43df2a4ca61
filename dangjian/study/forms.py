from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import BootstrapFormMixin
from dangjian.core.uploads import ALLOWED_EXTENSIONS

from .models import Topic
from .services import MAX_TAGS, split_tags


class TopicForm(BootstrapFormMixin, forms.ModelForm):
    """Topic fields; tags typed in one line, separated by commas or 、."""

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
    )
    link = forms.URLField(label=_("link"), required=False, max_length=500, assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Topic
        fields = ["kind", "title", "speaker", "given_on", "source", "link", "tags", "text"]
        widgets = {
            "given_on": forms.DateInput(),
            "text": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if not self.is_bound:
                self.initial["tags"] = "、".join(self.instance.tags or [])
        self.fields["tags"].widget.attrs["maxlength"] = 400
        self.fields["tags"].help_text = gettext(
            "Separate tags with commas or 、, at most %(n)d tags."
        ) % {"n": MAX_TAGS}
        self.fields["tags"].widget.attrs["placeholder"] = gettext("e.g. 广电、意识形态")

    def clean_tags(self):
        return split_tags(self.cleaned_data.get("tags") or "")

    def _post_clean(self):
        # Model validation (dates, markup, tags) is the service's; it reports
        # field by field and the view shows its errors on this form.
        pass

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("Accepted: %(types)s.") % {
            "types": ", ".join(ALLOWED_EXTENSIONS)
        }
