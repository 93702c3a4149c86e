"""`/api/v1/cards/` (the cards of members within reach; the signed-in member's own under
`mine`) and the public `GET /api/v1/verify/<token>`."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, StrictSerializerMixin
from dangjian.api.pagination import IdCursorPagination
from dangjian.members.models import Member

from . import services
from .models import MemberCard, RevokeReason
from .queries import card_is_valid, valid_card, verify_token


class CardSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    serial = serializers.CharField(read_only=True)
    issued_at = serializers.DateTimeField(read_only=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked_reason = serializers.CharField(read_only=True)
    valid = serializers.SerializerMethodField()

    def get_valid(self, card: MemberCard) -> bool:
        return card_is_valid(card)


class MyCardSerializer(CardSerializer):
    """The member's own card, with the signed token and the address its QR code opens."""

    token = serializers.CharField(read_only=True)
    verify_url = serializers.SerializerMethodField()

    def get_verify_url(self, card: MemberCard) -> str:
        return str(self.context["request"].build_absolute_uri(reverse("verify_card", args=[card.token])))


class VerdictSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="valid | revoked | invalid")
    message = serializers.CharField()
    branch = serializers.CharField(help_text="the member's branch; empty unless valid")
    name = serializers.CharField(help_text="the name masked to its first character; empty unless valid")


class CardViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Member cards (valid and revoked) of members within the user's reach, newest first."""

    queryset = MemberCard.objects.all()
    serializer_class = CardSerializer

    class Pagination(IdCursorPagination):
        ordering = "-id"

    pagination_class = Pagination
    scope_actions = {"mine": "view"}

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("member", "organization")

    @extend_schema(request=CardSerializer, responses={201: CardSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Issue a card for the member (the previous one, if any, is revoked)."""
        serializer = CardSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        card = services.issue_card(serializer.validated_data["member"], acting_user=request.user)
        return Response(CardSerializer(card, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses=CardSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw the member's valid card (a card already revoked stays as it is)."""
        card = self.get_object()
        services.revoke_card(card.member, RevokeReason.WITHDRAWN, acting_user=request.user, card=card)
        card.refresh_from_db()
        return Response(CardSerializer(card, context=self.get_serializer_context()).data)

    @extend_schema(methods=["GET"], request=None, responses=MyCardSerializer)
    @extend_schema(methods=["POST"], request=None, responses={201: MyCardSerializer})
    @action(detail=False, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def mine(self, request: Request) -> Response:
        """GET: the signed-in member's valid card (404 if none). POST: issue a new one."""
        member = getattr(request.user, "member", None)
        if member is None:
            raise NotFound()
        context = self.get_serializer_context()
        if request.method == "POST":
            card = services.issue_card(member, acting_user=request.user)
            return Response(MyCardSerializer(card, context=context).data, status=status.HTTP_201_CREATED)
        current = valid_card(member)
        if current is None:
            raise NotFound()
        return Response(
            MyCardSerializer(current, context=context).data, headers={"Cache-Control": "no-store"}
        )


class VerifyView(APIView):
    """Public: is the card behind this QR code valid? 200 valid, 410 revoked, 404 not genuine.
    Nothing personal beyond the branch and the masked name."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: VerdictSerializer, 404: VerdictSerializer, 410: VerdictSerializer}, auth=[]
    )
    def get(self, request: Request, token: str) -> Response:
        verdict = verify_token(token)
        body = {
            "state": verdict.state,
            "message": verdict.message,
            "branch": verdict.branch,
            "name": verdict.name,
        }
        return Response(body, status=verdict.http_status, headers={"Cache-Control": "no-store"})
