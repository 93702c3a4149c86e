"""Password policy: at least 8 characters, 3 of 4 character classes, not the username."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class PasswordPolicyValidator:
    min_length = 8

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(_("The password must have at least 8 characters."), code="short"))
        classes = sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )
        if classes < 3:
            errors.append(
                ValidationError(
                    _(
                        "The password must mix at least 3 of: lower-case letters, upper-case letters, "
                        "digits, symbols."
                    ),
                    code="classes",
                )
            )
        username = (getattr(user, "username", "") or "").lower()
        if username and username in password.lower():
            errors.append(ValidationError(_("The password must not contain the username."), code="username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "At least 8 characters, mixing 3 of: lower-case, upper-case, digits, symbols; not the username."
        )
