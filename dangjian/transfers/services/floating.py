"""Floating members: the home branch registers, updates and closes the record; both branches read
it; a reveal of the contact phone is audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.masking import mask_phone
from dangjian.core.phone import validate_phone
from dangjian.core.services import account_of as account
from dangjian.core.services import require_scope, write_service
from dangjian.members.models import Member, MemberStatus
from dangjian.organizations.models import Organization

from ..lost_floating_workflows import FLOATING_FLOW
from ..models import CaseState, FloatingRecord, LostContactCase
from .common import lock_member, require_side, set_status, tell_branch

EDITABLE = ("destination", "reason", "contact", "managing_org", "managing_org_text")
MASKS = {"contact": mask_phone}


def _clean(member: Member, data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    clean = {k: data[k] for k in EDITABLE if k in data}
    for field in ("destination", "reason", "contact", "managing_org_text"):
        if field in clean:
            clean[field] = str(clean[field] or "").strip()
    for field, message in (
        ("destination", _("Say where the member went.")),
        ("reason", _("Give the reason.")),
    ):
        if field in clean and not clean[field]:
            errors[field] = message
    if clean.get("contact"):
        try:
            clean["contact"] = validate_phone(clean["contact"])
        except ValidationError as exc:
            errors["contact"] = exc.messages[0]
    managing: Organization | None = clean.get("managing_org")
    if managing is not None and clean.get("managing_org_text"):
        errors["managing_org_text"] = _(
            "Give either a managing branch on the platform or one outside it, not both."
        )
    elif managing is not None and not managing.holds_members:
        errors["managing_org"] = _("%(name)s does not hold members: choose a branch.") % {
            "name": managing.name
        }
    elif managing is not None and managing.pk == member.organization_id:
        errors["managing_org"] = _(
            "The managing branch is the branch where the member now is, not the home branch."
        )
    return clean


@write_service("floating.register")
def register_floating(member: Member, data: dict[str, Any], *, acting_user: Any) -> FloatingRecord:
    """The home branch registers a member who went away: `left_on`, `destination`, `reason`,
    `contact` (phone), and `managing_org` or `managing_org_text` (may come later)."""
    member = lock_member(member.pk)
    require_scope(acting_user, member, "change")
    errors: dict[str, str] = {}
    clean = _clean(member, {"destination": "", "reason": "", **data}, errors)
    left_on: date | None = data.get("left_on")
    if not left_on:
        errors["left_on"] = _("Enter the date the member left.")
    elif left_on > timezone.localdate():
        errors["left_on"] = _("The date cannot be in the future.")
    if member.status != MemberStatus.ACTIVE:
        errors["member"] = _(
            "Only an active member can be registered as floating; this member's status is %(status)s."
        ) % {"status": member.get_status_display()}  # type: ignore[attr-defined]
    if errors:
        raise ValidationError(errors)
    assert left_on is not None
    record = FloatingRecord.objects.create(
        member=member, home_org=member.organization, left_on=left_on, created_by=account(acting_user), **clean
    )
    FLOATING_FLOW.started(record, acting_user)
    set_status(member, MemberStatus.FLOATING_OUT, acting_user=acting_user, why=f"floating {record.pk}")
    audit.record(
        "floating.register",
        actor=acting_user,
        obj=record,
        org_path=member.organization.path,
        changes={k: [None, v] for k, v in audit.snapshot(record, ["left_on", *EDITABLE], MASKS).items()},
    )
    events.changed("floating.register", member.organization.pk)
    _tell_managing(record)
    return record


def _tell_managing(record: FloatingRecord) -> None:
    tell_branch(
        record.managing_org,
        kind="floating.incoming",
        key=f"floating-incoming:{record.pk}:{record.managing_org_id}",
        title=_("Floating member to manage: %(name)s") % {"name": record.member.name},
        body=_("From %(org)s, since %(date)s.") % {"org": record.home_org.name, "date": record.left_on},
        url=reverse("floating_detail", args=[record.pk]),
    )


def _locked(record: FloatingRecord, acting_user: Any) -> FloatingRecord:
    record = FLOATING_FLOW.lock(record)
    require_side(acting_user, record, record.home_org, _("Only the home branch changes a floating record."))
    return record


@write_service("floating.update")
def update_floating(record: FloatingRecord, data: dict[str, Any], *, acting_user: Any) -> FloatingRecord:
    """Correct an open record, or attach it to its managing branch once known (work point 17:
    every floating member is attached to one)."""
    record = _locked(record, acting_user)
    if not record.is_open:
        raise ValidationError(_("This record is closed."), code="closed")
    errors: dict[str, str] = {}
    clean = _clean(record.member, data, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(record, list(EDITABLE), MASKS)
    old_manager = record.managing_org_id
    for field, value in clean.items():
        setattr(record, field, value)
    if "managing_org" in clean and clean["managing_org"] is not None:
        record.managing_org_text = ""
    if clean.get("managing_org_text"):
        record.managing_org = None
    record.save()
    audit.record(
        "floating.update",
        actor=acting_user,
        obj=record,
        org_path=record.home_org.path,
        changes=audit.diff(before, audit.snapshot(record, list(EDITABLE), MASKS)),
    )
    events.changed("floating.update", record.home_org.pk)
    if record.managing_org_id != old_manager:
        _tell_managing(record)
    return record


@write_service("floating.return")
def record_return(record: FloatingRecord, *, returned_on: date, acting_user: Any) -> FloatingRecord:
    """The member is back: the record closes and the member is active again."""
    # The member row first, then the record: the order of every other path that touches both
    # (an acceptance or an art. 9 closing locks the member, then closes the open record).
    # The reverse order could deadlock against them.
    member = lock_member(FloatingRecord.objects.values_list("member_id", flat=True).get(pk=record.pk))
    record = _locked(record, acting_user)
    if not record.is_open:
        raise ValidationError(_("This record is closed."), code="transition")
    if not returned_on or returned_on < record.left_on:
        raise ValidationError({"returned_on": _("The return cannot be before the member left.")})
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": _("The date cannot be in the future.")})
    if LostContactCase.objects.filter(member=member, state=CaseState.OPEN).exists():
        raise ValidationError(
            _("A lost-contact case is open for this member: close it as found first."), code="lost"
        )
    if member.status == MemberStatus.FLOATING_OUT:
        set_status(member, MemberStatus.ACTIVE, acting_user=acting_user, why=f"floating {record.pk} returned")
    return FLOATING_FLOW.move(
        record,
        "return",
        acting_user=acting_user,
        fields={"returned_on": returned_on},
        changes={"returned_on": [None, str(returned_on)]},
        locked=True,
    )


@write_service("floating.reveal")
def reveal_contact(record: FloatingRecord, *, acting_user: Any) -> str:
    """The full contact phone, for users allowed to see personal data on either side; audited."""
    require_scope(acting_user, record, "reveal_pii")
    record = FloatingRecord.objects.select_related("home_org").get(pk=record.pk)
    audit.record(
        "floating.reveal", actor=acting_user, obj=record, org_path=record.home_org.path, detail="contact"
    )
    return record.contact
