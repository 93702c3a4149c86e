"""All writes to polls: create, correct a draft, open (freezing the electorate), vote, close, cancel.

Voting takes the poll's row lock (a vote and the closing of the poll never interleave) and inserts
the voter's mark first; the unique constraint on (poll, member) is the last word when two
submissions of one member race: the second is refused with the same message as a plain repeat.
"""

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import User
from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import SYSTEM
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.notifications.services import Message, notify_many, platform_language
from dangjian.organizations.models import BRANCH_KINDS, Organization, PartyGroup

from .models import (
    MAX_OPTIONS,
    Ballot,
    BallotChoice,
    Elector,
    Electorate,
    Option,
    Poll,
    PollKind,
    PollStatus,
    VoterMark,
)
from .workflows import MANAGER_ROLES, POLL_FLOW

# Full members on the roll may vote; a suspended member (停止党籍) and a probationary member may
# not (a probationary member has no right to vote: 党章 第七条).
VOTING_STATUSES = [MemberStatus.ACTIVE, MemberStatus.FLOATING_OUT, MemberStatus.LOST_CONTACT]


def can_manage(user: Any, org: Organization) -> bool:
    """The branch's own secretary or organizer (a grant on the branch itself); committee staff
    above read the branch's polls but do not run them."""
    if user is SYSTEM:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(role in MANAGER_ROLES and path == org.path for role, path in user._grants())


def _require_manager(user: Any, org: Organization) -> None:
    require_scope(user, org, "change")
    if not can_manage(user, org):
        raise OutOfScope(f"polls of {org.pk}")


def eligible_members(poll: Poll) -> "Any":
    """Who may vote if the poll opened now."""
    qs = Member.objects.filter(
        organization_id=poll.organization_id, category=MemberCategory.FULL, status__in=VOTING_STATUSES
    )
    if poll.electorate == Electorate.GROUP:
        qs = qs.filter(party_group_id=poll.party_group_id)
    elif poll.electorate == Electorate.CHOSEN:
        qs = qs.filter(pk__in=poll.chosen_members.values("pk"))
    return qs


def _clean_options(labels: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for label in labels:
        label = (label or "").strip()
        if label and label not in cleaned:
            cleaned.append(label)
    return cleaned


def _validated(
    org: Organization,
    data: dict[str, Any],
    options: Sequence[str],
    party_group: PartyGroup | None,
    members: Sequence[Member],
) -> dict[str, Any]:
    """The poll's fields from `data` (title, description, kind, max_choices, anonymous,
    electorate, closes_at), every problem at once as a ValidationError."""
    title = (data.get("title") or "").strip()
    description = (data.get("description") or "").strip()
    kind = data.get("kind") or PollKind.SINGLE
    electorate = data.get("electorate") or Electorate.BRANCH
    closes_at: datetime | None = data.get("closes_at")
    labels = _clean_options(options)
    errors: dict[str, str] = {}
    if org.kind not in BRANCH_KINDS:
        errors["organization"] = _("Polls are held by a branch.")
    if not title:
        errors["title"] = _("Enter the title.")
    elif len(title) > 200:
        errors["title"] = _("The title is at most 200 characters.")
    if len(description) > 2000:
        errors["description"] = _("The description is at most 2000 characters.")
    if kind not in PollKind.values:
        errors["kind"] = _("Choose single or multiple choice.")
    if len(labels) < 2:
        errors["options"] = _("Enter at least two different options.")
    elif len(labels) > MAX_OPTIONS:
        errors["options"] = _("A poll has at most %(n)d options.") % {"n": MAX_OPTIONS}
    elif any(len(label) > 200 for label in labels):
        errors["options"] = _("An option is at most 200 characters.")
    max_choices = 1
    if kind == PollKind.MULTIPLE:
        try:
            max_choices = int(data.get("max_choices") or 0)
        except (TypeError, ValueError):
            max_choices = 0
        if not 2 <= max_choices <= max(len(labels), 2):
            errors["max_choices"] = _(
                "A multiple-choice poll allows from 2 up to as many choices as it has options."
            )
    if closes_at is None:
        errors["closes_at"] = _("Enter when voting closes.")
    elif closes_at <= timezone.now():
        errors["closes_at"] = _("Voting must close in the future.")
    if electorate not in Electorate.values:
        errors["electorate"] = _("Choose who may vote.")
    elif electorate == Electorate.GROUP:
        if party_group is None:
            errors["party_group"] = _("Choose the party group.")
        elif party_group.organization_id != org.pk:
            errors["party_group"] = _("The party group must belong to this branch.")
    elif electorate == Electorate.CHOSEN:
        if not members:
            errors["members"] = _("Choose the members who may vote.")
        elif any(m.organization_id != org.pk for m in members):
            errors["members"] = _("The chosen members must belong to this branch.")
    if errors or closes_at is None:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "kind": kind,
        "max_choices": max_choices,
        "anonymous": bool(data.get("anonymous", True)),
        "electorate": electorate,
        "party_group": party_group if electorate == Electorate.GROUP else None,
        "closes_at": closes_at,
        "options": labels,
    }


