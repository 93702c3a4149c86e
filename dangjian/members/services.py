"""All writes to members, and the audited reveal of personal data."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.services import require_scope, write_service
from dangjian.organizations.models import Organization

from .models import Member
from .validation import MEMBER_FIELDS, clean_member, duplicate_id_message, id_bidx, phone_bidx

MASKS = {"id_number": mask_id_number, "phone": mask_phone}
PII_FIELDS = ("id_number", "phone")


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
    before = audit.snapshot(member, MEMBER_FIELDS, MASKS)
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
        changes=audit.diff(before, after),
    )
    events.changed("member.update", member.organization.pk)
    return member


@write_service("member.reveal")
def reveal_member_field(member: Member, field: str, *, acting_user: Any) -> str:
    """The full value of a personal field, for users allowed to see it; every reveal is logged."""
    if field not in PII_FIELDS:
        raise ValidationError({"field": _("This field cannot be revealed.")})
    require_scope(acting_user, member, "reveal_pii")
    member = Member.objects.select_related("organization").get(pk=member.pk)
    audit.record(
        "member.reveal", actor=acting_user, obj=member, org_path=member.organization.path, detail=field
    )
    return str(getattr(member, field))
