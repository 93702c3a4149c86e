import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.members.models import Member
from dangjian.organizations.models import Organization, PartyGroup

from .models import KIND_FIELDS, USUAL_MINUTES, MeetingKind

TEXT = {"class": "form-control"}
# What the file picker offers; the server checks the content whatever the picker allowed.
ATTACHMENT_ACCEPT = ".jpg,.jpeg,.png,.pdf,.docx,image/jpeg,image/png,application/pdf"
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """A browser date-and-time picker: its value must be `YYYY-MM-DDTHH:MM` whatever the UI
    language, or the picker stays empty on edit."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({**TEXT, **(attrs or {})}, format=DATETIME_FORMAT)


def _datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"], widget=DateTimeLocalInput(), **kwargs
    )


# Who may be chosen as the lecturer of an organization's meeting besides its own members; apps
# that know more (the leading cadres of a committee) register here instead of being imported.
LECTURER_SOURCES: list[Callable[[Organization], "QuerySet[Member]"]] = []


def lecturer_candidates(organization: Organization) -> "QuerySet[Member]":
    ids = set(Member.objects.on_roll().filter(organization=organization).values_list("id", flat=True))
    for source in LECTURER_SOURCES:
        ids.update(source(organization).values_list("id", flat=True))
    return Member.objects.filter(id__in=ids).order_by("name", "id")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of meeting"), choices=MeetingKind.choices, widget=forms.Select(attrs=SELECT)
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(
        _("Ends at"),
        required=False,
        help_text=_("Left empty: the start plus the usual length of this kind of meeting."),
    )
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    online = forms.BooleanField(
        label=_("Held online"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    topic_discussion = forms.BooleanField(
        label=_("Held as a topic discussion"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    party_group = forms.ModelChoiceField(
        label=_("Party group"),
        queryset=PartyGroup.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Only for a party group meeting."),
    )
    lecturer = forms.ModelChoiceField(
        label=_("Lecturer"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Who gave the party lecture or the central group's special tutoring."),
    )
    repeat_months = forms.IntegerField(
        label=_("Repeat monthly"),
        min_value=1,
        max_value=12,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_("1 = this meeting only; e.g. 12 schedules the theme day on the same day for a year."),
    )

    def __init__(self, *args: Any, organization: Organization, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = PartyGroup.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["lecturer"].queryset = lecturer_candidates(organization)  # type: ignore[attr-defined]
        # For dj/meeting-form.js: the end it proposes, and which fields each kind uses.
        self.fields["kind"].widget.attrs["data-durations"] = json.dumps(USUAL_MINUTES)
        for name, kinds in KIND_FIELDS.items():
            self.fields[name].widget.attrs["data-kinds"] = " ".join(kinds)
        if editing:
            # A scheduled meeting keeps its kind (cancel it instead) and is not repeated.
            del self.fields["repeat_months"]
            self.fields["kind"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        for name, kinds in KIND_FIELDS.items():
            if name in data and kind not in kinds:
                data[name] = False if name == "topic_discussion" else None
        start = data.get("starts_at")
        if start and not data.get("ends_at") and kind in USUAL_MINUTES:
            data["ends_at"] = start + timedelta(minutes=USUAL_MINUTES[kind])
        return data


class GuestForm(forms.Form):
    guest_name = forms.CharField(
        label=_("Guest"),
        max_length=50,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("Name of the guest")}),
    )
