"""The members a per-person rule covers (points 9, 17): the active members of an organization."""

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.members.models import Member, MemberStatus

from ..metrics import Population, register


def _active(year: int) -> Any:
    # Members who had joined by the end of the year and are active now (status is a current
    # fact: a member who lost contact or floated out is counted by the rules about those).
    return Member.objects.filter(status=MemberStatus.ACTIVE, join_date__lt=date(year + 1, 1, 1))


register(
    Population(
        "members.active",
        _("Active members"),
        _active,
        org="organization_id",
        person="id",
        topics=("members.member",),
        records=lambda org, year: reverse("member_list") + f"?org={org.code}&status={MemberStatus.ACTIVE}",
    )
)
