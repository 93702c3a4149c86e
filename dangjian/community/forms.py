"""The page forms: types and lengths only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import MAX_HOURS, NAME_MAX, NOTE_MAX, TEXT_MAX, Fulfilment

TEXT = {"class": "form-control"}
DATE = {"class": "form-control", "type": "date"}


class PostForm(forms.Form):
    name = forms.CharField(label=_("Post"), max_length=NAME_MAX, widget=forms.TextInput(attrs=TEXT))
    duties = forms.CharField(
        label=_("Duties"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class CommitmentForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("commitment", "Commitment"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )


class AssessForm(forms.Form):
    fulfilment = forms.ChoiceField(
        label=_("Fulfilment"),
        choices=[c for c in Fulfilment.choices if c[0] != Fulfilment.OPEN],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=120, widget=forms.TextInput(attrs=TEXT))
    on = forms.DateField(label=pgettext_lazy("task", "Date"), widget=forms.DateInput(attrs=DATE))
    hours_expected = forms.IntegerField(
        label=_("Hours expected"), widget=forms.NumberInput(attrs={**TEXT, "min": 1, "max": MAX_HOURS})
    )


class ReportForm(forms.Form):
    hours = forms.IntegerField(
        label=_("Hours served"), widget=forms.NumberInput(attrs={**TEXT, "min": 1, "max": MAX_HOURS})
    )
    report = forms.CharField(
        label=_("What was done"), max_length=NOTE_MAX, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class PairingForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, required=False)
    head_name = forms.CharField(
        label=_("Head of household"), max_length=NAME_MAX, widget=forms.TextInput(attrs=TEXT)
    )
    address = forms.CharField(label=_("Address"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    difficulty = forms.CharField(
        label=_("Difficulty"), max_length=NOTE_MAX, widget=forms.TextInput(attrs=TEXT)
    )
    started_on = forms.DateField(label=_("Paired on"), required=False, widget=forms.DateInput(attrs=DATE))


class VisitForm(forms.Form):
    on = forms.DateField(label=pgettext_lazy("visit", "Date"), widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label=_("What was done"), max_length=NOTE_MAX, widget=forms.TextInput(attrs=TEXT))


class EndPairingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for ending"), max_length=NOTE_MAX, widget=forms.TextInput(attrs=TEXT)
    )
