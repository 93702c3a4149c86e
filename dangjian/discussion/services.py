"""All writes to the discussion: start a thread, reply, moderate, report, review, set the word
list. Each is a `write_service` (atomic, audited, refused writes audited too)."""

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from dangjian.accounts.models import User
from dangjian.core import audit, events, uploads
from dangjian.core import images as image_files
from dangjian.core.services import account_of, write_service
from dangjian.core.tree import ancestor_paths
from dangjian.notifications.services import Message, notify_many, platform_language
from dangjian.organizations.models import Organization
from dangjian.orglife import richtext

from . import access
from .models import (
    BODY_MAX,
    REASON_MAX,
    TITLE_MAX,
    Post,
    PostImage,
    PostState,
    Report,
    ReportState,
    Resolution,
    Thread,
    ThreadState,
    WordList,
)
from .workflows import POST_FLOW, THREAD_FLOW

IMAGES_MAX = 4
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_SIDE = 8000  # refused before decoding above this
IMAGE_FIT_SIDE = 2048  # stored at most this large: enough for a phone, a tenth of the bytes
THUMB_SIDE = 480
WORDS_MAX = 500
WORD_MAX = 30
_MENTION = re.compile(r"@")


def _name(user: Any) -> str:
    member = getattr(user, "member", None)
    return (member.name if member is not None else "") or user.get_username()


def _clean_body(text: Any) -> str:
    if not isinstance(text, str):
        raise ValidationError({"body": _("Enter text.")})
    if len(text) > BODY_MAX:
        raise ValidationError(
            {"body": _("At most %(n)s characters (this one has %(m)s).") % {"n": BODY_MAX, "m": len(text)}},
            code="too_long",
        )
    html = richtext.to_html(text)
    if not strip_tags(html).strip():
        raise ValidationError({"body": _("Write something first.")}, code="empty")
    return html


def _clean_title(title: Any) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ValidationError({"title": _("Give the thread a title.")})
    title = " ".join(title.split())
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("At most %(n)s characters.") % {"n": TITLE_MAX}}, code="too_long")
    return title


def _clean_reason(reason: Any, *, required: bool) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if required and not reason:
        raise ValidationError({"reason": _("Say why.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": REASON_MAX}})
    return reason


def effective_words(org: Organization) -> list[str]:
    """The words held for review in `org`: its own list and those of every organization above."""
    lists = WordList.objects.filter(organization__path__in=[org.path, *ancestor_paths(org.path)])
    return sorted({w for row in lists for w in row.word_list()})


def matched_words(org: Organization, *texts: str) -> list[str]:
    words = effective_words(org)
    if not words:
        return []
    plain = " ".join(strip_tags(t) for t in texts).casefold()
    return [w for w in words if w.casefold() in plain]


def _check_images(files: Sequence[UploadedFile]) -> list[image_files.CleanImage]:
    if len(files) > IMAGES_MAX:
        raise ValidationError({"images": _("At most %(n)s images a post.") % {"n": IMAGES_MAX}})
    return image_files.reencode_all(
        files,
        "images",
        max_bytes=IMAGE_MAX_BYTES,
        max_side=IMAGE_MAX_SIDE,
        fit_side=IMAGE_FIT_SIDE,
        thumbnail_side=THUMB_SIDE,
        alpha=True,
        orient=True,
    )


def _store_images(post: Post, cleaned: list[image_files.CleanImage]) -> None:
    with uploads.saved_together() as save:
        for image in cleaned:
            assert image.thumbnail is not None
            PostImage.objects.create(
                post=post,
                organization_id=post.organization_id,
                file=save("discussion", image.kind, image.content),
                thumbnail=save("discussion-thumb", image.kind, image.thumbnail),
                content_type=image.kind.content_type,
                width=image.width,
                height=image.height,
            )


def mentioned_users(org: Organization, body: str, author: Any) -> list[int]:
    """Accounts of the branch's members named as `@姓名` in the text (the longest name that
    follows an @), never the author."""
    text = strip_tags(body)
    if "@" not in text:
        return []
    people = list(
        User.objects.filter(member__organization=org, is_active=True)
        .exclude(pk=getattr(author, "pk", None))
        .values_list("pk", "member__name")
    )
    people.sort(key=lambda p: -len(p[1] or ""))
    found: list[int] = []
    for match in _MENTION.finditer(text):
        rest = text[match.end() :]
        for pk, name in people:
            if name and rest.startswith(name):
                if pk not in found:
                    found.append(pk)
                break
    return found


