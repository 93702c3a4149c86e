"""What the services of this app share: the acting account, locking a member and changing their
status on the record, checking which side of a two-sided record is acting, telling a branch."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.core import audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.members.models import Member
from dangjian.notifications.services import Message, notify_many
from dangjian.organizations.models import Organization

from ..models import FloatingRecord, FloatingState

# Who keeps a branch's records and hears about its members' movements.
KEEPER_ROLES = (Role.SECRETARY, Role.ORGANIZER)


def lock_member(member_id: int) -> Member:
    """The member row, locked for the rest of the transaction: status changes and moves of one
    member are serialized (two acceptances, a return racing a transfer)."""
    return Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member_id)


def set_status(member: Member, status: str, *, acting_user: Any, why: str) -> None:
    """Put a locked member in `status`, bumping the version (a form opened before is stale), and
    record it on the member's audit trail with the record that caused it."""
    if member.status == status:
        return
    old = member.status
    member.status = status
    member.version += 1
    member.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        "member.status",
        actor=acting_user,
        obj=member,
        org_path=member.organization.path,
        changes={"status": [old, status]},
        detail=why,
    )
    events.changed("member.status", member.organization.pk)


def close_open_floating(member: Member, on: date, *, acting_user: Any, why: str) -> None:
    """Close the member's open floating record (transferred, or left the Party), on the audit
    record of the home branch with the record that caused it."""
    for record in (
        FloatingRecord.objects.select_for_update(of=("self",))
        .select_related("home_org")
        .filter(member=member, state=FloatingState.OPEN)
    ):
        # Not an actor's move on the record (`lost_floating_workflows`): written here directly.
        record.state = FloatingState.CLOSED
        record.returned_on = on
        record.version += 1
        record.save(update_fields=["state", "returned_on", "version", "updated_at"])
        audit.record(
            "floating.close",
            actor=acting_user,
            obj=record,
            org_path=record.home_org.path,
            changes={"state": [FloatingState.OPEN, FloatingState.CLOSED]},
            detail=why,
        )
        events.changed("floating.close", record.home_org.pk)


def require_side(acting_user: Any, record: models.Model, org: Organization | None, refusal: str) -> None:
    """The acting user must hold `change` on `org`, one side of a two-sided record. Someone who
    sees the record from the other side gets a clear refusal saying who acts; someone who does
    not see it at all gets OutOfScope (a 404: its existence is not confirmed)."""
    if org is not None and in_scope(acting_user, org, "change"):
        return
    if in_scope(acting_user, record, "view"):
        raise ValidationError(refusal, code="side")
    raise OutOfScope(f"{record._meta.label} {record.pk}")


def keepers(org_ids: Iterable[int], roles: Iterable[str] = KEEPER_ROLES) -> dict[int, list[int]]:
    """{organization id: ids of active users holding one of `roles` on exactly that organization}."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = RoleGrant.objects.filter(
        organization_id__in=set(org_ids), role__in=list(roles), user__is_active=True
    ).values_list("organization_id", "user_id")
    for org_id, user_id in rows.order_by():
        found[org_id].append(user_id)
    return found


def tell_branch(org: Organization | None, *, kind: str, key: str, title: str, body: str, url: str) -> None:
    """Notify the secretaries and organizers of `org` (no-op for none or a branch without them)."""
    if org is None:
        return
    users = keepers([org.pk]).get(org.pk, [])
    if users:
        notify_many([Message(users, kind=kind, key=key, title=title, body=body, url=url)])
