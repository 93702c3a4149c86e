"""The transfer workflow: start or request, approve, accept (the member moves), reject, cancel.

Who acts: the sending branch (change scope on `from_org`) starts a transfer, approves or declines
a member's request, withdraws it, and completes a transfer out of the platform when the receipt
comes back; the receiving branch (change scope on `to_org`) accepts or rejects; the member may
request a transfer for themself and withdraw their own request. The moves are
`transfer_workflows.TRANSFER_FLOW`'s; what they set off (the letter's number, the member's move,
the notices) is done here once the move is taken, in its transaction.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role, revoke_grant
from dangjian.core import audit, events
from dangjian.core.scoping import SYSTEM
from dangjian.core.services import account_of as account
from dangjian.core.services import require_scope, write_service
from dangjian.core.tree import ancestor_paths, subtree_q
from dangjian.identity.models import RevokeReason
from dangjian.identity.services import issue_card, revoke_card
from dangjian.members.models import Member, MemberStatus
from dangjian.notifications.services import notify
from dangjian.organizations.models import Organization

from ..models import OPEN_TRANSFER_STATES, Transfer, TransferState
from ..transfer_workflows import MOVABLE, TRANSFER_FLOW
from .common import close_open_floating, lock_member, set_status, tell_branch


def _check_member(member: Member, errors: dict[str, str]) -> None:
    if member.status not in MOVABLE:
        errors["member"] = _(
            "Only an active or floating member can be transferred; this member's status is %(status)s."
        ) % {"status": member.get_status_display()}  # type: ignore[attr-defined]
    elif Transfer.objects.filter(member=member, state__in=OPEN_TRANSFER_STATES).exists():
        errors["member"] = _("This member already has a transfer under way.")


def _check_target(
    member: Member, to_org: Organization | None, destination: str, errors: dict[str, str]
) -> None:
    if to_org is None and not destination:
        errors["to_org"] = _("Name the receiving branch, or the destination outside the platform.")
    elif to_org is not None and destination:
        errors["destination"] = _(
            "Give either a receiving branch on the platform or a destination outside it, not both."
        )
    elif to_org is not None and not to_org.holds_members:
        errors["to_org"] = _(
            "%(name)s is a %(kind)s: members are transferred to a branch, which holds members."
        ) % {"name": to_org.name, "kind": to_org.get_kind_display()}  # type: ignore[attr-defined]
    elif to_org is not None and to_org.pk == member.organization_id:
        errors["to_org"] = _("The member is already in this branch.")


def _validated(member: Member, to_org: Organization | None, destination: str, reason: str) -> tuple[str, str]:
    destination, reason = destination.strip(), reason.strip()
    errors: dict[str, str] = {}
    _check_member(member, errors)
    _check_target(member, to_org, destination, errors)
    if not reason:
        errors["reason"] = _("Give the reason for the transfer.")
    if errors:
        raise ValidationError(errors)
    return destination, reason


def _letter_no(transfer: Transfer, letter_no: str) -> str:
    """The branch's own number, or one made from the sending branch's code, the year and the
    transfer's id (unique without a counter to race on). The year is the Beijing year it is
    sent in."""
    year = timezone.localtime(timezone.now()).year
    return letter_no.strip()[:40] or f"{transfer.from_org.code}-{year}-{transfer.pk:05d}"


def _send(transfer: Transfer, letter_no: str, acting_user: Any) -> None:
    """Mark a new transfer sent and number the letter."""
    transfer.state = TransferState.SENT
    transfer.sent_at = timezone.now()
    transfer.sent_by = account(acting_user)
    transfer.letter_no = _letter_no(transfer, letter_no)
    transfer.save(update_fields=["state", "sent_at", "sent_by", "letter_no"])
    _tell_incoming(transfer)


def _tell_incoming(transfer: Transfer) -> None:
    if transfer.to_org is not None:
        tell_branch(
            transfer.to_org,
            kind="transfer.incoming",
            key=f"transfer-incoming:{transfer.pk}",
            title=_("Incoming transfer: %(name)s") % {"name": transfer.member.name},
            body=_("From %(org)s. Accept or reject it.") % {"org": transfer.from_org.name},
            url=reverse("transfer_detail", args=[transfer.pk]),
        )


def _summary(transfer: Transfer) -> dict[str, list[Any]]:
    return {
        "member": [None, transfer.member.name],
        "from_org": [None, transfer.from_org.name],
        "to": [None, transfer.destination_label],
        "reason": [None, transfer.reason],
        "state": [None, transfer.state],
    }


@write_service("transfer.start")
def start_transfer(
    member: Member,
    *,
    to_org: Organization | None = None,
    destination: str = "",
    reason: str,
    letter_no: str = "",
    acting_user: Any,
) -> Transfer:
    """The sending branch transfers its member: the letter is issued at once (state sent)."""
    member = lock_member(member.pk)
    require_scope(acting_user, member, "change")
    destination, reason = _validated(member, to_org, destination, reason)
    transfer = Transfer.objects.create(
        member=member,
        from_org=member.organization,
        to_org=to_org,
        destination=destination,
        reason=reason,
        state=TransferState.SENT,
    )
    _send(transfer, letter_no, acting_user)
    TRANSFER_FLOW.started(transfer, acting_user)
    audit.record(
        "transfer.start",
        actor=acting_user,
        obj=transfer,
        org_path=transfer.from_org.path,
        changes={**_summary(transfer), "letter_no": [None, transfer.letter_no]},
    )
    events.changed("transfer.start", transfer.from_org.pk)
    return transfer


@write_service("transfer.request")
def request_transfer(
    *, to_org: Organization | None = None, destination: str = "", reason: str, acting_user: Any
) -> Transfer:
    """The member asks for their own transfer; their branch then approves (sends) or declines."""
    member_id = getattr(acting_user, "member_id", None)
    if not member_id:
        raise ValidationError(_("Your account is not linked to a party member record."), code="no_member")
    member = lock_member(member_id)
    destination, reason = _validated(member, to_org, destination, reason)
    transfer = Transfer.objects.create(
        member=member,
        from_org=member.organization,
        to_org=to_org,
        destination=destination,
        reason=reason,
        state=TransferState.REQUESTED,
        requested_by=account(acting_user),
    )
    TRANSFER_FLOW.started(transfer, acting_user)
    audit.record(
        "transfer.request",
        actor=acting_user,
        obj=transfer,
        org_path=transfer.from_org.path,
        changes=_summary(transfer),
    )
    events.changed("transfer.request", transfer.from_org.pk)
    tell_branch(
        transfer.from_org,
        kind="transfer.requested",
        key=f"transfer-requested:{transfer.pk}",
        title=_("Transfer requested: %(name)s") % {"name": member.name},
        body=_("To %(to)s. Approve to send the letter, or decline.") % {"to": transfer.destination_label},
        url=reverse("transfer_detail", args=[transfer.pk]),
    )
    return transfer


def _locked(transfer: Transfer) -> Transfer:
    """The transfer, then its member, locked for the move (the order every move of a transfer
    takes): a second acceptance waits for the first and then finds it accepted. The member is
    read again once locked (a join read while waiting would show the row as it was), and the
    move's guards check that fresh row."""
    transfer = TRANSFER_FLOW.lock(transfer)
    transfer.member = lock_member(transfer.member_id)
    return transfer