def _notify_mentions(post: Post) -> None:
    ids = mentioned_users(post.organization, post.body, post.author)
    if not ids:
        return
    url = reverse("discussion:thread", args=[post.thread_id]) + f"#post-{post.pk}"
    with platform_language():
        title = _("%(name)s mentioned you in “%(title)s”") % {
            "name": post.author_name,
            "title": post.thread.title,
        }
    message = Message(
        ids, "discussion_mention", f"discussion-mention:{post.pk}", title, strip_tags(post.body)[:200], url
    )
    notify_many([message])  # inside the write: rolled back with it; emails go after commit


def _new_post(
    thread: Thread, body: str, files: Sequence[UploadedFile], acting_user: Any, *, opening: bool
) -> Post:
    cleaned = _check_images(files)
    held = matched_words(thread.organization, body, thread.title if opening else "")
    post = Post.objects.create(
        thread=thread,
        organization_id=thread.organization_id,
        author=account_of(acting_user),
        author_name=_name(acting_user),
        opening=opening,
        body=body,
        state=PostState.HELD if held else PostState.PUBLISHED,
        held_words="、".join(held)[:200],
    )
    post.thread = thread
    if cleaned:
        _store_images(post, cleaned)
    if not held:
        _notify_mentions(post)
    return post


@write_service("discussion.thread.start")
def start_thread(
    org: Organization,
    title: Any,
    body: Any,
    *,
    acting_user: Any,
    images: Sequence[UploadedFile] = (),
) -> Thread:
    """A new thread in the branch's space; held for review when its title or text matches the
    word list."""
    org = Organization.objects.get(pk=org.pk)
    access.require(acting_user, org, "post")
    errors: dict[str, Any] = {}
    clean_title = clean_body = ""
    for field, check, value in (("title", _clean_title, title), ("body", _clean_body, body)):
        try:
            if field == "title":
                clean_title = check(value)
            else:
                clean_body = check(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    thread = Thread.objects.create(
        organization=org,
        author=account_of(acting_user),
        author_name=_name(acting_user),
        title=clean_title,
        last_activity_at=now,
    )
    post = _new_post(thread, clean_body, images, acting_user, opening=True)
    if post.state == PostState.HELD:
        thread.state = ThreadState.HELD
        thread.save(update_fields=["state"])
    audit.record(
        "discussion.thread.start",
        actor=acting_user,
        obj=thread,
        org_path=org.path,
        changes={"title": clean_title, "state": thread.state, "images": len(images)},
    )
    _published_changed(post)
    return thread


def _locked_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update().select_related("organization").get(pk=thread.pk)


@write_service("discussion.post.reply")
def reply(thread: Thread, body: Any, *, acting_user: Any, images: Sequence[UploadedFile] = ()) -> Post:
    """A reply to an open thread (a closed or unpublished one takes none)."""
    thread = _locked_thread(thread)
    access.require(acting_user, thread.organization, "post")
    if thread.hidden or thread.state != ThreadState.OPEN:
        raise ValidationError(_("This thread is closed to replies."), code="closed")
    clean = _clean_body(body)
    post = _new_post(thread, clean, images, acting_user, opening=False)
    if post.state == PostState.PUBLISHED:
        Thread.objects.filter(pk=thread.pk).update(
            last_activity_at=post.created_at, reply_count=thread.reply_count + 1
        )
    audit.record(
        "discussion.post.reply",
        actor=acting_user,
        obj=post,
        org_path=thread.organization.path,
        changes={"state": post.state, "held_words": post.held_words, "images": len(images)},
    )
    _published_changed(post)
    return post


def _moderated_thread(thread: Thread, acting_user: Any) -> Thread:
    thread = _locked_thread(thread)
    access.require(acting_user, thread.organization, "change")
    return thread


@write_service("discussion.thread.pin")
def set_pinned(thread: Thread, pinned: bool, *, acting_user: Any) -> Thread:
    thread = _moderated_thread(thread, acting_user)
    if pinned and not thread.is_published:
        raise ValidationError(_("Only a published thread can be pinned."), code="state")
    if thread.pinned != pinned:
        thread.pinned = pinned
        thread.save(update_fields=["pinned"])
        audit.record("discussion.thread.pin", actor=acting_user, obj=thread, changes={"pinned": pinned})
    return thread


@write_service("discussion.thread.close")
def set_closed(thread: Thread, closed: bool, *, acting_user: Any) -> Thread:
    """Close an open thread (no more replies) or open a closed one again; asking for the state
    it is already in changes nothing."""
    thread = _moderated_thread(thread, acting_user)
    if thread.state == (ThreadState.CLOSED if closed else ThreadState.OPEN):
        return thread
    return THREAD_FLOW.move(thread, "close" if closed else "reopen", acting_user=acting_user, locked=True)


def _published_changed(row: Thread | Post) -> None:
    # What the branch has published in its space changed (point 10 counts visible posts).
    events.changed("discussion.post", row.organization_id, timezone.localdate(row.created_at))


def _set_hidden(row: Thread | Post, hidden: bool, reason: str, acting_user: Any) -> None:
    row.hidden = hidden
    row.hidden_by = account_of(acting_user) if hidden else None
    row.hidden_at = timezone.now() if hidden else None
    row.hidden_reason = reason if hidden else ""
    row.save(update_fields=["hidden", "hidden_by", "hidden_at", "hidden_reason"])
    _published_changed(row)


@write_service("discussion.thread.hide")
def hide_thread(thread: Thread, *, reason: Any, acting_user: Any) -> Thread:
    """Hide a whole thread from members; the audit entry keeps its title and opening text."""
    thread = _moderated_thread(thread, acting_user)
    reason = _clean_reason(reason, required=True)
    if not thread.hidden:
        _set_hidden(thread, True, reason, acting_user)
        opening = thread.posts.filter(opening=True).values_list("body", flat=True).first() or ""
        audit.record(
            "discussion.thread.hide",
            actor=acting_user,
            obj=thread,
            changes={
                "title": thread.title,
                "author": thread.author_name,
                "text": strip_tags(opening),
                "reason": reason,
            },
        )
    return thread


@write_service("discussion.thread.unhide")
def unhide_thread(thread: Thread, *, acting_user: Any) -> Thread:
    thread = _moderated_thread(thread, acting_user)
    if thread.hidden:
        _set_hidden(thread, False, "", acting_user)
        audit.record(
            "discussion.thread.unhide", actor=acting_user, obj=thread, changes={"hidden": [True, False]}
        )
    return thread


def _moderated_post(post: Post, acting_user: Any) -> Post:
    post = Post.objects.select_for_update().select_related("organization", "thread").get(pk=post.pk)
    access.require(acting_user, post.organization, "change")
    return post


@write_service("discussion.post.hide")
def hide_post(post: Post, *, reason: Any, acting_user: Any) -> Post:
    """Hide a post from members (its images too); the audit entry keeps its text and author.
    Open reports of the post are resolved with it."""
    post = _moderated_post(post, acting_user)
    reason = _clean_reason(reason, required=True)
    if not post.hidden:
        _set_hidden(post, True, reason, acting_user)
        audit.record(
            "discussion.post.hide",
            actor=acting_user,
            obj=post,
            changes={"author": post.author_name, "text": strip_tags(post.body), "reason": reason},
        )
    _resolve_reports(post, Resolution.HIDDEN, acting_user)
    return post


@write_service("discussion.post.unhide")
def unhide_post(post: Post, *, acting_user: Any) -> Post:
    post = _moderated_post(post, acting_user)
    if post.hidden:
        _set_hidden(post, False, "", acting_user)
        audit.record("discussion.post.unhide", actor=acting_user, obj=post, changes={"hidden": [True, False]})
    return post


@write_service("discussion.post.review")
def review_post(post: Post, approve: bool, *, acting_user: Any) -> Post:
    """The secretary's decision on a held post: published (mentions notified then) or rejected.
    A held opening post decides its thread (`workflows.POST_FLOW`)."""
    return POST_FLOW.move(post, "approve" if approve else "reject", acting_user=acting_user)


@write_service("discussion.post.report")
def report_post(post: Post, reason: Any, *, acting_user: Any) -> Report:
    """A member reports a published post to the secretary: once per member and post."""
    post = Post.objects.select_related("organization", "thread").get(pk=post.pk)
    access.require(acting_user, post.organization, "post")
    if post.state != PostState.PUBLISHED or post.hidden or post.thread.hidden:
        raise ValidationError(_("This post cannot be reported."), code="state")
    if post.author_id == getattr(acting_user, "pk", None):
        raise ValidationError(_("You cannot report your own post."), code="own")
    clean = _clean_reason(reason, required=True)
    if Report.objects.filter(post=post, reporter=acting_user).exists():
        raise ValidationError(_("You have already reported this post."), code="duplicate")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                post=post, organization_id=post.organization_id, reporter=acting_user, reason=clean
            )
    except IntegrityError as exc:  # the same member reporting twice at once
        raise ValidationError(_("You have already reported this post."), code="duplicate") from exc
    audit.record("discussion.post.report", actor=acting_user, obj=post, changes={"reason": clean})
    return report


