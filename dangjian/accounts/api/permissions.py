"""API permissions every view shares (settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"])."""

from typing import Any

from rest_framework.permissions import BasePermission

from ..middleware import PASSWORD_CHANGE_FIRST


class PasswordChosen(BasePermission):
    """A password set by someone else opens nothing but the password change (bearer tokens are
    authenticated here, after the middleware, so the middleware cannot stop them)."""

    message = PASSWORD_CHANGE_FIRST

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "open_before_password_change", False):
            return True
        return not getattr(request.user, "must_change_password", False)
