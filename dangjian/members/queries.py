"""Reads other apps (and this app's pages) use to ask about members; no writes here."""

from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization

from .models import Member, MemberQuerySet


def members_in_subtree(org_path: str) -> MemberQuerySet:
    """Members on the roll anywhere in the subtree at `org_path` (an index range on the path).

    Unscoped: callers either restrict the result or have already checked the organization is
    within the user's reach (a reach always covers whole subtrees).
    """
    return Member.objects.filter(subtree_q(org_path, "organization__path")).on_roll()


def subtree_member_count(org: Organization) -> int:
    return members_in_subtree(org.path).count()
