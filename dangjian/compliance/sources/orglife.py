"""三会一课 and the other meetings (points 2, 4, 8, 12, 13): closed meetings count."""

from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.leaders.models import LeadingCadre
from dangjian.orglife import queries
from dangjian.orglife.models import MeetingKind, ThemeDaySetting

from ..metrics import Events, register

TOPICS = ("orglife.meeting",)


def _meetings_link(kind: str) -> Any:
    def link(org: Any, year: int) -> str:
        return reverse("org_meetings", args=[org.pk]) + f"?year={year}" + (f"&kind={kind}" if kind else "")

    return link


def _of_kind(kind: str) -> Any:
    return lambda year: queries.closed_meetings(year).filter(kind=kind)


for kind in MeetingKind:
    register(
        Events(
            f"meetings.{kind.value}",
            kind.label,
            _of_kind(kind.value),
            org="organization_id",
            on="starts_at",
            topics=TOPICS,
            records=_meetings_link(kind.value),
        )
    )


def _principal_lectures(year: int) -> Any:
    # Point 2: the principal leader gives a special lecture at the central group's study.
    principal = LeadingCadre.objects.filter(
        committee=OuterRef("organization_id"), member=OuterRef("lecturer_id"), principal=True
    )
    return (
        queries.closed_meetings(year).filter(kind=MeetingKind.CENTRAL_GROUP_STUDY).filter(Exists(principal))
    )


register(
    Events(
        "meetings.topic_discussion",
        _("Topic discussions"),
        lambda year: queries.closed_meetings(year).filter(topic_discussion=True),
        org="organization_id",
        on="starts_at",
        topics=TOPICS,
        records=_meetings_link(""),
    ),
    Events(
        "meetings.principal_lecture",
        _("Special lectures by the principal leader at central group study"),
        _principal_lectures,
        org="organization_id",
        on="starts_at",
        topics=TOPICS,
        records=_meetings_link(MeetingKind.CENTRAL_GROUP_STUDY),
    ),
    Events(
        "themeday.set",
        _("Theme party day set"),
        lambda year: ThemeDaySetting.objects.filter(year=year),
        org="organization_id",
        on="set_on",
        topics=("orglife.themeday",),
        records=lambda org, year: reverse("theme_day", args=[org.pk]) + f"?year={year}",
    ),
)
