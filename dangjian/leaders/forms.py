from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import WorkKind

TEXT = {"class": "form-control"}
CHECK = {"class": "form-check-input"}
# Offered as suggestions only: committees name their posts in many ways (纪委书记, 组织部长…).
COMMON_POSTS = ["书记", "副书记", "常委", "委员", "纪委书记", "组织委员", "宣传委员"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(attrs=TEXT, format="%Y-%m-%d")


class LeaderForm(forms.Form):
    post = forms.CharField(
        label=_("Post"),
        max_length=50,
        widget=forms.TextInput(attrs={**TEXT, "list": "leader-posts", "autocomplete": "off"}),
    )
    principal = forms.BooleanField(
        label=_("Principal leader of the committee"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
        help_text=_("At most one per committee: the one whose special lecture to the central group counts."),
    )
    since = forms.DateField(label=_("In post since"), widget=DateInput())


class AppointForm(LeaderForm):
    member_id = forms.IntegerField(
        label=_("Member number"),
        min_value=1,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_("Shown on the member's page; the member's own branch must be under this committee."),
    )
    field_order = ["member_id", "post", "principal", "since"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["since"].initial = timezone.localdate()


class WorkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of work"), choices=WorkKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    written_on = forms.DateField(label=_("Written on"), widget=DateInput())
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 6}))
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".pdf,.docx,.jpg,.jpeg,.png"}),
        help_text=_("PDF, Word (.docx), JPEG or PNG, up to 20 MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["written_on"].initial = timezone.localdate()


class PlanItemForm(forms.Form):
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), *[(m, str(m)) for m in range(1, 13)]],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    theme = forms.CharField(
        label=_("Theme"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    readings = forms.CharField(
        label=_("Readings"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("theme") and not data.get("readings")


# Existing items plus a few empty rows; a row left without a theme is dropped on saving.
PlanItemFormSet = formset_factory(PlanItemForm, extra=3, max_num=60, validate_max=True)
