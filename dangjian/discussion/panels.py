from typing import Any

from django.urls import reverse

from dangjian.organizations.models import Organization


def organization_panel(org: Organization) -> dict[str, Any]:
    """The organization page links to its discussion (a branch) or to the word list (a committee
    or any organization above branches); no query."""
    if org.holds_members:
        return {"discussion_url": reverse("discussion:org_threads", args=[org.pk])}
    return {"discussion_words_url": reverse("discussion:words", args=[org.pk])}
