from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.organizations.models import OrgKind, Sector

from .models import ANSWER_MAX, TEXT_MAX, TITLE_MAX, Campaign, CampaignKind, FieldType

TEXT = {"class": "form-control"}
FIELD_ROWS = 8  # rows for the report's fields on the page (the service takes up to 20)


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("campaign", "Kind"),
        choices=CampaignKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, widget=forms.TextInput(attrs=TEXT))
    instructions = forms.CharField(
        label=pgettext_lazy("campaign", "Instructions"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )
    deadline = forms.DateField(
        label=_("Submission deadline"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        help_text=_("A special campaign's cases are concluded by then; empty: the deadline."),
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    target_kinds = forms.MultipleChoiceField(
        label=_("Sent to organizations of these kinds"),
        choices=OrgKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    target_sectors = forms.MultipleChoiceField(
        label=_("Only these sectors (none chosen: every sector)"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, FIELD_ROWS + 1):
            self.fields[f"field_{i}_label"] = forms.CharField(
                label=_("Field %(n)s to report") % {"n": i},
                max_length=60,
                required=False,
                widget=forms.TextInput(attrs=TEXT),
            )
            self.fields[f"field_{i}_type"] = forms.ChoiceField(
                label=_("Type"),
                choices=FieldType.choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"field_{i}_required"] = forms.BooleanField(label=_("Required"), required=False)

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["fields"] = [
            {
                "label": data.pop(f"field_{i}_label", ""),
                "type": data.pop(f"field_{i}_type", "") or FieldType.TEXT,
                "required": data.pop(f"field_{i}_required", False),
            }
            for i in range(1, FIELD_ROWS + 1)
        ]
        return data

    @staticmethod
    def initial_of(campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(campaign, name)
            for name in (
                "kind",
                "title",
                "instructions",
                "deadline",
                "ends_on",
                "target_kinds",
                "target_sectors",
            )
        }
        for i, field in enumerate(campaign.fields[:FIELD_ROWS], start=1):
            initial |= {
                f"field_{i}_label": field["label"],
                f"field_{i}_type": field["type"],
                f"field_{i}_required": field["required"],
            }
        return initial

    def field_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"field_{i}_label"], self[f"field_{i}_type"], self[f"field_{i}_required"])
            for i in range(1, FIELD_ROWS + 1)
        ]


def answers_form(
    fields: list[dict[str, Any]], data: Any = None, initial: dict[str, Any] | None = None
) -> forms.Form:
    """The report's form, built from the campaign's fields (checked again by the service)."""
    form = forms.Form(data, initial=initial)
    for field in fields:
        widget: forms.Widget
        if field["type"] == FieldType.DATE:
            widget = forms.DateInput(attrs={**TEXT, "type": "date"})
        elif field["type"] == FieldType.NUMBER:
            widget = forms.TextInput(attrs={**TEXT, "inputmode": "decimal"})
        else:
            widget = forms.Textarea(attrs={**TEXT, "rows": 2})
        form.fields[field["key"]] = forms.CharField(
            label=field["label"], max_length=ANSWER_MAX, required=False, widget=widget
        )
    return form


class CaseForm(forms.Form):
    subject = forms.CharField(label=_("Case"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    measures = forms.CharField(
        label=_("Measures taken"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
