"""The rules a member record must satisfy, shared by forms, the API, importers and the CLI."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.crypto import blind_index
from dangjian.core.dates import add_years
from dangjian.core.idnumber import check_id_consistency, normalize_id_number, parse_id_number
from dangjian.core.phone import validate_phone
from dangjian.organizations.models import Organization, PartyGroup

from .models import CommitteePost, Education, Gender, Member, MemberCategory, MemberStatus

MEMBER_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "category",
    "status",
    "join_date",
    "full_date",
    "job_title",
    "committee_post",
    "party_group",
]
CHOICES = {
    "gender": Gender,
    "education": Education,
    "category": MemberCategory,
    "status": MemberStatus,
    "committee_post": CommitteePost,
}


def duplicate_id_message() -> str:
    # A function, not a constant: translated in the language active when it is raised.
    return _("A member with this ID number is already registered on the platform.")


def id_bidx(id_number: str) -> str:
    return blind_index(id_number, "member.id_number")


def phone_bidx(phone: str) -> str:
    return blind_index(phone, "member.phone")


def check_membership_dates(
    clean: dict[str, Any], birth: date | None, today: date, fail: Callable[[str, str], None]
) -> None:
    """The join and full-membership dates against the birth date, each other and today (shared
    with the roster import, which checks rows in bulk)."""
    join: date | None = clean.get("join_date")
    full: date | None = clean.get("full_date")
    if join and join > today:
        fail("join_date", _("The join date cannot be in the future."))
    if join and birth and join < add_years(birth, 18):
        fail("join_date", _("The join date must be on or after the member's 18th birthday."))
    if clean.get("category") == MemberCategory.PROBATIONARY and full:
        fail("full_date", _("A probationary member has no full membership date yet."))
    if full and join and full < add_years(join, 1):
        fail("full_date", _("Full membership comes at least one year after joining."))
    if full and full > today:
        fail("full_date", _("The full membership date cannot be in the future."))


def clean_member(
    data: dict[str, Any], organization: Organization, instance: Member | None = None
) -> dict[str, Any]:
    """Validate and normalize; returns the cleaned values or raises ValidationError by field."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean = {k: data.get(k) for k in MEMBER_FIELDS if k in data}
    clean["name"] = (clean.get("name") or "").strip()
    if not clean["name"]:
        fail("name", _("Enter the member's name."))
    if not organization.holds_members:
        fail("organization", _("Members belong to a branch or general branch."))
    for field, choices in CHOICES.items():
        value = clean.get(field)
        if value not in (None, "") and value not in choices.values:
            fail(field, _("Choose a valid option."))
    for field in ("category", "join_date"):
        if not clean.get(field):
            fail(field, _("This field is required."))

    birth: date | None = clean.get("birth_date")
    try:
        info = parse_id_number(clean.get("id_number") or "")
    except ValidationError as exc:
        fail("id_number", exc.messages[0])
    else:
        id_number = normalize_id_number(clean.get("id_number") or "")
        clean["id_number"] = id_number
        for err in check_id_consistency(info, birth, clean.get("gender") or None):
            fail("birth_date" if err.code == "birth_mismatch" else "gender", err.messages[0])
        birth = birth or info.birth_date
        clean["birth_date"] = birth
        clean["gender"] = clean.get("gender") or info.gender
        duplicate = Member.objects.filter(id_number_bidx=id_bidx(id_number))
        if instance is not None:
            duplicate = duplicate.exclude(pk=instance.pk)
        if duplicate.exists():
            fail("id_number", duplicate_id_message())

    phone = str(clean.get("phone") or "")
    if phone:
        try:
            clean["phone"] = validate_phone(phone)
        except ValidationError as exc:
            fail("phone", exc.messages[0])

    check_membership_dates(clean, birth, timezone.localdate(), fail)

    group = clean.get("party_group")
    if group is not None and (not isinstance(group, PartyGroup) or group.organization_id != organization.pk):
        fail("party_group", _("The party group must belong to the member's branch."))
    if errors:
        raise ValidationError(errors)
    return clean
