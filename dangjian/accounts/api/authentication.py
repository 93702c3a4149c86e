"""Bearer tokens for API clients: `Authorization: Bearer <token>`."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from ..credential_services import hash_token, token_refusal
from ..models import ApiToken

# last_used_at is written at most this often: a busy client must not cost a write per request.
TOUCH_SECONDS = 300


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] not in (self.keyword, "Token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed authorization header."))
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(header[1])).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        now = timezone.now()
        refusal = token_refusal(token, now)
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
