"""API shapes of accounts and grants. Passwords and second-factor data are never output."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.api.base import ScopedPrimaryKeyRelatedField, StrictSerializerMixin
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField

from ..models import RoleGrant, User
from ..roles import Role


class TokenRequestSerializer(StrictSerializerMixin):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        default="",
        help_text="Current code of the authenticator app, for accounts with a second factor.",
    )


class PasswordChangeSerializer(StrictSerializerMixin):
    current_password = serializers.CharField(
        max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    new_password = serializers.CharField(
        max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once; send as `Authorization: Bearer <token>`.")
    expires_at = serializers.DateTimeField()


class RoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    organization = serializers.CharField(source="organization.code")


class UserSerializer(StrictSerializerMixin):
    """Output of a user, and the fields a partial update may change (email, is_active, member)."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    home_org = serializers.CharField(source="home_org.code", read_only=True, allow_null=True)
    home_org_name = serializers.CharField(source="home_org.name", read_only=True, allow_null=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True)
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)
    date_joined = serializers.DateTimeField(read_only=True)
    roles = serializers.SerializerMethodField()

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, user: User) -> Any:
        # Only grants inside the viewer's reach: a user homed here may hold a role beside it,
        # which the viewer must not learn about (lists prefetch exactly these).
        grants = getattr(user, "visible_grants", None)
        if grants is None:
            viewer = self.context["request"].user
            grants = (
                RoleGrant.objects.restrict(viewer, "view_accounts")
                .filter(user=user)
                .select_related("organization")
                .order_by("id")
            )
        return RoleSerializer(grants, many=True).data


class UserCreateSerializer(StrictSerializerMixin):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=256, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    home_org = OrganizationCodeField(scope="manage_users", help_text="code of the account's organization")
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class GrantSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    user = ScopedPrimaryKeyRelatedField(model=User, scope="manage_grants")
    username = serializers.CharField(source="user.username", read_only=True)
    organization = OrganizationCodeField(scope="manage_grants")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    granted_by = serializers.CharField(source="granted_by.username", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
