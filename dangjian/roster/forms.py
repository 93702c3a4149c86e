from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("Excel workbook (.xlsx, .xls) or CSV (UTF-8 or GB18030)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv", "class": "form-control"}),
    )
    partial = forms.BooleanField(
        label=_("Import the valid rows even when others are refused"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only, import nothing"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
