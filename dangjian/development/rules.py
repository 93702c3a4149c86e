"""The rules between the steps (《中国共产党发展党员工作细则》), each refusing with words that
name the rule. Pure checks on values the services have read; nothing here writes."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.dates import add_months, add_years
from dangjian.core.workdays import PUBLICITY_WORKDAYS, workdays_between
from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.orglife.models import Meeting, MeetingKind, MeetingStatus

from .steps import approval_limits, candidate_from

MIN_AGE = 18
# "Usually" in the rules: settings with the rules' values as defaults.
TRAINING_DAYS = getattr(settings, "DEVELOPMENT_TRAINING_DAYS", 3)
TRAINING_HOURS = getattr(settings, "DEVELOPMENT_TRAINING_HOURS", 24)
NOTICE_WORKDAYS = getattr(settings, "DEVELOPMENT_NOTICE_WORKDAYS", PUBLICITY_WORKDAYS)
# Members who keep their voting rights (a suspended member's rights are suspended with them).
VOTING_STATUSES = [s for s in MemberStatus.values if s not in (MemberStatus.LEFT, MemberStatus.SUSPENDED)]


def fail(message: str, field: str | None = None, code: str = "rule") -> ValidationError:
    return ValidationError({field: [message]} if field else message, code=code)


def check_age(birth: date, applied_on: date) -> None:
    if applied_on < add_years(birth, MIN_AGE):
        raise fail(
            _("The applicant must be at least 18 years old on the day of the application."), "birth_date"
        )


def check_date(on: date, previous: date | None, field: str = "on") -> None:
    """A step's date: not in the future, not before the step before it."""
    if on > timezone.localdate():
        raise fail(_("The date of a step cannot be in the future."), field)
    if previous is not None and on < previous:
        raise fail(
            _("A step cannot be dated before the step before it (%(date)s).")
            % {"date": previous.isoformat()},
            field,
        )


def check_full_members(people: Sequence[Member], branch_id: int, low: int, high: int, what: str) -> None:
    """Contacts (1–2) and introducers (2) are full members of the branch, on its roll."""
    if not low <= len(people) <= high:
        raise fail(what, "people")
    for m in people:
        if (
            m.organization_id != branch_id
            or m.category != MemberCategory.FULL
            or m.status == MemberStatus.LEFT
        ):
            raise fail(
                _("%(name)s is not a full member of the branch: contacts and introducers must be.")
                % {"name": m.name},
                "people",
            )


def check_candidate_interval(activist_on: date, on: date) -> None:
    first = candidate_from(activist_on)
    if on < first:
        raise fail(
            _(
                "A development candidate is decided only after more than one year as an activist "
                "(activist since %(since)s: from %(first)s)."
            )
            % {"since": activist_on.isoformat(), "first": first.isoformat()},
            "on",
        )


def check_assessments(activist_on: date, on: date, assessed: Iterable[date]) -> None:
    """An assessment in every full half-year since becoming an activist (每半年考察一次): for
    each half-year ending on or before `on`, one dated after its start and on or before its end."""
    days = sorted(assessed)
    k = 1
    while add_months(activist_on, 6 * k) <= on:
        start, end = add_months(activist_on, 6 * (k - 1)), add_months(activist_on, 6 * k)
        if not any(start < d <= end for d in days):
            raise fail(
                _(
                    "The half-yearly assessment from %(start)s to %(end)s is missing: "
                    "assess the activist every half year."
                )
                % {"start": start.isoformat(), "end": end.isoformat()}
            )
        k += 1


def check_training(days: int | None, hours: int | None) -> None:
    if (days or 0) < TRAINING_DAYS and (hours or 0) < TRAINING_HOURS:
        raise fail(
            _("Centralized training lasts at least %(days)s days or %(hours)s class hours.")
            % {"days": TRAINING_DAYS, "hours": TRAINING_HOURS},
            "training_days",
        )


