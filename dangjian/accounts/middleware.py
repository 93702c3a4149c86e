"""Per-request login security: idle expiry from the policy, forced password change, and forced
second-factor enrollment."""

from collections.abc import Callable

from django.core.cache import cache
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
    seconds = cache.get("login_policy_idle")
    if seconds is None:
        seconds = LoginPolicy.current().idle_minutes * 60
        cache.set("login_policy_idle", seconds, 60)
    return int(seconds)


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
                user.needs_second_factor
                and not user.totp_confirmed
                and not request.path.startswith(ENROLL_ALLOWED)
            ):  # type: ignore[union-attr]
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Second factor enrollment required."}, status=403)
                return redirect("totp_enroll")
        return self.get_response(request)
