"""The demo county's branches have a year of meetings with a believable spread: most meet
their cadence, some lag, a few are weak — so the supervision dashboard is not all red or all
green."""

from pathlib import Path

from django.utils import timezone

from dangjian.compliance import engine
from dangjian.compliance.models import Result, Status
from dangjian.compliance.services import load_rule_set
from dangjian.core.scoping import SYSTEM
from dangjian.demo.life import create_county_life
from dangjian.orglife.models import Meeting, MeetingStatus
from dangjian.testing.world import World, make_member, make_org

STANDING = Path(__file__).resolve().parents[2] / "compliance" / "rulesets" / "standing.yaml"


def _county_of_branches(world: World, n: int) -> None:
    for i in range(n):
        branch = make_org(world.township, f"第{i + 3}党支部", f"4301020019{i:02d}", "branch", "community")
        if i % 10 == 0:
            make_member(branch, f"党员{i}")


def test_branches_fall_into_profiles_and_results_spread(world: World) -> None:
    _county_of_branches(world, 60)
    made = create_county_life(world.county, skip=world.branch, seed=2017)
    assert made["steady"] + made["lagging"] + made["weak"] == 61  # and branch A2
    assert 0.4 <= made["steady"] / 61 <= 0.85
    assert made["weak"] >= 1 and made["lagging"] >= 1
    # Nothing of the future is made, nothing in the personas' branch (its year comes through
    # the services), and what is closed has minutes.
    meetings = Meeting.objects.all()
    assert meetings.count() == made["meetings"] > 0
    assert not meetings.filter(starts_at__gt=timezone.now()).exists()
    assert not meetings.filter(organization=world.branch).exists()
    assert not meetings.filter(status=MeetingStatus.CLOSED, minutes="").exists()

    load_rule_set(STANDING.read_text(encoding="utf-8"), acting_user=SYSTEM)
    engine.recompute(timezone.localdate().year)
    year = timezone.localdate().year
    for code in ("branch-assembly-quarterly", "party-lecture-quarterly", "branch-committee-monthly"):
        rows = Result.objects.filter(rule__code=code, rule__rule_set__active=True, year=year).exclude(
            organization=world.branch
        )
        total = rows.count()
        fine = rows.filter(status__in=(Status.MET, Status.ON_TRACK)).count()
        if timezone.localdate().month >= 3:  # a quarter's meeting may still be ahead in Q1
            assert 0.35 <= fine / total <= 0.95, (code, fine, total)
            assert rows.filter(status=Status.OVERDUE).exists(), code


def test_same_seed_same_county(world: World) -> None:
    _county_of_branches(world, 10)
    first = create_county_life(world.county, seed=5)
    topics = list(
        Meeting.objects.order_by("organization_id", "starts_at").values_list("organization_id", "starts_at")
    )
    Meeting.objects.all().delete()
    assert create_county_life(world.county, seed=5) == first
    again = list(
        Meeting.objects.order_by("organization_id", "starts_at").values_list("organization_id", "starts_at")
    )
    assert again == topics
