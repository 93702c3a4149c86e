"""A county call with nominations at each step, for the honours tests."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core.exceptions import OutOfScope
from dangjian.honours import services
from dangjian.honours.models import Call, Nomination
from dangjian.honours.workflows import CALL_FLOW, NOMINATION_FLOW
from dangjian.organizations.models import Organization
from dangjian.testing.world import World


def call_of(world: World, org: Organization | None = None, *, opened: bool = True, **extra: Any) -> Call:
    today = timezone.localdate()
    data = {
        "title": "“两优一先”评选表彰",
        "criteria": "理想信念坚定，发挥先锋模范作用",
        "categories": ["member", "leader", "branch"],
        "nominations_due": today + timedelta(days=10),
        "publish_by": today + timedelta(days=40),
    } | extra
    call = services.create_call(org or world.county, data, acting_user=world.county_staff)
    return services.open_call(call, acting_user=world.county_staff) if opened else call


def nominate(world: World, call: Call, *, submit: bool = True, **data: Any) -> Nomination:
    values = {"category": "member", "nominee_member": world.member2, "story": "带头参加志愿服务十年"} | data
    nomination = services.create_nomination(call, world.branch, values, acting_user=world.secretary)
    return services.submit_nomination(nomination, acting_user=world.secretary) if submit else nomination


def outcome(record: Any, name: str, user: Any, note: str = "理由") -> str:
    """What move `name` does for `user`: "ok" or the refusal's code; always rolled back."""
    flow = CALL_FLOW if isinstance(record, Call) else NOMINATION_FLOW
    try:
        with transaction.atomic():
            flow.move(record, name, acting_user=user, note=note)
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(getattr(exc, "code", None) or "invalid")
    return "ok"


def end_publicity(call: Call) -> None:
    """The public notice's last day behind us (as if the days had passed)."""
    Call.objects.filter(pk=call.pk).update(publicity_until=timezone.localdate() - timedelta(days=1))
