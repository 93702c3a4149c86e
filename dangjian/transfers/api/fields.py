"""Serializer fields shared by this app's API."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.organizations.models import Organization


@extend_schema_field({"type": "string", "description": "organization code, anywhere on the platform"})
class AnyOrganizationCodeField(serializers.Field):
    """A receiving or managing branch by code, anywhere on the platform: the two sides of a
    transfer are often in different counties, outside each other's reach. Whether it may receive
    members is the service's rule (a refusal names the field)."""

    default_error_messages = {
        "does_not_exist": _("No organization on the platform has this code."),
        "invalid": _("Give the organization's code."),
    }

    def to_internal_value(self, data: Any) -> Organization:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        org = Organization.objects.filter(code=data.strip()).first()
        if org is None:
            self.fail("does_not_exist")
        return org  # type: ignore[return-value]

    def to_representation(self, value: Organization) -> str:
        return value.code


def state_field(choices: type[models.TextChoices]) -> serializers.CharField:
    """A read-only workflow state, documented by its values in the description rather than as an
    enum: several resources here (and dues reductions) have a `state` with different values,
    which as named enum components would collide."""
    return serializers.CharField(read_only=True, help_text=" | ".join(choices.values))
