from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_renew_at_login, dispatch_uid="dangjian.accounts.renew_at_login")


def _renew_at_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The new session gets the role's idle limit at once, and counts as just renewed: logging in
    writes the session anyway, so the first page after it need not write it again."""
    from .middleware import idle_seconds, renew

    session = getattr(request, "session", None)
    if session is not None:
        renew(session, idle_seconds(user))
