"""All writes to member cards: issue (and re-issue), revoke, the member's photo, bulk issue."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.services import account_of as _user
from dangjian.core.services import require_scope, write_service
from dangjian.core.uploads import check_upload, random_name
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .models import MemberCard, RevokeReason
from .queries import CARD_STATUSES, members_without_card
from .tokens import new_serial

PHOTO_MAX_BYTES = 5 * 1024 * 1024


def _is_own(acting_user: Any, member: Member) -> bool:
    return getattr(acting_user, "member_id", None) == member.pk


def _revoke_valid(member: Member, reason: str, acting_user: Any) -> MemberCard | None:
    """Revoke the member's unrevoked card, if any; returns it."""
    card = MemberCard.objects.select_for_update().filter(member=member, revoked_at__isnull=True).first()
    if card is None:
        return None
    card.revoked_at = timezone.now()
    card.revoked_reason = reason
    card.revoked_by = _user(acting_user)
    card.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return card


@write_service("card.issue")
def issue_card(member: Member, *, acting_user: Any) -> MemberCard:
    """A new card for the member's current branch; the previous one, if any, is revoked. The
    member may get their own; otherwise the branch (change scope) issues it."""
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    if not _is_own(acting_user, member):
        require_scope(acting_user, member, "change")
    if member.status not in CARD_STATUSES:
        raise ValidationError(
            _("No card is issued to a member who has left or whose membership is suspended."), code="status"
        )
    previous = _revoke_valid(member, RevokeReason.REISSUED, acting_user)
    card = MemberCard.objects.create(
        member=member,
        organization=member.organization,
        serial=new_serial(),
        issued_by=_user(acting_user),
        photo=previous.photo if previous else "",
        photo_type=previous.photo_type if previous else "",
    )
    audit.record(
        "card.issue",
        actor=acting_user,
        obj=card,
        org_path=member.organization.path,
        changes={"serial": [previous.serial if previous else None, card.serial]},
    )
    return card


@write_service("card.revoke")
def revoke_card(member: Member, reason: str, *, acting_user: Any) -> MemberCard | None:
    """Revoke the member's card (the branch withdraws it; or a transfer or leaving the Party,
    called by those services). Returns the revoked card, or None if there was none."""
    if reason not in RevokeReason.values:
        raise ValidationError({"reason": _("Choose a valid reason.")})
    member = Member.objects.select_related("organization").get(pk=member.pk)
    require_scope(acting_user, member, "change")
    card = _revoke_valid(member, reason, acting_user)
    if card is not None:
        audit.record(
            "card.revoke",
            actor=acting_user,
            obj=card,
            org_path=member.organization.path,
            changes={"revoked_reason": [None, reason]},
        )
    return card


@write_service("card.photo")
def set_photo(member: Member, upload: UploadedFile, *, acting_user: Any) -> MemberCard:
    """The photo on the member's card: JPEG or PNG, checked by content, under a random name."""
    if not _is_own(acting_user, member):
        require_scope(acting_user, member, "change")
    card = MemberCard.objects.select_for_update().filter(member=member, revoked_at__isnull=True).first()
    if card is None:
        raise ValidationError(_("Get the card first, then add a photo."), code="no_card")
    try:
        kind = check_upload(upload, allowed=("jpeg", "png"), max_bytes=PHOTO_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    card.photo = default_storage.save(random_name("cards", kind), upload)
    card.photo_type = kind.content_type
    card.save(update_fields=["photo", "photo_type"])
    audit.record(
        "card.photo", actor=acting_user, obj=card, org_path=member.organization.path, detail=kind.code
    )
    return card


@write_service("card.issue_missing")
def issue_missing_cards(org: Organization, *, acting_user: Any) -> int:
    """Cards for every member of the branch in good standing who has no valid one (work point
    17). One summary audit entry for the batch, as bulk writes do."""
    require_scope(acting_user, org, "change")
    members = list(members_without_card(org).select_for_update(of=("self",)))
    if not members:
        return 0
    # Cards left over from before a move or a status change are retired first.
    MemberCard.objects.filter(member__in=members, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=RevokeReason.REISSUED, revoked_by=_user(acting_user)
    )
    MemberCard.objects.bulk_create(
        MemberCard(member=m, organization=org, serial=new_serial(), issued_by=_user(acting_user))
        for m in members
    )
    audit.record(
        "card.issue_missing",
        actor=acting_user,
        obj=org,
        org_path=org.path,
        detail=f"{len(members)} cards issued",
    )
    return len(members)
