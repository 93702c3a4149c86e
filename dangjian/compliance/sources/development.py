"""Member development (发展党员, the 2014 细则): the talk within one month of the application,
counted on the branch; the approval within three months of the branch assembly's vote (six with
a recorded reason), counted on the Party organization one level up, which approves.

The rows are applicants, each judged by its own columns (`talk_due`, `approval_due`, set by the
development services), so the engine compiles them into one statement for the whole tree.
"""

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import STEPLEN
from dangjian.development.models import Applicant, Stage, Step
from dangjian.organizations.models import Organization

from ..metrics import State, register

# "At risk" this many days before the talk or the approval falls due.
WARN_DAYS = 7
# Every development write says "development.*"; the vote and the approval also tell the level above.
TOPICS = ("development", "development.register", "development.step", "development.approval")


def _board(org: Any, year: int) -> str:
    return reverse("org_development", args=[org.pk])


def _awaiting_talk() -> Any:
    return Applicant.objects.filter(stage=Stage.APPLICANT, last_step=1)


def _talk_late(year: int, as_of: date) -> Any:
    """Applicants still without the talk a month after the application, and those whose talk
    this year came after the month (recorded, flagged late: the rule was not met)."""
    late_talk = Step.objects.filter(
        applicant=OuterRef("pk"), number=2, on__year=year, on__gt=OuterRef("talk_due")
    )
    overdue = Q(stage=Stage.APPLICANT, last_step=1, talk_due__lt=as_of)
    return Applicant.objects.filter(overdue | Q(Exists(late_talk)))


def _talk_soon(year: int, as_of: date) -> Any:
    return _awaiting_talk().filter(talk_due__gte=as_of, talk_due__lte=as_of + timedelta(days=WARN_DAYS))


def _with_above(rows: Any) -> Any:
    """Annotate `above_id`: the organization one level above the applicant's branch."""
    path = OuterRef("organization__path")
    parent = Organization.objects.filter(path=Substr(path, 1, Length(path) - STEPLEN)).values("pk")[:1]
    return rows.annotate(above_id=Subquery(parent))


def _awaiting_approval() -> Any:
    return Applicant.objects.filter(stage=Stage.ADMISSION, approval_due__isnull=False)


def _approval_overdue(year: int, as_of: date) -> Any:
    """Admissions voted by the branch and not approved three months after the vote."""
    return _with_above(_awaiting_approval().filter(approval_due__lt=as_of))


def _approval_late_or_soon(year: int, as_of: date) -> Any:
    """At risk: an approval falling due within a week, or one given this year after the three
    months with its recorded reason (allowed up to six months, and shown)."""
    soon = Q(
        stage=Stage.ADMISSION,
        approval_due__gte=as_of,
        approval_due__lte=as_of + timedelta(days=WARN_DAYS),
    )
    late = Step.objects.filter(
        applicant=OuterRef("pk"), number=17, on__year=year, on__gt=OuterRef("approval_due")
    )
    return _with_above(Applicant.objects.filter(soon | Q(Exists(late))))


register(
    State(
        "development.talk_late",
        _("Applicants without the talk within one month of the application (at risk: due within 7 days)"),
        _talk_late,
        org="organization_id",
        warn=_talk_soon,
        topics=TOPICS,
        records=_board,
    ),
    State(
        "development.approval_late",
        _(
            "Admissions not approved within three months of the branch assembly's vote "
            "(at risk: due within 7 days, or approved later with a reason)"
        ),
        _approval_overdue,
        org="above_id",
        warn=_approval_late_or_soon,
        topics=TOPICS,
    ),
)
