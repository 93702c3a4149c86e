"""Requests between administrators on the workflow kernel: each move per administrator (another
role confirms or rejects, never the requester nor the account's holder; only the requester
withdraws; no review right: not found), history on the requests page, stale pages refused."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from dangjian.accounts import admin_requests
from dangjian.accounts.models import AdminRequest, User
from dangjian.accounts.workflows import REQUEST_FLOW
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.testing.world import World


def _outcome(req: AdminRequest, name: str, user: Any) -> str:
    """What move `name` does for `user`: "ok" or the refusal's code; always rolled back."""
    try:
        with transaction.atomic():
            REQUEST_FLOW.move(req, name, acting_user=user)
            transaction.set_rollback(True)
    except OutOfScope:
        return "404"
    except ValidationError as exc:
        return str(exc.code or "invalid")
    return "ok"


def test_who_may_take_each_move(world: World) -> None:
    # The system administrator asks to deactivate the auditor.
    req = admin_requests.file_request(AdminRequest.Kind.DEACTIVATE, world.auditor, acting_user=world.sysadmin)
    decide = {
        "secadmin": "ok",  # another role
        "sysadmin": "actor",  # the requester's own role
        "auditor": "excluded",  # another role, but the account concerned
        "secretary": "404",  # no review right over administrators
        "county_staff": "404",
    }
    for name in ("confirm", "reject"):
        for persona, outcome in decide.items():
            user = world.users[persona]
            assert (persona, name, _outcome(req, name, user)) == (persona, name, outcome)
            if outcome != "404":
                offered = name in {t.name for t in REQUEST_FLOW.allowed(user, req)}
                assert (persona, name, offered) == (persona, name, outcome == "ok")
    withdraw = {"sysadmin": "ok", "secadmin": "actor", "auditor": "actor", "secretary": "404"}
    for persona, outcome in withdraw.items():
        assert (persona, _outcome(req, "cancel", world.users[persona])) == (persona, outcome)


def test_a_decided_request_moves_no_more_and_keeps_its_history(world: World) -> None:
    req = admin_requests.file_request(AdminRequest.Kind.DEACTIVATE, world.auditor, acting_user=world.sysadmin)
    with pytest.raises(ValidationError) as stale:
        admin_requests.confirm_request(req, acting_user=world.secadmin, expected_version=1)
    assert stale.value.code == "stale" and User.objects.get(pk=world.auditor.pk).is_active
    done = admin_requests.confirm_request(req, acting_user=world.secadmin, expected_version=0)
    assert (done.state, done.version, done.decided_by_id) == ("done", 1, world.secadmin.pk)
    assert not User.objects.get(pk=world.auditor.pk).is_active
    with pytest.raises(ValidationError, match="already been decided"):
        admin_requests.reject_request(req, acting_user=world.secadmin)
    steps = list(StateChange.of(req).values_list("move", "target"))
    assert steps == [("create", "pending"), ("confirm", "done")]
    assert AuditEntry.objects.filter(action="admin_request.confirm", success=True).count() == 1


def test_the_requests_page_shows_history_and_refuses_stale_decisions(world: World) -> None:
    req = admin_requests.file_request(AdminRequest.Kind.DEACTIVATE, world.auditor, acting_user=world.sysadmin)
    secadmin = Client()
    secadmin.force_login(world.secadmin)
    page = secadmin.get("/admin-requests/").content.decode()
    assert 'name="version" value="0"' in page and "dj-steps" in page
    stale = secadmin.post(f"/admin-requests/{req.pk}/reject/", {"version": "1"}, follow=True)
    assert "刷新页面" in stale.content.decode()
    assert AdminRequest.objects.get(pk=req.pk).state == "pending"
    assert secadmin.post(f"/admin-requests/{req.pk}/reject/", {"version": "0"}).status_code == 302
    assert AdminRequest.objects.get(pk=req.pk).state == "rejected"
    outsider = Client()
    outsider.force_login(world.secretary)
    assert outsider.post(f"/admin-requests/{req.pk}/withdraw/").status_code == 404
