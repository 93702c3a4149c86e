"""Forms of the points pages. They only parse; the services check every rule and their errors are
put back on these fields (`apply_errors`), so the pages and the API refuse alike."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import IsoDateInput
from dangjian.members.models import Member
from dangjian.orglife.models import MeetingKind

from .models import CapPeriod, PointRule, RuleKind

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class EntryForm(forms.Form):
    """A hand entry; the secretary's version also chooses the member."""

    member = forms.ModelChoiceField(
        label=_("Member"), queryset=Member.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    rule = RuleChoiceField(
        label=_("Point rule"), queryset=PointRule.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    quantity = forms.IntegerField(
        label=_("Hours (volunteer service) or 1"),
        min_value=1,
        max_value=24,
        initial=1,
        widget=forms.NumberInput(attrs=TEXT),
    )
    occurred_on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args: Any, members: Any = None, rules: list[PointRule], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = PointRule.objects.filter(pk__in=[r.pk for r in rules])  # type: ignore[attr-defined]
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members  # type: ignore[attr-defined]


class RuleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of rule"), choices=RuleKind.choices, widget=forms.Select(attrs=SELECT)
    )
    name = forms.CharField(label=_("Rule name"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    points = forms.IntegerField(label=_("Points"), widget=forms.NumberInput(attrs=TEXT))
    meeting_kinds = forms.MultipleChoiceField(
        label=_("Meeting kinds (none: every kind)"),
        choices=MeetingKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cap_points = forms.IntegerField(
        label=_("Cap (points)"), required=False, widget=forms.NumberInput(attrs=TEXT)
    )
    cap_period = forms.ChoiceField(
        label=_("Cap period"),
        choices=[("", "—"), *CapPeriod.choices],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    active = forms.BooleanField(
        label=_("Enabled"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The kind is fixed once entries may exist under the rule.
            del self.fields["kind"]
