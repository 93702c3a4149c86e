from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import NAME_MAX, TEXT_MAX

TEXT = {"class": "form-control"}


class PlanForm(forms.Form):
    plan = forms.CharField(
        label=_("Rectification plan"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )
    leader = forms.CharField(
        label=_("County leader in charge"), max_length=NAME_MAX, widget=forms.TextInput(attrs=TEXT)
    )
    contact = forms.CharField(
        label=_("Township contact"), max_length=NAME_MAX, widget=forms.TextInput(attrs=TEXT)
    )


class ProgressForm(forms.Form):
    on = forms.DateField(
        label=pgettext_lazy("progress", "Date"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    note = forms.CharField(
        label=_("Progress made"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class AddForm(forms.Form):
    code = forms.CharField(label=_("Organization code"), max_length=40, widget=forms.TextInput(attrs=TEXT))
    reason = forms.CharField(label=_("Why it is listed"), max_length=200, widget=forms.TextInput(attrs=TEXT))
