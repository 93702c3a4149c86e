"""The discussion's two workflows on the kernel (`core.workflow`).

* A thread: open ──close──▶ closed ──reopen──▶ open. Held and rejected threads are decided by
  their opening post's review, never closed or reopened.
* A post held for review (it matched the word list): held ──approve──▶ published, or
  ──reject──▶ rejected. A held opening post decides its thread, and an approved reply counts
  in it: the `after` hook does that in the move's transaction.

Both are the moderators' (the discussion's "change" reach: the branch's secretary and the levels
above; `access.reach`), who are also the gate: anyone else is told the record does not exist.
Hiding and reports stay in the services: a hidden flag is not a state (a thread of any state may
be hidden), and one report's resolution settles every open report of the post at once.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Transition, Workflow, in_reach

from .models import Post, PostState, Thread, ThreadState

MODERATOR = in_reach("change", label="a moderator of the organization's discussion")


def _thread_refusal(thread: Thread) -> str:
    return _("A thread awaiting review or rejected cannot be closed or reopened.")


THREAD_FLOW = Workflow(
    model=Thread,
    states=ThreadState,
    transitions=(
        Transition(
            name="close",
            source=(ThreadState.OPEN,),
            target=ThreadState.CLOSED,
            who=(MODERATOR,),
            note="none",
            done=gettext_lazy("Thread closed to replies."),
        ),
        Transition(
            name="reopen",
            source=(ThreadState.CLOSED,),
            target=ThreadState.OPEN,
            who=(MODERATOR,),
            note="none",
            done=gettext_lazy("Thread open to replies again."),
        ),
    ),
    org=lambda t: t.organization,
    audit="discussion.thread",
    # What the branch's space shows changed (point 10 counts its published discussion).
    event="discussion.post",
    event_on=lambda t: timezone.localdate(t.created_at),
    note_field="",
    related=("organization",),
    back=lambda t: reverse("discussion:thread", args=[t.pk]),
    state_refusal=_thread_refusal,
    codes={"transition": "state"},
)


def _post_refusal(post: Post) -> str:
    return _("This post is not awaiting review.")


def _reviewed(post: Post, left: str, move: Transition) -> None:
    """The thread follows its posts' review: a held opening post opens or rejects it; an
    approved reply counts; the mentions of an approved post are told now, not when held."""
    from .services import _notify_mentions

    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    approved = post.state == PostState.PUBLISHED
    if post.opening:
        thread.state = ThreadState.OPEN if approved else ThreadState.REJECTED
        thread.last_activity_at = post.reviewed_at
        thread.save(update_fields=["state", "last_activity_at"])
    elif approved:
        thread.reply_count += 1
        thread.last_activity_at = post.reviewed_at
        thread.save(update_fields=["reply_count", "last_activity_at"])
    if approved:
        post.thread = thread
        _notify_mentions(post)


POST_FLOW = Workflow(
    model=Post,
    states=PostState,
    transitions=tuple(
        Transition(
            name=name,
            source=(PostState.HELD,),
            target=target,
            who=(MODERATOR,),
            note="none",
            stamp="reviewed",
            done=done,
        )
        for name, target, done in (
            ("approve", PostState.PUBLISHED, gettext_lazy("Post published.")),
            ("reject", PostState.REJECTED, gettext_lazy("Post rejected.")),
        )
    ),
    org=lambda p: p.organization,
    audit="discussion.post",
    audit_changes=lambda p: {"held_words": p.held_words, "text": strip_tags(p.body)},
    event="discussion.post",
    event_on=lambda p: timezone.localdate(p.created_at),
    note_field="",
    related=("organization", "thread"),
    back=lambda p: reverse("discussion:thread", args=[p.thread_id]),
    state_refusal=_post_refusal,
    codes={"transition": "state"},
    after=_reviewed,
)
