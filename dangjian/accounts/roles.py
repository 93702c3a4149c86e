"""Roles and what each lets its holder do within the granted subtree."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    ORGANIZER = "organizer", _("Organizer")
    SECRETARY = "secretary", _("Secretary")
    COMMITTEE_STAFF = "committee_staff", _("Committee staff")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# Actions (docs/architecture.md, "三员分立", has the whole matrix):
#   view, change, reveal_pii, export  business data: read, write, full ID/phone, exports
#   manage_tree       create, edit and move organizations (the tree is configuration)
#   view_accounts     read accounts and their grants (both account administrators need it)
#   manage_users      create accounts with an initial password, (de)activate, link a member
#   manage_grants     grant and revoke roles
#   manage_security   login policy, unlocks, second-factor resets and activation codes
#   view_audit        read the audit log
#   review_admin      see and confirm the requests one administrator files against another
ADMIN_REVIEW = "review_admin"
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.MEMBER: frozenset({"view"}),
    # Business roles keep the tree rights they always had (a secretary edits the branch record).
    Role.ORGANIZER: frozenset({"view", "change", "manage_tree"}),
    Role.SECRETARY: frozenset({"view", "change", "manage_tree", "reveal_pii", "export"}),
    Role.COMMITTEE_STAFF: frozenset({"view", "change", "manage_tree", "reveal_pii", "export"}),
    Role.SUPERVISOR: frozenset({"view"}),
    # 三员分立 (GB/T 22239-2019 level 3): accounts and configuration, but no `change` on business
    # data and no grants; `view` lets them find the member an account belongs to.
    Role.SYSTEM_ADMIN: frozenset({"view", "manage_tree", "view_accounts", "manage_users", ADMIN_REVIEW}),
    # Grants and policy, but creates no accounts and never grants to itself (services.grant_role).
    Role.SECURITY_ADMIN: frozenset({"view_accounts", "manage_grants", "manage_security", ADMIN_REVIEW}),
    Role.AUDIT_ADMIN: frozenset({"view_audit", ADMIN_REVIEW}),
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Holders of these roles must use a second factor (TOTP).
TWO_FACTOR_ROLES = frozenset({Role.SECRETARY, Role.COMMITTEE_STAFF, Role.SUPERVISOR}) | ADMIN_ROLES
