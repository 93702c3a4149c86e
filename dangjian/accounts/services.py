"""All writes to accounts: users, grants, second factor, locks, login policy, API tokens."""

import secrets
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM, in_scope
from dangjian.core.services import require_scope, write_service
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .credential_services import end_credentials
from .credential_services import hash_token as hash_token  # re-exported for the calendar feeds
from .models import (
    MEMBER_IDLE_BOUNDS,
    STAFF_IDLE_BOUNDS,
    ActivationCode,
    ApiToken,
    LoginPolicy,
    RoleGrant,
    User,
)
from .roles import ADMIN_ROLES, Role

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.-@")


class LoginRefused(Exception):
    """Login failed; the message is safe to show (it never says whether the username exists)."""


def _user_path(user: User) -> str:
    return user.home_org.path if user.home_org_id else ""  # type: ignore[union-attr]


# --- 三员分立 ---------------------------------------------------------------------------------

SECOND_ADMIN = "second_admin"  # ValidationError code: file an AdminRequest instead


def holds_admin_role(user: User) -> bool:
    """Read fresh, not from the request's cache: a grant may have changed meanwhile."""
    return RoleGrant.objects.filter(user=user, role__in=ADMIN_ROLES).exists()


def admin_role_of(user: Any) -> str | None:
    held = set(RoleGrant.objects.filter(user=user, role__in=ADMIN_ROLES).values_list("role", flat=True))
    return next(iter(held), None)  # never more than one: grant_role keeps them apart


def needs_second_admin(acting_user: Any, target: User, role: str | None = None) -> bool:
    """True when `acting_user` may not act on `target` alone (GB/T 22239 level 3): the target is
    one of the three administrators, becomes one through `role`, or is the acting user."""
    if acting_user is SYSTEM:  # the console, audited as `system`
        return False
    return target.pk == acting_user.pk or role in ADMIN_ROLES or holds_admin_role(target)


def _check_second(acting_user: Any, target: User, confirmed_by: User | None, role: str | None = None) -> str:
    """Refuse an action on an administrator taken alone; return the audit note of a confirmed one.

    `confirmed_by` is passed only by `admin_requests.confirm_request`; it is checked again here,
    so no other caller can claim a confirmation it does not have.
    """
    if not needs_second_admin(acting_user, target, role):
        return ""
    if confirmed_by is None:
        raise ValidationError(
            _(
                "An action on an administrator or on your own account needs a second administrator: "
                "file a request that an administrator of another role confirms."
            ),
            code=SECOND_ADMIN,
        )
    first, second = admin_role_of(acting_user), admin_role_of(confirmed_by)
    if first is None or second is None or first == second or confirmed_by.pk in (acting_user.pk, target.pk):
        raise ValidationError(
            _("Only an administrator of another role, other than the account's holder, can confirm this."),
            code="confirmer",
        )
    return f"confirmed by {confirmed_by.username}"


# --- accounts (system administrator) ---------------------------------------------------------