def _audited(fields: dict[str, Any]) -> dict[str, Any]:
    """What the audit entry keeps of a poll's fields (JSON: the closing time as text)."""
    keep = ("title", "kind", "anonymous", "electorate", "options", "closes_at")
    return {k: fields[k].isoformat() if k == "closes_at" else fields[k] for k in keep}


def _set_options(poll: Poll, labels: list[str]) -> None:
    Option.objects.bulk_create(Option(poll=poll, label=label, position=i) for i, label in enumerate(labels))


@write_service("poll.create")
def create_poll(
    org: Organization,
    data: dict[str, Any],
    options: Sequence[str],
    *,
    party_group: PartyGroup | None = None,
    members: Sequence[Member] = (),
    acting_user: Any,
) -> Poll:
    """A draft poll of the branch. `data`: title, description, kind, max_choices, anonymous,
    electorate, closes_at."""
    _require_manager(acting_user, org)
    fields = _validated(org, data, options, party_group, members)
    poll = Poll.objects.create(
        organization=org,
        created_by=account_of(acting_user),
        **{k: v for k, v in fields.items() if k != "options"},
    )
    _set_options(poll, fields["options"])
    if poll.electorate == Electorate.CHOSEN:
        poll.chosen_members.set(members)
    POLL_FLOW.started(poll, acting_user)
    audit.record(
        "poll.create",
        actor=acting_user,
        obj=poll,
        org_path=org.path,
        changes={k: [None, v] for k, v in _audited(fields).items()},
    )
    return poll


