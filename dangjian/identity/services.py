"""All writes to member cards: issue (and re-issue), revoke, the member's photo, bulk issue."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import account_of as _user
from dangjian.core.services import require_scope, write_service
from dangjian.core.uploads import check_upload, random_name
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .models import MemberCard, RevokeReason
from .queries import CARD_STATUSES, card_is_valid, members_without_card
from .tokens import new_serial

PHOTO_MAX_BYTES = 5 * 1024 * 1024


def _is_own(acting_user: Any, member: Member) -> bool:
    return getattr(acting_user, "member_id", None) == member.pk


def _unrevoked(member: Member) -> MemberCard | None:
    """The member's unrevoked card, if any, locked."""
    return MemberCard.objects.select_for_update().filter(member=member, revoked_at__isnull=True).first()


def _revoke(card: MemberCard, reason: str, acting_user: Any) -> MemberCard:
    card.revoked_at = timezone.now()
    card.revoked_reason = reason
    card.revoked_by = _user(acting_user)
    card.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return card


@write_service("card.issue")
def issue_card(member: Member, *, acting_user: Any, replaces: str | None = None) -> MemberCard:
    """A new card for the member's current branch; the previous one, if any, is revoked. The
    member may get their own; otherwise the branch (change scope) issues it.

    `replaces`: the serial of the valid card the caller's page showed ("" for none). If the
    member's valid card is no longer that one, the request was served already (a double click,
    a retried POST): the current card is returned and nothing is written."""
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    if not _is_own(acting_user, member):
        require_scope(acting_user, member, "change")
    current = _unrevoked(member)
    if current is not None:
        current.member = member
        if replaces is not None and current.serial != replaces and card_is_valid(current):
            return current
    if member.status not in CARD_STATUSES:
        raise ValidationError(
            _("No card is issued to a member who has left or whose membership is suspended."), code="status"
        )
    previous = _revoke(current, RevokeReason.REISSUED, acting_user) if current is not None else None
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
    events.changed("card.issue", member.organization.pk)
    return card


@write_service("card.revoke")
def revoke_card(
    member: Member, reason: str, *, acting_user: Any, card: MemberCard | None = None
) -> MemberCard | None:
    """Revoke the member's card (the branch withdraws it; or a transfer or leaving the Party,
    called by those services). Returns the revoked card, or None if there was none. With `card`,
    only that card is revoked, if it is still the member's unrevoked one: a retried request to
    revoke an old card must not revoke the card issued since."""
    if reason not in RevokeReason.values:
        raise ValidationError({"reason": _("Choose a valid reason.")})
    member = Member.objects.select_related("organization").get(pk=member.pk)
    require_scope(acting_user, member, "change")
    current = _unrevoked(member)
    if current is None or (card is not None and current.pk != card.pk):
        return None
    _revoke(current, reason, acting_user)
    audit.record(
        "card.revoke",
        actor=acting_user,
        obj=current,
        org_path=member.organization.path,
        changes={"revoked_reason": [None, reason]},
    )
    events.changed("card.revoke", member.organization.pk)
    return current


@write_service("card.photo")
def set_photo(member: Member, upload: UploadedFile, *, acting_user: Any) -> MemberCard:
    """The photo on the member's card: JPEG or PNG, checked by content, under a random name."""
    if not _is_own(acting_user, member):
        require_scope(acting_user, member, "change")
    card = _unrevoked(member)
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
    # Lock the branch's members first, then ask who has no card, in a statement of its own: on
    # PostgreSQL a locking read that waited re-checks only the locked row, not the card subquery,
    # so a card issued meanwhile (a double click, issue_card) would be replaced at once.
    list(Member.objects.select_for_update().filter(organization=org).values_list("pk", flat=True))
    members = list(members_without_card(org))
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
    events.changed("card.issue_missing", org.pk)
    return len(members)
