"""The forms of the development pages: registering an application, one form per step (the step's
own fields only), ending a development, an objection and its answer."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.members.models import Education, Gender, Member, MemberCategory
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus

from .models import Occupation, Recommendation
from .rules import VOTING_STATUSES
from .steps import STEPS

TEXT = {"class": "form-control"}
DATE = {**TEXT, "type": "date"}
SELECT = {"class": "form-select"}
NUMBER = {**TEXT, "inputmode": "numeric"}


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE))


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=9999, widget=forms.NumberInput(attrs=NUMBER)
    )


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=TEXT))
    id_number = forms.CharField(label=_("ID number"), max_length=30, widget=forms.TextInput(attrs=TEXT))
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", "—"), *Gender.choices],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    ethnicity = forms.CharField(
        label=_("Ethnicity"), max_length=20, initial="汉族", widget=forms.TextInput(attrs=TEXT)
    )
    education = forms.ChoiceField(
        label=_("Education"), choices=Education.choices, widget=forms.Select(attrs=SELECT)
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=Occupation.choices, widget=forms.Select(attrs=SELECT)
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    applied_on = _date(_("Application received on"))
    note = forms.CharField(
        label=pgettext_lazy("development", "Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )


class StepForm(forms.Form):
    """Every field a step may have; `for_step` keeps the step's own."""

    on = _date(pgettext_lazy("development", "Date"))
    actor = forms.CharField(label=_("Who acted"), max_length=50, widget=forms.TextInput(attrs=TEXT))
    recommendation = forms.ChoiceField(
        label=_("Recommended by"), choices=Recommendation.choices, widget=forms.Select(attrs=SELECT)
    )
    people = forms.ModelMultipleChoiceField(
        label=_("Full members of the branch"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    conclusion = forms.CharField(
        label=_("Conclusion"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    training_days = forms.IntegerField(
        label=_("Training days"),
        min_value=0,
        max_value=365,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    training_hours = forms.IntegerField(
        label=_("Class hours"),
        min_value=0,
        max_value=2000,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    notice_from = _date(_("Public notice from"))
    notice_until = _date(_("Public notice until"))
    form_number = forms.CharField(
        label=_("Application form number"), max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    meeting = forms.ModelChoiceField(
        label=_("Branch member assembly"), queryset=Meeting.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    should_attend = _count(_("Full members with voting rights who should attend"))
    present = _count(_("Present"))
    votes_for = _count(_("Votes for"))
    reason = forms.CharField(
        label=_("Reason, when later than three months after the vote"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    party_group = forms.ModelChoiceField(
        label=_("Party group"),
        queryset=PartyGroup.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    place = forms.CharField(label=_("Where"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    note = forms.CharField(
        label=pgettext_lazy("development", "Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )

    def __init__(self, *args: Any, number: int, branch: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"note", *STEPS[number].fields} | ({"on"} if number != 15 else set())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "people" in self.fields:
            self.fields["people"].queryset = Member.objects.filter(  # type: ignore[attr-defined]
                organization=branch, category=MemberCategory.FULL, status__in=VOTING_STATUSES
            ).order_by("name")
        if "meeting" in self.fields:
            self.fields["meeting"].queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
                organization=branch, kind=MeetingKind.BRANCH_ASSEMBLY, status=MeetingStatus.CLOSED
            ).order_by("-starts_at")
        if "party_group" in self.fields:
            self.fields["party_group"].queryset = PartyGroup.objects.filter(  # type: ignore[attr-defined]
                organization=branch
            )
        if number in (6, 21):
            self.fields["note"].label = _("Written assessment")
        if number == 20:
            self.fields["actor"].label = _("Who led the oath")
            self.fields["place"].label = _("Where the oath was taken")
        if number == 25:
            self.fields["place"].label = _("Where the file went")


class EndForm(forms.Form):
    note = forms.CharField(
        label=_("Why the development ends"), max_length=200, widget=forms.TextInput(attrs=TEXT)
    )


class ObjectionForm(forms.Form):
    received_on = _date(_("Received on"))
    text = forms.CharField(
        label=_("Objection"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=2000, required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class AnswerForm(forms.Form):
    answered_on = _date(_("Answered on"))
    answer = forms.CharField(
        label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