@write_service("poll.update")
def update_poll(
    poll: Poll,
    data: dict[str, Any],
    options: Sequence[str],
    *,
    party_group: PartyGroup | None = None,
    members: Sequence[Member] = (),
    acting_user: Any,
) -> Poll:
    """Correct a draft: every field and the options, as at creation. Once open, a poll is fixed
    (ballots refer to its options); cancel it and create another instead."""
    poll = Poll.objects.select_for_update(of=("self",)).select_related("organization").get(pk=poll.pk)
    _require_manager(acting_user, poll.organization)
    if poll.status != PollStatus.DRAFT:
        status = poll.get_status_display()  # type: ignore[attr-defined]
        raise ValidationError(
            _("A poll that is %(status)s cannot be changed; only a draft can.") % {"status": status},
            code="transition",
        )
    before = _audited(
        {
            **{k: getattr(poll, k) for k in ("title", "kind", "anonymous", "electorate", "closes_at")},
            "options": list(poll.options.order_by("position").values_list("label", flat=True)),
        }
    )
    fields = _validated(poll.organization, data, options, party_group, members)
    for name, value in fields.items():
        if name != "options":
            setattr(poll, name, value)
    poll.save()
    poll.options.all().delete()  # a draft has no ballots that could refer to them
    _set_options(poll, fields["options"])
    poll.chosen_members.set(members if poll.electorate == Electorate.CHOSEN else [])
    after = _audited(fields)
    audit.record(
        "poll.update",
        actor=acting_user,
        obj=poll,
        org_path=poll.organization.path,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return poll


def _locked(poll: Poll, acting_user: Any, move: str) -> Poll:
    """The poll under its row lock; anyone but its managers is out of scope (404), and a move its
    status does not allow is refused in the poll's own words before anything is written."""
    poll = POLL_FLOW.lock(poll)
    _require_manager(acting_user, poll.organization)
    _check_move(poll, move)
    return poll


def _check_move(poll: Poll, move: str) -> None:
    if poll.status not in POLL_FLOW.by_name[move].source:
        status = poll.get_status_display()  # type: ignore[attr-defined]
        message = _("A poll that is %(status)s cannot do this.") % {"status": status}
        raise ValidationError(message, code="transition")


def _notify_electors(poll: Poll, member_ids: list[int]) -> None:
    user_ids = list(
        User.objects.filter(member_id__in=member_ids, is_active=True).values_list("pk", flat=True)
    )
    if not user_ids:
        return
    with platform_language():
        title = _("Vote: %(title)s") % {"title": poll.title}
        when = timezone.localtime(poll.closes_at).strftime("%Y-%m-%d %H:%M")
        body = _("Voting closes at %(when)s.") % {"when": when}
    url = reverse("poll_detail", args=[poll.pk])
    notify_many(
        [Message(user_ids=user_ids, kind="poll", key=f"poll-open:{poll.pk}", title=title, body=body, url=url)]
    )


@write_service("poll.open")
def open_poll(poll: Poll, *, acting_user: Any) -> Poll:
    """Open the poll for voting: the electorate is frozen now (one `Elector` row each)."""
    poll = _locked(poll, acting_user, "open")
    now = timezone.now()
    if poll.closes_at <= now:
        raise ValidationError(
            {"closes_at": _("The closing time has passed; change the draft to a later one.")}
        )
    member_ids = list(eligible_members(poll).values_list("pk", flat=True))
    if not member_ids:
        raise ValidationError(_("Nobody may vote in this poll: it needs at least one full member."))
    Elector.objects.bulk_create(Elector(poll=poll, member_id=pk) for pk in member_ids)
    poll = POLL_FLOW.move(
        poll,
        "open",
        acting_user=acting_user,
        fields={"opened_at": now, "eligible_count": len(member_ids)},
        changes={"eligible_count": [0, len(member_ids)]},
        locked=True,
    )
    _notify_electors(poll, member_ids)
    return poll


def _redeal_ballots(poll: Poll) -> None:
    """An anonymous poll's ballots, written anew in random order when voting ends.

    A ballot and its voter's mark are written by one transaction, and PostgreSQL stamps every row
    with the id of the transaction that wrote it (`xmin`), SQLite numbers rows in insertion order
    (`rowid`): while the poll is open, someone reading the tables directly could pair them. Once
    voting ends, every ballot is deleted and inserted again, shuffled, by the closing transaction:
    the rows left share one stamp and their order is random. The deleted versions are vacuumed
    right after (docs/polls.md, "Anonymity").
    """
    if not poll.anonymous:
        return
    chosen: dict[object, list[int]] = {}
    rows = BallotChoice.objects.filter(ballot__poll=poll).values_list("ballot_id", "option_id")
    for ballot_id, option_id in rows:
        chosen.setdefault(ballot_id, []).append(option_id)
    sets = list(chosen.values())
    secrets.SystemRandom().shuffle(sets)
    Ballot.objects.filter(poll=poll).delete()  # the choices go with them
    fresh = Ballot.objects.bulk_create(Ballot(poll=poll) for _ in sets)
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, option_id=option_id)
        for ballot, options in zip(fresh, sets, strict=True)
        for option_id in options
    )
    if connection.vendor == "postgresql":
        transaction.on_commit(_vacuum_ballots)


def _vacuum_ballots() -> None:
    from .tasks import vacuum_ballots  # the task module imports this one

    vacuum_ballots()


def _close(poll: Poll, acting_user: Any, reason: str) -> Poll:
    """Close a locked open poll; `reason` ("early", "deadline") is the move's note."""
    _redeal_ballots(poll)
    return POLL_FLOW.move(
        poll, "close", acting_user=acting_user, note=reason, fields={"closed_at": timezone.now()}, locked=True
    )


