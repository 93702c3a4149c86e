"""The person's own account: issued the way a member's is (`accounts.services.create_user`: an
initial password its holder must change at the first login, by whoever may create accounts for
the branch — 三员分立 leaves that to the system administrator), then linked to the development
record so that its holder reads their own progress (`/me/development/`) and nothing else. On
admission the same account is linked to the new member (`link_member`)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.accounts.models import User
from dangjian.accounts.services import create_user
from dangjian.core import audit
from dangjian.core.services import write_service
from dangjian.members.models import Member

from ..models import Applicant


@write_service("development.account")
def issue_account(applicant: Applicant, username: str, password: str, *, acting_user: Any) -> User:
    """A new account for the person, linked to their record; refused when they have one already
    or the development is over (nothing is created then)."""
    applicant = Applicant.objects.select_for_update().select_related("organization").get(pk=applicant.pk)
    if applicant.account_id is not None:
        raise ValidationError(_("This person already has an account."))
    if not applicant.is_open:
        raise ValidationError(_("An account is issued only while the development is open."))
    # create_user checks the actor may create accounts in the branch and audits `user.create`.
    user = create_user(username, password, home_org=applicant.organization, acting_user=acting_user)
    applicant.account = user
    applicant.save(update_fields=["account", "updated_at"])
    audit.record(
        "development.account",
        actor=acting_user,
        obj=applicant,
        org_path=applicant.organization.path,
        changes={"account": [None, user.username]},
    )
    return user


def link_member(applicant: Applicant, member: Member, acting_user: Any) -> None:
    """The person's account becomes the new member's (called inside the approval's transaction):
    they keep signing in with it, now as a member. An account already linked to another member
    is left as it is."""
    if applicant.account_id is None:
        return
    account = User.objects.select_for_update().filter(pk=applicant.account_id, member__isnull=True).first()
    if account is None:
        return
    account.member = member
    account.save(update_fields=["member"])
    audit.record(
        "user.update",
        actor=acting_user,
        obj=account,
        org_path=applicant.organization.path,
        changes={"member": [None, str(member)]},
        detail="development.admit",
    )
