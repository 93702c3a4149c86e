from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import subtree_q
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import Organization

from .models import TEXT_MAX, TITLE_MAX, Call, CallState, Category, Nomination, NominationState

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


class CallEditForm(CallForm):
    """A draft call, every field; an open one, its dates only (the rest shown, not sent)."""

    reason = forms.CharField(
        label=_("Reason for changing the dates (an open call)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        initial = {
            "title": call.title,
            "criteria": call.criteria,
            "categories": call.categories,
            "nominations_due": call.nominations_due,
            "publish_by": call.publish_by,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if call.state == CallState.OPEN:
            for name in ("title", "criteria", "categories"):
                self.fields[name].disabled = True
        else:
            del self.fields["reason"]


class NominationEditForm(NominationForm):
    """A draft nomination, every field; a submitted one, its deeds only."""

    def __init__(self, *args: Any, nomination: Nomination, **kwargs: Any) -> None:
        initial = {
            "category": nomination.category,
            "nominee_member": nomination.nominee_member_id,
            "nominee_organization": nomination.nominee_organization_id,
            "story": nomination.story,
        }
        kwargs["initial"] = initial
        super().__init__(*args, call=nomination.call, org=nomination.nominating_organization, **kwargs)
        if nomination.state != NominationState.DRAFT:
            for name in ("category", "nominee_member", "nominee_organization"):
                self.fields[name].disabled = True
