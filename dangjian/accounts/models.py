"""Accounts, role grants on organization nodes, API tokens and the login policy."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.scoping import ScopedQuerySet
from dangjian.core.tree import minimal_prefixes
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .roles import ADMIN_ROLES, ROLE_ACTIONS, TWO_FACTOR_ROLES, Role


class UserQuerySet(ScopedQuerySet["User"]):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    member = models.OneToOneField(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("member"),
    )
    # The organization the account belongs to: who may administer it.
    home_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    totp_secret = EncryptedTextField(context="user.totp_secret")
    totp_confirmed = models.BooleanField(_("second factor enrolled"), default=False)
    totp_last_step = models.BigIntegerField(default=0)  # refuses replay of a used code
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # Set when someone else chose the password (an initial or reset one): until the user sets
    # their own, LoginSecurityMiddleware lets them reach only the change page and logout.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    # Raised whenever roles, the second factor, the password or the active flag change: it is part
    # of the session's auth hash, so every session made before the change ends at its next request.
    credentials_epoch = models.PositiveIntegerField(default=0)
    # 大字版: the holder's choice of larger text on every page (html.dj-large scales the root size).
    large_text = models.BooleanField(_("large text"), default=False)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()  # type: ignore[assignment]
    scope_path_field = "home_org__path"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def grant_rows(self) -> list["RoleGrant"]:
        """The user's grants with their organizations, top of the tree first: read once per request
        (the scoping, the navigation and the home all ask)."""
        cached: list[RoleGrant] | None = getattr(self, "_grant_cache", None)
        if cached is None:
            cached = list(
                self.grants.select_related("organization").order_by("organization__path", "pk")  # type: ignore[attr-defined]
            )
            self._grant_cache = cached
        return cached

    def _grants(self) -> list[tuple[str, str]]:
        return [(grant.role, grant.organization.path) for grant in self.grant_rows()]

    def scope_paths(self, action: str) -> list[str]:
        """Organization paths whose subtrees this user may act on with `action`."""
        if not self.is_active:
            return []
        return minimal_prefixes([path for role, path in self._grants() if action in ROLE_ACTIONS[role]])

    def grant_paths(self, action: str) -> list[str]:
        """Every organization path where this user holds a grant allowing `action` (not reduced to
        the top ones: "does this user also write inside that organization?")."""
        if not self.is_active:
            return []
        return [path for role, path in self._grants() if action in ROLE_ACTIONS[role]]

    def roles(self) -> set[str]:
        return {role for role, _path in self._grants()}

    def can(self, action: str) -> bool:
        return bool(self.scope_paths(action))

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.roles() & TWO_FACTOR_ROLES)

    @property
    def is_admin(self) -> bool:
        """Holds one of the three administrator roles (三员), anywhere."""
        return bool(self.roles() & ADMIN_ROLES)

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    def forget_grants(self) -> None:
        self.__dict__.pop("_grant_cache", None)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django compares this with the hash stored at login on every request and flushes the
        # session when they differ: a cheap check (the user row is loaded anyway) that ends
        # sessions on a change of password *or* of credentials_epoch.
        return salted_hmac(
            "dangjian.accounts.User.session_auth_hash",
            f"{self.password}:{self.credentials_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="grants", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.organization}"


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once.

    It expires at `expires_at` (absolute) or after `API_TOKEN_IDLE_HOURS` without use, and is
    deleted when revoked or when the account's credentials change (`end_credentials`).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Issued after a login that checked the second factor: a token without it never serves an
    # account whose roles need one.
    second_factor = models.BooleanField(default=False)
    # The account's credentials_epoch at issue: a token from before a change is refused even if
    # its deletion were missed.
    credentials_epoch = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user}"


class ActivationCode(models.Model):
    """A one-time code a security administrator hands out so that an account may enroll (or
    re-enroll) its second factor; only its SHA-256 is stored, the code is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Wrong codes tried by the account while this one was outstanding; at the limit it is void.
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"activation code {self.pk} of {self.user}"


# Holds {"staff": s, "member": s}; renamed from the single-limit key so no process reads an old int.
IDLE_CACHE_KEY = "login_policy_idle_by_role"


# Bounds of the idle session limits (minutes) the security administrator may set. Staff (every
# role that writes or administers) stay within GB/T 22239's short timeout; members, mostly on
# their own phone and often elderly, may keep a longer one rather than log in at every visit.
STAFF_IDLE_BOUNDS = (5, 30)
MEMBER_IDLE_BOUNDS = (5, 720)


