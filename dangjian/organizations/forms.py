from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import IsoDateInput

from .models import OrgKind, Sector

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    code = forms.CharField(label=_("Code"), max_length=32, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices, widget=forms.Select(attrs=SELECT))
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices, widget=forms.Select(attrs=SELECT))
    established_on = forms.DateField(label=_("Established on"), required=False, widget=IsoDateInput())
    term_start = forms.DateField(label=_("Term start"), required=False, widget=IsoDateInput())
    term_due_end = forms.DateField(
        label=_("Term due end"),
        required=False,
        widget=IsoDateInput(),
        help_text=_(
            "Left empty: 5 years after the start for committees and village or community "
            "organizations, 3 for other branches."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MoveForm(forms.Form):
    parent = forms.CharField(
        label=_("Code of the new parent organization"), max_length=32, widget=forms.TextInput(attrs=TEXT)
    )


class PartyGroupForm(forms.Form):
    name = forms.CharField(label=_("Party group name"), max_length=100, widget=forms.TextInput(attrs=TEXT))
