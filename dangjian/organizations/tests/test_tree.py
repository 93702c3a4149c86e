import pytest
from django.core.exceptions import ValidationError

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.core.tree import minimal_prefixes, path_successor
from dangjian.members.models import Member
from dangjian.organizations.models import Organization, TermState
from dangjian.organizations.services import create_organization, move_organization, update_organization
from dangjian.testing.world import World


def test_path_successor_bounds_exactly_the_subtree() -> None:
    assert path_successor("0001") == "0002"
    assert path_successor("000Z") == "001"
    assert path_successor("0001000Z") == "0001001"
    assert all("0001" <= p < path_successor("0001") for p in ["0001", "00010001", "0001ZZZZ"])
    assert not ("0001" <= "0002" < path_successor("0001"))
    assert minimal_prefixes(["00010001", "0001", "00020003"]) == ["0001", "00020003"]


def test_grant_covers_subtree_after_move(world: World) -> None:
    # The township moves from county A to county B: its branches follow, and so do the members.
    assert Member.objects.restrict(world.outsider).filter(pk=world.member.pk).count() == 0
    move_organization(world.township, world.county_b, acting_user=world.province_staff)
    world.outsider.forget_grants()
    world.county_staff.forget_grants()
    assert Member.objects.restrict(world.outsider).filter(pk=world.member.pk).count() == 1
    assert Member.objects.restrict(world.county_staff).count() == 0
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert AuditEntry.objects.filter(action="organization.move", success=True).count() == 1


def test_move_below_itself_is_refused(world: World) -> None:
    before = list(Organization.objects.values_list("pk", "path"))
    with pytest.raises(ValidationError) as exc:
        move_organization(world.county, world.township, acting_user=world.province_staff)
    assert "parent" in exc.value.message_dict
    assert list(Organization.objects.values_list("pk", "path")) == before
    assert AuditEntry.objects.filter(action="organization.move", success=False).count() == 1


def test_move_outside_scope_is_refused(world: World) -> None:
    with pytest.raises(OutOfScope):
        move_organization(world.township, world.county_b, acting_user=world.county_staff)


def test_branch_cannot_have_children(world: World) -> None:
    with pytest.raises(ValidationError):
        create_organization(
            world.branch, {"name": "x", "code": "x1", "kind": "branch", "sector": "rural"}, acting_user=SYSTEM
        )


def test_duplicate_code_refused_and_nothing_written(world: World) -> None:
    count = Organization.objects.count()
    with pytest.raises(ValidationError) as exc:
        create_organization(
            world.township,
            {"name": "新支部", "code": "430102001001", "kind": "branch", "sector": "rural"},
            acting_user=world.county_staff,
        )
    assert "code" in exc.value.message_dict
    assert Organization.objects.count() == count


def test_term_warning_states(world: World) -> None:
    from datetime import date

    org = world.branch
    org.term_due_end = date(2027, 3, 1)
    assert org.term_state(date(2026, 11, 27)) == TermState.DUE_SOON
    assert org.term_state(date(2026, 8, 31)) == TermState.OK
    assert org.term_state(date(2027, 3, 2)) == TermState.OVERDUE
    assert world.branch2.term_state() == TermState.UNKNOWN
    org.refresh_from_db()
    assert org.term_due_end == date(2029, 1, 1)  # default: 5 years for a community branch
    office = create_organization(
        world.township,
        {
            "name": "机关支部",
            "code": "J1",
            "kind": "branch",
            "sector": "government",
            "term_start": date(2024, 1, 1),
        },
        acting_user=SYSTEM,
    )
    assert office.term_due_end == date(2027, 1, 1)  # 3 years for other branches
    assert world.county.term_due_end == date(2026, 9, 1)  # 5 years for a committee


def test_stale_edit_is_refused(world: World) -> None:
    update_organization(
        world.branch, {"name": "第一党支部（改）"}, acting_user=world.secretary, expected_version=1
    )
    with pytest.raises(ValidationError):
        update_organization(
            world.branch, {"name": "覆盖"}, acting_user=world.county_staff, expected_version=1
        )
    assert Organization.objects.get(pk=world.branch.pk).name == "第一党支部（改）"
