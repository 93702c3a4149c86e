"""Who may do what in a branch's discussion, from the role grants (each covering its subtree).

| action     | roles                                                         |
|------------|---------------------------------------------------------------|
| `view`     | member, organizer, secretary, committee staff, supervisor     |
| `post`     | member, organizer, secretary                                  |
| `change`   | organizer, secretary (moderate: pin, close, hide, review)     |
| `words`    | committee staff (the word list of their subtree)              |

The three administrators (三员) have none of these: a branch's conversation is not configuration
and not the audit log. Computed from the grants the request has already read (no query).
"""

from typing import Any

from django.db.models import Model

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM, ScopedQuerySet
from dangjian.core.tree import minimal_prefixes

ACTION_ROLES: dict[str, frozenset[str]] = {
    "view": frozenset({Role.MEMBER, Role.ORGANIZER, Role.SECRETARY, Role.COMMITTEE_STAFF, Role.SUPERVISOR}),
    "post": frozenset({Role.MEMBER, Role.ORGANIZER, Role.SECRETARY}),
    "change": frozenset({Role.ORGANIZER, Role.SECRETARY}),
    "words": frozenset({Role.COMMITTEE_STAFF}),
}


def paths(user: Any, action: str) -> list[str]:
    """Organization paths whose subtrees `user` reaches for the discussion `action`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    roles = ACTION_ROLES[action]
    return minimal_prefixes([path for role, path in user._grants() if role in roles])


def can(user: Any, org_path: str, action: str) -> bool:
    if user is SYSTEM:
        return True
    return any(org_path.startswith(p) for p in paths(user, action))


def require(user: Any, org: Any, action: str) -> None:
    if not can(user, org.path, action):
        raise OutOfScope(f"{org._meta.label} {org.pk}")


def reach(user: Any, action: str) -> list[str]:
    """The discussion's models' reach (their `scope_reach`, read by `restrict(user, action)`):
    the discussion's actions above instead of the business ones; any other reads as "change"."""
    return paths(user, action if action in ACTION_ROLES else "change")


class DiscussionQuerySet(ScopedQuerySet[Any]):
    pass


def org_path_of(obj: Model) -> str:
    return obj.organization.path  # type: ignore[attr-defined,no-any-return]
