"""Forms of the evaluation pages. They only parse; the services check every rule and their errors
are put back on these fields (`apply_errors`)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import IsoDateInput

from .models import Grade, HandlingMeasure

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class CampaignForm(forms.Form):
    opens_on = forms.DateField(label=_("Opens on"), widget=IsoDateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=IsoDateInput())


class SelfAssessmentForm(forms.Form):
    text = forms.CharField(
        label=_("Self-assessment"),
        max_length=5000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 6}),
        help_text=_("Your study, your work, your part in the branch's life, what to improve."),
    )


class RateForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, widget=forms.Select(attrs=SELECT))
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args: Any, prefix_id: int, **kwargs: Any) -> None:
        # One form per member on the page: ids must differ.
        kwargs["prefix"] = f"r{prefix_id}"
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class HandlingForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int, widget=forms.Select(attrs=SELECT))
    measure = forms.ChoiceField(
        label=_("Measure"), choices=HandlingMeasure.choices, widget=forms.Select(attrs=SELECT)
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=IsoDateInput())
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]


class FollowUpForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    text = forms.CharField(
        label=_("Follow-up"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
