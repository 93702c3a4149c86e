"""Lost-contact cases: the search log, the outcomes and the counts for dashboards."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.dates import add_months
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.identity.queries import valid_card
from dangjian.identity.services import issue_card
from dangjian.members.models import Member
from dangjian.members.services import update_member
from dangjian.testing.world import World, make_member
from dangjian.transfers import services
from dangjian.transfers.queries import lost_contact_counts, lost_without_case

from .helpers import days_ago


def status(member: Member) -> str:
    return Member.objects.get(pk=member.pk).status


def test_case_with_search_log_closed_as_found(world: World) -> None:
    case = services.open_case(
        world.member, lost_on=days_ago(20), circumstances="电话停机", acting_user=world.secretary
    )
    assert status(world.member) == "lost_contact"
    services.log_search(
        case,
        tried_on=days_ago(10),
        method="visit",
        detail="上门走访",
        result="邻居说已搬走",
        acting_user=world.secretary,
    )
    entry = case.entries.get()  # type: ignore[attr-defined]
    assert entry.searcher == "secretary" and entry.recorded_by == world.secretary
    services.close_case(case, outcome="found", note="已取得联系", acting_user=world.secretary)
    assert status(world.member) == "active"
    with pytest.raises(ValidationError, match="closed"):
        services.log_search(
            case, tried_on=days_ago(1), method="phone", detail="x", result="y", acting_user=world.secretary
        )


def test_art9_needs_six_months_and_a_search(world: World) -> None:
    issue_card(world.member, acting_user=SYSTEM)
    lost = add_months(days_ago(0), -7)
    case = services.open_case(world.member, lost_on=lost, acting_user=world.secretary)
    with pytest.raises(ValidationError, match="Record the search"):
        services.close_case(case, outcome="left_party", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="only after six months"):
        services.close_case(
            case, outcome="left_party", closed_on=add_months(lost, 5), acting_user=world.secretary
        )
    services.log_search(
        case,
        tried_on=days_ago(30),
        method="notice",
        detail="登报",
        result="无回应",
        acting_user=world.secretary,
    )
    services.close_case(case, outcome="left_party", acting_user=world.secretary)
    assert status(world.member) == "left" and valid_card(world.member) is None


def test_still_lost_keeps_the_status_and_needs_a_note(world: World) -> None:
    case = services.open_case(world.member, lost_on=days_ago(20), acting_user=world.secretary)
    with pytest.raises(ValidationError):
        services.close_case(case, outcome="still_lost", acting_user=world.secretary)
    services.close_case(case, outcome="still_lost", note="暂停查找，移交上级", acting_user=world.secretary)
    assert status(world.member) == "lost_contact"
    assert list(lost_without_case(world.county.path)) == [Member.objects.get(pk=world.member.pk)]
    services.open_case(world.member, lost_on=days_ago(20), acting_user=world.secretary)  # a new search
    assert not lost_without_case(world.county.path).exists()


def test_counts_per_organization_for_dashboards(world: World) -> None:
    third = make_member(world.branch2, "赵强")
    for member in (world.member, world.member2, third):
        services.open_case(member, lost_on=days_ago(5), acting_user=world.county_staff)
    services.open_case(world.member_b, lost_on=days_ago(5), acting_user=world.outsider)
    # Marked lost by an edit, without a case: counted too, and flagged.
    fourth = make_member(world.branch2, "钱六")
    update_member(fourth, {"status": "lost_contact"}, acting_user=world.county_staff)
    assert lost_contact_counts(world.county.path) == {world.branch.pk: 2, world.branch2.pk: 2}
    assert lost_contact_counts(world.city.path) == {
        world.branch.pk: 2,
        world.branch2.pk: 2,
        world.branch_b.pk: 1,
    }
    assert lost_contact_counts(world.branch.path) == {world.branch.pk: 2}
    assert [m.name for m in lost_without_case(world.city.path)] == ["钱六"]


def test_refusals(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.open_case(world.member, lost_on=days_ago(-3), acting_user=world.secretary)
    assert "lost_on" in exc.value.message_dict
    services.open_case(world.member, lost_on=days_ago(3), acting_user=world.secretary)
    with pytest.raises(ValidationError, match="already open"):
        services.open_case(world.member, lost_on=days_ago(3), acting_user=world.secretary)
    assert status(world.member) == "lost_contact"


def test_long_texts_are_refused_not_cut(world: World) -> None:
    case = services.open_case(world.member, lost_on=days_ago(20), acting_user=world.secretary)
    with pytest.raises(ValidationError) as exc:
        services.log_search(
            case,
            tried_on=days_ago(1),
            method="phone",
            detail="电话",
            result="无" * 201,
            acting_user=world.secretary,
        )
    assert "at most 200 characters" in " ".join(exc.value.message_dict["result"])
    with pytest.raises(ValidationError) as exc:
        services.close_case(case, outcome="still_lost", note="停" * 201, acting_user=world.secretary)
    assert "at most 200 characters" in " ".join(exc.value.message_dict["note"])
    assert not case.entries.exists()  # type: ignore[attr-defined]
    assert status(world.member) == "lost_contact"


def test_art9_closing_ends_the_floating_record_on_the_audit_record(world: World) -> None:
    record = services.register_floating(
        world.member,
        {"left_on": add_months(days_ago(0), -8), "destination": "广州", "reason": "务工"},
        acting_user=world.secretary,
    )
    case = services.open_case(world.member, lost_on=add_months(days_ago(0), -7), acting_user=world.secretary)
    services.log_search(
        case,
        tried_on=days_ago(30),
        method="notice",
        detail="登报",
        result="无回应",
        acting_user=world.secretary,
    )
    services.close_case(case, outcome="left_party", acting_user=world.secretary)
    record.refresh_from_db()
    assert record.state == "closed"
    entry = AuditEntry.objects.get(action="floating.close", object_id=str(record.pk))
    assert entry.detail == f"lost-contact case {case.pk}: left_party"
