"""API serializers for leading cadres, their counts, plans and works (see api.py)."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.api.base import ScopedPrimaryKeyRelatedField, StrictSerializerMixin
from dangjian.members.models import Member
from dangjian.organizations.api import OrganizationCodeField

from .models import LeaderWork, LeadingCadre, WorkKind
from .queries import LeaderCounts


class WorkCountsSerializer(serializers.Serializer):
    study_note = serializers.IntegerField()
    research_report = serializers.IntegerField()
    theory_article = serializers.IntegerField()


class LeaderCountsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    has_plan = serializers.BooleanField(help_text="a personal study plan for the year exists")
    works = WorkCountsSerializer(help_text="works written in the year, by kind")
    works_total = serializers.IntegerField()
    lectures = serializers.IntegerField(help_text="closed party lectures / central group sessions given")
    branch_study = serializers.IntegerField(help_text="closed study meetings of the own branch attended")
    democratic_life = serializers.IntegerField(
        help_text="closed democratic life meetings of the committee attended"
    )


def counts_data(counts: LeaderCounts, year: int) -> dict[str, Any]:
    return {
        "year": year,
        "has_plan": counts.has_plan,
        "works": {kind: counts.works.get(kind, 0) for kind in WorkKind.values},
        "works_total": counts.works_total,
        "lectures": counts.lectures,
        "branch_study": counts.branch_study,
        "democratic_life": counts.democratic_life,
    }


class LeaderSerializer(StrictSerializerMixin):
    id = serializers.IntegerField(read_only=True)
    committee = OrganizationCodeField(help_text="code of the party committee whose leading group it is")
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    member = ScopedPrimaryKeyRelatedField(
        model=Member, help_text="member id (own branch under the committee)"
    )
    member_name = serializers.CharField(source="member.name", read_only=True)
    post = serializers.CharField(max_length=50)
    principal = serializers.BooleanField(required=False, default=False)
    since = serializers.DateField(required=False)
    active = serializers.BooleanField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    counts = serializers.SerializerMethodField()

    @extend_schema_field(LeaderCountsSerializer)
    def get_counts(self, leader: LeadingCadre) -> dict[str, Any] | None:
        # Computed for the whole page at once by the viewset (no query per leader).
        counts = self.context.get("counts", {}).get(leader.pk)
        return counts_data(counts, self.context["year"]) if counts is not None else None


class LeaderUpdateSerializer(StrictSerializerMixin):
    post = serializers.CharField(max_length=50, required=False)
    principal = serializers.BooleanField(required=False)
    since = serializers.DateField(required=False)


class LeaderEndSerializer(StrictSerializerMixin):
    ended_on = serializers.DateField(required=False, help_text="default: today")


class PlanItemSerializer(StrictSerializerMixin):
    month = serializers.IntegerField(min_value=1, max_value=12)
    theme = serializers.CharField(max_length=200)
    readings = serializers.CharField(required=False, allow_blank=True, default="")


class PlanSerializer(StrictSerializerMixin):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    items = PlanItemSerializer(many=True, allow_empty=False)


class WorkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="study_note, research_report or theory_article")
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    written_on = serializers.DateField(read_only=True)
    attachment_name = serializers.CharField(read_only=True)
    attachment_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_attachment_url(self, work: LeaderWork) -> str | None:
        if not work.attachment:
            return None
        return reverse("leader-work-file", args=[work.leader_id, work.pk])


class WorkInputSerializer(StrictSerializerMixin):
    kind = serializers.ChoiceField(choices=WorkKind.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    written_on = serializers.DateField(required=False, help_text="default: today")
    attachment = serializers.FileField(required=False, help_text="PDF, DOCX, JPEG or PNG, up to 20 MB")
