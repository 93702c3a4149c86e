"""Forms of this app's pages. They only shape input; the rules live in the services."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus

from .models import EXTENSION_MONTHS, CaseOutcome, ProbationOutcome, SearchMethod

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
# Assemblies offered for a probation decision: those of the last two years (a branch holds one
# a quarter); older ones are not where a decision due now was taken.
MEETING_CHOICE_DAYS = 730


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(attrs=TEXT, format="%Y-%m-%d")


def _text(label: Any, *, required: bool = True, max_length: int = 200, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs=TEXT), **kwargs
    )


class BranchCodeField(forms.CharField):
    """A receiving or managing branch named by its code, anywhere on the platform: the two
    branches of a transfer are often in different counties, so the lookup is not limited to the
    user's reach. Only the name of the organization is shown back."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(max_length=32, **kwargs)

    def clean(self, value: Any) -> Organization | None:  # type: ignore[override]
        code = str(super().clean(value) or "").strip()
        if not code:
            return None
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise forms.ValidationError(_("No organization on the platform has this code."))
        return org


class TargetForm(forms.Form):
    to_org = BranchCodeField(
        label=_("Receiving branch code"),
        required=False,
        help_text=_("For a branch on this platform. Leave empty for a transfer to another province."),
    )
    destination = _text(
        _("Destination outside the platform"),
        required=False,
        help_text=_("Full name of the receiving party organization in another province."),
    )
    reason = _text(_("Reason"), help_text=_("For example: moved for work, moved home, enrolled at a school."))


class StartTransferForm(TargetForm):
    letter_no = _text(
        _("Letter number"),
        required=False,
        max_length=40,
        help_text=_("Leave empty to number it automatically."),
    )


class FloatingForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput())
    destination = _text(_("Where they went"), help_text=_("Place and employer, e.g. 广东省深圳市 某公司."))
    reason = _text(_("Reason"))
    contact = _text(_("Contact phone"), required=False, max_length=32)
    managing_org = BranchCodeField(
        label=_("Managing branch code"), required=False, help_text=_("A branch on this platform.")
    )
    managing_org_text = _text(
        _("Managing branch outside the platform"),
        required=False,
        help_text=_("Its full name, if not on the platform."),
    )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("contact"):
            data.pop("contact", None)  # on an edit, empty keeps the stored phone
        return data


class FloatingEditForm(FloatingForm):
    """The same fields but the date left; the stored phone is never sent to the browser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["left_on"]
        self.fields["contact"].help_text = _("Leave empty to keep the phone on record.")


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label=_("Returned on"), widget=DateInput())


class CaseForm(forms.Form):
    lost_on = forms.DateField(label=_("Contact lost on"), widget=DateInput())
    circumstances = forms.CharField(
        label=_("Circumstances"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class SearchForm(forms.Form):
    tried_on = forms.DateField(label=_("Tried on"), widget=DateInput())
    method = forms.ChoiceField(
        label=_("Method"), choices=SearchMethod.choices, widget=forms.Select(attrs=SELECT)
    )
    searcher = _text(_("Who tried"), required=False, max_length=100, help_text=_("Empty: your user name."))
    detail = forms.CharField(label=_("What was tried"), widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    result = _text(_("Result"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tried_on"].initial = timezone.localdate()


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CaseOutcome.choices, widget=forms.Select(attrs=SELECT)
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class ProbationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=ProbationOutcome.choices, widget=forms.Select(attrs=SELECT)
    )
    meeting = forms.ModelChoiceField(
        label=_("Branch member assembly"),
        queryset=Meeting.objects.none(),
        widget=forms.Select(attrs=SELECT),
        help_text=_("The closed assembly of the member's branch that decided."),
    )
    extension_months = forms.TypedChoiceField(
        label=_("Extended by (months)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(n, n) for n in range(EXTENSION_MONTHS[0], EXTENSION_MONTHS[1] + 1)]],
        widget=forms.Select(attrs=SELECT),
    )
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
            organization=member.organization_id,
            kind=MeetingKind.BRANCH_ASSEMBLY,
            status=MeetingStatus.CLOSED,
            starts_at__gte=timezone.now() - timedelta(days=MEETING_CHOICE_DAYS),
        ).order_by("-starts_at")