@write_service("transfer.approve")
def approve_request(
    transfer: Transfer, *, letter_no: str = "", acting_user: Any, expected_version: int | None = None
) -> Transfer:
    """The sending branch approves the member's request: the letter is issued (state sent)."""
    transfer = _locked(transfer)
    number = _letter_no(transfer, letter_no)
    transfer = TRANSFER_FLOW.move(
        transfer,
        "approve",
        acting_user=acting_user,
        expected_version=expected_version,
        fields={"letter_no": number},
        changes={"letter_no": [None, number]},
        locked=True,
    )
    _tell_incoming(transfer)
    return transfer


def _move_account(transfer: Transfer, member: Member, old: Organization, new: Organization) -> None:
    """The member's own account follows them, in the acceptance's transaction:

    - its home organization (who administers the account) becomes the receiving branch;
    - its `member` role on the old branch (which lets a member read their branch) moves to the
      new one, through the accounts services as SYSTEM;
    - any other role it holds in the old branch (secretary, organizer…) is kept — taking away a
      post is the administrators' decision, not a side effect — and the accounts administrators
      above the old branch are notified to review it.

    Each change is on the audit record."""
    user = User.objects.select_for_update(of=("self",)).filter(member=member).first()
    if user is None:
        return
    if user.home_org_id != new.pk:
        before = str(user.home_org or "")  # type: ignore[attr-defined]
        user.home_org = new
        user.save(update_fields=["home_org"])
        audit.record(
            "user.home_org",
            actor=SYSTEM,
            obj=user,
            org_path=new.path,
            changes={"home_org": [before, str(new)]},
            detail=f"transfer {transfer.pk}",
        )
    old_grants = list(RoleGrant.objects.filter(user=user, organization=old, role=Role.MEMBER))
    for grant in old_grants:
        revoke_grant(grant, acting_user=SYSTEM)
    if old_grants and not RoleGrant.objects.filter(user=user, organization=new, role=Role.MEMBER).exists():
        grant_role(user, new, Role.MEMBER, acting_user=SYSTEM)
    user.forget_grants()
    kept = list(
        RoleGrant.objects.filter(subtree_q(old.path, "organization__path"), user=user).exclude(
            role=Role.MEMBER
        )
    )
    if kept:
        _tell_account_admins(transfer, user, old, kept)


