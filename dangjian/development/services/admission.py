"""Stage 4's rules that read beyond the step itself (the political review before the admission,
the assembly's vote against the branch's roll) and the approval, which makes the person a
probationary member through the members service (the one way a member is created)."""

from typing import Any

from django.utils.translation import gettext as _

from dangjian.members.models import Member, MemberCategory
from dangjian.members.services import create_member
from dangjian.orglife.models import Meeting

from .. import rules
from ..models import Applicant, Step
from .account import link_member


def check_admission(steps: list[Step]) -> None:
    """The branch committee reviews for admission only once the political review has its
    written conclusion (政审不合格或没有结论的，不能发展)."""
    review = next((s for s in steps if s.number == 10), None)
    if review is None or not review.conclusion.strip():
        raise rules.fail(_("Without the political review's written conclusion there is no admission."))


def voting_members(branch_id: int) -> int:
    """The branch's full members with voting rights on its roll (probationary members do not vote)."""
    return Member.objects.filter(
        organization_id=branch_id, category=MemberCategory.FULL, status__in=rules.VOTING_STATUSES
    ).count()


def check_vote(applicant: Applicant, data: dict[str, Any]) -> Meeting:
    meeting = data.get("meeting")
    rules.check_meeting(meeting, applicant.organization_id)
    assert meeting is not None
    rules.check_vote(
        data.get("should_attend"),
        data.get("present"),
        data.get("votes_for"),
        voting_members(applicant.organization_id),
    )
    return meeting  # type: ignore[no-any-return]


def admit(applicant: Applicant, step: Step, acting_user: Any) -> Member:
    """The committee's approval (step 17): the person becomes a probationary member of the
    branch from the day the assembly voted (probation starts then; the probation flow follows),
    signing in with the account they were issued in development, if any."""
    assert applicant.voted_on is not None
    member = create_member(
        applicant.organization,
        {
            "name": applicant.name,
            "gender": applicant.gender,
            "ethnicity": applicant.ethnicity,
            "birth_date": applicant.birth_date,
            "id_number": applicant.id_number,
            "phone": applicant.phone,
            "education": applicant.education,
            "category": MemberCategory.PROBATIONARY,
            "join_date": applicant.voted_on,
        },
        acting_user=acting_user,
    )
    # The person's own account, if they were issued one, is the member's from now on.
    link_member(applicant, member, acting_user)
    return member
