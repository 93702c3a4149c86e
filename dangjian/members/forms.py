from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import IsoDateInput
from dangjian.organizations.models import Organization, PartyGroup

from .models import CommitteePost, Education, Gender, MemberCategory, MemberStatus

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=TEXT))
    id_number = forms.CharField(
        label=_("ID number"), max_length=24, widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"})
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=_blank(Gender.choices),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Taken from the ID number if left empty."),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Taken from the ID number if left empty."),
    )
    ethnicity = forms.CharField(
        label=_("Ethnicity"), max_length=20, initial="汉族", widget=forms.TextInput(attrs=TEXT)
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "tel"}),
    )
    education = forms.ChoiceField(
        label=_("Education"),
        choices=_blank(Education.choices),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=MemberCategory.choices, widget=forms.Select(attrs=SELECT)
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=MemberStatus.choices, widget=forms.Select(attrs=SELECT)
    )
    join_date = forms.DateField(label=_("Join date"), widget=IsoDateInput())
    full_date = forms.DateField(label=_("Full membership date"), required=False, widget=IsoDateInput())
    job_title = forms.CharField(
        label=_("Post or job"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    committee_post = forms.ChoiceField(
        label=_("Branch committee post"),
        choices=CommitteePost.choices,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    party_group = forms.ModelChoiceField(
        label=_("Party group"),
        queryset=PartyGroup.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, organization: Organization, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = PartyGroup.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.editing = editing
        if editing:
            # The full values are never sent to the browser: empty means "keep as is".
            for name in ("id_number", "phone"):
                self.fields[name].required = False
                self.fields[name].help_text = _("Leave empty to keep the current value.")
            # The birth date follows from the ID number: shown in full here it would rebuild the
            # masked ID, and checked alone against the stored one it would be an oracle.
            del self.fields["birth_date"]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for name in ("id_number", "phone"):
            if not self.fields[name].required and not data.get(name):
                data.pop(name, None)
        if self.editing and data.get("id_number"):
            data["birth_date"] = None  # a new ID number brings its own birth date
        return data


class MemberSearchForm(forms.Form):
    """The exact search by ID number or phone: posted, so the value stays out of URLs and logs."""

    id_number = forms.CharField(
        label=_("ID number (exact)"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone (exact)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "inputmode": "tel"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [name for name in ("id_number", "phone") if (data.get(name) or "").strip()]
        if len(filled) != 1:
            raise forms.ValidationError(_("Enter either an ID number or a phone number."))
        return data

    def search(self) -> tuple[str, str]:
        """(field, value) of the one field filled in."""
        for name in ("id_number", "phone"):
            value = (self.cleaned_data.get(name) or "").strip()
            if value:
                return name, value
        raise AssertionError("search() after a failed clean()")