def _tell_account_admins(transfer: Transfer, user: User, old: Organization, kept: list[RoleGrant]) -> None:
    """Ask the security administrators whose reach covers the old branch to review the roles the
    transferred member's account still holds there."""
    admins = RoleGrant.objects.filter(
        organization__path__in=[*ancestor_paths(old.path), old.path],
        role=Role.SECURITY_ADMIN,  # who grants and revokes roles (三员分立)
        user__is_active=True,
    ).values_list("user_id", flat=True)
    roles = "、".join(sorted({str(g.get_role_display()) for g in kept}))  # type: ignore[attr-defined]
    notify(
        list(admins),
        kind="transfer.roles",
        key=f"transfer-roles:{transfer.pk}",
        title=_("Review the roles of %(user)s") % {"user": user.get_username()},
        body=_(
            "%(name)s has transferred from %(old)s to %(new)s; the account still holds %(roles)s on %(old)s."
        )
        % {"name": transfer.member.name, "old": old.name, "new": transfer.destination_label, "roles": roles},
        url=reverse("transfer_detail", args=[transfer.pk]),
    )


def _move(transfer: Transfer, member: Member, acting_user: Any) -> None:
    """The member moves to the receiving branch: one UPDATE of their row, inside the acceptance's
    transaction. Party group and branch committee post belonged to the old branch."""
    old, new = member.organization, transfer.to_org
    assert new is not None
    before = {
        "organization": old.name,
        "party_group": str(member.party_group or ""),
        "post": member.committee_post,
        "status": member.status,
    }
    member.organization = new
    member.party_group = None
    member.committee_post = ""
    member.status = MemberStatus.ACTIVE  # a floating member's record ends with the move
    member.version += 1
    member.save(
        update_fields=["organization", "party_group", "committee_post", "status", "version", "updated_at"]
    )
    why = f"transfer {transfer.pk}"
    close_open_floating(member, timezone.localdate(), acting_user=acting_user, why=why)
    audit.record(
        "member.transfer",
        actor=acting_user,
        obj=member,
        org_path=new.path,
        changes=audit.diff(
            before, {"organization": new.name, "party_group": "", "post": "", "status": MemberStatus.ACTIVE}
        ),
        detail=why,
    )
    events.changed("member.transfer", new.pk)
    events.changed("member.transfer", old.pk)  # the sending branch has one member fewer
    # Save, then verify: the receiving side now holds the member.
    require_scope(acting_user, member, "change")
    _move_account(transfer, member, old, new)
    revoke_card(member, RevokeReason.TRANSFERRED, acting_user=acting_user)
    issue_card(member, acting_user=acting_user)


def _leave_platform(transfer: Transfer, member: Member, acting_user: Any) -> None:
    """A transfer out of the platform is complete: the member leaves this province's roll. Their
    status becomes `left`, and this accepted transfer (with its destination) records why. Their
    account, if any, is left as it is, as for every member who leaves the roll (lost contact under
    art. 9, a cancelled probation): deactivating accounts is the administrators' work."""
    why = f"transfer {transfer.pk}"
    close_open_floating(member, timezone.localdate(), acting_user=acting_user, why=why)
    set_status(member, MemberStatus.LEFT, acting_user=acting_user, why=why)
    revoke_card(member, RevokeReason.LEFT, acting_user=acting_user)


@write_service("transfer.accept")
def accept_transfer(
    transfer: Transfer, *, note: str = "", acting_user: Any, expected_version: int | None = None
) -> Transfer:
    """The receiving branch accepts: the member moves, in this transaction. For a transfer out of
    the platform the sending branch records that the receipt came back."""
    transfer = _locked(transfer)
    member = transfer.member
    transfer = TRANSFER_FLOW.move(
        transfer, "accept", note=note, acting_user=acting_user, expected_version=expected_version, locked=True
    )
    if transfer.to_org is None:
        _leave_platform(transfer, member, acting_user)
    else:
        _move(transfer, member, acting_user)
    return transfer


@write_service("transfer.reject")
def reject_transfer(
    transfer: Transfer, *, note: str, acting_user: Any, expected_version: int | None = None
) -> Transfer:
    """The receiving branch rejects a sent transfer, or the member's branch declines their
    request. The member stays where they are."""
    return TRANSFER_FLOW.move(  # type: ignore[no-any-return]
        transfer, "reject", note=note, acting_user=acting_user, expected_version=expected_version
    )


@write_service("transfer.cancel")
def cancel_transfer(
    transfer: Transfer, *, note: str = "", acting_user: Any, expected_version: int | None = None
) -> Transfer:
    """The sending branch withdraws a transfer before it is accepted; a member may withdraw their
    own request while it is still a request."""
    return TRANSFER_FLOW.move(  # type: ignore[no-any-return]
        transfer, "cancel", note=note, acting_user=acting_user, expected_version=expected_version
    )
