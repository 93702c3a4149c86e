"""What this app adds to other apps' pages through their registries (see apps.py)."""

from typing import Any

from django.urls import reverse

from dangjian.organizations.models import Organization


def organization_panel(org: Organization) -> dict[str, Any]:
    """The organization page links to its evaluation (no query)."""
    return {"evaluation_url": reverse("org_evaluation", args=[org.pk])}
