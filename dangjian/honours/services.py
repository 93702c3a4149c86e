"""Writes of honours: calls for nominations and their moves, nominations with evidence and their
moves, objections during the public notice and their answers. Every write is scoped and
audited; the moves go through the workflows (`workflows.CALL_FLOW`, `NOMINATION_FLOW`)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import attachments, audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.workdays import PUBLICITY_WORKDAYS, nth_workday, workdays_between
from dangjian.core.workflow import reaches
from dangjian.leaders.models import LeadingCadre
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from .models import (
    TAKING,
    TEXT_MAX,
    TITLE_MAX,
    Call,
    CallState,
    Category,
    Evidence,
    Nomination,
    NominationState,
    Objection,
)
from .workflows import CALL_FLOW, NOMINATION_FLOW, NOMINATOR

MAX_EVIDENCE = 10
# A notification telling an objector the answer (category "other" in the preferences).
ANSWERED_KIND = "honours.objection_answered"
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EDITABLE = (NominationState.DRAFT, NominationState.SUBMITTED)


def _text(data: dict[str, Any], name: str, limit: int, missing: str, errors: dict[str, Any]) -> str:
    text = str(data.get(name) or "").strip()
    if not text:
        errors[name] = missing
    elif len(text) > limit:
        errors[name] = _("Keep it to at most %(max)s characters.") % {"max": limit}
    return text


# --- calls -------------------------------------------------------------------------------------


def _call_values(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a call as a form or the API gives them, checked (all or nothing)."""
    errors: dict[str, Any] = {}
    title = _text(data, "title", TITLE_MAX, _("Give the call a title."), errors)
    criteria = _text(data, "criteria", TEXT_MAX, _("Write the criteria."), errors)
    categories = [c for c in Category.values if c in (data.get("categories") or [])]
    if not categories or len(categories) != len(set(data.get("categories") or [])):
        errors["categories"] = _("Choose at least one honour the call gives.")
    due, publish_by = data.get("nominations_due"), data.get("publish_by")
    if not isinstance(due, date):
        errors["nominations_due"] = _("Enter the nominations' deadline.")
    if not isinstance(publish_by, date):
        errors["publish_by"] = _("Enter the date to publish by.")
    elif isinstance(due, date) and publish_by < nth_workday(due, PUBLICITY_WORKDAYS + 1):
        errors["publish_by"] = _(
            "Leave time after the deadline for the review and a public notice of %(n)s working days."
        ) % {"n": PUBLICITY_WORKDAYS}
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "criteria": criteria,
        "categories": categories,
        "nominations_due": due,
        "publish_by": publish_by,
    }


@write_service("honour_call.create")
def create_call(org: Organization, data: dict[str, Any], *, acting_user: Any) -> Call:
    """A draft call of `org` (a committee) for the year of its deadline."""
    require_scope(acting_user, org, "change")
    if org.kind not in COMMITTEE_KINDS:
        raise ValidationError(_("Honours are called by a committee."))
    values = _call_values(data)
    due, publish_by = values["nominations_due"], values["publish_by"]
    call = Call.objects.create(organization=org, year=due.year, created_by=account_of(acting_user), **values)
    audit.record(
        "honour_call.create",
        actor=acting_user,
        obj=call,
        org_path=org.path,
        changes={
            "title": [None, values["title"]],
            "categories": [None, values["categories"]],
            "publish_by": [None, str(publish_by)],
        },
    )
    CALL_FLOW.started(call, acting_user)
    events.changed("honours.call", org.pk, date(call.year, 12, 31))
    return call


CALL_FIELDS = ("title", "criteria", "categories", "nominations_due", "publish_by")
# Once open, organizations nominate against the call's title, criteria and honours: those stay.
# Only its dates may move later (a deadline extended for the branches), with a reason.
OPEN_CALL_FIELDS = ("nominations_due", "publish_by")


def may_edit_call(user: Any, call: Call) -> bool:
    """Whoever may draft a call of the committee, while it is a draft or open."""
    return call.state in (CallState.DRAFT, CallState.OPEN) and reaches(user, call.organization, "change")


