"""Writes to an account's credentials: API tokens, activation codes, and ending them all.

A change of roles, of the second factor, of the password or of the active flag calls
`end_credentials`: it raises the account's `credentials_epoch` (part of the session auth hash, so
every session ends at its next request) and deletes its API tokens.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.scoping import SYSTEM
from dangjian.core.services import require_scope, write_service

from .models import ActivationCode, ApiToken, User
from .signals import credentials_ended

# No 0/O, 1/I/L: the code is read out or typed from a note.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # ~59 bits; enrollment also needs the password


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _user_path(user: User) -> str:
    return user.home_org.path if user.home_org_id else ""  # type: ignore[union-attr]


def end_credentials(
    user: User, reason: str, *, acting_user: Any = SYSTEM, keep: ApiToken | None = None
) -> None:
    """End every session and API token of `user`. Called inside the service that changed them.

    `keep`: the token the holder made the change with (their own password change over the API)
    goes on under the new epoch; the caller's session is kept by `update_session_auth_hash`."""
    User.objects.filter(pk=user.pk).update(credentials_epoch=F("credentials_epoch") + 1)
    user.refresh_from_db(fields=["credentials_epoch"])
    ended = ApiToken.objects.filter(user=user)
    if keep is not None:
        ended = ended.exclude(pk=keep.pk)
        ApiToken.objects.filter(pk=keep.pk).update(credentials_epoch=user.credentials_epoch)
        keep.credentials_epoch = user.credentials_epoch
    tokens, _count = ended.delete()
    credentials_ended.send(sender=User, user=user, reason=reason)
    audit.record(
        "auth.credentials_end",
        actor=acting_user,
        obj=user,
        org_path=_user_path(user),
        detail=f"{reason}; {tokens} token(s) revoked",
    )


# --- API tokens ------------------------------------------------------------------------------


def issue_api_token(user: User, *, second_factor: bool) -> tuple[str, ApiToken]:
    """A new token (shown once) for `user`, who just logged in; `second_factor` says whether that
    login checked a TOTP code."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_MAX_DAYS),
        second_factor=second_factor,
        credentials_epoch=user.credentials_epoch,
    )
    audit.record(
        "auth.token",
        actor=user,
        obj=user,
        org_path=_user_path(user),
        detail=f"token {token.pk}" + (" after second factor" if second_factor else ""),
    )
    return raw, token


def token_refusal(token: ApiToken, now: Any) -> str | None:
    """Why `token` may not be used now, or None. Costs no query beyond the grants the request
    loads anyway (`needs_second_factor` fills the user's grant cache that scoping reads)."""
    user: User = token.user
    idle_limit = timedelta(hours=settings.API_TOKEN_IDLE_HOURS)
    if (
        token.expires_at <= now
        or now - (token.last_used_at or token.created_at) > idle_limit
        or not user.is_active
        or token.credentials_epoch != user.credentials_epoch
    ):
        return _("Invalid or expired token.")
    if user.is_locked():
        return _("This account is locked.")
    if user.needs_second_factor:
        if not user.totp_confirmed:
            return _(
                "Your role requires a second factor. Enroll an authenticator app in the web "
                "application first, then request a token."
            )
        if not token.second_factor:
            return _("Your role requires a second factor: request a new token with your verification code.")
    return None


@write_service("auth.token_revoke")
def revoke_token(token: ApiToken, *, acting_user: Any) -> None:
    """The owner revokes one of their tokens (a security administrator uses `revoke_tokens_of`)."""
    if token.user_id != getattr(acting_user, "pk", None):
        raise ValidationError(_("You can revoke only your own tokens."))
    token_id = token.pk
    ApiToken.objects.filter(pk=token_id).delete()
    audit.record(
        "auth.token_revoke",
        actor=acting_user,
        obj=acting_user,
        org_path=_user_path(acting_user),
        detail=f"token {token_id}",
    )


@write_service("auth.token_revoke_all")
def revoke_tokens_of(user: User, *, acting_user: Any) -> int:
    """A security administrator revokes every token of an account in their subtree."""
    require_scope(acting_user, user, "manage_security")
    count, _detail = ApiToken.objects.filter(user=user).delete()
    audit.record(
        "auth.token_revoke_all",
        actor=acting_user,
        obj=user,
        org_path=_user_path(user),
        detail=f"{count} token(s)",
    )
    return count


# --- activation codes for the second factor --------------------------------------------------


def _format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@write_service("auth.activation_code")
def issue_activation_code(user: User, *, acting_user: Any) -> tuple[str, ActivationCode]:
    """A one-time code with which `user` may enroll a second factor; replaces any unused one."""
    require_scope(acting_user, user, "manage_security")
    if user.pk == getattr(acting_user, "pk", None):
        raise ValidationError(_("You cannot issue an activation code to yourself."))
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    ActivationCode.objects.filter(user=user, used_at__isnull=True).delete()
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    code = ActivationCode.objects.create(
        user=user,
        code_hash=hash_token(raw),
        created_by=acting_user if isinstance(acting_user, User) else None,
        expires_at=timezone.now() + timedelta(hours=settings.ACTIVATION_CODE_HOURS),
    )
    audit.record(
        "auth.activation_code",
        actor=acting_user,
        obj=user,
        org_path=_user_path(user),
        detail=f"code {code.pk}, expires {code.expires_at:%Y-%m-%d %H:%M} UTC",
    )
    return _format_code(raw), code


def redeem_activation_code(user: User, code: str, *, acting_user: Any) -> ActivationCode:
    """Use up `user`'s activation code; the enrollment page shows a secret only after this.

    Each wrong code counts against the account's outstanding one, which is void after
    ACTIVATION_CODE_MAX_ATTEMPTS: whoever holds the password cannot go on guessing. The count is
    written after the refused attempt's transaction, which rolls back."""
    try:
        return _redeem(user, code, acting_user=acting_user)
    except ValidationError:
        _count_wrong_code(user, acting_user)
        raise


def _count_wrong_code(user: User, acting_user: Any) -> None:
    with transaction.atomic():
        outstanding = ActivationCode.objects.filter(user=user, used_at__isnull=True)
        outstanding.update(failed_attempts=F("failed_attempts") + 1)
        void = list(outstanding.filter(failed_attempts__gte=settings.ACTIVATION_CODE_MAX_ATTEMPTS))
        for code in void:
            code.delete()
            audit.record(
                "auth.activation_void",
                actor=acting_user,
                obj=user,
                org_path=_user_path(user),
                success=False,
                detail=f"code {code.pk}: {settings.ACTIVATION_CODE_MAX_ATTEMPTS} wrong codes",
            )


@write_service("auth.activation_redeem")
def _redeem(user: User, code: str, *, acting_user: Any) -> ActivationCode:
    match = (
        ActivationCode.objects.select_for_update()
        .filter(user=user, code_hash=hash_token(_normalize_code(code)))
        .first()
    )
    if match is None or match.used_at is not None or match.expires_at <= timezone.now():
        raise ValidationError(
            {
                "code": _(
                    "This activation code is not valid: it may be mistyped, used or expired. "
                    "Ask your security administrator for a new one."
                )
            }
        )
    match.used_at = timezone.now()
    match.save(update_fields=["used_at"])
    audit.record(
        "auth.activation_redeem",
        actor=acting_user,
        obj=user,
        org_path=_user_path(user),
        detail=f"code {match.pk}",
    )
    return match
