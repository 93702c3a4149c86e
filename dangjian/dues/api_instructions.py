"""How an organization's members pay their dues: read the instructions that apply (own or
inherited) with `view`; replace the organization's own with `change` (JSON, or multipart with
a `qr` image). A stale `version` is refused with 409."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.api.base import StrictSerializerMixin
from dangjian.core.views import get_for_user
from dangjian.organizations.models import Organization

from .instructions import effective_instructions, set_instructions
from .models import PaymentInstructions


class InstructionsSerializer(serializers.Serializer):
    organization = serializers.CharField(help_text="code of the organization asked about")
    set_by = serializers.CharField(allow_null=True, help_text="code of the organization that set them")
    inherited = serializers.BooleanField()
    version = serializers.IntegerField(help_text="of the asked organization's own; 0 when it has none")
    cash = serializers.BooleanField()
    cash_contact = serializers.CharField()
    transfer = serializers.BooleanField()
    account_name = serializers.CharField()
    bank = serializers.CharField()
    account_number = serializers.CharField()
    qr_url = serializers.CharField(allow_null=True)
    notes = serializers.CharField()


class InstructionsWriteSerializer(StrictSerializerMixin, serializers.Serializer):
    cash = serializers.BooleanField(required=False, default=False)
    cash_contact = serializers.CharField(required=False, allow_blank=True, default="")
    transfer = serializers.BooleanField(required=False, default=False)
    account_name = serializers.CharField(required=False, allow_blank=True, default="")
    bank = serializers.CharField(required=False, allow_blank=True, default="")
    account_number = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    qr = serializers.FileField(required=False, allow_null=True, default=None)
    remove_qr = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


def _body(org: Organization) -> dict[str, Any]:
    effective = effective_instructions(org)
    row = effective.instructions if effective is not None else PaymentInstructions()
    own = PaymentInstructions.objects.filter(organization=org).values_list("version", flat=True).first()
    return {
        "organization": org.code,
        "set_by": effective.source.code if effective is not None else None,
        "inherited": bool(effective and effective.inherited),
        "version": own or 0,
        "cash": row.cash,
        "cash_contact": row.cash_contact,
        "transfer": row.transfer,
        "account_name": row.account_name,
        "bank": row.bank,
        "account_number": row.account_number,
        "qr_url": reverse("dues_payment_qr", args=[org.pk]) if row.qr_image else None,
        "notes": row.notes,
    }


class PaymentInstructionsView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=InstructionsSerializer)
    def get(self, request: Request, pk: int) -> Response:
        org = get_for_user(request, Organization, pk)  # type: ignore[arg-type]
        return Response(_body(org))

    @extend_schema(request=InstructionsWriteSerializer, responses=InstructionsSerializer)
    def put(self, request: Request, pk: int) -> Response:
        org = get_for_user(request, Organization, pk, "change")  # type: ignore[arg-type]
        serializer = InstructionsWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        set_instructions(
            org,
            data,
            qr=data.pop("qr"),
            remove_qr=data.pop("remove_qr"),
            expected_version=data.pop("version"),
            acting_user=request.user,
        )
        return Response(_body(org))
