"""The transfer workflow through the services: who may do what, and where the member is."""

from datetime import UTC, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.roles import Role
from dangjian.accounts.services import grant_role
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.identity.models import MemberCard
from dangjian.identity.queries import valid_card
from dangjian.identity.services import issue_card
from dangjian.members.models import Member
from dangjian.members.services import update_member
from dangjian.notifications.models import Notification
from dangjian.testing.world import World, make_user
from dangjian.transfers import services
from dangjian.transfers.models import Transfer, TransferState

from .helpers import days_ago


def where(member: Member) -> int:
    return Member.objects.get(pk=member.pk).organization_id


def test_cross_county_transfer_moves_the_member_only_on_acceptance(world: World) -> None:
    member = world.member  # 张伟, branch A (county A), in a party group, with an account
    old_card = issue_card(member, acting_user=SYSTEM)
    version = Member.objects.get(pk=member.pk).version
    t = services.start_transfer(member, to_org=world.branch_b, reason="工作调动", acting_user=world.secretary)

    year = timezone.localtime(t.sent_at).year
    assert t.state == TransferState.SENT and t.letter_no == f"{world.branch.code}-{year}-{t.pk:05d}"
    assert where(member) == world.branch.pk  # still in the sending branch, never in none
    # Both sides see the transfer, each through its own organization; the receiving county does
    # not see the member yet.
    assert Transfer.objects.restrict(world.secretary).filter(pk=t.pk).exists()
    assert Transfer.objects.restrict(world.outsider).filter(pk=t.pk).exists()
    assert not Member.objects.restrict(world.outsider).filter(pk=member.pk).exists()

    services.accept_transfer(t, acting_user=world.outsider)

    moved = Member.objects.get(pk=member.pk)
    assert moved.organization_id == world.branch_b.pk
    assert moved.party_group_id is None and moved.version == version + 1
    assert Transfer.objects.get(pk=t.pk).state == TransferState.ACCEPTED
    assert Member.objects.restrict(world.outsider).filter(pk=member.pk).exists()
    assert not Member.objects.restrict(world.secretary).filter(pk=member.pk).exists()
    # The old branch keeps seeing the transfer in its history.
    assert Transfer.objects.restrict(world.secretary).filter(pk=t.pk).exists()
    # The card for the old branch is revoked; a new one is valid for the new branch.
    old_card.refresh_from_db()
    assert old_card.revoked_reason == "transferred"
    new_card = valid_card(moved)
    assert new_card is not None and new_card.organization_id == world.branch_b.pk
    # The member's own account now reads the new branch, not the old one.
    grants = set(RoleGrant.objects.filter(user=world.member_user).values_list("organization_id", "role"))
    assert grants == {(world.branch_b.pk, "member")}
    actions = set(AuditEntry.objects.filter(success=True).values_list("action", flat=True))
    assert {"transfer.start", "transfer.accept", "member.transfer", "card.revoke", "card.issue"} <= actions


def test_member_requests_branch_approves_receiver_accepts(world: World) -> None:
    t = services.request_transfer(to_org=world.branch2, reason="搬家", acting_user=world.member_user)
    assert t.state == TransferState.REQUESTED and t.requested_by == world.member_user
    assert t.from_org == world.branch
    services.approve_request(t, letter_no="芙组转〔2026〕7号", acting_user=world.secretary)
    t.refresh_from_db()
    assert t.state == TransferState.SENT and t.letter_no == "芙组转〔2026〕7号"
    services.accept_transfer(t, acting_user=world.county_staff)
    assert where(world.member) == world.branch2.pk


def test_member_withdraws_own_request_but_not_a_sent_letter(world: World) -> None:
    t = services.request_transfer(to_org=world.branch2, reason="搬家", acting_user=world.member_user)
    services.cancel_transfer(t, acting_user=world.member_user)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.CANCELLED

    sent = services.start_transfer(
        world.member, to_org=world.branch2, reason="搬家", acting_user=world.secretary
    )
    with pytest.raises(ValidationError, match="ask your branch to withdraw it"):
        services.cancel_transfer(sent, acting_user=world.member_user)
    services.cancel_transfer(sent, note="填错了", acting_user=world.secretary)
    assert Transfer.objects.get(pk=sent.pk).state == TransferState.CANCELLED
    assert where(world.member) == world.branch.pk


