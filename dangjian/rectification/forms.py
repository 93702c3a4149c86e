from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import TEXT_MAX, ProblemSource

TEXT = {"class": "form-control"}


class ProblemForm(forms.Form):
    description = forms.CharField(
        label=_("Problem"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    measure = forms.CharField(
        label=_("Rectification measure"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    owner = forms.CharField(label=_("Responsible"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    deadline = forms.DateField(
        label=pgettext_lazy("problem", "Deadline"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )


class NewProblemForm(ProblemForm):
    source = forms.ChoiceField(
        label=_("Source"), choices=ProblemSource.choices, widget=forms.Select(attrs={"class": "form-select"})
    )


class FromMeetingForm(forms.Form):
    lines = forms.CharField(
        label=_("Problems raised (one per line)"),
        max_length=20000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )
    owner = forms.CharField(label=_("Responsible"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    deadline = forms.DateField(
        label=pgettext_lazy("problem", "Deadline"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
