"""Per-request login security: idle expiry from the policy (per role: members may keep a longer
one than staff), forced password change, and forced
second-factor enrollment.

Sessions made before a change of the account's credentials (roles, second factor, password,
active flag) end through the session auth hash (`User._get_session_auth_hash`); bearer tokens are
checked in `api.authentication`. Neither adds a query: the user row is loaded anyway, and the grants
`needs_second_factor` reads are cached on it for the scoping that follows.
"""

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import LoginPolicy

# Paths a user who still has to enroll a second factor may reach.
ENROLL_ALLOWED = ("/account/2fa/", "/account/password/", "/logout/", "/static/", "/i18n/", "/login/")
# Paths a user whose password was set by someone else may reach before choosing their own.
PASSWORD_ALLOWED = ("/account/password/", "/api/v1/account/password", "/logout/", "/static/", "/i18n/")
PASSWORD_CHANGE_FIRST = _(
    "Your password was set by an administrator: change it first (the change password page, or "
    "POST /api/v1/account/password/)."
)


# A session is renewed (written) at most this often: a page view within a minute of the last
# renewal writes nothing. The idle limit therefore runs from the last renewal, so a session can end
# up to this much *earlier* than the policy says, never later; and a province's page views do not
# each cost a write on the primary.
RENEW_EVERY = 60  # seconds
RENEWED_KEY = "_dj_renewed"


def idle_seconds(user: object) -> int:
    # Reads the grants `needs_second_factor` reads below anyway: no query of its own.
    return LoginPolicy.idle_seconds_for(user)


class LoginSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            renew(request.session, idle_seconds(user))
            if user.must_change_password and not request.path.startswith(PASSWORD_ALLOWED):  # type: ignore[union-attr]
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": str(PASSWORD_CHANGE_FIRST)}, status=403)
                return redirect("password_change")
            if (
                user.needs_second_factor  # type: ignore[union-attr]
                and not user.totp_confirmed  # type: ignore[union-attr]
                and not request.path.startswith(ENROLL_ALLOWED)
            ):
                if request.path.startswith("/api/"):
                    detail = str(_("Your role requires a second factor: enroll one first."))
                    return JsonResponse({"detail": detail}, status=403)
                return redirect("totp_enroll")
        return self.get_response(request)


def renew(session: Any, idle: int) -> None:
    """Move the session's expiry to `idle` seconds from now, when the last renewal is older than
    RENEW_EVERY or the limit changed (a policy change takes effect on the next request)."""
    now = int(time.time())
    if session.get("_session_expiry") != idle or now - session.get(RENEWED_KEY, 0) >= RENEW_EVERY:
        session.set_expiry(idle)
        session[RENEWED_KEY] = now  # marks the session modified: saved with the new expiry
