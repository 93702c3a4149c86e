from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.members.models import ELECTED_POSTS

from .models import PLAN_MAX, SEATS_MAX

TEXT = {"class": "form-control"}


class RequestForm(forms.Form):
    planned_on = forms.DateField(
        label=_("Planned election date"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    seats = forms.IntegerField(
        label=_("Committee seats"), min_value=1, max_value=SEATS_MAX, widget=forms.NumberInput(attrs=TEXT)
    )
    plan = forms.CharField(
        label=_("Arrangements and nominees"),
        max_length=PLAN_MAX,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
        help_text=_("The election's arrangements and the nominees proposed for the new committee."),
    )


class ResultsForm(forms.Form):
    """The election day, and one line per seat: who, to which post, with how many votes (lines
    left empty are seats not filled)."""

    held_on = forms.DateField(
        label=_("Election held on"), widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )

    def __init__(self, *args: object, seats: int, members: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lines = []
        for i in range(seats):
            self.fields[f"member_{i}"] = forms.TypedChoiceField(
                label=_("Elected member"),
                choices=[("", "—"), *members],
                coerce=int,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"post_{i}"] = forms.ChoiceField(
                label=_("Post"),
                choices=ELECTED_POSTS,
                initial="committee_member",
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"votes_{i}"] = forms.IntegerField(
                label=_("Votes for"), min_value=0, required=False, widget=forms.NumberInput(attrs=TEXT)
            )
            self.lines.append((self[f"member_{i}"], self[f"post_{i}"], self[f"votes_{i}"]))
