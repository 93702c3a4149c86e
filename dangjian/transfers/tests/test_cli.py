"""`dangjian transfers list` and `dangjian probation due`."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core.dates import add_years
from dangjian.testing.world import World
from dangjian.transfers import services
from dangjian.transfers.models import Transfer

from .helpers import days_ago, probationary


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_transfers_list(world: World) -> None:
    a = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    b = services.start_transfer(
        world.member2, destination="广东省某党支部", reason="调动", acting_user=world.secretary
    )
    services.cancel_transfer(b, acting_user=world.secretary)
    out = run("transfers", "list", "--org", world.county_b.code)
    assert (
        f"{a.pk}\tsent\t" in out and "张伟" in out and f"{world.branch.code} → {world.branch_b.code}" in out
    )
    assert "1 transfer(s)" in out
    out = run("transfers", "list", "--org", world.county.code, "--state", "cancelled")
    assert "李娜" in out and "(广东省某党支部)" in out and "张伟" not in out
    with pytest.raises(CommandError, match="No organization"):
        run("transfers", "list", "--org", "nope")


def test_probation_due(world: World) -> None:
    probationary(world.branch, "王五", add_years(days_ago(2), -1))
    out = run("probation", "due", "--org", world.county.code, "--within", "60")
    assert "\t-2\t" in out and "王五" in out and "1 probationary member(s)" in out
    with pytest.raises(CommandError):
        run("probation", "due", "--org", world.county.code, "--within", "999")


def test_transfers_list_shows_the_beijing_date(world: World) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    # 00:30 on 1 January in Beijing is 16:30 on 31 December in UTC.
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    Transfer.objects.filter(pk=t.pk).update(created_at=new_year)
    assert f"{t.pk}\tsent\t2027-01-01\t张伟" in run("transfers", "list", "--org", world.county.code)
