"""What the members app adds to an organization's page (registered in apps.ready)."""

from typing import Any

from dangjian.organizations.models import Organization

from .models import CommitteePost, Member


def organization_panel(org: Organization) -> dict[str, Any]:
    secretaries = Member.objects.on_roll().filter(organization=org, committee_post=CommitteePost.SECRETARY)
    # The member count is loaded by the page afterwards (member_count view): at a province's top
    # it counts millions of rows, and the rest of the page should not wait for it.
    return {"secretaries": list(secretaries.only("name"))}
