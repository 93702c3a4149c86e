"""Rules (validation, one set per committee, copying) and hand entries (propose, approve with the
cap, reject, who may decide)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts.roles import Role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.points.models import EntryState, PointEntry, PointRule
from dangjian.points.services import approve_entry, copy_rules, reject_entry, update_rule
from dangjian.testing.world import World, make_user

from .helpers import YEAR, claim, rule, standard_rules


def refused(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_rule_validation(world: World) -> None:
    rule(world.township, "meeting_attendance", "参加三会一课", 2, meeting_kinds=["branch_assembly"])
    cases = [
        ({"kind": "absence", "points": 2}, "negative"),
        ({"kind": "theme_day", "points": -1}, "positive"),
        ({"kind": "meeting_attendance", "points": 1, "meeting_kinds": ["theme_day"]}, "rule of its own"),
        (
            {
                "kind": "meeting_attendance",
                "points": 1,
                "meeting_kinds": ["branch_assembly", "party_lecture"],
            },
            "already counts",
        ),
        ({"kind": "dues_on_time", "points": 1, "cap_points": 3}, "both"),
        ({"kind": "manual", "points": 0}, "other than 0"),
        ({"kind": "manual", "points": 101}, "between -100 and 100"),
        ({"kind": "theme_day", "points": 2, "meeting_kinds": ["branch_assembly"]}, "name meeting kinds"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationError) as exc:
            rule(world.township, data.pop("kind"), "新规则", data.pop("points"), **data)
        assert message in refused(exc), data
    with pytest.raises(ValidationError) as exc:
        rule(world.township, "manual", "参加三会一课", 1)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rule(world.branch, "manual", "好人好事", 3)  # a branch sets no rules
    assert "committee" in exc.value.message_dict
    # A manual rule may take points away; a second manual rule is fine.
    rule(world.township, "manual", "违反纪律", -5)
    rule(world.township, "manual", "好人好事", 3)
    # An inactive rule does not block a new one counting the same meetings.
    first = PointRule.objects.get(name="参加三会一课")
    update_rule(first, {"active": False}, acting_user=SYSTEM)
    rule(world.township, "meeting_attendance", "参加党员大会", 3, meeting_kinds=["branch_assembly"])


def test_rule_scope(world: World) -> None:
    with pytest.raises(OutOfScope):
        rule(world.township, "manual", "好人好事", 3, by=world.secretary)
    r = rule(world.township, "manual", "好人好事", 3)
    with pytest.raises(OutOfScope):
        update_rule(r, {"points": 4}, acting_user=world.outsider)
    updated = update_rule(r, {"points": 4, "kind": "absence"}, acting_user=world.county_staff)
    assert (updated.points, updated.kind) == (4, "manual")  # the kind never changes


def test_copy_rules(world: World) -> None:
    standard_rules(world.township, 2025)
    assert copy_rules(world.township, 2025, 2026, acting_user=world.county_staff) == 6
    assert copy_rules(world.township, 2025, 2026, acting_user=world.county_staff) == 0  # names taken
    assert PointRule.objects.filter(year=2026).count() == 6


def test_copy_skips_rules_that_would_count_the_same_records(world: World) -> None:
    standard_rules(world.township, 2025)
    rule(world.township, "dues_on_time", "党费按月交纳", 2, year=2026)  # another name, same records
    rule(world.township, "meeting_attendance", "参加党课", 1, meeting_kinds=["party_lecture"], year=2026)
    assert copy_rules(world.township, 2025, 2026, acting_user=world.county_staff) == 4
    copied = set(PointRule.objects.filter(year=2026).values_list("name", flat=True))
    assert "按时交纳党费" not in copied and "参加三会一课" not in copied
    assert "参加主题党日" in copied


def test_manual_entry_needs_approval_by_someone_else(world: World) -> None:
    rules = standard_rules(world.township)
    # The member claims their own volunteer hours: proposed, not counted yet.
    entry = claim(world.member, rules["volunteer"], hours=3, by=world.member_user)
    assert (entry.state, entry.points, entry.source_type) == (EntryState.PROPOSED, 3, "manual")
    with pytest.raises(OutOfScope):
        approve_entry(entry, acting_user=world.member_user)  # a member keeps no ledger
    approve_entry(entry, note="属实", acting_user=world.secretary)
    entry.refresh_from_db()
    assert (entry.state, entry.points, entry.decided_by) == (EntryState.APPROVED, 3, world.secretary)
    with pytest.raises(ValidationError) as exc:
        reject_entry(entry, note="重复", acting_user=world.county_staff)
    assert "cannot change any more" in refused(exc)
    # The secretary's own entry is decided by someone else; the member it is for never decides.
    deed = claim(world.member2, rules["deed"], by=world.secretary)
    with pytest.raises(ValidationError) as exc:
        approve_entry(deed, acting_user=world.secretary)
    assert "cannot also approve" in refused(exc)
    li_na = make_user("li_na", Role.ORGANIZER, world.branch, member=world.member2)
    with pytest.raises(ValidationError) as exc:
        approve_entry(deed, acting_user=li_na)
    assert "own points" in refused(exc)
    with pytest.raises(OutOfScope):
        approve_entry(deed, acting_user=world.outsider)
    with pytest.raises(ValidationError) as exc:
        reject_entry(deed, note=" ", acting_user=world.county_staff)
    assert "why" in refused(exc)
    reject_entry(deed, note="不属实", acting_user=world.county_staff)
    assert PointEntry.objects.get(pk=deed.pk).state == EntryState.REJECTED
    assert AuditEntry.objects.filter(action="point_entry.approve", success=False).count() == 4


def test_cap_applies_on_approval(world: World) -> None:
    rules = standard_rules(world.township)
    first = claim(world.member, rules["volunteer"], hours=8, on=date(YEAR, 6, 3))
    second = claim(world.member, rules["volunteer"], hours=5, on=date(YEAR, 6, 20))
    other_month = claim(world.member, rules["volunteer"], hours=5, on=date(YEAR, 7, 1))
    for e in (first, second, other_month):
        approve_entry(e, acting_user=world.secretary)
    got = list(PointEntry.objects.order_by("occurred_on").values_list("points", "capped"))
    assert got == [(8, False), (2, True), (5, False)]  # 10 a month


def test_entry_refusals(world: World) -> None:
    rules = standard_rules(world.township)
    with pytest.raises(ValidationError) as exc:
        claim(world.member, rules["meeting"])  # an automatic rule
    assert "rule" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        claim(world.member, rules["volunteer"], hours=25)
    assert "quantity" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        claim(world.member, rules["deed"], hours=2)
    assert "quantity" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        claim(world.member_b, rules["deed"])  # branch B does not follow the township's rules
    assert "rule" in exc.value.message_dict
    with pytest.raises(OutOfScope):
        claim(world.member2, rules["volunteer"], by=world.member_user)  # not their own
    with pytest.raises(ValidationError) as exc:
        claim(world.member, rules["volunteer"], on=date(2999, 1, 1))
    assert "occurred_on" in exc.value.message_dict
    assert not PointEntry.objects.exists()
