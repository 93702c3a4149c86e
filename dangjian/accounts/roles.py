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


# Actions: view (read records), change (write records), reveal_pii (see full ID number / phone),
# export, manage_users (accounts and grants), manage_security (login policy, locks),
# view_audit (read the audit log).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.MEMBER: frozenset({"view"}),
    Role.ORGANIZER: frozenset({"view", "change"}),
    Role.SECRETARY: frozenset({"view", "change", "reveal_pii", "export"}),
    Role.COMMITTEE_STAFF: frozenset({"view", "change", "reveal_pii", "export"}),
    Role.SUPERVISOR: frozenset({"view"}),
    # The three administrators are kept apart (三员分立): the system administrator runs the tree
    # and accounts but cannot read the audit log or see full personal data.
    Role.SYSTEM_ADMIN: frozenset({"view", "change", "manage_users"}),
    Role.SECURITY_ADMIN: frozenset({"manage_security"}),
    Role.AUDIT_ADMIN: frozenset({"view_audit"}),
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Holders of these roles must use a second factor (TOTP).
TWO_FACTOR_ROLES = frozenset({Role.SECRETARY, Role.COMMITTEE_STAFF, Role.SUPERVISOR}) | ADMIN_ROLES
