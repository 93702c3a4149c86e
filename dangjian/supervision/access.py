"""Who may act on a supervision record.

* **The organization's own side** (fill in, submit, attach files): a secretary, organizer or
  staff grant on the organization itself. A committee above may see the record, but the
  self-assessment and the report are the organization's own word.
* **The level above** (approve, grade, return): the change scope on the organization's parent
  (a grant on an ancestor), and never someone with a writing grant on or inside the organization
  itself (its own secretary does not approve its own work), nor whoever submitted it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import Role
from dangjian.core.scoping import SYSTEM
from dangjian.core.services import require_scope
from dangjian.core.tree import STEPLEN, subtree_q
from dangjian.organizations.models import Organization

OWN_ROLES = (Role.SECRETARY, Role.ORGANIZER, Role.COMMITTEE_STAFF)


def holds_own_grant(user: Any, org: Organization) -> bool:
    """A writing grant on `org` itself (one query; the console's SYSTEM actor always)."""
    if user is SYSTEM:
        return True
    if not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return False
    return RoleGrant.objects.filter(user_id=user.pk, organization_id=org.pk, role__in=OWN_ROLES).exists()


def require_own(user: Any, org: Organization, message: str) -> None:
    """OutOfScope (404) when `user` cannot even see `org`; a ValidationError with `message` when
    they see it from above but are not the organization's own secretary or organizer."""
    require_scope(user, org, "view")
    if not holds_own_grant(user, org):
        raise ValidationError(message, code="not_own")


def own_grant_paths(user: Any) -> list[str]:
    """Paths of the organizations where `user` holds a writing grant (one query)."""
    if user is SYSTEM or not getattr(user, "pk", None):
        return []
    grants = RoleGrant.objects.filter(user_id=user.pk, role__in=OWN_ROLES)
    return list(grants.values_list("organization__path", flat=True))


def works_inside(user: Any, org: Organization, own_paths: list[str] | None = None) -> bool:
    """A writing grant on `org` or anywhere inside it. Pages listing many organizations pass
    `own_paths` (from `own_grant_paths`) to spare a query per row."""
    if user is SYSTEM or not getattr(user, "pk", None):
        return False
    if own_paths is not None:
        return any(p.startswith(org.path) for p in own_paths)
    grants = RoleGrant.objects.filter(subtree_q(org.path, "organization__path"), user_id=user.pk)
    return grants.filter(role__in=OWN_ROLES).exists()


def above_in_reach(user: Any, org: Organization) -> bool:
    """The change scope reaches `org`'s parent (no query: the reach is cached per request)."""
    if user is SYSTEM:
        return org.depth > 1
    parent = org.path[:-STEPLEN]
    paths = user.scope_paths("change") if hasattr(user, "scope_paths") else []
    return bool(parent) and any(parent.startswith(p) for p in paths)


def may_review(
    user: Any, org: Organization, submitted_by_id: int | None, own_paths: list[str] | None = None
) -> bool:
    """For pages: whether to offer the decision form (the services check again)."""
    if user is SYSTEM:
        return org.depth > 1
    return (
        above_in_reach(user, org)
        and getattr(user, "pk", None) != submitted_by_id
        and not works_inside(user, org, own_paths)
    )


def require_reviewer(user: Any, org: Organization, submitted_by_id: int | None) -> None:
    """Refuse, with the reason, anyone who is not the level above or who works inside `org`."""
    require_scope(user, org, "view")
    if org.depth <= 1:
        raise ValidationError(_("This organization has no level above it to review."), code="reviewer")
    if user is SYSTEM:
        return
    if not above_in_reach(user, org):
        parent = Organization.objects.get(path=org.path[:-STEPLEN])
        raise ValidationError(
            _("This is reviewed by the level above (%(org)s).") % {"org": parent.name}, code="reviewer"
        )
    if works_inside(user, org):
        raise ValidationError(
            _("The organization's own secretary, organizer or staff cannot review its own work."),
            code="reviewer",
        )
    if getattr(user, "pk", None) == submitted_by_id:
        raise ValidationError(_("Whoever submitted it cannot also review it."), code="reviewer")