class LoginPolicy(models.Model):
    """The one row of login rules the security administrator may tune."""

    max_failures = models.PositiveSmallIntegerField(_("failed attempts before lock"), default=5)
    lock_minutes = models.PositiveSmallIntegerField(_("lock duration (minutes)"), default=15)
    # The staff limit; it also applies to an account with no role at all.
    idle_minutes = models.PositiveSmallIntegerField(_("idle session expiry (minutes)"), default=15)
    member_idle_minutes = models.PositiveSmallIntegerField(
        _("idle session expiry for members (minutes)"), default=120
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("login policy")

    def __str__(self) -> str:
        return "login policy"

    @classmethod
    def current(cls) -> "LoginPolicy":
        from django.conf import settings

        policy = cls.objects.filter(pk=1).first()
        return policy or cls(
            pk=1,
            max_failures=settings.LOGIN_MAX_FAILURES,
            lock_minutes=settings.LOGIN_LOCK_MINUTES,
            idle_minutes=settings.SESSION_IDLE_MINUTES,
            member_idle_minutes=settings.SESSION_MEMBER_IDLE_MINUTES,
        )

    @classmethod
    def idle_limits(cls) -> dict[str, int]:
        """{"staff": seconds, "member": seconds}, read once and cached until the policy changes.

        No timer: an expiry between two requests would make one of them cost a query more
        (query budgets must hold every time). `update_login_policy` calls `forget_cached`; the
        cache must be shared by every web process for that to reach them all (production
        settings: Redis, or a file cache on the one machine).
        """
        limits = cache.get(IDLE_CACHE_KEY)
        if not isinstance(limits, dict):
            policy = cls.current()
            limits = {"staff": policy.idle_minutes * 60, "member": policy.member_idle_minutes * 60}
            cache.set(IDLE_CACHE_KEY, limits, None)
        return limits

    @classmethod
    def idle_seconds(cls) -> int:
        """The staff limit (the strictest); kept for callers that know no user."""
        return int(cls.idle_limits()["staff"])

    @classmethod
    def idle_seconds_for(cls, user: Any) -> int:
        """The strictest limit among the user's roles: a member with any other role is staff. An
        account without roles is a member if it is linked to one, staff otherwise."""
        limits = cls.idle_limits()
        roles = user.roles() if hasattr(user, "roles") else set()
        if not roles:
            roles = {Role.MEMBER} if getattr(user, "member_id", None) else {"staff"}
        return min(int(limits["member"] if role == Role.MEMBER else limits["staff"]) for role in roles)

    @staticmethod
    def forget_cached() -> None:
        # Now, and again after commit: a request reading the old row meanwhile must not keep it.
        cache.delete(IDLE_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(IDLE_CACHE_KEY))

    def as_dict(self) -> dict[str, Any]:
        return {
            "max_failures": self.max_failures,
            "lock_minutes": self.lock_minutes,
            "idle_minutes": self.idle_minutes,
            "member_idle_minutes": self.member_idle_minutes,
        }


def default_idle_limits() -> dict[str, int]:
    """The cached limits of a database without a policy row (the settings' defaults)."""
    from django.conf import settings

    return {"staff": settings.SESSION_IDLE_MINUTES * 60, "member": settings.SESSION_MEMBER_IDLE_MINUTES * 60}


class AdminRequest(models.Model):
    """An action on one of the three administrators (or on oneself), filed by one administrator
    and carried out only when another administrator of a different role confirms it (三员分立)."""

    class Kind(models.TextChoices):
        ACTIVATE = "activate", _("Activate the account")
        DEACTIVATE = "deactivate", _("Deactivate the account")
        SET_PASSWORD = "set_password", _("Set a new password")
        GRANT = "grant", _("Grant a role")
        REVOKE = "revoke", _("Revoke a role")
        UNLOCK = "unlock", _("Unlock the account")
        RESET_TOTP = "reset_totp", _("Reset the second factor")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        DONE = "done", _("Confirmed and carried out")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Withdrawn")

    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    target = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("account"))
    # What the action needs: a role and organization, a grant id, or a password *hash*, never
    # the password itself.
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_role = models.CharField(max_length=20, choices=Role.choices)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: a decision from a page drawn before the last one is refused.
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "target__home_org__path"

    class Meta:
        verbose_name = _("administrator request")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target}"
