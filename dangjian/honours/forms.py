from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import subtree_q
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import Organization

from .models import TEXT_MAX, TITLE_MAX, Call, Category

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {**TEXT, "type": "date"}


class CallForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, widget=forms.TextInput(attrs=TEXT))
    criteria = forms.CharField(
        label=_("Criteria"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )
    categories = forms.MultipleChoiceField(
        label=_("Honours given"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    nominations_due = forms.DateField(label=_("Nominations due"), widget=forms.DateInput(attrs=DATE))
    publish_by = forms.DateField(label=_("Publish by"), widget=forms.DateInput(attrs=DATE))


class NominationForm(forms.Form):
    category = forms.ChoiceField(label=_("Honour"), widget=forms.Select(attrs=SELECT))
    nominee_member = forms.ModelChoiceField(
        label=_("Member (for a member or a Party worker)"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    nominee_organization = forms.ModelChoiceField(
        label=_("Organization (for an organization)"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    story = forms.CharField(
        label=_("Deeds"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={**TEXT, "rows": 5})
    )

    def __init__(self, *args: Any, call: Call, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [(c, Category(c).label) for c in call.categories]
        # The nominating organization's own subtree: whoever nominates may only name those.
        members = Member.objects.filter(
            subtree_q(org.path, "organization__path"), status__in=ON_ROLL_STATUSES
        )
        self.fields["nominee_member"].queryset = members.order_by("name")  # type: ignore[attr-defined]
        orgs = Organization.objects.filter(subtree_q(org.path)).order_by("path")
        self.fields["nominee_organization"].queryset = orgs  # type: ignore[attr-defined]


class PublicityForm(forms.Form):
    until = forms.DateField(
        label=_("Public notice until (at least 5 working days)"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
    )
