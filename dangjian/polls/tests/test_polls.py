"""Polls through the services: electorate, one ballot each, deadline, results, anonymity."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, models
from django.utils import timezone, translation

from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from dangjian.notifications.models import Notification
from dangjian.polls.models import Ballot, BallotChoice, Elector, Poll, PollStatus, VoterMark
from dangjian.polls.queries import results, voted_count
from dangjian.polls.services import (
    cancel_poll,
    cast_vote,
    close_due_polls,
    close_if_due,
    close_poll,
    open_poll,
)
from dangjian.polls.tasks import close_due
from dangjian.testing.world import World, build_world, make_member

from .helpers import add_voters, make_poll, option_ids


def test_the_electorate_is_the_full_members_frozen_at_opening(world: World) -> None:
    add_voters(world)
    poll = make_poll(world)
    electors = set(Elector.objects.filter(poll=poll).values_list("member__name", flat=True))
    assert electors == {"张伟", "李娜"}  # not the probationary member
    assert poll.eligible_count == 2 and poll.status == PollStatus.OPEN and poll.opened_at
    late = make_member(world.branch, "新转入")  # joins after opening: not a voter of this poll
    assert not Elector.objects.filter(poll=poll, member=late).exists()
    assert Poll.objects.get(pk=poll.pk).eligible_count == 2


def test_a_party_group_or_chosen_members_as_electorate(world: World) -> None:
    by_group = make_poll(world, electorate="group", party_group=world.group)
    assert list(Elector.objects.filter(poll=by_group).values_list("member", flat=True)) == [world.member.pk]
    chosen = make_poll(world, electorate="chosen", members=[world.member2])
    assert list(Elector.objects.filter(poll=chosen).values_list("member", flat=True)) == [world.member2.pk]
    with pytest.raises(ValidationError, match="party group must belong"):
        other = world.branch_b.party_groups.create(name="外支部小组")
        make_poll(world, electorate="group", party_group=other)
    with pytest.raises(ValidationError, match="chosen members must belong"):
        make_poll(world, electorate="chosen", members=[world.member_b])


def test_bad_polls_are_refused_and_audited(world: World) -> None:
    with pytest.raises(ValidationError, match="at least two"):
        make_poll(world, options=["唯一", " ", "唯一"])
    with pytest.raises(ValidationError, match="in the future"):
        make_poll(world, closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="from 2 up to"):
        make_poll(world, kind="multiple", max_choices=5)
    with pytest.raises(ValidationError, match="Enter the title"):
        make_poll(world, title="  ")
    assert not Poll.objects.exists()
    assert AuditEntry.objects.filter(action="poll.create", success=False).count() == 4


def test_only_the_branch_secretary_or_organizer_runs_polls(world: World) -> None:
    poll = make_poll(world, opened=False)
    for persona in ("county_staff", "member_user", "outsider", "sysadmin"):
        with pytest.raises(OutOfScope):
            open_poll(poll, acting_user=world.users[persona])
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.DRAFT
    assert AuditEntry.objects.filter(action="poll.open", success=False).count() == 4


def test_one_ballot_each_and_a_second_is_refused(world: World) -> None:
    poll = make_poll(world)
    first = option_ids(poll)[0]
    cast_vote(poll, [first], acting_user=world.member_user)
    with pytest.raises(ValidationError, match="already voted"):
        cast_vote(poll, [option_ids(poll)[1]], acting_user=world.member_user)
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert VoterMark.objects.filter(poll=poll).count() == 1
    assert AuditEntry.objects.filter(action="poll.vote", success=False).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_ballots_of_one_member_store_one() -> None:
    world = build_world()
    poll = make_poll(world)
    ids = option_ids(poll)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(option: int) -> None:
        try:
            barrier.wait()
            cast_vote(poll, [option], acting_user=world.member_user)
            outcomes.append("ok")
        except ValidationError as exc:  # threads speak the default language: compare the code
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(o,)) for o in ids[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "repeat"]
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1
    assert VoterMark.objects.filter(poll=poll).count() == 1


def test_the_unique_constraint_refuses_a_second_mark_even_past_the_service(world: World) -> None:
    poll = make_poll(world)
    VoterMark.objects.create(poll=poll, member=world.member)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        VoterMark.objects.create(poll=poll, member=world.member)


def test_outside_the_electorate_refused_and_audited(world: World) -> None:
    users = add_voters(world)
    poll = make_poll(world, electorate="chosen", members=[world.member2])
    for user in (world.member_user, users["probationer"], world.secretary):
        with pytest.raises(ValidationError, match="not among the voters"):
            cast_vote(poll, option_ids(poll)[:1], acting_user=user)
    assert not Ballot.objects.exists() and not VoterMark.objects.exists()
    refused = AuditEntry.objects.filter(action="poll.vote", success=False)
    assert refused.count() == 3
    assert {e.object_id for e in refused} == {str(poll.pk)}


def test_too_many_choices_and_foreign_options_refused(world: World) -> None:
    poll = make_poll(world, kind="multiple", max_choices=2, options=["甲", "乙", "丙"])
    other = make_poll(world)
    with pytest.raises(ValidationError, match="at most 2"):
        cast_vote(poll, option_ids(poll), acting_user=world.member_user)
    with pytest.raises(ValidationError, match="poll's options"):
        cast_vote(poll, option_ids(other)[:1], acting_user=world.member_user)
    with pytest.raises(ValidationError, match="at least one"):
        cast_vote(poll, [], acting_user=world.member_user)
    assert not Ballot.objects.exists() and not VoterMark.objects.exists()
    cast_vote(poll, option_ids(poll)[:2], acting_user=world.member_user)
    assert BallotChoice.objects.count() == 2


def test_a_ballot_after_the_deadline_is_refused_and_the_poll_closes(world: World) -> None:
    poll = make_poll(world)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="has closed"):
        cast_vote(poll, option_ids(poll)[:1], acting_user=world.member_user)
    assert not Ballot.objects.exists()
    poll.refresh_from_db()
    assert close_if_due(poll).status == PollStatus.CLOSED  # lazily, on read
    assert AuditEntry.objects.get(action="poll.close").detail == "deadline"


def test_the_periodic_task_closes_due_polls_only(world: World) -> None:
    due, later = make_poll(world), make_poll(world)
    Poll.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    close_due()
    assert Poll.objects.get(pk=due.pk).status == PollStatus.CLOSED
    assert Poll.objects.get(pk=later.pk).status == PollStatus.OPEN
    assert close_due_polls() == 0


def test_results_only_after_closing_and_turnout_against_the_electorate(world: World) -> None:
    add_voters(world)
    poll = make_poll(world)
    ids = option_ids(poll)
    cast_vote(poll, [ids[1]], acting_user=world.member_user)
    assert results(poll) is None  # open: nobody sees a tally, the creator neither
    assert voted_count(poll) == 1 and poll.eligible_count == 2
    close_poll(poll, acting_user=world.secretary)
    poll.refresh_from_db()
    rows = results(poll)
    assert rows is not None
    assert [(r.option.label, r.votes, r.pct) for r in rows] == [
        ("红色教育基地", 0, 0),
        ("社区党群服务中心", 1, 100),
        ("线上", 0, 0),
    ]
    with pytest.raises(ValidationError, match=r"has closed|not open"):
        cast_vote(poll, [ids[0]], acting_user=world.users["voter2"])


def test_a_cancelled_poll_shows_no_results_and_takes_no_votes(world: World) -> None:
    poll = make_poll(world)
    cancel_poll(poll, acting_user=world.secretary)
    poll.refresh_from_db()
    assert results(poll) is None
    with pytest.raises(ValidationError, match="not open"):
        cast_vote(poll, option_ids(poll)[:1], acting_user=world.member_user)
    with pytest.raises(ValidationError, match="cannot do this"):
        open_poll(poll, acting_user=world.secretary)


# --- anonymity ---------------------------------------------------------------------------------


def _links(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields() if f.is_relation and f.concrete}


@pytest.mark.django_db
def test_no_column_of_a_ballot_links_it_to_a_voter_or_a_moment() -> None:
    # A ballot names only its poll; its choices only the ballot and the option. No timestamp, and
    # random keys: no column orders ballots by when they were cast.
    assert _links(Ballot) == {"poll"}
    assert _links(BallotChoice) == {"ballot", "option"}
    for model in (Ballot, BallotChoice):
        fields = model._meta.concrete_fields
        assert not [
            f for f in fields if isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
        ]
        assert isinstance(model._meta.pk, models.UUIDField)
    with connection.cursor() as cursor:
        for model in (Ballot, BallotChoice):
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)
            }
            assert columns == {f.column for f in model._meta.concrete_fields}
            assert not {"member_id", "user_id", "created_at", "at"} & columns


def test_an_anonymous_ballot_cannot_be_joined_to_its_voter(world: World) -> None:
    add_voters(world)
    poll = make_poll(world)
    ids = option_ids(poll)
    cast_vote(poll, [ids[0]], acting_user=world.member_user)
    cast_vote(poll, [ids[2]], acting_user=world.users["voter2"])
    # The marks point at no ballot; the audit entries name the poll, never a ballot or a choice.
    assert list(VoterMark.objects.filter(poll=poll).values_list("ballot", flat=True)) == [None, None]
    ballot_keys = {str(b) for b in Ballot.objects.values_list("pk", flat=True)}
    for entry in AuditEntry.objects.filter(action="poll.vote"):
        assert entry.changes == {} and entry.object_id == str(poll.pk)
        text = f"{entry.changes} {entry.detail} {entry.object_repr}"
        assert not any(key in text for key in ballot_keys)
        assert "红色教育基地" not in text and "线上" not in text


def test_a_named_poll_keeps_the_choice_with_the_voter(world: World) -> None:
    poll = make_poll(world, anonymous=False)
    cast_vote(poll, [option_ids(poll)[1]], acting_user=world.member_user)
    mark = VoterMark.objects.get(poll=poll)
    assert mark.member == world.member
    assert list(BallotChoice.objects.filter(ballot=mark.ballot).values_list("option__label", flat=True)) == [
        "社区党群服务中心"
    ]
    assert AuditEntry.objects.get(action="poll.vote").changes == {"options": [None, ["社区党群服务中心"]]}


def test_a_member_who_left_has_no_vote(world: World) -> None:
    Member.objects.filter(pk=world.member2.pk).update(status="suspended")
    poll = make_poll(world)
    assert poll.eligible_count == 1


def _stamps(table: str, where: str, poll: Poll) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table} WHERE {where} = %s", [poll.pk])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_closing_deals_the_anonymous_ballots_anew_keeping_the_tally(world: World) -> None:
    add_voters(world)
    poll = make_poll(world)
    ids = option_ids(poll)
    cast_vote(poll, [ids[0]], acting_user=world.member_user)
    cast_vote(poll, [ids[2]], acting_user=world.users["voter2"])
    before = set(Ballot.objects.filter(poll=poll).values_list("pk", flat=True))
    close_poll(poll, acting_user=world.secretary)
    after = set(Ballot.objects.filter(poll=poll).values_list("pk", flat=True))
    assert len(after) == 2 and not after & before
    tally = sorted(BallotChoice.objects.filter(ballot__poll=poll).values_list("option_id", flat=True))
    assert tally == sorted([ids[0], ids[2]])
    if connection.vendor == "postgresql":
        ballots, marks = _stamps("polls_ballot", "poll_id", poll), _stamps("polls_votermark", "poll_id", poll)
        # One stamp for all the ballots, the closing transaction's: none of a voter's.
        assert len(set(ballots)) == 1 and not set(ballots) & set(marks)


def test_a_named_poll_keeps_its_ballots_when_closed(world: World) -> None:
    poll = make_poll(world, anonymous=False)
    cast_vote(poll, [option_ids(poll)[1]], acting_user=world.member_user)
    close_poll(poll, acting_user=world.secretary)
    mark = VoterMark.objects.get(poll=poll)
    assert mark.ballot is not None and mark.ballot.choices.get().option_id == option_ids(poll)[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_vacuum_after_closing_runs_outside_the_transaction() -> None:
    world = build_world()
    poll = make_poll(world)
    cast_vote(poll, [option_ids(poll)[0]], acting_user=world.member_user)
    close_poll(poll, acting_user=world.secretary)  # VACUUM after the commit: it would raise inside
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1


def test_electors_are_told_in_the_platform_language_whatever_the_secretary_reads(world: World) -> None:
    add_voters(world)
    with translation.override("en"):  # a secretary using the English pages opens the poll
        poll = make_poll(world)
    note = Notification.objects.get(user=world.users["voter2"], kind="poll")
    assert note.title == f"投票：{poll.title}" and note.body.startswith("投票截止")
