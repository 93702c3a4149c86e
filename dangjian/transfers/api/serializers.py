"""Serializers of this app's API: strict input (unknown keys refused), masked personal data."""

from rest_framework import serializers

from dangjian.api.base import ScopedPrimaryKeyRelatedField, StrictSerializerMixin
from dangjian.members.api import MaskedCharField
from dangjian.members.models import Member
from dangjian.orglife.models import Meeting

from ..models import (
    CaseOutcome,
    CaseState,
    DecisionState,
    FloatingState,
    ProbationOutcome,
    SearchMethod,
    TransferState,
)
from .fields import AnyOrganizationCodeField, state_field


class TransferSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    from_org = serializers.CharField(source="from_org.code", read_only=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    to_org = AnyOrganizationCodeField(
        required=False, allow_null=True, help_text="code of the receiving branch; omit to leave the platform"
    )
    to_org_name = serializers.CharField(source="to_org.name", read_only=True, allow_null=True)
    destination = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="receiving organization outside",
    )
    reason = serializers.CharField(max_length=200)
    letter_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    state = state_field(TransferState)
    out_of_platform = serializers.BooleanField(read_only=True)
    note = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)


class TransferRequestSerializer(StrictSerializerMixin):
    to_org = AnyOrganizationCodeField(
        required=False, allow_null=True, help_text="code of the receiving branch"
    )
    destination = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200)


class TransferNoteSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class TransferApproveSerializer(StrictSerializerMixin):
    letter_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class FloatingSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    home_org = serializers.CharField(source="home_org.code", read_only=True)
    home_org_name = serializers.CharField(source="home_org.name", read_only=True)
    managing_org = AnyOrganizationCodeField(required=False, allow_null=True, help_text="managing branch code")
    managing_org_name = serializers.CharField(source="managing_org.name", read_only=True, allow_null=True)
    managing_org_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    left_on = serializers.DateField()
    destination = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=200)
    contact = MaskedCharField(
        masked_attr="contact_masked",
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="Phone. Full on input; always masked on output.",
    )
    returned_on = serializers.DateField(read_only=True, allow_null=True)
    state = state_field(FloatingState)


class FloatingUpdateSerializer(StrictSerializerMixin):
    managing_org = AnyOrganizationCodeField(required=False, allow_null=True, help_text="managing branch code")
    managing_org_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    destination = serializers.CharField(max_length=200, required=False)
    reason = serializers.CharField(max_length=200, required=False)
    contact = serializers.CharField(max_length=32, required=False, allow_blank=True)


class ReturnSerializer(StrictSerializerMixin):
    returned_on = serializers.DateField()


class SearchEntrySerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    tried_on = serializers.DateField()
    searcher = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    method = serializers.ChoiceField(choices=SearchMethod.choices)
    detail = serializers.CharField()
    result = serializers.CharField(max_length=200)


class LostContactCaseSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization = serializers.CharField(source="member.organization.code", read_only=True)
    lost_on = serializers.DateField()
    circumstances = serializers.CharField(required=False, allow_blank=True, default="")
    state = state_field(CaseState)
    outcome = serializers.CharField(
        read_only=True, help_text="found | left_party | still_lost; empty while open"
    )
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    closing_note = serializers.CharField(read_only=True)
    entries = SearchEntrySerializer(many=True, read_only=True)


class CloseCaseSerializer(StrictSerializerMixin):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ProbationDecisionSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    member = ScopedPrimaryKeyRelatedField(model=Member, scope="change", help_text="member id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    outcome = serializers.ChoiceField(choices=ProbationOutcome.choices)
    extension_months = serializers.IntegerField(required=False, allow_null=True, min_value=6, max_value=12)
    extended_until = serializers.DateField(read_only=True, allow_null=True)
    meeting = ScopedPrimaryKeyRelatedField(
        model=Meeting, help_text="id of the closed branch member assembly that decided"
    )
    decided_on = serializers.DateField(read_only=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    # Not `state`: several resources here have a `state` with other values (see `state_field`).
    approval = serializers.CharField(
        source="state", read_only=True, help_text=" | ".join(DecisionState.values)
    )
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    review_note = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class ReviewNoteSerializer(StrictSerializerMixin):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="the version as read; refused (409) when it has changed"
    )


class ProbationDueSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.name")
    organization = serializers.CharField(source="member.organization.code")
    join_date = serializers.DateField(source="member.join_date")
    due = serializers.DateField(help_text="the day probation ends")
    extended = serializers.BooleanField()
    days_left = serializers.IntegerField(help_text="negative once overdue")
    awaiting_approval = serializers.BooleanField(help_text="decided by the branch, not yet approved")
