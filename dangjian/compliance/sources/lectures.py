"""Party lectures sent to the grassroots (point 5) and party-spirit education reporters (point 6).

A dispatch names its lecturer and the branch it went to; it counts once the branch confirmed it
was held. A reporter is a lecturer of a committee's pool marked `is_reporter`: the persons of the
reporter rule are lecturers (not members), counted under the committee that keeps them.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.lectures.models import DispatchStatus, LectureDispatch, Lecturer

from ..metrics import Events, Population, register

TOPICS = ("lectures.dispatch",)


def _lecturers_link(org: Any, year: int) -> str:
    return reverse("lecturers", args=[org.pk]) + f"?year={year}"


def _held(year: int) -> Any:
    return LectureDispatch.objects.filter(status=DispatchStatus.HELD, date__year=year)


register(
    Events(
        "lectures.dispatched",
        _("Dispatched party lectures received and held"),
        _held,
        org="branch_id",
        on="date",
        topics=TOPICS,
        records=_lecturers_link,
    ),
    Population(
        "lectures.reporters",
        _("Party-spirit education reporters in the pool"),
        lambda year: Lecturer.objects.filter(is_reporter=True, active=True),
        org="organization_id",
        person="id",
        topics=TOPICS,
        records=_lecturers_link,
    ),
    Events(
        "lectures.reporter_lecture",
        _("Lectures given by party-spirit education reporters"),
        lambda year: _held(year).filter(lecturer__is_reporter=True),
        org="lecturer__organization_id",
        on="date",
        person="lecturer_id",
        topics=TOPICS,
        records=_lecturers_link,
    ),
)
