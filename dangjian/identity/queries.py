"""Reads about cards: is a card valid, what does a verification show, how many members have one.

Verification is public, so its answer carries nothing personal: valid or not, the branch, and the
name masked to its first character (enough for the person checking to see it is the card of the
person in front of them, with the ID card the member shows).
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext as _

from dangjian.core.tree import subtree_q
from dangjian.members.models import Member, MemberStatus
from dangjian.organizations.models import Organization

from .models import MemberCard
from .tokens import read_token

# Members who are still members in good standing: floating and lost-contact members are.
CARD_STATUSES = (MemberStatus.ACTIVE, MemberStatus.FLOATING_OUT, MemberStatus.LOST_CONTACT)


class VerdictState:
    VALID = "valid"
    REVOKED = "revoked"
    INVALID = "invalid"


@dataclass(frozen=True)
class Verdict:
    state: str
    message: str
    branch: str = ""
    name: str = ""

    @property
    def valid(self) -> bool:
        return self.state == VerdictState.VALID

    @property
    def http_status(self) -> int:
        """200 valid, 410 revoked, 404 not genuine: the page and the API answer alike."""
        return HTTP_STATUS[self.state]


HTTP_STATUS = {VerdictState.VALID: 200, VerdictState.REVOKED: 410, VerdictState.INVALID: 404}


def mask_name(name: str) -> str:
    """张伟 → 张*, 欧阳娜娜 → 欧***: only the first character stays (of a two-character family
    name too), the rest is hidden; a one-character name is hidden entirely."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def card_is_valid(card: MemberCard) -> bool:
    """Not revoked, the member still a member in good standing, and still in the branch the card
    was issued for (a move by any path, not only a transfer, retires the card)."""
    member = card.member
    return (
        card.revoked_at is None
        and member.status in CARD_STATUSES
        and member.organization_id == card.organization_id
    )


def verify_token(token: str) -> Verdict:
    serial = read_token(token)
    card = (
        MemberCard.objects.select_related("member__organization").filter(serial=serial).first()
        if serial
        else None
    )
    if card is None:
        return Verdict(
            VerdictState.INVALID,
            _("This is not a genuine member card: its code does not check out."),
        )
    if not card_is_valid(card):
        return Verdict(VerdictState.REVOKED, _("This member card has been revoked and is no longer valid."))
    member = card.member
    return Verdict(
        VerdictState.VALID,
        _("Valid Party member of %(branch)s.") % {"branch": member.organization.name},
        branch=member.organization.name,
        name=mask_name(member.name),
    )


def valid_card(member: Member) -> MemberCard | None:
    card = MemberCard.objects.filter(member=member, revoked_at__isnull=True).select_related("member").first()
    return card if card is not None and card_is_valid(card) else None


def _valid_card_exists() -> Exists:
    return Exists(
        MemberCard.objects.filter(
            member=OuterRef("pk"), revoked_at__isnull=True, organization_id=OuterRef("organization_id")
        )
    )


def members_without_card(org: Organization) -> QuerySet[Member]:
    """Members of the organization (itself, not below) who should have a card and have none."""
    return (
        Member.objects.filter(organization=org, status__in=CARD_STATUSES)
        .annotate(carded=_valid_card_exists())
        .filter(carded=False)
        .order_by("name", "id")
    )


def card_coverage(org_path: str) -> tuple[int, int]:
    """(members in good standing in the subtree, of whom with a valid card) — work point 17:
    every member has an electronic identity."""
    members = Member.objects.filter(subtree_q(org_path, "organization__path"), status__in=CARD_STATUSES)
    carded = MemberCard.objects.filter(
        subtree_q(org_path, "member__organization__path"),
        revoked_at__isnull=True,
        member__status__in=CARD_STATUSES,
        organization_id=F("member__organization_id"),
    )
    return members.count(), carded.count()
