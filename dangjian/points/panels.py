"""What this app adds to other apps' pages through their registries (see apps.py)."""

from typing import Any

from django.urls import reverse

from dangjian.organizations.models import Organization


def organization_panel(org: Organization) -> dict[str, Any]:
    """The organization page links to its points (no query)."""
    return {"points_url": reverse("org_points", args=[org.pk])}
