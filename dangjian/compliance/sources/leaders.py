"""Leading cadres lead the learning (points 2, 3, 14): each leader of a committee, as a person."""

from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.leaders.models import LeaderStudyPlan, LeaderWork, LeadingCadre
from dangjian.orglife import queries
from dangjian.orglife.models import THREE_MEETINGS_ONE_LECTURE, MeetingKind

from ..metrics import Events, Population, register

TOPICS = ("leaders.leader", "orglife.meeting")


def _leaders_link(org: Any, year: int) -> str:
    return reverse("org_leaders", args=[org.pk])


def _in_post(year: int) -> Any:
    return LeadingCadre.objects.filter(active=True)


def _own_branch_study(year: int) -> Any:
    # Dual organizational life: present at a 三会一课 meeting of the branch they belong to.
    return queries.present_attendances(year).filter(
        meeting__kind__in=THREE_MEETINGS_ONE_LECTURE, meeting__organization_id=F("member__organization_id")
    )


register(
    Population(
        "leaders.in_post",
        _("Leading cadres in post"),
        _in_post,
        org="committee_id",
        person="member_id",
        topics=TOPICS,
        records=_leaders_link,
    ),
    Events(
        "leaders.study_plan",
        _("Personal study plans"),
        lambda year: LeaderStudyPlan.objects.filter(year=year),
        org="leader__committee_id",
        on="updated_at",
        person="leader__member_id",
        topics=TOPICS,
    ),
    Events(
        "leaders.work",
        _("Study notes, research reports and theory articles"),
        lambda year: LeaderWork.objects.filter(written_on__year=year),
        org="leader__committee_id",
        on="written_on",
        person="leader__member_id",
        topics=TOPICS,
    ),
    Events(
        "leaders.lecture",
        _("Party lectures given"),
        lambda year: queries.closed_meetings(year).filter(lecturer__isnull=False),
        org="organization_id",
        on="starts_at",
        person="lecturer_id",
        topics=TOPICS,
    ),
    Events(
        "leaders.branch_study",
        _("Study at their own branch attended"),
        _own_branch_study,
        org="meeting__organization_id",
        on="meeting__starts_at",
        person="member_id",
        topics=TOPICS,
    ),
    Events(
        "leaders.democratic_life",
        _("Democratic life meetings attended"),
        lambda year: queries.present_attendances(year).filter(meeting__kind=MeetingKind.DEMOCRATIC_LIFE),
        org="meeting__organization_id",
        on="meeting__starts_at",
        person="member_id",
        topics=TOPICS,
    ),
)