@pytest.mark.parametrize(
    ("target", "destination", "field", "message"),
    [
        ("township", "", "to_org", "members are transferred to a branch"),
        ("county", "", "to_org", "members are transferred to a branch"),
        ("branch", "", "to_org", "already in this branch"),
        (None, "", "to_org", "Name the receiving branch"),
        ("branch2", "广东省某党支部", "destination", "not both"),
    ],
)
def test_bad_targets_are_refused_and_nothing_changes(
    world: World, target: str | None, destination: str, field: str, message: str
) -> None:
    org = getattr(world, target) if target else None
    with pytest.raises(ValidationError) as exc:
        services.start_transfer(
            world.member, to_org=org, destination=destination, reason="调动", acting_user=world.secretary
        )
    assert message in " ".join(exc.value.message_dict[field])
    assert not Transfer.objects.exists()
    assert where(world.member) == world.branch.pk
    assert AuditEntry.objects.filter(action="transfer.start", success=False).count() == 1


def test_only_the_receiving_side_accepts(world: World) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    # The sending side sees the transfer: told who acts.
    with pytest.raises(ValidationError, match="Only the receiving branch can accept"):
        services.accept_transfer(t, acting_user=world.secretary)
    # Someone who sees neither side: not found.
    within_a = services.start_transfer(
        world.member2, to_org=world.branch2, reason="调动", acting_user=world.secretary
    )
    with pytest.raises(OutOfScope):
        services.accept_transfer(within_a, acting_user=world.outsider)
    with pytest.raises(OutOfScope):
        services.start_transfer(
            world.member_b, to_org=world.branch, reason="调动", acting_user=world.secretary
        )
    # A member with only a view grant cannot accept or approve anything.
    with pytest.raises(ValidationError):
        services.accept_transfer(within_a, acting_user=world.member_user)
    assert where(world.member) == world.branch.pk and where(world.member2) == world.branch.pk
    assert Transfer.objects.filter(state=TransferState.SENT).count() == 2


def test_a_second_acceptance_is_refused(world: World) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    stale = Transfer.objects.get(pk=t.pk)  # loaded before the first acceptance
    services.accept_transfer(t, acting_user=world.outsider)
    with pytest.raises(ValidationError, match="already accepted"):
        services.accept_transfer(stale, acting_user=world.province_staff)
    assert where(world.member) == world.branch_b.pk
    assert MemberCard.objects.filter(member=world.member, revoked_at__isnull=True).count() == 1


def test_one_open_transfer_per_member(world: World) -> None:
    services.start_transfer(world.member, to_org=world.branch2, reason="调动", acting_user=world.secretary)
    with pytest.raises(ValidationError, match="already has a transfer under way"):
        services.start_transfer(
            world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
        )
    with pytest.raises(ValidationError, match="already has a transfer under way"):
        services.request_transfer(to_org=world.branch_b, reason="调动", acting_user=world.member_user)


def test_rejection_needs_a_reason_and_keeps_the_member(world: World) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    with pytest.raises(ValidationError) as exc:
        services.reject_transfer(t, note=" ", acting_user=world.outsider)
    assert "note" in exc.value.message_dict
    services.reject_transfer(t, note="查无此人", acting_user=world.outsider)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REJECTED
    assert where(world.member) == world.branch.pk
    # A decided transfer does not move again; a new one may start.
    with pytest.raises(ValidationError, match="already rejected"):
        services.accept_transfer(t, acting_user=world.outsider)
    services.start_transfer(world.member, to_org=world.branch2, reason="调动", acting_user=world.secretary)


def test_branch_declines_a_request(world: World) -> None:
    t = services.request_transfer(to_org=world.branch_b, reason="调动", acting_user=world.member_user)
    with pytest.raises(ValidationError, match="Only the member's own branch"):
        services.reject_transfer(t, note="不行", acting_user=world.outsider)
    services.reject_transfer(t, note="手续不全", acting_user=world.secretary)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REJECTED


def test_transfer_out_of_the_platform_completes_with_the_receipt(world: World) -> None:
    issue_card(world.member, acting_user=SYSTEM)
    t = services.start_transfer(
        world.member,
        destination="中共深圳市南山区粤海街道某党支部",
        reason="赴外省工作",
        acting_user=world.secretary,
    )
    assert t.out_of_platform and t.destination_label == "中共深圳市南山区粤海街道某党支部"
    with pytest.raises(ValidationError, match="withdrawn by the sending branch"):
        services.reject_transfer(t, note="x", acting_user=world.secretary)
    services.accept_transfer(t, note="回执已收到", acting_user=world.secretary)
    member = Member.objects.get(pk=world.member.pk)
    assert member.status == "left" and member.organization_id == world.branch.pk
    assert valid_card(member) is None
    assert AuditEntry.objects.filter(action="member.status", detail=f"transfer {t.pk}").exists()


def test_members_in_trouble_are_not_transferred(world: World) -> None:
    services.open_case(world.member, lost_on=days_ago(30), acting_user=world.secretary)
    with pytest.raises(ValidationError, match="status is Lost contact"):
        services.start_transfer(
            world.member, to_org=world.branch2, reason="调动", acting_user=world.secretary
        )