def _save_new_user(user: User) -> None:
    """Insert; two concurrent creations of one username (or one member's account) pass the
    checks together, and the database's unique index refuses the second with IntegrityError."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        if User.objects.filter(username=user.username).count():
            raise ValidationError({"username": _("This username is taken.")}) from exc
        raise ValidationError({"member": _("This member already has an account.")}) from exc


@write_service("user.create")
def create_user(
    username: str,
    password: str,
    *,
    home_org: Organization,
    acting_user: Any,
    member: Member | None = None,
    email: str = "",
    must_change_password: bool = True,
) -> User:
    """A new account with an initial password, which its holder must change at first login
    (only the console may create a final one: the demo and test personas)."""
    require_scope(acting_user, home_org, "manage_users")
    username = username.strip().lower()
    if not username or not set(username) <= USERNAME_CHARS or len(username) > 150:
        raise ValidationError({"username": _("Use lower-case letters, digits and _ . - @ only.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    if member is not None:
        _check_member_link(member, acting_user)
    user = User(username=username, email=email, home_org=home_org, member=member)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = must_change_password or acting_user is not SYSTEM
    _save_new_user(user)
    audit.record(
        "user.create",
        actor=acting_user,
        obj=user,
        org_path=home_org.path,
        changes={"username": [None, username], "member": [None, str(member or "")]},
    )
    return user


def _check_member_link(member: Member, acting_user: Any) -> None:
    if not in_scope(acting_user, member, "view"):
        raise ValidationError({"member": _("Choose a member within your organizations.")})
    if User.objects.filter(member=member).exists():
        raise ValidationError({"member": _("This member already has an account.")})


@write_service("user.update")
def update_user(
    user: User, data: dict[str, Any], *, acting_user: Any, confirmed_by: User | None = None
) -> User:
    user = User.objects.select_for_update(of=("self",)).select_related("home_org").get(pk=user.pk)
    require_scope(acting_user, user, "manage_users")
    before = {"is_active": user.is_active, "email": user.email, "member": str(user.member or "")}
    note = ""
    if "member" in data and data["member"] != user.member:
        if data["member"] is not None:
            _check_member_link(data["member"], acting_user)
        user.member = data["member"]
    if "is_active" in data and bool(data["is_active"]) != user.is_active:
        if user.pk == getattr(acting_user, "pk", None) and not data["is_active"]:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
        note = _check_second(acting_user, user, confirmed_by)
        user.is_active = bool(data["is_active"])
    if "email" in data:
        user.email = (data["email"] or "").strip()
    user.save()
    if before["is_active"] != user.is_active:
        end_credentials(user, "active flag changed", acting_user=acting_user)
    after = {"is_active": user.is_active, "email": user.email, "member": str(user.member or "")}
    audit.record(
        "user.update",
        actor=acting_user,
        obj=user,
        org_path=_user_path(user),
        changes=audit.diff(before, after),
        detail=note,
    )
    return user


def _validated_hash(user: User, password: str) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    return make_password(password)


@write_service("user.set_password")
def set_password(
    user: User, password: str, *, acting_user: Any, confirmed_by: User | None = None, hashed: bool = False
) -> None:
    """An administrator sets a new password for someone else: the holder must change it at next
    login, and every session of the account ends (the session hash covers the password)."""
    user = User.objects.select_for_update(of=("self",)).select_related("home_org").get(pk=user.pk)
    require_scope(acting_user, user, "manage_users")
    if user.pk == getattr(acting_user, "pk", None):
        raise ValidationError({"password": _("Change your own password on the change password page.")})
    note = _check_second(acting_user, user, confirmed_by)
    # A confirmed request carries the hash made (and validated) when it was filed.
    user.password = password if hashed else _validated_hash(user, password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    end_credentials(user, "password set", acting_user=acting_user)
    audit.record("user.set_password", actor=acting_user, obj=user, org_path=_user_path(user), detail=note)


@write_service("user.change_password")
def change_own_password(
    user: User, current: str, new: str, *, acting_user: Any, keep_token: ApiToken | None = None
) -> None:
    """The holder replaces their password; the current one proves it is them at the keyboard.

    Other sessions end by themselves (their session hash no longer matches); API tokens end
    here, except the one the change came with (`keep_token`)."""
    if acting_user is not user and getattr(acting_user, "pk", None) != user.pk:
        raise OutOfScope("password")
    if not user.check_password(current):
        raise ValidationError({"current_password": _("The current password is not correct.")})
    if new == current:
        raise ValidationError({"new_password": _("Choose a password different from the current one.")})
    try:
        validate_password(new, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record("user.change_password", actor=acting_user, obj=user, org_path=_user_path(user))
    end_credentials(user, "password changed", acting_user=acting_user, keep=keep_token)


@write_service("user.large_text")
def set_large_text(user: User, on: bool, *, acting_user: Any) -> None:
    """The holder switches 大字版 (large text) on or off for all their pages."""
    if getattr(acting_user, "pk", None) != user.pk:
        raise OutOfScope("large text")
    if user.large_text == on:
        return
    user.large_text = on
    user.save(update_fields=["large_text"])
    audit.record(
        "user.large_text",
        actor=acting_user,
        obj=user,
        org_path=_user_path(user),
        detail="on" if on else "off",
    )


# --- grants (security administrator) ---------------------------------------------------------


@write_service("grant.create")
def grant_role(
    user: User,
    organization: Organization,
    role: str,
    *,
    acting_user: Any,
    confirmed_by: User | None = None,
) -> RoleGrant:
    """Give `user` `role` on `organization` and everything below it."""
    require_scope(acting_user, organization, "manage_grants")
    if acting_user is not SYSTEM:
        require_scope(acting_user, user, "manage_grants")
        if user.pk == acting_user.pk:
            raise ValidationError({"user": _("You cannot grant roles to yourself.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    held = set(user.grants.values_list("role", flat=True))  # type: ignore[attr-defined]
    if role in ADMIN_ROLES and (held & ADMIN_ROLES) - {role}:
        raise ValidationError(
            {
                "role": _(
                    "The system, security and audit administrator roles are kept apart: "
                    "this user already holds another of them."
                )
            }
        )
    duplicate = ValidationError({"role": _("This user already has this role on this organization.")})
    if RoleGrant.objects.filter(user=user, organization=organization, role=role).exists():
        raise duplicate
    note = _check_second(acting_user, user, confirmed_by, role)
    try:
        with transaction.atomic():  # a concurrent identical grant passed the check too
            grant = RoleGrant.objects.create(
                user=user,
                organization=organization,
                role=role,
                granted_by=acting_user if isinstance(acting_user, User) else None,
            )
    except IntegrityError as exc:
        raise duplicate from exc
    user.forget_grants()
    end_credentials(user, "role granted", acting_user=acting_user)
    audit.record(
        "grant.create",
        actor=acting_user,
        obj=grant,
        org_path=organization.path,
        changes={
            "user": [None, user.username],
            "role": [None, role],
            "organization": [None, str(organization)],
        },
        detail=note,
    )
    return grant


@write_service("grant.delete")
def revoke_grant(grant: RoleGrant, *, acting_user: Any, confirmed_by: User | None = None) -> None:
    grant = RoleGrant.objects.select_related("organization", "user").get(pk=grant.pk)
    require_scope(acting_user, grant.organization, "manage_grants")
    note = _check_second(acting_user, grant.user, confirmed_by, grant.role)
    path, label = grant.organization.path, str(grant)
    changes = {"user": [grant.user.username, None], "role": [grant.role, None]}
    grant_id = grant.pk
    grant.delete()
    end_credentials(grant.user, "role revoked", acting_user=acting_user)
    audit.record(
        "grant.delete",
        actor=acting_user,
        org_path=path,
        changes=changes,
        object_type="accounts.rolegrant",
        object_repr=label,
        detail=f"grant {grant_id}" + (f", {note}" if note else ""),
    )


# --- login -----------------------------------------------------------------------------------


def authenticate_login(username: str, password: str, otp: str = "") -> User:
    """Check credentials (and the second factor when enrolled); counts failures and locks.

    Not wrapped in @write_service: a refused login must still persist the failure count, so the
    updates commit on their own and the audit entry says what happened.
    """
    policy = LoginPolicy.current()
    user = User.objects.filter(username=username.strip().lower()).first()
    # One message and one password hash for every refusal: neither the text nor the time tells
    # an unknown, inactive or locked account from a wrong password (as ModelBackend does).
    generic = _("Wrong username, password or verification code.")
    if user is None or not user.is_active:
        make_password(password)
        # An inactive account's attempts belong to its organization's auditors (the entry is
        # placed at the account's); an unknown name's to the top-level auditor only.
        audit.record(
            "auth.login",
            actor=username[:150],
            obj=user,
            success=False,
            detail="inactive user" if user else "unknown user",
        )
        raise LoginRefused(generic)
    if user.is_locked():
        check_password(password, user.password)  # the time of a real check, without a rehash
        audit.record(
            "auth.login", actor=user, obj=user, org_path=_user_path(user), success=False, detail="locked"
        )
        raise LoginRefused(generic)
    ok = user.check_password(password)
    if ok and user.totp_confirmed:
        ok = _verify_totp(user, otp)
    if not ok:
        user.failed_logins += 1
        detail = "bad credentials"
        if user.failed_logins >= policy.max_failures:
            user.locked_until = timezone.now() + timedelta(minutes=policy.lock_minutes)
            user.failed_logins = 0
            detail = "locked"
            audit.record(
                "auth.lockout",
                actor=user,
                obj=user,
                org_path=_user_path(user),
                detail=f"{policy.max_failures} failures, {policy.lock_minutes} min",
            )
        user.save(update_fields=["failed_logins", "locked_until", "totp_last_step"])
        audit.record(
            "auth.login", actor=user, obj=user, org_path=_user_path(user), success=False, detail=detail
        )
        raise LoginRefused(generic)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = timezone.now()
    user.save(update_fields=["failed_logins", "locked_until", "last_login", "totp_last_step"])
    pending = user.needs_second_factor and not user.totp_confirmed
    audit.record(
        "auth.login",
        actor=user,
        obj=user,
        org_path=_user_path(user),
        detail="second factor enrollment pending" if pending else "",
    )
    return user


def _verify_totp(user: User, code: str) -> bool:
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6) or not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now()
    for offset in (0, -1, 1):  # one 30-second step of clock drift either way
        step = totp.timecode(now) + offset
        if step > user.totp_last_step and secrets.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


# --- second factor ---------------------------------------------------------------------------


def start_totp_enrollment(user: User) -> str:
    """A fresh secret, kept unconfirmed until the user proves their authenticator has it."""
    if user.totp_confirmed:
        raise ValidationError(_("A second factor is already enrolled."))
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return user.totp_secret


@write_service("auth.totp_enroll")
def confirm_totp_enrollment(user: User, code: str, *, activation_id: int, acting_user: Any) -> None:
    """Enroll the pending secret; `activation_id` is the activation code the user redeemed for it
    (a password alone never enrolls a second factor)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    # Redeemed, by this user, recently: an enrollment follows its code within the code's lifetime.
    since = timezone.now() - timedelta(hours=settings.ACTIVATION_CODE_HOURS)
    if not ActivationCode.objects.filter(pk=activation_id, user=user, used_at__gte=since).exists():
        raise ValidationError(_("Enter the activation code from your security administrator first."))
    if not user.totp_secret or not _verify_totp(user, code):
        raise ValidationError(
            {"otp": _("The verification code is not correct; check the time on your phone.")}
        )
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed", "totp_last_step"])
    audit.record("auth.totp_enroll", actor=acting_user, obj=user, org_path=_user_path(user))
    end_credentials(user, "second factor enrolled", acting_user=acting_user)


