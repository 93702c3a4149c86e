"""Forms of the dues pages. They only parse; every rule is checked by the services, whose errors
are put back on these fields (`apply_errors`), so the pages and the API refuse alike."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import PaymentKind
from .months import label, parse_month
from .rules import DuesCategory

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), cleaned to the month's first day."""

    widget = forms.TextInput(attrs={**TEXT, "type": "month", "placeholder": "YYYY-MM"})

    def prepare_value(self, value: Any) -> Any:
        return label(value) if isinstance(value, date) else value

    def clean(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["month"]) from exc


def _money(label_text: Any, *, required: bool = True) -> forms.DecimalField:
    # Two places and finiteness are checked here; sign and ranges by the services' rule.
    return forms.DecimalField(
        label=label_text,
        required=required,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal", "autocomplete": "off"}),
    )


class ProfileForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Dues category"), choices=DuesCategory.choices, widget=forms.Select(attrs=SELECT)
    )
    base = _money(_("Monthly base after tax (salaried, retired, other)"), required=False)
    fixed = _money(_("Fixed monthly amount (farmers, 0.20–1.00)"), required=False)
    effective_from = MonthField(label=_("Effective from (month)"))


class PaymentForm(forms.Form):
    period_from = MonthField(label=_("First month"))
    period_to = MonthField(label=_("Last month"), help_text=_("The same month for a monthly payment."))
    amount = _money(_("Amount (yuan)"))
    kind = forms.ChoiceField(
        label=_("Kind of payment"),
        choices=PaymentKind.choices,
        initial=PaymentKind.REGULAR,
        widget=forms.Select(attrs=SELECT),
    )
    receipt_no = forms.CharField(label=_("Receipt number"), max_length=32, widget=forms.TextInput(attrs=TEXT))
    paid_on = forms.DateField(
        label=_("Paid on"), required=False, widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    paid_by_proxy = forms.CharField(
        label=_("Paid on the member's behalf by"),
        required=False,
        max_length=50,
        help_text=_("Leave empty when the member paid in person."),
        widget=forms.TextInput(attrs=TEXT),
    )
    late_reason = forms.CharField(
        label=_("Reason for a back payment older than 6 months"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )


class ReductionForm(forms.Form):
    month_from = MonthField(label=_("First month"))
    month_to = MonthField(label=_("Last month"))
    amount = _money(_("Monthly amount (0 = exempt)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


CHECK = {"class": "form-check-input"}


class InstructionsForm(forms.Form):
    """How the organization's members pay; parsed here, checked by `instructions.set_instructions`."""

    cash = forms.BooleanField(
        label=_("Accept cash, paid to the organizer"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    cash_contact = forms.CharField(
        label=_("Whom to pay in cash, and when"),
        required=False,
        max_length=100,
        help_text=_("For example: 组织委员李娜, by the 5th of each month."),
        widget=forms.TextInput(attrs=TEXT),
    )
    transfer = forms.BooleanField(
        label=_("Accept bank transfers"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    account_name = forms.CharField(
        label=_("Account name"), required=False, max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    bank = forms.CharField(
        label=_("Bank"), required=False, max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    account_number = forms.CharField(
        label=_("Account number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "autocomplete": "off"}),
    )
    qr = forms.FileField(
        label=_("Upload a QR image of the collection account"),
        required=False,
        help_text=_("A PNG or JPEG image, at most 2 MB."),
        widget=forms.FileInput(attrs={**TEXT, "accept": ".png,.jpg,.jpeg,image/png,image/jpeg"}),
    )
    remove_qr = forms.BooleanField(
        label=_("Remove the QR code"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
