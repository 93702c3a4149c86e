"""Per-request login security: idle expiry from the policy, forced password change, and forced
second-factor enrollment.

Sessions made before a change of the account's credentials (roles, second factor, password,
active flag) end through the session auth hash (`User._get_session_auth_hash`); bearer tokens are
checked in `api.authentication`. Neither adds a query: the user row is loaded anyway, and the grants
`needs_second_factor` reads are cached on it for the scoping that follows.
"""

from collections.abc import Callable

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


def idle_seconds() -> int:
    return LoginPolicy.idle_seconds()


class LoginSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            # Every request renews the session (SESSION_SAVE_EVERY_REQUEST); an idle one expires.
            request.session.set_expiry(idle_seconds())
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
