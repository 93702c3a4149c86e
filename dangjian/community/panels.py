"""What this app adds to other apps' pages through their registries (see apps.py)."""

from typing import Any

from django.urls import reverse

from dangjian.organizations.models import Organization


def organization_panel(org: Organization) -> dict[str, Any]:
    """A branch's page links to its theme practice (no query)."""
    return {"community_url": reverse("community:org", args=[org.pk]) if org.holds_members else ""}
