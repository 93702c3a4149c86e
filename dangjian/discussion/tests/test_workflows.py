"""The discussion's threads and held posts move through the workflow kernel: each move leaves
its history, one audit entry and one change event; only moderators take them."""

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import AuditEntry, StateChange
from dangjian.discussion import services
from dangjian.discussion.models import Post, PostState, Thread, ThreadState
from dangjian.discussion.workflows import POST_FLOW, THREAD_FLOW
from dangjian.testing.world import World


def _moves(row: Thread | Post) -> list[tuple[str, str, str]]:
    return [(s.move, s.source, s.target) for s in StateChange.of_many(type(row), [row.pk])]


@pytest.fixture
def heard() -> Any:
    calls: list[tuple[str, int, date | None]] = []

    def listen(topic: str, org_id: int, on: date | None) -> None:
        calls.append((topic, org_id, on))

    events.subscribe("discussion.post", listen)
    yield calls
    events.unsubscribe("discussion.post", listen)


@pytest.mark.django_db(transaction=True)
def test_closing_and_reopening_leave_history_audit_and_one_event_each(world: World, heard: Any) -> None:
    thread = services.start_thread(world.branch, "标题", "内容", acting_user=world.member_user)
    heard.clear()
    services.set_closed(thread, True, acting_user=world.secretary)
    assert len(heard) == 1 and heard[0][1] == world.branch.pk
    # Asking for the state it is in changes nothing and records nothing.
    services.set_closed(thread, True, acting_user=world.secretary)
    services.set_closed(thread, False, acting_user=world.secretary)
    assert _moves(thread) == [("close", "open", "closed"), ("reopen", "closed", "open")]
    assert AuditEntry.objects.filter(action="discussion.thread.close", success=True).count() == 1
    assert AuditEntry.objects.filter(action="discussion.thread.reopen", success=True).count() == 1
    assert len(heard) == 2


def test_a_held_or_rejected_thread_is_neither_closed_nor_reopened(world: World) -> None:
    services.set_words(world.county, "敏感词", acting_user=world.county_staff)
    held = services.start_thread(world.branch, "含敏感词", "内容", acting_user=world.member_user)
    for closed in (True, False):
        with pytest.raises(ValidationError) as exc:
            services.set_closed(held, closed, acting_user=world.secretary)
        assert exc.value.code == "state"
    assert Thread.objects.get(pk=held.pk).state == ThreadState.HELD
    assert _moves(held) == []


def test_review_moves_the_post_and_its_thread_and_stamps_the_reviewer(world: World) -> None:
    services.set_words(world.county, "敏感词", acting_user=world.county_staff)
    thread = services.start_thread(world.branch, "正常", "正常内容", acting_user=world.member_user)
    held = services.reply(thread, "含敏感词的回复", acting_user=world.member_user)
    services.review_post(held, True, acting_user=world.secretary)
    post = Post.objects.get(pk=held.pk)
    assert post.state == PostState.PUBLISHED and post.reviewed_by == world.secretary
    assert Thread.objects.get(pk=thread.pk).reply_count == 1
    assert _moves(post) == [("approve", "held", "published")]
    entry = AuditEntry.objects.get(action="discussion.post.approve", success=True)
    assert entry.changes["text"] == "含敏感词的回复" and entry.changes["held_words"] == "敏感词"
    opening = services.start_thread(world.branch, "敏感词标题", "内容", acting_user=world.member_user)
    services.review_post(opening.posts.get(), False, acting_user=world.secretary)
    assert Thread.objects.get(pk=opening.pk).state == ThreadState.REJECTED
    assert AuditEntry.objects.filter(action="discussion.post.reject", success=True).count() == 1


def test_only_moderators_move_and_others_are_told_nothing_exists(world: World) -> None:
    services.set_words(world.county, "敏感词", acting_user=world.county_staff)
    thread = services.start_thread(world.branch, "正常", "内容", acting_user=world.member_user)
    held = services.reply(thread, "敏感词", acting_user=world.member_user)
    for user in (world.member_user, world.outsider):
        with pytest.raises(OutOfScope):
            services.review_post(held, True, acting_user=user)
        with pytest.raises(OutOfScope):
            services.set_closed(thread, True, acting_user=user)
    assert POST_FLOW.allowed(world.member_user, held) == []
    assert [t.name for t in POST_FLOW.allowed(world.secretary, held)] == ["approve", "reject"]
    assert [t.name for t in THREAD_FLOW.allowed(world.secretary, thread)] == ["close"]
    # Committee staff read the branch's discussion; they do not moderate it.
    assert THREAD_FLOW.allowed(world.county_staff, thread) == []
    assert Post.objects.get(pk=held.pk).state == PostState.HELD
    assert AuditEntry.objects.filter(action="discussion.post.review", success=False).count() == 2
