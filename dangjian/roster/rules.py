"""`members.validation.clean_member` for one imported row, without its database query.

`clean_member` asks the database whether the ID number is already registered: one query per
member, which at a million rows is most of the import's time. The importer instead looks the
blind indexes up a batch at a time and tells a re-import ("unchanged") from a member of another
organization. Everything else is `clean_member`'s rules, in its order and with its messages (so
the translations are the same); `tests/test_rules.py` runs both on generated rows and requires
the same outcome, so the two cannot drift apart unnoticed.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.idnumber import check_id_consistency, normalize_id_number, parse_id_number
from dangjian.core.phone import validate_phone
from dangjian.members.validation import CHOICES, check_membership_dates

Errors = dict[str, list[str]]
# `TextChoices.values` builds a new list on every access: once here, not four times a row.
CHOICE_VALUES = {field: frozenset(choices.values) for field, choices in CHOICES.items()}


def check_member(data: dict[str, Any], holds_members: bool, today: date) -> tuple[dict[str, Any], Errors]:
    """(clean values, errors by field) for a new member of an organization."""
    errors: Errors = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean = dict(data)
    clean["name"] = (clean.get("name") or "").strip()
    if not clean["name"]:
        fail("name", _("Enter the member's name."))
    if not holds_members:
        fail("organization", _("Members belong to a branch or general branch."))
    for field, values in CHOICE_VALUES.items():
        value = clean.get(field)
        if value not in (None, "") and value not in values:
            fail(field, _("Choose a valid option."))
    for field in ("category", "join_date"):
        if not clean.get(field):
            fail(field, _("This field is required."))

    birth: date | None = clean.get("birth_date")
    try:
        info = parse_id_number(clean.get("id_number") or "", today=today)
    except ValidationError as exc:
        fail("id_number", exc.messages[0])
    else:
        clean["id_number"] = normalize_id_number(clean.get("id_number") or "")
        for err in check_id_consistency(info, birth, clean.get("gender") or None):
            fail("birth_date" if err.code == "birth_mismatch" else "gender", err.messages[0])
        birth = birth or info.birth_date
        clean["birth_date"] = birth
        clean["gender"] = clean.get("gender") or info.gender

    phone = str(clean.get("phone") or "")
    if phone:
        try:
            clean["phone"] = validate_phone(phone)
        except ValidationError as exc:
            fail("phone", exc.messages[0])

    check_membership_dates(clean, birth, today, fail)
    return clean, errors
