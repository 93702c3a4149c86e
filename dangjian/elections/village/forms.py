from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMITTEE_POSTS, NOTE_MAX, ReviewResult, VillagePost

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DAY = forms.DateInput(attrs={**TEXT, "type": "date"})


class PlanForm(forms.Form):
    """The township plans one village's election of the year."""

    village = forms.TypedChoiceField(
        label=_("Village or community"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    planned_on = forms.DateField(label=_("Planned election day"), widget=DAY)

    def __init__(self, *args: object, villages: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["village"].choices = villages  # type: ignore[attr-defined]


class CandidateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=TEXT))
    id_number = forms.CharField(
        label=_("ID number"), max_length=30, widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"})
    )
    post = forms.ChoiceField(label=_("Post"), choices=VillagePost.choices, widget=forms.Select(attrs=SELECT))


class ReviewForm(forms.Form):
    candidate = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("Review result"),
        choices=[
            (ReviewResult.PASSED, ReviewResult.PASSED.label),
            (ReviewResult.FAILED, ReviewResult.FAILED.label),
        ],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Departments' note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class ResultsForm(forms.Form):
    """The election day, and one line per candidate who passed for a committee post: elected to
    which post, with how many votes (a line left without a post: not elected)."""

    held_on = forms.DateField(label=_("Election held on"), widget=DAY)

    def __init__(self, *args: object, candidates: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lines = []
        posts = [("", "—"), *((p.value, p.label) for p in COMMITTEE_POSTS)]
        for pk, name in candidates:
            self.fields[f"post_{pk}"] = forms.ChoiceField(
                label=name, choices=posts, required=False, widget=forms.Select(attrs=SELECT)
            )
            self.fields[f"votes_{pk}"] = forms.IntegerField(
                label=_("Votes for"), min_value=0, required=False, widget=forms.NumberInput(attrs=TEXT)
            )
            self.lines.append((pk, name, self[f"post_{pk}"], self[f"votes_{pk}"]))
