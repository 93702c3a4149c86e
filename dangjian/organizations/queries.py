"""Reads other apps share about the tree."""

from django.db.models import Q

from dangjian.core.tree import ancestor_paths

from .models import Organization


def own_or_sent_down_q(org: Organization, *, with_own: bool = True) -> Q:
    """Rows (with `organization` and `cascade` fields) that reach `org`: its own, and the
    cascaded ones of the committees above it.

    The organizations are chosen first, by path, and the cascade test second: an OR across the
    join to the organizations would scan every organization's rows of a table that grows with the
    province, while this reads the few organizations' ranges of an index led by `organization`.
    """
    paths = ancestor_paths(org.path)
    if not with_own:
        return Q(cascade=True, organization_id__in=Organization.objects.filter(path__in=paths).values("pk"))
    line = Organization.objects.filter(path__in=[*paths, org.path]).values("pk")
    return Q(organization_id__in=line) & (Q(organization_id=org.pk) | Q(cascade=True))
