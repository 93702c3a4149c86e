"""All writes to organizations and party groups."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM
from dangjian.core.services import require_scope, write_service

from .models import BRANCH_KINDS, Organization, OrgKind, PartyGroup, Sector

ORG_FIELDS = ["name", "code", "kind", "sector", "established_on", "term_start", "term_due_end"]


def _clean_org(data: dict[str, Any], instance: Organization | None, parent: Organization | None) -> None:
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    code = (data.get("code") or "").strip()
    if not name:
        errors["name"] = _("Enter the organization's name.")
    if not code:
        errors["code"] = _("Enter the organization's code.")
    elif Organization.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["code"] = _("Another organization already uses this code.")
    if data.get("kind") not in OrgKind.values:
        errors["kind"] = _("Choose a valid kind of organization.")
    if data.get("sector") not in Sector.values:
        errors["sector"] = _("Choose a valid sector.")
    if parent is not None and parent.kind in BRANCH_KINDS:
        errors["parent"] = _("A branch cannot have organizations below it; add a party group instead.")
    if instance is not None and data.get("kind") in BRANCH_KINDS and instance.numchild:
        errors["kind"] = _("This organization has organizations below it, so it cannot be a branch.")
    start: date | None = data.get("term_start")
    end: date | None = data.get("term_due_end")
    if start and end and end <= start:
        errors["term_due_end"] = _("The term's due end must be after its start.")
    if errors:
        raise ValidationError(errors)
    data["name"], data["code"] = name, code


def _apply(org: Organization, data: dict[str, Any]) -> None:
    for field in ORG_FIELDS:
        if field in data:
            setattr(org, field, data[field])
    if org.term_start and not org.term_due_end:
        org.term_due_end = org.default_term_end()


@write_service("organization.create")
def create_organization(
    parent: Organization | None, data: dict[str, Any], *, acting_user: Any
) -> Organization:
    """Add an organization under `parent`. A root (parent None) is only created by the CLI."""
    if parent is None and acting_user is not SYSTEM:
        raise OutOfScope("root")
    if parent is not None:
        # The tree is configuration (三员分立): `manage_tree`, which the system administrator holds
        # without `change` on business data.
        require_scope(acting_user, parent, "manage_tree")
    data = {k: v for k, v in data.items() if k in ORG_FIELDS}
    data.setdefault("sector", Sector.OTHER)
    _clean_org(data, None, parent)
    org = Organization(**data)
    _apply(org, {})
    manager = Organization.objects
    org = manager.add_child(parent, instance=org) if parent else manager.add_root(instance=org)
    audit.record(
        "organization.create",
        actor=acting_user,
        obj=org,
        org_path=org.path,
        changes={k: [None, v] for k, v in audit.snapshot(org, ORG_FIELDS).items()},
    )
    events.changed("organizations.organization", org.pk)
    return org


@write_service("organization.update")
def update_organization(
    org: Organization, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Organization:
    org = Organization.objects.select_for_update().get(pk=org.pk)
    require_scope(acting_user, org, "manage_tree")
    if expected_version is not None and expected_version != org.version:
        raise ValidationError(
            _("Someone else changed this organization meanwhile; reload and edit again."), code="stale"
        )
    before = audit.snapshot(org, ORG_FIELDS)
    merged = {k: getattr(org, k) for k in ORG_FIELDS}
    merged.update({k: v for k, v in data.items() if k in ORG_FIELDS})
    _clean_org(merged, org, Organization.objects.get_parent(org))
    _apply(org, merged)
    org.version += 1
    org.save()
    audit.record(
        "organization.update",
        actor=acting_user,
        obj=org,
        org_path=org.path,
        changes=audit.diff(before, audit.snapshot(org, ORG_FIELDS)),
    )
    events.changed("organizations.organization", org.pk)
    return org


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


@write_service("organization.term")
def record_term(org: Organization, start: date, *, acting_user: Any) -> Organization:
    """A new term from `start` (an election confirmed by the committee above), due to end after
    the organization's term length. Only the term columns change."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    require_scope(acting_user, org, "change")
    before = [_day(org.term_start), _day(org.term_due_end)]
    org.term_start = start
    org.term_due_end = org.default_term_end()
    org.version += 1
    org.save(update_fields=["term_start", "term_due_end", "version", "updated_at"])
    audit.record(
        "organization.term",
        actor=acting_user,
        obj=org,
        org_path=org.path,
        changes={
            "term_start": [before[0], _day(org.term_start)],
            "term_due_end": [before[1], _day(org.term_due_end)],
        },
    )
    events.changed("organizations.organization", org.pk)
    return org


@write_service("organization.move")
def move_organization(org: Organization, new_parent: Organization, *, acting_user: Any) -> Organization:
    """Re-hang `org` (with its subtree, members and grants) under `new_parent`."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    require_scope(acting_user, org, "manage_tree")
    require_scope(acting_user, new_parent, "manage_tree")
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            {"parent": _("An organization cannot be moved below itself or its own subtree.")}
        )
    if new_parent.kind in BRANCH_KINDS:
        raise ValidationError(
            {"parent": _("A branch cannot have organizations below it; add a party group instead.")}
        )
    if org.depth == 1:
        raise ValidationError({"parent": _("The top organization cannot be moved.")})
    old_parent = Organization.objects.get_parent(org)
    Organization.objects.move(org, new_parent, "last-child")
    org.refresh_from_db()
    require_scope(acting_user, org, "manage_tree")
    audit.record(
        "organization.move",
        actor=acting_user,
        obj=org,
        org_path=org.path,
        changes={"parent": [str(old_parent), str(new_parent)]},
    )
    events.changed("organizations.organization", org.pk)
    return org


@write_service("party_group.create")
def create_party_group(branch: Organization, name: str, *, acting_user: Any) -> PartyGroup:
    require_scope(acting_user, branch, "change")
    name = name.strip()
    if branch.kind not in BRANCH_KINDS:
        raise ValidationError({"organization": _("Party groups belong to branches only.")})
    if not name:
        raise ValidationError({"name": _("Enter the party group's name.")})
    if PartyGroup.objects.filter(organization=branch, name=name).exists():
        raise ValidationError({"name": _("This branch already has a party group of that name.")})
    group = PartyGroup.objects.create(organization=branch, name=name)
    audit.record(
        "party_group.create",
        actor=acting_user,
        obj=group,
        org_path=branch.path,
        changes={"name": [None, name]},
    )
    return group


@write_service("party_group.update")
def rename_party_group(group: PartyGroup, name: str, *, acting_user: Any) -> PartyGroup:
    group = PartyGroup.objects.select_for_update().select_related("organization").get(pk=group.pk)
    require_scope(acting_user, group, "change")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the party group's name.")})
    if PartyGroup.objects.filter(organization=group.organization, name=name).exclude(pk=group.pk).exists():
        raise ValidationError({"name": _("This branch already has a party group of that name.")})
    old, group.name = group.name, name
    group.save(update_fields=["name"])
    audit.record(
        "party_group.update",
        actor=acting_user,
        obj=group,
        org_path=group.organization.path,
        changes={"name": [old, name]},
    )
    return group