def _extensions(call: Call, values: dict[str, Any], reason: str) -> dict[str, Any]:
    """The dates of an open call, only ever later and within its year; a reason is required."""
    errors: dict[str, Any] = {}
    for name in CALL_FIELDS:
        if name not in OPEN_CALL_FIELDS and values[name] != getattr(call, name):
            errors[name] = _("Once the call is open, only its dates may be extended.")
    for name in OPEN_CALL_FIELDS:
        if values[name] < getattr(call, name):
            errors[name] = _("An open call's dates may only be moved later.")
    if values["nominations_due"].year != call.year:
        errors["nominations_due"] = _("The deadline stays within the call's year (%(year)s).") % {
            "year": call.year
        }
    elif values["nominations_due"] < timezone.localdate():
        errors["nominations_due"] = _("The nominations' deadline has already passed.")
    if not reason:
        errors["reason"] = _("Say why the dates of an open call change.")
    if errors:
        raise ValidationError(errors)
    return {name: values[name] for name in OPEN_CALL_FIELDS}


@write_service("honour_call.update")
def update_call(
    call: Call,
    data: dict[str, Any],
    *,
    acting_user: Any,
    reason: str = "",
    expected_version: int | None = None,
) -> Call:
    """Correct a draft call (every field), or extend the dates of an open one (with a reason,
    kept in the audit log). Fields missing from `data` keep their values."""
    call = CALL_FLOW.lock(call)
    require_scope(acting_user, call.organization, "change")
    CALL_FLOW.check_version(call, expected_version)
    if call.state not in (CallState.DRAFT, CallState.OPEN):
        raise ValidationError(_("Only a draft or open call can be changed."), code="state")
    merged = {name: getattr(call, name) for name in CALL_FIELDS} | {
        k: v for k, v in data.items() if k in CALL_FIELDS
    }
    values = _call_values(merged)
    reason = (reason or "").strip()[:200]
    if call.state == CallState.OPEN:
        values = _extensions(call, values, reason)
    changes = {
        name: [_plain(getattr(call, name)), _plain(value)]
        for name, value in values.items()
        if getattr(call, name) != value
    }
    if not changes:
        return call
    for name, value in values.items():
        setattr(call, name, value)
    old_year = call.year
    if call.state == CallState.DRAFT:
        call.year = call.nominations_due.year
    call.version += 1
    call.save(update_fields=[*values, "year", "version", "updated_at"])
    audit.record(
        "honour_call.update",
        actor=acting_user,
        obj=call,
        org_path=call.organization.path,
        changes=changes,
        detail=reason,
    )
    for year in {old_year, call.year}:
        events.changed("honours.call", call.organization_id, date(year, 12, 31))
    return call


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _call_move(name: str) -> Any:
    def move(call: Call, *, acting_user: Any, note: str = "", expected_version: int | None = None) -> Call:
        return CALL_FLOW.move(
            call, name, note=note, acting_user=acting_user, expected_version=expected_version
        )

    move.__name__ = f"{name}_call"
    return write_service(f"honour_call.{name}")(move)


open_call = _call_move("open")
close_call = _call_move("close")
cancel_call = _call_move("cancel")


