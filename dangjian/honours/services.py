"""Writes of honours: calls for nominations and their moves, nominations with evidence and their
moves, objections during the public notice and their answers. Every write is scoped and
audited; the moves go through the workflows (`workflows.CALL_FLOW`, `NOMINATION_FLOW`)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
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


@write_service("honour_call.create")
def create_call(org: Organization, data: dict[str, Any], *, acting_user: Any) -> Call:
    """A draft call of `org` (a committee) for the year of its deadline."""
    require_scope(acting_user, org, "change")
    if org.kind not in COMMITTEE_KINDS:
        raise ValidationError(_("Honours are called by a committee."))
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
    assert isinstance(due, date) and isinstance(publish_by, date)
    call = Call.objects.create(
        organization=org,
        year=due.year,
        title=title,
        criteria=criteria,
        categories=categories,
        nominations_due=due,
        publish_by=publish_by,
        created_by=account_of(acting_user),
    )
    audit.record(
        "honour_call.create",
        actor=acting_user,
        obj=call,
        org_path=org.path,
        changes={
            "title": [None, title],
            "categories": [None, categories],
            "publish_by": [None, str(publish_by)],
        },
    )
    CALL_FLOW.started(call, acting_user)
    events.changed("honours.call", org.pk, date(call.year, 12, 31))
    return call


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


def may_add_evidence(user: Any, nomination: Nomination) -> bool:
    return nomination.state in EDITABLE and NOMINATOR(user, nomination)


@write_service("nomination.evidence")
def add_evidence(
    nomination: Nomination, files: Sequence[UploadedFile], *, acting_user: Any
) -> list[Evidence]:
    """Evidence of the deeds, by the nominating organization's officers before a decision.
    Photos are written anew from their pixels (no EXIF location kept)."""
    nomination = NOMINATION_FLOW.lock(nomination)
    if not in_scope(acting_user, nomination, "view"):
        raise OutOfScope(f"nomination {nomination.pk}")
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
    return rows


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
    return objection
