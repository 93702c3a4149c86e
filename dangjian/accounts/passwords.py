"""Password policy beside Django's validators (settings.AUTH_PASSWORD_VALIDATORS: minimum length,
common passwords, similarity to the account): 3 of 4 character classes, enough different
characters, not the username, and not a guessable word dressed up with digits and symbols."""

import functools
import re
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_DISTINCT = 5  # "Aa1aaaaa" mixes three classes with only three different characters
# Words an attacker of this platform tries first (the list of common passwords is English):
# the platform's and the Party's names in pinyin, places, and the usual keyboard words.
SITE_WORDS = frozenset(
    {
        "dangjian",
        "zhihuidangjian",
        "dangyuan",
        "dangwei",
        "dangzhibu",
        "zhibu",
        "gongchandang",
        "zhonggong",
        "zhongguo",
        "china",
        "beijing",
        "hunan",
        "changsha",
        "admin",
        "administrator",
        "password",
        "welcome",
        "qwerty",
    }
)
_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")


@functools.cache
def _common() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def _guessable(password: str) -> bool:
    """A site word or common password with digits or symbols around it (Dangjian2026, Admin@123)."""
    core = _EDGES.sub("", password.lower())
    return bool(core) and (core in SITE_WORDS or core in _common())


class PasswordPolicyValidator:
    def validate(self, password: str, user: Any = None) -> None:
        errors = []
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
        if len(set(password.lower())) < MIN_DISTINCT:
            errors.append(
                ValidationError(
                    _("The password must contain at least %(n)d different characters.") % {"n": MIN_DISTINCT},
                    code="repetitive",
                )
            )
        if _guessable(password):
            errors.append(
                ValidationError(
                    _("The password is a common word with digits or symbols added; choose another."),
                    code="guessable",
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
