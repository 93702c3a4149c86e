"""Reads other apps and this app's pages use. No writes; unscoped (callers restrict, or have
checked that the organization is within the user's reach, which covers its whole subtree)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from dangjian.core.tree import subtree_q
from dangjian.members.models import Member, MemberCategory, MemberQuerySet, MemberStatus

from .models import OPEN_TRANSFER_STATES, CaseState, FloatingRecord, FloatingState, LostContactCase, Transfer
from .models.floating import FloatingQuerySet
from .models.transfer import TransferQuerySet
from .probation import due_by_q, end_of_probation, with_extension


def transfers_touching(org_path: str) -> TransferQuerySet:
    """Transfers out of or into the subtree at `org_path`."""
    return Transfer.objects.filter(
        subtree_q(org_path, "from_org__path") | subtree_q(org_path, "to_org__path")
    )


def managed_floating(org_path: str) -> FloatingQuerySet:
    """Open floating records managed by a branch in the subtree: members from elsewhere who take
    part in these branches' activities. A count of a managing branch's members at its meetings
    can add `managed_floating(path).values("member_id")` (orglife's `add_guest` already lets a
    branch expect a member of another branch at its meeting)."""
    return FloatingRecord.objects.filter(subtree_q(org_path, "managing_org__path"), state=FloatingState.OPEN)


def floating_out(org_path: str) -> FloatingQuerySet:
    """Open floating records of members whose home branch is in the subtree."""
    return FloatingRecord.objects.filter(subtree_q(org_path, "home_org__path"), state=FloatingState.OPEN)


def unattached_floating_count(org_path: str) -> int:
    """Floating members of the subtree with no managing branch (work point 17 wants none)."""
    return floating_out(org_path).filter(managing_org__isnull=True, managing_org_text="").count()


def lost_contact_counts(org_path: str) -> dict[int, int]:
    """{organization id: members with status lost_contact} for the organizations of the subtree
    that have any. Read from the member's status (an open case, or a case closed as still lost),
    per organization through the (organization, status) index."""
    rows = (
        Member.objects.filter(subtree_q(org_path, "organization__path"), status=MemberStatus.LOST_CONTACT)
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["organization_id"]: r["n"] for r in rows}


def lost_without_case(org_path: str) -> QuerySet[Member]:
    """Members marked lost contact with no open case (work point 16: none should be)."""
    open_cases = LostContactCase.objects.filter(state=CaseState.OPEN).values("member_id")
    return Member.objects.filter(
        subtree_q(org_path, "organization__path"), status=MemberStatus.LOST_CONTACT
    ).exclude(pk__in=open_cases)


@dataclass(frozen=True)
class ProbationDue:
    member: Member
    due: date
    extended: bool
    days_left: int  # negative once overdue
    # The branch has decided; the committee above has not approved yet (no reminder needed).
    awaiting_approval: bool = False


def due_rows(members: MemberQuerySet, within_days: int, today: date) -> list[ProbationDue]:
    cutoff = today + timedelta(days=within_days)
    rows = with_extension(members.filter(category=MemberCategory.PROBATIONARY).on_roll()).filter(
        due_by_q(cutoff)
    )
    result = []
    for m in rows.select_related("organization"):
        extended: date | None = m.extended_until  # type: ignore[attr-defined]
        due = end_of_probation(m.join_date, extended)
        pending: bool = m.awaiting_approval  # type: ignore[attr-defined]
        result.append(ProbationDue(m, due, extended is not None, (due - today).days, pending))
    return sorted(result, key=lambda r: (r.due, r.member.organization.path, r.member.pk))


def probation_due(org_path: str, within_days: int = 30, *, today: date | None = None) -> list[ProbationDue]:
    """Probationary members of the subtree whose probation ends within `within_days` from today,
    or has already ended without a decision (overdue), soonest first."""
    members = Member.objects.filter(subtree_q(org_path, "organization__path"))
    return due_rows(members, within_days, today or timezone.localdate())


def open_items(member: Member) -> dict[str, object]:
    """The member's open transfer, floating record and lost-contact case (each or None)."""
    return {
        "open_transfer": Transfer.objects.filter(member=member, state__in=OPEN_TRANSFER_STATES).first(),
        "open_floating": FloatingRecord.objects.filter(member=member, state=FloatingState.OPEN).first(),
        "open_case": LostContactCase.objects.filter(member=member, state=CaseState.OPEN).first(),
    }
