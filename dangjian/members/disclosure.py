"""What a user sees of a member's personal fields (the disclosure policy, docs/architecture.md).

ID number and phone are masked for everyone (core.masking). The birth date is shown as a
year-month to users holding `reveal_pii` over the member (secretaries, committee staff), and
as the year alone to everyone else; the full date, like the full ID number and phone, only
through the audited reveal. With a region-only ID number, a year-month and the gender still
leave ~15,000 candidate ID numbers; a year and the gender ~182,500.
"""

from typing import Any

from dangjian.core.masking import birth_year, birth_year_month

from .models import Member


class Disclosure:
    """One user's view of members: looks the user's reveal reach up once, for a whole page."""

    def __init__(self, user: Any) -> None:
        authenticated = user is not None and getattr(user, "is_authenticated", False)
        self.reveal_paths = tuple(user.scope_paths("reveal_pii")) if authenticated else ()

    def may_reveal(self, member: Member) -> bool:
        # In tree order the path is annotated already; otherwise the organization is loaded.
        path = getattr(member, "org_path", None) or member.organization.path
        return bool(self.reveal_paths) and path.startswith(self.reveal_paths)

    def birth(self, member: Member) -> str:
        if self.may_reveal(member):
            return birth_year_month(member.birth_date)
        return birth_year(member.birth_date)
