"""What this app adds to other apps' pages and forms through their registries (see apps.py)."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from dangjian.core.tree import ancestor_paths
from dangjian.members.models import Member
from dangjian.organizations.models import COMMITTEE_KINDS, Organization


def organization_panel(org: Organization) -> dict[str, Any]:
    """The organization page links a committee to its leading cadres (no query)."""
    if org.kind not in COMMITTEE_KINDS:
        return {}
    return {"leaders_url": reverse("org_leaders", args=[org.pk])}


def leader_lecturers(org: Organization) -> "QuerySet[Member]":
    """Lecturer choices for a meeting of `org`: the leading cadres in post of the organization and
    of every committee above it (a leader gives party lectures at the branches they visit)."""
    paths = [*ancestor_paths(org.path), org.path]
    return Member.objects.filter(
        leading_posts__committee__path__in=paths, leading_posts__active=True
    ).distinct()
