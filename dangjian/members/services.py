"""All writes to members, and the audited reveal of personal data."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.idnumber import normalize_id_number
from dangjian.core.masking import birth_year_month, mask_id_number, mask_phone
from dangjian.core.phone import normalize_phone
from dangjian.core.services import require_scope, write_service
from dangjian.organizations.models import Organization

from .models import Member
from .validation import MEMBER_FIELDS, clean_member, duplicate_id_message, id_bidx, phone_bidx

# Audit entries are read by audit administrators across many members: personal fields are
# stored in the forms of the disclosure policy (region-only ID, masked phone, year-month).
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "birth_date": birth_year_month}
# Fields whose full value is sent only by the audited reveal.
PII_FIELDS = ("id_number", "phone", "birth_date")
# Fields a member can be found by exactly; such a search confirms a full value, so it is a reveal.
SEARCH_FIELDS = ("id_number", "phone")
SEARCH_MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def _apply(member: Member, clean: dict[str, Any]) -> None:
    for field, value in clean.items():
        setattr(member, field, value)
    member.id_number_bidx = id_bidx(member.id_number)
    member.phone_bidx = phone_bidx(member.phone) if member.phone else ""


def _save(member: Member) -> None:
    """Save, answering a concurrent registration of the same ID number as `clean_member` does.

    The duplicate check and the insert are not atomic: two requests registering one ID number
    both pass the check, and the unique blind index refuses the second insert. The savepoint
    keeps the transaction usable (PostgreSQL aborts it on an error) to tell that case apart
    from any other integrity error, which is re-raised.
    """
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        taken = Member.objects.filter(id_number_bidx=member.id_number_bidx).exclude(pk=member.pk).exists()
        if not taken:
            raise
        raise ValidationError({"id_number": [duplicate_id_message()]}, code="duplicate") from None


@write_service("member.create")
def create_member(organization: Organization, data: dict[str, Any], *, acting_user: Any) -> Member:
    require_scope(acting_user, organization, "change")
    clean = clean_member(data, organization)
    member = Member(organization=organization)
    _apply(member, clean)
    _save(member)
    require_scope(acting_user, member, "change")
    audit.record(
        "member.create",
        actor=acting_user,
        obj=member,
        org_path=organization.path,
        changes={k: [None, v] for k, v in audit.snapshot(member, MEMBER_FIELDS, MASKS).items()},
    )
    events.changed("member.create", organization.pk)
    return member


@write_service("member.update")
def update_member(
    member: Member,
    data: dict[str, Any],
    *,
    acting_user: Any,
    organization: Organization | None = None,
    expected_version: int | None = None,
) -> Member:
    """Edit a member; `organization` moves them within the acting user's reach (a correction of
    the record; a formal transfer between organizations is its own workflow)."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    require_scope(acting_user, member, "change")
    if expected_version is not None and expected_version != member.version:
        raise ValidationError(
            _("Someone else changed this member meanwhile; reload and edit again."), code="stale"
        )
    target = organization or member.organization
    require_scope(acting_user, target, "change")
    if data.get("birth_date") and not data.get("id_number"):
        # Checked against the stored ID number, a birth date would be a yes/no oracle for the
        # full date the masked forms hide: it changes only with the ID number, which gives it.
        raise ValidationError(
            {"birth_date": _("The birth date follows from the ID number: enter the ID number to change it.")}
        )
    before = audit.snapshot(member, MEMBER_FIELDS, MASKS)
    before_raw = audit.snapshot(member, MEMBER_FIELDS)
    current = {k: getattr(member, k) for k in MEMBER_FIELDS}
    moving = target.pk != member.organization_id
    if moving:
        current["party_group"] = None  # groups belong to the old branch
    clean = clean_member({**current, **{k: v for k, v in data.items() if k in MEMBER_FIELDS}}, target, member)
    if moving:
        before["organization"] = str(member.organization)
        member.organization = target
    _apply(member, clean)
    member.version += 1
    _save(member)
    require_scope(acting_user, member, "change")
    after = audit.snapshot(member, MEMBER_FIELDS, MASKS)
    if "organization" in before:
        after["organization"] = str(member.organization)
    audit.record(
        "member.update",
        actor=acting_user,
        obj=member,
        org_path=member.organization.path,
        changes=_masked_diff(before, after, before_raw, audit.snapshot(member, MEMBER_FIELDS)),
    )
    events.changed("member.update", member.organization.pk)
    return member


def _masked_diff(
    before: dict[str, Any], after: dict[str, Any], before_raw: dict[str, Any], after_raw: dict[str, Any]
) -> dict[str, list[Any]]:
    """{field: [old, new]} in masked forms, for every field whose full value changed (a birth
    date moved within its month masks the same, yet the change must be on record)."""
    changed = audit.diff(before, after).keys() | audit.diff(before_raw, after_raw).keys()
    return {k: [before.get(k), after.get(k)] for k in after if k in changed}


@write_service("member.reveal")
def reveal_member_field(member: Member, field: str, *, acting_user: Any) -> str:
    """The full value of a personal field (ID number, phone, birth date), for users allowed to
    see it; every reveal is logged."""
    if field not in PII_FIELDS:
        raise ValidationError({"field": _("This field cannot be revealed.")})
    require_scope(acting_user, member, "reveal_pii")
    member = Member.objects.select_related("organization").get(pk=member.pk)
    audit.record(
        "member.reveal", actor=acting_user, obj=member, org_path=member.organization.path, detail=field
    )
    return str(getattr(member, field))


@write_service("member.search")
def search_members(field: str, value: str, *, acting_user: Any) -> list[Member]:
    """Members whose ID number or phone is exactly `value`, within the user's reveal reach.

    A hit confirms a full value that pages show only masked, so trying candidates one after
    another would rebuild it: the search needs `reveal_pii` and every search is audited (with
    the value in its masked form)."""
    if field not in SEARCH_FIELDS:
        raise ValidationError({"field": _("Members can be searched by ID number or phone only.")})
    # Only accounts hold a reveal reach (the console's SYSTEM actor searches the database itself).
    paths = acting_user.scope_paths("reveal_pii") if hasattr(acting_user, "scope_paths") else []
    if not paths:
        raise OutOfScope("member search")
    if field == "id_number":
        value = normalize_id_number(value)
        found = Member.objects.filter(id_number_bidx=id_bidx(value))
    else:
        value = normalize_phone(value)
        found = Member.objects.filter(phone_bidx=phone_bidx(value))
    if not value:
        raise ValidationError({field: _("Enter the value to search for.")})
    members = list(found.restrict(acting_user, "reveal_pii").select_related("organization").order_by("id"))
    audit.record(
        "member.search",
        actor=acting_user,
        org_path=paths[0],
        object_type="members.member",
        changes={"field": field, "value": SEARCH_MASKS[field](value), "rows": len(members)},
        detail=field,
    )
    return members
