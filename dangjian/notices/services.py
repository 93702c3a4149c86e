"""All writes to notices: draft, edit (history kept once sent), send, withdraw, attachments,
reminders — audited through `write_service` — and recording a read.

Recording a read is not audited, on purpose (as notifications are not): it is a member opening a
message addressed to them, the row itself (who, when, from which organization) is its trace, and
an audit entry per read would put 4.3 million system rows in the log for one province notice.
Refused reads (not a recipient) write nothing; the page answers 404.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events, uploads
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife import richtext

from . import queries, tallies
from .models import TITLE_MAX_CHARS, Notice, NoticeAttachment, NoticeRevision, NoticeState
from .workflows import NOTICE_FLOW

NOTICE_FIELDS = ("title", "body", "must_read", "deadline", "pinned", "cascade")
BODY_MAX_CHARS = 20_000
MAX_ATTACHMENTS = 10
MAX_BYTES = 20 * 1024 * 1024
REMIND_KIND = "notice"
_NOT_TEXT = re.compile(r"<[^>]+>|&nbsp;|\s")


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def _clean(org: Organization, data: dict[str, Any], current: Notice | None = None) -> dict[str, Any]:
    """The notice's fields among `data` (missing ones kept from `current`), checked together."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {f: getattr(current, f) for f in NOTICE_FIELDS} if current else {}
    clean.update({k: data[k] for k in NOTICE_FIELDS if k in data})
    title = str(clean.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter the notice's title.")
    elif len(title) > TITLE_MAX_CHARS:
        errors["title"] = _("The title is too long (%(n)s characters); at most %(max)s.") % {
            "n": len(title),
            "max": TITLE_MAX_CHARS,
        }
    clean["title"] = title
    body = richtext.to_html(str(clean.get("body") or ""))
    if not _has_text(body):
        errors["body"] = _("Write the notice's text.")
    elif len(body) > BODY_MAX_CHARS:
        errors["body"] = _("The text is too long; shorten it or attach a file.")
    clean["body"] = body
    for flag in ("must_read", "pinned", "cascade"):
        clean[flag] = _bool(clean.get(flag))
    deadline = clean.get("deadline") or None
    if deadline is not None and not isinstance(deadline, date):
        errors["deadline"] = _("Enter a valid date.")
    elif deadline is not None:
        if not clean["must_read"]:
            errors["deadline"] = _("Only a must-read notice has a deadline.")
        elif deadline < timezone.localdate() and (current is None or deadline != current.deadline):
            errors["deadline"] = _("The deadline has already passed; choose today or a later day.")
    clean["deadline"] = deadline
    if clean["cascade"] and org.is_branch:
        errors["cascade"] = _("A branch sends notices to its own members; only a committee sends them down.")
    if errors:
        raise ValidationError(errors)
    return clean


def _has_text(html: str) -> bool:
    """Something left to read once the tags are gone (a script alone leaves nothing)."""
    return bool(_NOT_TEXT.sub("", html))


def _lock(notice: Notice, acting_user: Any, expected_version: int | None = None) -> Notice:
    notice = Notice.objects.select_for_update(of=("self",)).select_related("organization").get(pk=notice.pk)
    require_scope(acting_user, notice, "change")
    if notice.state == NoticeState.WITHDRAWN:
        raise ValidationError(_("This notice was withdrawn; it can no longer be changed."), code="withdrawn")
    if expected_version is not None and expected_version != notice.version:
        raise ValidationError(
            _("Someone else changed this notice meanwhile; reload and edit again."), code="stale"
        )
    return notice


@write_service("notice.create")
def create_notice(
    org: Organization, data: dict[str, Any], *, acting_user: Any, files: Sequence[UploadedFile] = ()
) -> Notice:
    """A draft notice of `org`; nobody receives it until it is sent."""
    require_scope(acting_user, org, "change")
    clean = _clean(org, data)
    kinds = _check_uploads(None, files)
    notice = Notice.objects.create(organization=org, created_by=account_of(acting_user), **clean)
    NOTICE_FLOW.started(notice, acting_user)
    audit.record(
        "notice.create",
        actor=acting_user,
        obj=notice,
        org_path=org.path,
        changes={"title": [None, notice.title], "cascade": [None, notice.cascade]},
    )
    _store(notice, files, kinds, acting_user)
    return notice


@write_service("notice.update")
def update_notice(
    notice: Notice, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Notice:
    """Edit a draft in place; edit a sent notice keeping the earlier text as a revision (its
    recipients see "edited" and can open the earlier text). Who receives it (`cascade`) is fixed
    once sent; a withdrawn notice cannot be edited."""
    notice = _lock(notice, acting_user, expected_version)
    if notice.state == NoticeState.SENT and "cascade" in data and _bool(data["cascade"]) != notice.cascade:
        raise ValidationError(
            {
                "cascade": _(
                    "Who receives a notice cannot change once it is sent; withdraw it and send a new one."
                )
            }
        )
    clean = _clean(notice.organization, data, current=notice)
    before = {f: getattr(notice, f) for f in NOTICE_FIELDS}
    changes = audit.diff({k: str(v) for k, v in before.items()}, {k: str(v) for k, v in clean.items()})
    if not changes:
        return notice
    now = timezone.now()
    if notice.state == NoticeState.SENT and (clean["title"] != notice.title or clean["body"] != notice.body):
        number = notice.revisions.count() + 1
        NoticeRevision.objects.create(
            notice=notice,
            number=number,
            title=notice.title,
            body=notice.body,
            valid_from=notice.edited_at or notice.sent_at,
            replaced_by=account_of(acting_user),
        )
        notice.edited_at = now
    for field, value in clean.items():
        setattr(notice, field, value)
    notice.version += 1
    notice.save()
    audit.record(
        "notice.update",
        actor=acting_user,
        obj=notice,
        org_path=notice.organization.path,
        changes={k: v for k, v in changes.items() if k != "body"}
        | ({"body": ["…", "…"]} if "body" in changes else {}),
    )
    return notice


@write_service("notice.send")
def send_notice(notice: Notice, *, acting_user: Any, expected_version: int | None = None) -> Notice:
    """Draft → sent. The notice's row changes and each organization holding recipients gets its
    tally row (recipients as of now); nothing is written per recipient."""
    notice = NOTICE_FLOW.move(
        notice,
        "send",
        acting_user=acting_user,
        expected_version=expected_version,
        fields={"sent_at": timezone.now()},
    )
    tallies.capture_recipients(notice)
    return notice


@write_service("notice.withdraw")
def withdraw_notice(notice: Notice, *, acting_user: Any, expected_version: int | None = None) -> Notice:
    """Sent → withdrawn: recipients no longer see it; the reads stay on record."""
    return NOTICE_FLOW.move(  # type: ignore[no-any-return]
        notice,
        "withdraw",
        acting_user=acting_user,
        expected_version=expected_version,
        fields={"withdrawn_at": timezone.now()},
    )


def _published_changed(notice: Notice) -> None:
    # What the organization has published, and how its members read it, changed: the online
    # space rule (point 10) counts sent notices and reads of must-read ones within 7 days.
    assert notice.sent_at is not None
    events.changed("notices.notice", notice.organization_id, timezone.localdate(notice.sent_at))


def _check_uploads(notice: Notice | None, files: Sequence[UploadedFile]) -> list[uploads.FileKind]:
    existing = notice.attachments.count() if notice is not None else 0
    if existing + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("A notice can have at most %(limit)s attachments.") % {"limit": MAX_ATTACHMENTS},
            code="too_many",
        )
    return uploads.check_all(files, MAX_BYTES)


def _store(
    notice: Notice, files: Sequence[UploadedFile], kinds: Sequence[uploads.FileKind], acting_user: Any
) -> list[NoticeAttachment]:
    """Save checked files and their rows, as the caller's last write."""
    rows = []
    with uploads.saved_together() as save:
        for upload, kind in zip(files, kinds, strict=True):
            rows.append(
                NoticeAttachment.objects.create(
                    notice=notice,
                    file=save("notices", kind, upload),
                    **uploads.described(upload, kind),
                    uploaded_by=account_of(acting_user),
                )
            )
    return rows


@write_service("notice.attachment_add")
def add_attachment(notice: Notice, upload: UploadedFile, *, acting_user: Any) -> NoticeAttachment:
    """Attach a document or photo (JPEG, PNG, PDF, DOCX, checked by content and size)."""
    notice = _lock(notice, acting_user)
    kinds = _check_uploads(notice, [upload])
    audit.record(
        "notice.attachment_add",
        actor=acting_user,
        obj=notice,
        org_path=notice.organization.path,
        changes={"attachment": [None, uploads.display_name(upload)]},
    )
    return _store(notice, [upload], kinds, acting_user)[0]


@write_service("notice.attachment_remove")
def remove_attachment(attachment: NoticeAttachment, *, acting_user: Any) -> None:
    notice = _lock(attachment.notice, acting_user)
    row = notice.attachments.filter(pk=attachment.pk).first()
    if row is None:
        raise ValidationError(_("This attachment has already been removed."), code="gone")
    name = row.file.name
    row.delete()
    audit.record(
        "notice.attachment_remove",
        actor=acting_user,
        obj=notice,
        org_path=notice.organization.path,
        changes={"attachment": [row.original_name, None]},
    )
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def open_attachment(row: NoticeAttachment) -> IO[bytes] | None:
    try:
        return default_storage.open(row.file.name or "", "rb")  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None


# ON CONFLICT … RETURNING: PostgreSQL, and SQLite from 3.35.
INSERT_READ = (
    "INSERT INTO notices_noticeread (notice_id, member_id, organization_id, org_path, read_at)"
    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (notice_id, member_id) DO NOTHING RETURNING id"
)


def mark_read(notice: Notice, member: Member) -> bool:
    """Record that `member` opened `notice` (once; later openings change nothing). Returns True
    when this was the first reading. Only a recipient's reading of a sent notice is recorded."""
    if notice.state != NoticeState.SENT or not queries.is_recipient_member(member):
        return False
    if not queries.covers(notice, member.organization):
        return False
    # One statement: a second opening (another tab, a double tap) inserts nothing and says so;
    # only a first reading adds to the tally of the reader's organization, in the same
    # transaction, so the two never disagree (no savepoint inside a caller's transaction: a
    # failure there rolls back the caller's whole transaction anyway).
    now = timezone.now()
    path = member.organization.path
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(INSERT_READ, [notice.pk, member.pk, member.organization_id, path, now])
        first = cursor.fetchone() is not None
        if first:
            tallies.add_read(notice, member.organization_id, path, member.pk)
    # Only a first reading, within its 7 days, of a must-read notice by a member of the sending
    # organization itself can move its online-space result (the rule counts a branch's own
    # members). A province's notice read by millions in branches queues nothing.
    if (
        first
        and notice.must_read
        and member.organization_id == notice.organization_id
        and notice.sent_at
        and now - notice.sent_at <= queries.READ_IN_TIME
    ):
        _published_changed(notice)
    return first


def remind_key(notice: Notice) -> str:
    """One reminder per notice per Beijing day: the notifications' (user, key) is unique."""
    return f"notice-remind:{notice.pk}:{timezone.localdate():%Y-%m-%d}"


@write_service("notice.remind")
def remind_unread(notice: Notice, org: Organization, *, acting_user: Any) -> int:
    """Notify the accounts of the recipients within `org` who have not read the notice yet;
    nobody is reminded of one notice twice on the same day. Returns how many were notified."""
    from django.contrib.auth import get_user_model

    from dangjian.notifications.services import Message, notify_many, platform_language

    require_scope(acting_user, org, "change")
    notice = Notice.objects.select_related("organization").get(pk=notice.pk)
    if notice.state != NoticeState.SENT:
        raise ValidationError(_("Only a sent notice can be reminded of."), code="not_sent")
    if not queries.covers(notice, org):
        raise ValidationError(_("This organization does not receive this notice."), code="not_covered")
    unread = queries.unread_members(notice, org).values("pk")
    users = list(
        get_user_model()
        .objects.filter(member_id__in=unread, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with platform_language():
        title = _("Please read: %(title)s") % {"title": notice.title}
        body = _("Read by %(date)s.") % {"date": notice.deadline} if notice.deadline else ""
    url = reverse("my_notice", kwargs={"pk": notice.pk})
    created = notify_many([Message(users, REMIND_KIND, remind_key(notice), title, body, url)]) if users else 0
    audit.record(
        "notice.remind",
        actor=acting_user,
        obj=notice,
        org_path=org.path,
        detail=f"{created} of {len(users)} unread reminded",
    )
    return created
