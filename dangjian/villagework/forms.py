from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import NAME_MAX, NOTE_MAX, REASON_MAX, UNIT_MAX, Grade, LogKind, TeamRole

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {**TEXT, "type": "date"}


class FlagForm(forms.Form):
    code = forms.CharField(
        label=_("Village organization code"), max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=forms.TextInput(attrs=TEXT))


class AssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices, widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX, widget=forms.TextInput(attrs=TEXT))
    sending_unit = forms.CharField(
        label=_("Sending unit"), max_length=UNIT_MAX, widget=forms.TextInput(attrs=TEXT)
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={**TEXT, "inputmode": "tel"})
    )
    member = forms.IntegerField(
        label=_("Member number (optional: lets them keep their own work log)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.NumberInput(attrs=TEXT),
    )
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs=DATE))


class HandOverForm(forms.Form):
    end = forms.DateField(label=_("Last day in post"), widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(
        label=_("Handover note"), max_length=REASON_MAX, widget=forms.TextInput(attrs=TEXT)
    )


class LogForm(forms.Form):
    on = forms.DateField(label=pgettext_lazy("work log", "Date"), widget=forms.DateInput(attrs=DATE))
    kind = forms.ChoiceField(
        label=_("Kind of work"), choices=LogKind.choices, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        label=_("What was done"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    households = forms.IntegerField(
        label=_("Households helped"),
        min_value=0,
        max_value=1000,
        initial=0,
        widget=forms.NumberInput(attrs={**TEXT, "inputmode": "numeric"}),
    )


class AssessForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT)
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[(q, str(q)) for q in range(1, 5)],
        widget=forms.Select(attrs=SELECT),
    )
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, widget=forms.Select(attrs=SELECT))
    comment = forms.CharField(
        label=_("Comment"), max_length=REASON_MAX, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=REASON_MAX, widget=forms.TextInput(attrs=TEXT))
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs=DATE))
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.5, max_value=500, decimal_places=1, widget=forms.NumberInput(attrs=TEXT)
    )


class AttendanceForm(forms.Form):
    code = forms.CharField(
        label=_("Village organization code"), max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    name = forms.CharField(
        label=_("Village secretary"), max_length=NAME_MAX, widget=forms.TextInput(attrs=TEXT)
    )