def enroll_totp_directly(user: User, secret: str) -> None:
    """For the demo and the CLI: a known secret, enrolled at once."""
    if len(secret) < 32:
        raise ValidationError(_("A TOTP secret must have at least 32 base32 characters (160 bits)."))
    user.totp_secret = secret
    user.totp_confirmed = True
    user.save(update_fields=["totp_secret", "totp_confirmed"])
    audit.record("auth.totp_enroll", actor=SYSTEM, obj=user, org_path=_user_path(user))
    end_credentials(user, "second factor enrolled")


# --- security administration -----------------------------------------------------------------


@write_service("user.unlock")
def unlock_user(user: User, *, acting_user: Any, confirmed_by: User | None = None) -> None:
    require_scope(acting_user, user, "manage_security")
    note = _check_second(acting_user, user, confirmed_by)
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_logins=0)
    audit.record("user.unlock", actor=acting_user, obj=user, org_path=_user_path(user), detail=note)


@write_service("user.reset_totp")
def reset_totp(user: User, *, acting_user: Any, confirmed_by: User | None = None) -> None:
    """For a user who lost their phone: they enroll again at next login."""
    require_scope(acting_user, user, "manage_security")
    note = _check_second(acting_user, user, confirmed_by)
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed=False, totp_last_step=0)
    end_credentials(user, "second factor reset", acting_user=acting_user)
    audit.record("user.reset_totp", actor=acting_user, obj=user, org_path=_user_path(user), detail=note)