def check_notice(notice_from: date | None, notice_until: date | None, review_on: date, after: date) -> None:
    """The public notice: at least five working days, begun after the branch committee's review,
    ended before the pre-review."""
    if notice_from is None or notice_until is None:
        raise fail(_("Enter the public notice's first and last day."), "notice_from")
    if notice_from < after:
        raise fail(_("The public notice begins after the branch committee's review."), "notice_from")
    if workdays_between(notice_from, notice_until) < NOTICE_WORKDAYS:
        raise fail(
            _("The public notice lasts at least %(n)s working days before the pre-review.")
            % {"n": NOTICE_WORKDAYS},
            "notice_until",
        )
    if review_on <= notice_until:
        raise fail(_("The pre-review comes after the public notice has ended."), "on")


def check_meeting(meeting: Meeting | None, branch_id: int) -> None:
    if (
        meeting is None
        or meeting.kind != MeetingKind.BRANCH_ASSEMBLY
        or meeting.status != MeetingStatus.CLOSED
        or meeting.organization_id != branch_id
    ):
        raise fail(_("The vote must be taken by a closed branch member assembly of the branch."), "meeting")


def check_vote(should_attend: int | None, present: int | None, votes_for: int | None, on_roll: int) -> None:
    """The assembly's counts (full members with voting rights): valid only if more than half of
    those who should attend are present; passed only if more than half of those who should
    attend (not of those present) vote for it."""
    if should_attend is None or present is None or votes_for is None:
        raise fail(_("Enter the counts of the vote."), "should_attend")
    if should_attend < 1:
        raise fail(_("Enter how many full members with voting rights should attend."), "should_attend")
    if should_attend > on_roll:
        raise fail(
            _("The branch has %(n)s full members with voting rights on its roll: no more should attend.")
            % {"n": on_roll},
            "should_attend",
        )
    if present > should_attend:
        raise fail(_("More members present than should attend."), "present")
    if votes_for > present:
        raise fail(_("More votes for than members present."), "votes_for")
    if present * 2 <= should_attend:
        raise fail(
            _(
                "The assembly is not valid: more than half of the full members with voting rights "
                "must attend."
            ),
            "present",
        )
    if votes_for * 2 <= should_attend:
        raise fail(
            _(
                "The admission is not passed: more than half of the full members with voting rights "
                "who should attend must vote for it."
            ),
            "votes_for",
        )


def check_approval_date(voted_on: date, on: date, reason: str) -> None:
    """Within three months of the vote; up to six with a recorded reason."""
    usual, longest = approval_limits(voted_on)
    if on > longest:
        raise fail(
            _("The approval comes within six months of the assembly's vote (%(date)s at the latest).")
            % {"date": longest.isoformat()},
            "on",
        )
    if on > usual and not reason.strip():
        raise fail(
            _("More than three months after the assembly's vote (%(date)s): record the special reason.")
            % {"date": usual.isoformat()},
            "reason",
        )


def check_after_approval(on: date, approved_on: date, field: str = "on") -> None:
    """Placement, the oath and the continued assessment come after the committee's approval."""
    if on < approved_on:
        raise fail(
            _("This step comes after the approval by the committee above (%(date)s).")
            % {"date": approved_on.isoformat()},
            field,
        )


def check_party_group(group_branch_id: int | None, branch_id: int, groups: int) -> None:
    """Placement (编入党支部和党小组): in one of the branch's party groups, when it has any."""
    if groups and group_branch_id is None:
        raise fail(_("Choose the party group the new member is placed in."), "party_group")
    if group_branch_id is not None and group_branch_id != branch_id:
        raise fail(_("The party group must be one of the branch's own."), "party_group")


def check_full_application(probation_ends: date, on: date) -> None:
    """The application for full membership (提出转正申请) is made when the probation year is up:
    on or after its last day (one year from the assembly's vote, or the end of an approved
    extension) — the day the assembly may decide on it (`transfers`)."""
    if on < probation_ends:
        raise fail(
            _(
                "The application for full membership is made when the probation ends "
                "(%(date)s at the earliest)."
            )
            % {"date": probation_ends.isoformat()},
            "on",
        )


def check_archiving(full_on: date | None, on: date) -> None:
    """Archiving (材料归档) follows full membership (the committee's approval of the conversion)."""
    if full_on is None:
        raise fail(_("The file is archived once the member is a full member."), "on")
    if on < full_on:
        raise fail(
            _("The file is archived after full membership was approved (%(date)s).")
            % {"date": full_on.isoformat()},
            "on",
        )


def talk_due(applied_on: date) -> date:
    return add_months(applied_on, 1)