def _resolve_reports(post: Post, resolution: str, acting_user: Any) -> int:
    return Report.objects.filter(post=post, state=ReportState.OPEN).update(
        state=ReportState.RESOLVED,
        resolution=resolution,
        resolved_by=account_of(acting_user),
        resolved_at=timezone.now(),
    )


@write_service("discussion.report.resolve")
def resolve_report(report: Report, *, hide: bool, reason: Any = "", acting_user: Any) -> Report:
    """The secretary settles a report: hide the post (every open report of it is resolved with
    it) or dismiss the reports of the post."""
    report = Report.objects.select_related("organization", "post").get(pk=report.pk)
    access.require(acting_user, report.organization, "change")
    if report.state != ReportState.OPEN:
        raise ValidationError(_("This report is already resolved."), code="state")
    if hide:
        hide_post(report.post, reason=reason or report.reason, acting_user=acting_user)
    else:
        count = _resolve_reports(report.post, Resolution.DISMISSED, acting_user)
        audit.record(
            "discussion.report.resolve", actor=acting_user, obj=report.post, changes={"dismissed": count}
        )
    report.refresh_from_db()
    return report


@write_service("discussion.words.set")
def set_words(
    org: Organization, words: Any, *, acting_user: Any, expected_version: int | None = None
) -> WordList:
    """The word list of a committee for its subtree, one word or phrase a line."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    access.require(acting_user, org, "words")
    if not isinstance(words, str):
        raise ValidationError({"words": _("Enter text.")})
    items = list(dict.fromkeys(w.strip() for w in words.splitlines() if w.strip()))
    if len(items) > WORDS_MAX:
        raise ValidationError({"words": _("At most %(n)s words.") % {"n": WORDS_MAX}})
    long = [w for w in items if len(w) > WORD_MAX]
    if long:
        raise ValidationError(
            {
                "words": _("A word or phrase has at most %(n)s characters: %(w)s")
                % {"n": WORD_MAX, "w": long[0][:40]}
            }
        )
    row = WordList.objects.select_for_update().filter(organization=org).first() or WordList(organization=org)
    if expected_version is not None and expected_version != row.version:
        raise ValidationError(
            _("Someone changed this record after you opened it; reload the page and try again."), code="stale"
        )
    before = row.word_list()
    row.words = "\n".join(items)
    row.version += 1
    row.updated_by = account_of(acting_user)
    row.save()
    audit.record(
        "discussion.words.set",
        actor=acting_user,
        obj=org,
        changes={
            "added": [w for w in items if w not in before],
            "removed": [w for w in before if w not in items],
        },
    )
    return row


def moderate_thread(thread: Thread, verb: str, *, reason: Any = "", acting_user: Any) -> Thread:
    """One moderation verb on a thread, as the pages and the API name them."""
    if verb in ("pin", "unpin"):
        return set_pinned(thread, verb == "pin", acting_user=acting_user)
    if verb in ("close", "reopen"):
        return set_closed(thread, verb == "close", acting_user=acting_user)
    if verb == "hide":
        return hide_thread(thread, reason=reason, acting_user=acting_user)
    if verb == "unhide":
        return unhide_thread(thread, acting_user=acting_user)
    raise ValidationError(_("Unknown action."))


def moderate_post(post: Post, verb: str, *, reason: Any = "", acting_user: Any) -> Post:
    """One moderation verb on a post, as the pages and the API name them."""
    if verb == "hide":
        return hide_post(post, reason=reason, acting_user=acting_user)
    if verb == "unhide":
        return unhide_post(post, acting_user=acting_user)
    if verb in ("approve", "reject"):
        return review_post(post, verb == "approve", acting_user=acting_user)
    raise ValidationError(_("Unknown action."))
