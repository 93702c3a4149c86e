"""Two administrators act together (三员分立): one files a request, another of a different role
confirms it, and only then is the action carried out, through the ordinary service with both
names on the audit entry. Rejecting or withdrawing changes nothing but the request's state.
The moves and who may take them are `workflows.REQUEST_FLOW`'s.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.services import require_scope, write_service
from dangjian.organizations.models import Organization

from . import services
from .models import AdminRequest, RoleGrant, User
from .roles import Role
from .workflows import REQUEST_FLOW

Kind = AdminRequest.Kind
# The right the requester needs on the target, as if acting alone.
KIND_ACTION: dict[str, str] = {
    Kind.ACTIVATE: "manage_users",
    Kind.DEACTIVATE: "manage_users",
    Kind.SET_PASSWORD: "manage_users",
    Kind.GRANT: "manage_grants",
    Kind.REVOKE: "manage_grants",
    Kind.UNLOCK: "manage_security",
    Kind.RESET_TOTP: "manage_security",
}


def _path(req: AdminRequest) -> str:
    return req.target.home_org.path if req.target.home_org_id else ""  # type: ignore[union-attr]


@write_service("admin_request.create")
def file_request(
    kind: str, target: User, *, acting_user: Any, params: dict[str, Any] | None = None
) -> AdminRequest:
    """Record what `acting_user` asks to do to `target`. A password is validated now and kept
    only as its hash; a grant's organization must lie in the requester's reach."""
    if kind not in KIND_ACTION:
        raise ValidationError(_("Choose a valid action."))
    require_scope(acting_user, target, KIND_ACTION[kind])
    role = services.admin_role_of(acting_user)
    if role is None:
        raise OutOfScope("admin request")
    params = dict(params or {})
    stored: dict[str, Any] = {}
    if kind == Kind.SET_PASSWORD:
        if target.pk == acting_user.pk:
            raise ValidationError({"password": _("Change your own password on the change password page.")})
        stored["password_hash"] = services._validated_hash(target, str(params.get("password", "")))
    elif kind == Kind.GRANT:
        org = params.get("organization")
        if not isinstance(org, Organization):
            raise ValidationError({"organization": _("No such organization within your reach.")})
        require_scope(acting_user, org, "manage_grants")
        if target.pk == acting_user.pk:
            raise ValidationError({"user": _("You cannot grant roles to yourself.")})
        if params.get("role") not in Role.values:
            raise ValidationError({"role": _("Choose a valid role.")})
        stored.update(organization=org.pk, role=str(params["role"]))
    elif kind == Kind.REVOKE:
        grant = params.get("grant")
        if not isinstance(grant, RoleGrant) or grant.user_id != target.pk:
            raise ValidationError(_("No such role of this account."))
        stored.update(grant=grant.pk, role=grant.role)
    req = AdminRequest.objects.create(
        kind=kind, target=target, params=stored, requested_by=acting_user, requested_role=role
    )
    REQUEST_FLOW.started(req, acting_user)
    audit.record(
        "admin_request.create",
        actor=acting_user,
        obj=req,
        org_path=_path(req),
        changes={"kind": [None, kind], "target": [None, target.username]},
    )
    return req


def _carry_out(req: AdminRequest, confirmer: User) -> None:
    by, target, p = req.requested_by, req.target, req.params
    if req.kind in (Kind.ACTIVATE, Kind.DEACTIVATE):
        data = {"is_active": req.kind == Kind.ACTIVATE}
        services.update_user(target, data, acting_user=by, confirmed_by=confirmer)
    elif req.kind == Kind.SET_PASSWORD:
        services.set_password(target, p["password_hash"], acting_user=by, confirmed_by=confirmer, hashed=True)
    elif req.kind == Kind.GRANT:
        org = Organization.objects.get(pk=p["organization"])
        services.grant_role(target, org, p["role"], acting_user=by, confirmed_by=confirmer)
    elif req.kind == Kind.REVOKE:
        grant = RoleGrant.objects.filter(pk=p["grant"], user=target).first()
        if grant is None:
            raise ValidationError(_("This role has been revoked meanwhile."))
        services.revoke_grant(grant, acting_user=by, confirmed_by=confirmer)
    elif req.kind == Kind.UNLOCK:
        services.unlock_user(target, acting_user=by, confirmed_by=confirmer)
    else:
        services.reset_totp(target, acting_user=by, confirmed_by=confirmer)


@write_service("admin_request.confirm")
def confirm_request(
    req: AdminRequest, *, acting_user: Any, expected_version: int | None = None
) -> AdminRequest:
    """Carry the action out as the requester, checked again with today's rights of both."""
    req = REQUEST_FLOW.move(req, "confirm", acting_user=acting_user, expected_version=expected_version)
    _carry_out(req, acting_user)
    return req


@write_service("admin_request.reject")
def reject_request(
    req: AdminRequest, *, acting_user: Any, expected_version: int | None = None
) -> AdminRequest:
    return REQUEST_FLOW.move(req, "reject", acting_user=acting_user, expected_version=expected_version)  # type: ignore[no-any-return]


@write_service("admin_request.cancel")
def withdraw_request(
    req: AdminRequest, *, acting_user: Any, expected_version: int | None = None
) -> AdminRequest:
    return REQUEST_FLOW.move(req, "cancel", acting_user=acting_user, expected_version=expected_version)  # type: ignore[no-any-return]