def test_a_member_moved_meanwhile_cannot_be_accepted(world: World) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    update_member(world.member, {}, organization=world.branch2, acting_user=world.county_staff)
    with pytest.raises(ValidationError, match="no longer in the sending branch"):
        services.accept_transfer(t, acting_user=world.outsider)
    assert where(world.member) == world.branch2.pk


def test_floating_member_transferred_closes_the_floating_record(world: World) -> None:
    record = services.register_floating(
        world.member,
        {"left_on": days_ago(60), "destination": "广州", "reason": "务工", "managing_org": world.branch_b},
        acting_user=world.secretary,
    )
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="定居", acting_user=world.secretary
    )
    services.accept_transfer(t, acting_user=world.outsider)
    record.refresh_from_db()
    member = Member.objects.get(pk=world.member.pk)
    assert record.state == "closed" and member.status == "active"
    # The record's closing is on the home branch's audit trail, naming the transfer.
    closed = AuditEntry.objects.get(action="floating.close", object_id=str(record.pk))
    assert closed.detail == f"transfer {t.pk}" and closed.org_path == world.branch.path
    moved = AuditEntry.objects.get(action="member.transfer")
    assert moved.changes["status"] == ["floating_out", "active"]


def test_the_account_follows_the_member_and_other_roles_are_flagged(world: World) -> None:
    # 张伟's account also holds the organizer role on the sending branch.
    grant_role(world.member_user, world.branch, Role.ORGANIZER, acting_user=SYSTEM)
    admin = make_user("county_admin", Role.SECURITY_ADMIN, world.county)
    outside_admin = make_user("county_b_admin", Role.SECURITY_ADMIN, world.county_b)  # the new side's
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    services.accept_transfer(t, acting_user=world.outsider)
    account = User.objects.get(pk=world.member_user.pk)
    assert account.home_org_id == world.branch_b.pk
    entry = AuditEntry.objects.get(action="user.home_org")
    assert entry.changes["home_org"] == [str(world.branch), str(world.branch_b)]
    assert entry.detail == f"transfer {t.pk}"
    # The organizer role on the old branch is kept, not silently removed; the security
    # administrators (who grant and revoke roles) whose reach covers the old branch review it.
    assert RoleGrant.objects.filter(user=account, organization=world.branch, role=Role.ORGANIZER).exists()
    notes = Notification.objects.filter(key=f"transfer-roles:{t.pk}")
    assert {n.user_id for n in notes} == {admin.pk, world.secadmin.pk}
    note = notes[0]
    assert "Organizer" in note.body and "第一党支部" in note.body and note.url == f"/transfers/{t.pk}/"
    assert not Notification.objects.filter(user=outside_admin).exists()


def test_an_account_with_only_the_member_role_needs_no_review(world: World) -> None:
    make_user("county_admin", Role.SECURITY_ADMIN, world.county)
    t = services.start_transfer(
        world.member, to_org=world.branch2, reason="调动", acting_user=world.secretary
    )
    services.accept_transfer(t, acting_user=world.county_staff)
    assert User.objects.get(pk=world.member_user.pk).home_org_id == world.branch2.pk
    assert not Notification.objects.filter(kind="transfer.roles").exists()


def test_leaving_the_platform_keeps_the_account_as_for_every_departure(world: World) -> None:
    t = services.start_transfer(
        world.member, destination="中共外省某党支部", reason="调动", acting_user=world.secretary
    )
    services.accept_transfer(t, acting_user=world.secretary)
    account = User.objects.get(pk=world.member_user.pk)
    assert account.is_active and account.home_org_id == world.branch.pk


def test_a_note_too_long_is_refused_not_cut(world: World) -> None:
    t = services.start_transfer(
        world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
    )
    with pytest.raises(ValidationError) as exc:
        services.reject_transfer(t, note="查" * 201, acting_user=world.outsider)
    assert "at most 200 characters" in " ".join(exc.value.message_dict["note"])
    assert Transfer.objects.get(pk=t.pk).state == TransferState.SENT


def test_the_letter_number_carries_the_beijing_year(world: World) -> None:
    # 00:30 on 1 January in Beijing is 16:30 on 31 December in UTC.
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with mock.patch("django.utils.timezone.now", return_value=new_year.astimezone(UTC)):
        t = services.start_transfer(
            world.member, to_org=world.branch_b, reason="调动", acting_user=world.secretary
        )
    assert Transfer.objects.get(pk=t.pk).letter_no == f"{world.branch.code}-2027-{t.pk:05d}"