@write_service("poll.close")
def close_poll(poll: Poll, *, acting_user: Any) -> Poll:
    """Close early (before the deadline); results are shown from now on."""
    poll = _locked(poll, acting_user, "close")
    return _close(poll, acting_user, "early")


@write_service("poll.cancel")
def cancel_poll(poll: Poll, *, acting_user: Any) -> Poll:
    """Call the poll off: no results are ever shown; ballots already cast stay unread."""
    poll = _locked(poll, acting_user, "cancel")
    _redeal_ballots(poll)
    return POLL_FLOW.move(
        poll, "cancel", acting_user=acting_user, fields={"closed_at": timezone.now()}, locked=True
    )


def close_if_due(poll: Poll, now: datetime | None = None) -> Poll:
    """Lazily close an open poll past its deadline (on read), as the system."""
    now = now or timezone.now()
    if poll.status != PollStatus.OPEN or poll.closes_at > now:
        return poll
    with transaction.atomic(), audit.deferred():
        locked = POLL_FLOW.lock(poll)
        if locked.status == PollStatus.OPEN and locked.closes_at <= now:
            _close(locked, SYSTEM, "deadline")
    poll.refresh_from_db()
    return poll


def close_due_polls(now: datetime | None = None, org: Organization | None = None) -> int:
    """Close every open poll whose deadline has passed (the periodic task; pages call it for one
    branch). Returns how many were closed."""
    now = now or timezone.now()
    due = Poll.objects.filter(status=PollStatus.OPEN, closes_at__lte=now)
    if org is not None:
        due = due.filter(organization=org)
    closed = 0
    for poll in due.order_by("pk"):
        if close_if_due(poll, now).status == PollStatus.CLOSED:
            closed += 1
    return closed


@write_service("poll.vote")
def cast_vote(poll: Poll, option_ids: Sequence[int], *, acting_user: Any) -> None:
    """The acting user's member casts one ballot. Nothing about the choice reaches the audit log
    of an anonymous poll, and the ballot written carries neither voter nor time."""
    poll = Poll.objects.select_for_update(of=("self",)).select_related("organization").get(pk=poll.pk)
    member_id = getattr(acting_user, "member_id", None)
    if poll.status != PollStatus.OPEN:
        raise ValidationError(_("This poll is not open for voting."), code="not_open")
    if poll.closes_at <= timezone.now():
        raise ValidationError(_("Voting in this poll has closed."), code="deadline")
    if member_id is None or not Elector.objects.filter(poll=poll, member_id=member_id).exists():
        raise ValidationError(_("You are not among the voters of this poll."), code="not_elector")
    wanted = set()
    for raw in option_ids:
        try:
            wanted.add(int(raw))
        except (TypeError, ValueError):
            raise ValidationError({"options": _("Choose from the poll's options.")}) from None
    options = list(Option.objects.filter(poll=poll, pk__in=wanted))
    if not wanted:
        raise ValidationError({"options": _("Choose at least one option.")})
    if len(options) != len(wanted):
        raise ValidationError({"options": _("Choose from the poll's options.")})
    if len(options) > poll.max_choices:
        raise ValidationError(
            {"options": _("Choose at most %(n)d options.") % {"n": poll.max_choices}}, code="too_many"
        )
    try:
        with transaction.atomic():
            mark = VoterMark.objects.create(poll=poll, member_id=member_id)
    except IntegrityError:
        raise ValidationError(_("You have already voted in this poll."), code="repeat") from None
    ballot = Ballot.objects.create(poll=poll)
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, option=o) for o in options)
    changes: dict[str, Any] = {}
    if not poll.anonymous:
        mark.ballot = ballot
        mark.save(update_fields=["ballot"])
        changes = {"options": [None, sorted(o.label for o in options)]}
    # The entry names the poll, never the ballot: its key would link the voter to the choice.
    audit.record("poll.vote", actor=acting_user, obj=poll, org_path=poll.organization.path, changes=changes)
