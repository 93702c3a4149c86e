"""Member electronic identity (point 17): a member counts when they hold a valid card — not
revoked and issued for the branch they are in now (`identity.queries.card_is_valid`: a card of a
member who has since moved no longer verifies)."""

from datetime import datetime
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.identity.models import MemberCard
from dangjian.identity.queries import CARD_STATUSES

from ..metrics import Events, register


def _valid_cards(year: int) -> Any:
    return MemberCard.objects.filter(
        revoked_at__isnull=True,
        member__status__in=CARD_STATUSES,
        organization_id=F("member__organization_id"),
        issued_at__lt=timezone.make_aware(datetime(year + 1, 1, 1)),  # issued by the year's end
    )


register(
    Events(
        "identity.card",
        _("Valid member electronic ID cards"),
        _valid_cards,
        org="member__organization_id",
        on="issued_at",
        person="member_id",
        topics=("identity.card",),
        records=lambda org, year: reverse("org_cards", args=[org.pk]),
    )
)
