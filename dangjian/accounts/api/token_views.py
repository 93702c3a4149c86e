"""API for an account's own tokens, logout, and the security administrator's credential actions."""

from django.contrib.auth import logout
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core import audit

from ..credential_services import issue_activation_code, revoke_token, revoke_tokens_of
from ..models import ApiToken, User

NO_STORE = {"Cache-Control": "no-store"}


class OwnTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    class Meta:
        model = ApiToken
        fields = ["id", "created_at", "expires_at", "last_used_at", "second_factor", "current"]

    def get_current(self, token: ApiToken) -> bool:
        return bool(token.pk == getattr(self.context["request"].auth, "pk", None))


class OwnTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The signed-in account's own API tokens; DELETE revokes one. Nobody else's are reachable."""

    serializer_class = OwnTokenSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user_id=int(self.request.user.pk or 0)).order_by("-created_at", "-id")

    def perform_destroy(self, instance: ApiToken) -> None:
        revoke_token(instance, acting_user=self.request.user)


class LogoutView(APIView):
    """Revoke the token this request carries (or end the session it was made in)."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="signed out")})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            revoke_token(request.auth, acting_user=request.user)
        else:
            audit.record("auth.logout", actor=request.user, obj=request.user)  # type: ignore[arg-type]
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


CODE = inline_serializer(
    "ActivationCode",
    {"code": serializers.CharField(help_text="Shown once."), "expires_at": serializers.DateTimeField()},
)
REVOKED = inline_serializer("TokensRevoked", {"revoked": serializers.IntegerField()})


def _account(request: Request, pk: int) -> User:
    # Outside the security administrator's subtree the account does not exist (404).
    account = User.objects.restrict(request.user, "manage_security").filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


class AccountTokensRevokeView(APIView):
    """A security administrator revokes every API token of an account in their subtree."""

    @extend_schema(request=None, responses={200: REVOKED})
    def post(self, request: Request, pk: int) -> Response:
        count = revoke_tokens_of(_account(request, pk), acting_user=request.user)
        return Response({"revoked": count})


class ActivationCodeView(APIView):
    """A security administrator issues a one-time code for enrolling a second factor."""

    @extend_schema(request=None, responses={201: CODE})
    def post(self, request: Request, pk: int) -> Response:
        raw, code = issue_activation_code(_account(request, pk), acting_user=request.user)
        return Response(
            {"code": raw, "expires_at": code.expires_at}, status=status.HTTP_201_CREATED, headers=NO_STORE
        )
