"""The discussion rows of the rights matrix in docs/architecture.md, every role × action, through
the services and the pages."""

from typing import Any

import pytest
from django.test import Client

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM
from dangjian.discussion import services
from dangjian.testing.world import World, make_user

R = Role
ALLOWED = {
    "read": {R.MEMBER, R.ORGANIZER, R.SECRETARY, R.COMMITTEE_STAFF, R.SUPERVISOR},
    "post": {R.MEMBER, R.ORGANIZER, R.SECRETARY},
    "moderate": {R.ORGANIZER, R.SECRETARY},
    "words": {R.COMMITTEE_STAFF},
}


def _attempt(action: str, world: World, actor: Any, thread: Any) -> bool:
    try:
        if action == "read":
            client = Client()
            client.force_login(actor)
            return bool(client.get(f"/threads/{thread.pk}/").status_code == 200)
        if action == "post":
            services.reply(thread, "发言", acting_user=actor)
        elif action == "moderate":
            services.set_pinned(thread, True, acting_user=actor)
        else:
            services.set_words(world.county, "词", acting_user=actor)
    except OutOfScope:
        return False
    return True


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("action", list(ALLOWED))
def test_every_cell(world: World, role: str, action: str) -> None:
    # Granted on the province, so reach never decides the outcome: only the role does.
    actor = make_user(f"actor_{role}", role, world.province)
    thread = services.start_thread(world.branch, "话题", "内容", acting_user=SYSTEM)
    assert _attempt(action, world, actor, thread) == (role in ALLOWED[action]), (role, action)
