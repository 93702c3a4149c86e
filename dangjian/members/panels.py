"""What the members app adds to an organization's page (registered in apps.ready)."""

from typing import Any

from dangjian.organizations.models import Organization

from .models import CommitteePost, Member
from .queries import subtree_member_count


def organization_panel(org: Organization) -> dict[str, Any]:
    secretaries = Member.objects.on_roll().filter(organization=org, committee_post=CommitteePost.SECRETARY)
    return {"member_count": subtree_member_count(org), "secretaries": list(secretaries.only("name"))}