@write_service("honour_call.publicise")
def publicise_call(
    call: Call,
    *,
    acting_user: Any,
    until: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Call:
    """Put the approved nominations to public notice from today for at least five working days
    (`until`, the last day, defaults to the fifth working day)."""
    today = timezone.localdate()
    shortest = nth_workday(today, PUBLICITY_WORKDAYS)
    if until is not None and workdays_between(today, until) < PUBLICITY_WORKDAYS:
        raise ValidationError(
            {
                "until": _("A public notice lasts at least %(n)s working days (to %(day)s or later).")
                % {"n": PUBLICITY_WORKDAYS, "day": shortest.isoformat()}
            }
        )
    return CALL_FLOW.move(
        call,
        "publicise",
        acting_user=acting_user,
        expected_version=expected_version,
        fields={"publicity_from": today, "publicity_until": until or shortest},
    )


@write_service("honour_call.publish")
def publish_call(
    call: Call, *, acting_user: Any, note: str = "", expected_version: int | None = None
) -> Call:
    """Publish the honours once the public notice has run and every objection is answered: each
    approved nomination becomes public (the honours pages) and goes to its branch's feed."""
    call = CALL_FLOW.move(call, "publish", acting_user=acting_user, expected_version=expected_version)
    for nomination in call.nominations.filter(state=NominationState.APPROVED):
        nomination.published_at = call.published_at
        nomination.save(update_fields=["published_at"])  # the feed follows this save
    return call


CALL_MOVES = {
    "open": open_call,
    "close": close_call,
    "publicise": publicise_call,
    "publish": publish_call,
    "cancel": cancel_call,
}

# --- nominations -------------------------------------------------------------------------------


def _inside(org: Organization, root: Organization) -> bool:
    return org.path.startswith(root.path)


def _nominee(call: Call, org: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """The nominee checked against the category and the nominating organization's subtree."""
    category = data.get("category")
    if category not in call.categories:
        raise ValidationError({"category": _("This call does not give that honour.")})
    if category == Category.BRANCH:
        target = data.get("nominee_organization")
        if not isinstance(target, Organization) or not _inside(target, org):
            raise ValidationError({"nominee_organization": _("Nominate this organization or one below it.")})
        return {"nominee_organization": target, "nominee_member": None}
    member = data.get("nominee_member")
    if not isinstance(member, Member) or member.status not in ON_ROLL_STATUSES:
        raise ValidationError({"nominee_member": _("Choose a member on the roll.")})
    if category == Category.LEADER:
        posts = LeadingCadre.objects.filter(member=member, active=True).select_related("committee")
        if not any(_inside(p.committee, org) or _inside(member.organization, org) for p in posts):
            raise ValidationError(
                {"nominee_member": _("Choose a leading cadre in post within this organization.")}
            )
    elif not _inside(member.organization, org):
        raise ValidationError({"nominee_member": _("Choose a member of this organization or below it.")})
    return {"nominee_member": member, "nominee_organization": None}


@write_service("nomination.create")
def create_nomination(call: Call, org: Organization, data: dict[str, Any], *, acting_user: Any) -> Nomination:
    """A draft nomination by `org` (a branch or committee below the calling committee), made by
    its own officers while the call is open."""
    require_scope(acting_user, org, "change")
    call = CALL_FLOW.lock(call)  # as it is now, and not closed while this nomination is made
    if not (org.path.startswith(call.organization.path) and org.path != call.organization.path):
        raise ValidationError(_("Nominations come from the organizations below the calling committee."))
    if call.state != CallState.OPEN or call.nominations_due < timezone.localdate():
        raise ValidationError(_("The call no longer takes nominations."))
    errors: dict[str, Any] = {}
    story = _text(data, "story", TEXT_MAX, _("Tell the nominee's deeds."), errors)
    if errors:
        raise ValidationError(errors)
    nominee = _nominee(call, org, data)
    draft = Nomination(
        call=call, nominating_organization=org, category=data["category"], story=story, **nominee
    )
    if not NOMINATOR(acting_user, draft):
        raise ValidationError(_("Nominations are made by the organization's own officers."))
    duplicate = Nomination.objects.filter(call=call, category=draft.category).exclude(
        state__in=(NominationState.WITHDRAWN, NominationState.REJECTED)
    )
    if duplicate.filter(**{k: v for k, v in nominee.items() if v is not None}).exists():
        raise ValidationError(_("This nominee is already nominated for that honour."))
    draft.created_by = account_of(acting_user)
    draft.save()
    audit.record(
        "nomination.create",
        actor=acting_user,
        obj=draft,
        org_path=org.path,
        changes={
            "call": [None, call.pk],
            "category": [None, draft.category],
            "nominee": [None, draft.nominee_name],
        },
    )
    NOMINATION_FLOW.started(draft, acting_user)
    events.changed("honours.nomination", org.pk, date(call.year, 12, 31))
    return draft


# While submitted the level above is reviewing this nominee: only the deeds may be corrected
# then (a different nominee or honour is a new nomination).
DRAFT_ONLY_FIELDS = ("category", "nominee_member", "nominee_organization")


def may_edit_nomination(user: Any, nomination: Nomination) -> bool:
    """The nominating organization's officers, before anyone has recommended or decided on it,
    while the call still takes or reviews nominations."""
    return nomination.state in EDITABLE and nomination.call.state in TAKING and NOMINATOR(user, nomination)


@write_service("nomination.update")
def update_nomination(
    nomination: Nomination,
    data: dict[str, Any],
    *,
    acting_user: Any,
    expected_version: int | None = None,
) -> Nomination:
    """Correct a nomination before the level above acts on it: every field while a draft, the
    deeds only once submitted. Fields missing from `data` keep their values. The version moves
    on, so a review based on the old text is refused as stale."""
    nomination = NOMINATION_FLOW.lock(nomination)
    if not in_scope(acting_user, nomination, "view"):
        raise OutOfScope(f"nomination {nomination.pk}")
    NOMINATION_FLOW.check_version(nomination, expected_version)
    if not may_edit_nomination(acting_user, nomination):
        raise ValidationError(
            _("A nomination is corrected by the nominating officers before it is recommended or decided."),
            code="state",
        )
    call, org = nomination.call, nomination.nominating_organization
    errors: dict[str, Any] = {}
    story = (
        _text(data, "story", TEXT_MAX, _("Tell the nominee's deeds."), errors)
        if "story" in data
        else nomination.story
    )
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {"story": story}
    if any(name in data for name in DRAFT_ONLY_FIELDS):
        if nomination.state != NominationState.DRAFT:
            raise ValidationError(
                _("Once submitted, only the deeds can be corrected; withdraw it to nominate someone else.")
            )
        current = {
            "category": nomination.category,
            "nominee_member": nomination.nominee_member,
            "nominee_organization": nomination.nominee_organization,
        }
        merged = current | {k: v for k, v in data.items() if k in DRAFT_ONLY_FIELDS}
        values |= {"category": merged["category"], **_nominee(call, org, merged)}
        duplicate = (
            Nomination.objects.filter(call=call, category=values["category"])
            .exclude(state__in=(NominationState.WITHDRAWN, NominationState.REJECTED))
            .exclude(pk=nomination.pk)
        )
        nominee = {k: v for k, v in values.items() if k.startswith("nominee_") and v is not None}
        if duplicate.filter(**nominee).exists():
            raise ValidationError(_("This nominee is already nominated for that honour."))
    changes = {
        name: [_shown(getattr(nomination, name)), _shown(value)]
        for name, value in values.items()
        if getattr(nomination, name) != value
    }
    if not changes:
        return nomination
    for name, value in values.items():
        setattr(nomination, name, value)
    nomination.version += 1
    nomination.save(update_fields=[*values, "version", "updated_at"])
    audit.record("nomination.update", actor=acting_user, obj=nomination, org_path=org.path, changes=changes)
    events.changed("honours.nomination", org.pk, date(call.year, 12, 31))
    return nomination


def _shown(value: Any) -> Any:
    """A value as the audit log keeps it: a member or organization by name, a text cut short."""
    if isinstance(value, Member | Organization):
        return value.name
    return value[:200] if isinstance(value, str) else value


def _bump(nomination: Nomination) -> None:
    """Its evidence changed: a review based on what was there before is refused as stale."""
    nomination.version += 1
    nomination.save(update_fields=["version", "updated_at"])


def may_add_evidence(user: Any, nomination: Nomination) -> bool:
    return nomination.state in EDITABLE and NOMINATOR(user, nomination)


@write_service("nomination.evidence")
def add_evidence(
    nomination: Nomination,
    files: Sequence[UploadedFile],
    *,
    acting_user: Any,
    expected_version: int | None = None,
) -> list[Evidence]:
    """Evidence of the deeds, by the nominating organization's officers before a decision.
    Photos are written anew from their pixels (no EXIF location kept)."""
    nomination = NOMINATION_FLOW.lock(nomination)
    if not in_scope(acting_user, nomination, "view"):
        raise OutOfScope(f"nomination {nomination.pk}")
    NOMINATION_FLOW.check_version(nomination, expected_version)
    if not may_add_evidence(acting_user, nomination):
        raise ValidationError(_("Evidence is added by the nominating officers before the decision."))
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    if nomination.evidence.count() + len(files) > MAX_EVIDENCE:
        raise ValidationError(
            {
                "files": _("A nomination can have at most %(limit)s files of evidence.")
                % {"limit": MAX_EVIDENCE}
            }
        )
    rows = attachments.store(
        files,
        max_bytes=EVIDENCE_MAX_BYTES,
        folder="honours",
        create=lambda fields: Evidence.objects.create(
            nomination=nomination, uploaded_by=account_of(acting_user), **fields
        ),
    )
    audit.record(
        "nomination.evidence",
        actor=acting_user,
        obj=nomination,
        org_path=nomination.nominating_organization.path,
        changes={"evidence": [None, [r.original_name for r in rows]]},
    )
    _bump(nomination)
    return rows


@write_service("nomination.evidence_remove")
def remove_evidence(
    nomination: Nomination, evidence_id: int, *, acting_user: Any, expected_version: int | None = None
) -> str:
    """Take back a file uploaded by mistake, while evidence may still be added (before the level
    above recommends or the committee decides). The file goes once the removal is committed (a
    rollback keeps the row, so it keeps its file)."""
    nomination = NOMINATION_FLOW.lock(nomination)
    if not in_scope(acting_user, nomination, "view"):
        raise OutOfScope(f"nomination {nomination.pk}")
    row = nomination.evidence.filter(pk=evidence_id).first()
    if row is None:
        raise OutOfScope(f"evidence {evidence_id}")
    NOMINATION_FLOW.check_version(nomination, expected_version)
    if not may_add_evidence(acting_user, nomination):
        raise ValidationError(
            _("Evidence is removed by the nominating officers before a recommendation or decision.")
        )
    name = attachments.remove(row)
    audit.record(
        "nomination.evidence_remove",
        actor=acting_user,
        obj=nomination,
        org_path=nomination.nominating_organization.path,
        changes={"evidence": [name, None]},
    )
    _bump(nomination)
    return name


def _nomination_move(name: str) -> Any:
    def move(
        nomination: Nomination, *, acting_user: Any, note: str = "", expected_version: int | None = None
    ) -> Nomination:
        return NOMINATION_FLOW.move(
            nomination, name, note=note, acting_user=acting_user, expected_version=expected_version
        )

    move.__name__ = f"{name}_nomination"
    return write_service(f"nomination.{name}")(move)


submit_nomination = _nomination_move("submit")
withdraw_nomination = _nomination_move("withdraw")
recommend_nomination = _nomination_move("recommend")
approve_nomination = _nomination_move("approve")
reject_nomination = _nomination_move("reject")
revoke_nomination = _nomination_move("revoke")
NOMINATION_MOVES = {
    "submit": submit_nomination,
    "withdraw": withdraw_nomination,
    "recommend": recommend_nomination,
    "approve": approve_nomination,
    "reject": reject_nomination,
    "revoke": revoke_nomination,
}

# --- objections --------------------------------------------------------------------------------


def may_object(user: Any, nomination: Nomination) -> bool:
    """A signed-in member of the calling committee's subtree, while the notice runs."""
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    return (
        member is not None
        and nomination.state == NominationState.APPROVED
        and nomination.call.state == CallState.PUBLICITY
        and member.organization.path.startswith(nomination.call.organization.path)
    )


@write_service("nomination.object")
def raise_objection(nomination: Nomination, text: str, *, acting_user: Any) -> Objection:
    """An objection to an approved nomination on public notice."""
    nomination = NOMINATION_FLOW.lock(nomination)
    if not may_object(acting_user, nomination):
        raise ValidationError(
            _("Objections are raised by members within %(org)s while the public notice runs.")
            % {"org": nomination.call.organization.name}
        )
    text = (text or "").strip()
    if not text or len(text) > TEXT_MAX:
        raise ValidationError(
            {"text": _("Write the objection (at most %(max)s characters).") % {"max": TEXT_MAX}}
        )
    objection = Objection.objects.create(nomination=nomination, text=text, raised_by=account_of(acting_user))
    audit.record(
        "nomination.object",
        actor=acting_user,
        obj=nomination,
        org_path=nomination.nominating_organization.path,
        changes={"objection": [None, text[:200]]},
    )
    events.changed("honours.call", nomination.call.organization_id, date(nomination.call.year, 12, 31))
    return objection


def may_answer(user: Any, objection: Objection) -> bool:
    nomination = objection.nomination
    return (
        objection.answered_at is None
        and nomination.call.state == CallState.PUBLICITY
        and reaches(user, nomination.call.organization, "change")
    )


@write_service("nomination.answer")
def answer_objection(objection: Objection, answer: str, *, upheld: bool, acting_user: Any) -> Objection:
    """The calling committee's answer; an upheld objection withdraws the approval (the
    nomination is rejected with the answer as the reason)."""
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("nomination__call__organization")
        .get(pk=objection.pk)
    )
    if not in_scope(acting_user, objection.nomination, "view"):
        raise OutOfScope(f"objection {objection.pk}")
    if not may_answer(acting_user, objection):
        raise ValidationError(
            _("An objection is answered once, by the calling committee, during the notice.")
        )
    answer = (answer or "").strip()
    if not answer or len(answer) > TEXT_MAX:
        raise ValidationError(
            {"answer": _("Write the answer (at most %(max)s characters).") % {"max": TEXT_MAX}}
        )
    objection.answer, objection.upheld = answer, bool(upheld)
    objection.answered_by, objection.answered_at = account_of(acting_user), timezone.now()
    objection.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
    nomination = objection.nomination
    audit.record(
        "nomination.answer",
        actor=acting_user,
        obj=nomination,
        org_path=nomination.nominating_organization.path,
        changes={"answer": [None, answer[:200]], "upheld": [None, objection.upheld]},
    )
    if objection.upheld and nomination.state == NominationState.APPROVED:
        NOMINATION_FLOW.move(nomination, "revoke", note=answer[:200], acting_user=acting_user)
    _tell_objector(objection)
    return objection


def objections_page(user: Any) -> str:
    """Where an objector reads their objections and the answers: the honours page of their own
    branch, which shows the notice they objected to (the nomination's own page is the
    nominating organization's, which an objector elsewhere in the subtree may not read)."""
    member = getattr(user, "member", None)
    if member is None:
        return ""
    return reverse("org_honour_calls", args=[member.organization_id]) + "#my-objections"


def _tell_objector(objection: Objection) -> None:
    """The account that raised the objection is told the answer (in the platform's language),
    once: the key names the objection. Rolled back with the answer; sent after the commit."""
    from dangjian.notifications.services import Message, notify_many, platform_language

    user = objection.raised_by
    if user is None or not user.is_active:
        return
    nomination = objection.nomination
    with platform_language():
        title = _("Your objection to %(name)s (%(honour)s) has been answered") % {
            "name": nomination.nominee_name,
            "honour": nomination.get_category_display(),
        }
        verdict = _("Upheld: the approval is withdrawn.") if objection.upheld else _("Not upheld.")
        body = f"{verdict} {objection.answer[:300]}"
    message = Message(
        [user.pk], ANSWERED_KIND, f"honour-objection:{objection.pk}", title, body, objections_page(user)
    )
    notify_many([message])
