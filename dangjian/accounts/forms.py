from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MEMBER_IDLE_BOUNDS, STAFF_IDLE_BOUNDS
from .roles import Role

TEXT = {"class": "form-control"}


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        required=False,
        help_text=_("6 digits from your authenticator app, if you have enrolled one."),
        widget=forms.TextInput(
            attrs={**TEXT, "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class OtpForm(forms.Form):
    otp = forms.CharField(
        label=_("Verification code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={**TEXT, "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(attrs=TEXT))
    password = forms.CharField(
        label=_("Initial password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )
    home_org = forms.CharField(
        label=_("Organization code"),
        max_length=32,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("The organization the account belongs to."),
    )
    member_id = forms.IntegerField(
        label=_("Linked member number"),
        required=False,
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_("Shown on the member's page, which also has a button to create their account."),
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs=TEXT))


class GrantForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    organization = forms.CharField(
        label=_("Organization code"),
        max_length=32,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("The grant covers this organization and everything below it."),
    )


class PolicyForm(forms.Form):
    max_failures = forms.IntegerField(
        label=_("Failed attempts before lock"),
        min_value=3,
        max_value=10,
        widget=forms.NumberInput(attrs=TEXT),
    )
    lock_minutes = forms.IntegerField(
        label=_("Lock duration (minutes)"), min_value=5, max_value=1440, widget=forms.NumberInput(attrs=TEXT)
    )
    idle_minutes = forms.IntegerField(
        label=_("Idle session expiry for staff (minutes)"),
        min_value=STAFF_IDLE_BOUNDS[0],
        max_value=STAFF_IDLE_BOUNDS[1],
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_("Secretaries, organizers, committee staff, supervisors and administrators: 5 to 30."),
    )
    member_idle_minutes = forms.IntegerField(
        label=_("Idle session expiry for members (minutes)"),
        min_value=MEMBER_IDLE_BOUNDS[0],
        max_value=MEMBER_IDLE_BOUNDS[1],
        widget=forms.NumberInput(attrs=TEXT),
        help_text=_(
            "Accounts holding only the member role: 5 to 720. Anyone with another role gets the staff limit."
        ),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password2") != data.get("new_password"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class PasswordSetForm(forms.Form):
    """An administrator gives an account a new initial password (its holder changes it)."""

    password = forms.CharField(
        label=_("New initial password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )


class ActivationForm(forms.Form):
    code = forms.CharField(
        label=_("Activation code"),
        max_length=32,
        help_text=_("The one-time code your security administrator gave you, e.g. ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "autocapitalize": "characters"}),
    )


class AccountLookupForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(attrs=TEXT))