@write_service("policy.update")
def update_login_policy(data: dict[str, int], *, acting_user: Any) -> LoginPolicy:
    """The policy is global: only a security administrator granted on a top organization sets it."""
    roots = Organization.objects.get_root_nodes()
    if acting_user is not SYSTEM and not any(
        in_scope(acting_user, root, "manage_security") for root in roots
    ):
        raise OutOfScope("policy")
    bounds = {
        "max_failures": (3, 10),
        "lock_minutes": (5, 1440),
        "idle_minutes": STAFF_IDLE_BOUNDS,
        "member_idle_minutes": MEMBER_IDLE_BOUNDS,
    }
    policy = LoginPolicy.current()
    # The members' limit may be left out (callers from before it existed): it stays as it is.
    data = {"member_idle_minutes": policy.member_idle_minutes} | {
        k: v for k, v in data.items() if v is not None
    }
    errors = {}
    for field, (low, high) in bounds.items():
        value = data.get(field)
        if not isinstance(value, int) or not low <= value <= high:
            errors[field] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if errors:
        raise ValidationError(errors)
    before = policy.as_dict()
    for field in bounds:
        setattr(policy, field, data[field])
    policy.save()
    LoginPolicy.forget_cached()
    audit.record("policy.update", actor=acting_user, obj=policy, changes=audit.diff(before, policy.as_dict()))
    return policy
