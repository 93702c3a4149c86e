"""API for tokens, accounts and role grants. Writes go only through `services`."""

from typing import Any

import django_filters
from django.contrib.auth import update_session_auth_hash
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import ScopedViewSetMixin

from .. import services
from ..credential_services import issue_api_token
from ..models import ApiToken, LoginPolicy, RoleGrant, User
from ..roles import Role
from .serializers import (
    GrantSerializer,
    PasswordChangeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
)

DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
NO_STORE = {"Cache-Control": "no-store"}


class TokenView(APIView):
    """Exchange username, password and (when enrolled) a TOTP code for a bearer token."""

    # The credentials are in the body: no session, hence no CSRF check and no prior identity.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: OpenApiResponse(DETAIL, description="login refused")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = services.authenticate_login(data["username"], data["password"], data["otp"])
        except services.LoginRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        if user.needs_second_factor and not user.totp_confirmed:
            # A password alone must not open an account whose role requires two factors.
            return Response(
                {
                    "detail": _(
                        "Your role requires a second factor. Enroll an authenticator app in the "
                        "web application first, then request a token."
                    )
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        # authenticate_login checked the TOTP code exactly when one is enrolled.
        raw, token = issue_api_token(user, second_factor=user.totp_confirmed)
        body = TokenSerializer({"token": raw, "expires_at": token.expires_at}).data
        return Response(body, headers=NO_STORE)


class PasswordChangeView(APIView):
    """Change your own password (the current one proves it is you). Your other API tokens and
    sessions end; the token of this request keeps working."""

    open_before_password_change = True  # the one call a password set by someone else allows

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={204: None, 400: OpenApiResponse(description="wrong current password or weak new one")},
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated
        keep = request.auth if isinstance(request.auth, ApiToken) else None
        services.change_own_password(
            user, data["current_password"], data["new_password"], acting_user=user, keep_token=keep
        )
        if keep is None:  # signed in by session: this one stays, the others end
            update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccountSettingsSerializer(serializers.Serializer[User]):
    username = serializers.CharField(read_only=True)
    large_text = serializers.BooleanField(
        help_text="大字版: larger text on every page of the web application"
    )


class AccountView(APIView):
    """Your own account's display settings."""

    @extend_schema(responses=AccountSettingsSerializer)
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated
        return Response(AccountSettingsSerializer(user).data)

    @extend_schema(request=AccountSettingsSerializer, responses=AccountSettingsSerializer)
    def patch(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated
        serializer = AccountSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "large_text" in serializer.validated_data:
            services.set_large_text(user, serializer.validated_data["large_text"], acting_user=user)
        return Response(AccountSettingsSerializer(user).data)


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="username", lookup_expr="icontains")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["is_active"]


class UserViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Accounts homed in the user's reach: read by both account administrators, created and
    (de)activated by the system administrator."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    read_scope, write_scope = "view_accounts", "manage_users"

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        grants = (
            RoleGrant.objects.restrict(self.request.user, "view_accounts")
            .select_related("organization")
            .order_by("id")
        )
        return queryset.select_related("home_org").prefetch_related(
            Prefetch("grants", queryset=grants, to_attr="visible_grants")
        )

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = UserCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.create_user(
            data["username"],
            data["password"],
            home_org=data["home_org"],
            acting_user=request.user,
            member=data.get("member"),
            email=data["email"],
        )
        return Response(self.get_serializer(user).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        serializer = self.get_serializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.update_user(user, dict(serializer.validated_data), acting_user=request.user)
        return Response(self.get_serializer(user).data)


class GrantFilterSet(django_filters.FilterSet):
    # Plain values, not model choices: a choice filter would validate against every user and
    # organization, confirming the existence of ones outside the reach.
    user = django_filters.NumberFilter(field_name="user_id")
    organization = django_filters.CharFilter(field_name="organization__code")
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = RoleGrant
        fields: list[str] = []


class GrantViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin
):
    """Role grants on organizations in the user's reach, granted and revoked by the security
    administrator (on an administrator: only through a confirmed request, on the pages)."""

    queryset = RoleGrant.objects.all()
    serializer_class = GrantSerializer
    filterset_class = GrantFilterSet
    read_scope, write_scope = "view_accounts", "manage_grants"

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("user", "organization", "granted_by")

    @extend_schema(responses={201: GrantSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        grant = services.grant_role(
            data["user"], data["organization"], data["role"], acting_user=request.user
        )
        return Response(self.get_serializer(grant).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: RoleGrant) -> None:
        services.revoke_grant(instance, acting_user=self.request.user)


class LoginPolicySerializer(serializers.Serializer):
    max_failures = serializers.IntegerField(help_text="failed attempts before the account locks (3–10)")
    lock_minutes = serializers.IntegerField(help_text="how long a lock lasts (5–1440 minutes)")
    idle_minutes = serializers.IntegerField(help_text="idle session limit of staff and administrators (5–30)")
    member_idle_minutes = serializers.IntegerField(
        required=False, help_text="idle session limit of accounts holding only the member role (5–720)"
    )


class LoginPolicyView(APIView):
    """The login policy: read and set by a security administrator of a top organization. The
    effective idle limit of an account is the strictest of its roles'."""

    def _check(self, request: Request) -> None:
        if not request.user.can("manage_security"):  # type: ignore[union-attr]
            raise Http404

    @extend_schema(responses=LoginPolicySerializer)
    def get(self, request: Request) -> Response:
        self._check(request)
        return Response(LoginPolicySerializer(LoginPolicy.current().as_dict()).data)

    @extend_schema(request=LoginPolicySerializer, responses=LoginPolicySerializer)
    def put(self, request: Request) -> Response:
        self._check(request)
        serializer = LoginPolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.update_login_policy(dict(serializer.validated_data), acting_user=request.user)
        return Response(LoginPolicySerializer(policy.as_dict()).data)
