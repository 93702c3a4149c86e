"""Writes of campaigns and tasks sent down: the sender drafts, corrects, launches, closes or
cancels a campaign and reminds who has not reported; each receiving organization fills in its
report, attaches files, submits it and reports its cases. Every write is scoped and audited; the
moves are the workflows' (`workflows`), which keep the rollups current."""

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import attachments, audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.tree import path_successor
from dangjian.organizations.models import Organization, OrgKind, Sector

from . import reminders, rollups
from .models import (
    ANSWER_MAX,
    TEXT_MAX,
    TITLE_MAX,
    TO_SUBMIT,
    Assignment,
    AssignmentFile,
    AssignmentState,
    Campaign,
    CampaignFile,
    CampaignKind,
    CampaignState,
    Case,
    CaseState,
    FieldType,
)
from .workflows import ASSIGNMENT_FLOW, CAMPAIGN_FLOW, CASE_FLOW, RECEIVER

MAX_FILES = 10
FILE_MAX_BYTES = 20 * 1024 * 1024
MAX_FIELDS = 20
EDIT_FIELDS = (
    "kind",
    "title",
    "instructions",
    "deadline",
    "ends_on",
    "target_kinds",
    "target_sectors",
    "fields",
)


# --- the campaign --------------------------------------------------------------------------------


def _clean_fields(raw: Any, errors: dict[str, Any]) -> list[dict[str, Any]]:
    """The report form: a list of {label, type, required}; each gets a stable key (f1, f2, …)."""
    out: list[dict[str, Any]] = []
    if not isinstance(raw, list) or len(raw) > MAX_FIELDS:
        errors["fields"] = _("The form has at most %(max)s fields.") % {"max": MAX_FIELDS}
        return out
    labels: set[str] = set()
    for item in raw:
        label = str((item or {}).get("label") or "").strip() if isinstance(item, dict) else ""
        if not label:
            continue
        kind = str(item.get("type") or FieldType.TEXT)
        if len(label) > 60 or kind not in FieldType.values or label in labels:
            errors["fields"] = _("Each field needs its own name (at most 60 characters) and a type.")
            return out
        labels.add(label)
        out.append(
            {"key": f"f{len(out) + 1}", "label": label, "type": kind, "required": bool(item.get("required"))}
        )
    return out


def _clean(data: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kind = str(data.get("kind") or "")
    if kind not in CampaignKind.values:
        errors["kind"] = _("Choose a special campaign or a task.")
    out["kind"] = kind
    title = str(data.get("title") or "").strip()
    if not title or len(title) > TITLE_MAX:
        errors["title"] = _("Give a title (at most %(max)s characters).") % {"max": TITLE_MAX}
    out["title"] = title
    text = str(data.get("instructions") or "").strip()
    if not text or len(text) > TEXT_MAX:
        errors["instructions"] = _("Write the instructions (at most %(max)s characters).") % {"max": TEXT_MAX}
    out["instructions"] = text
    deadline, ends_on = data.get("deadline"), data.get("ends_on") or data.get("deadline")
    if not isinstance(deadline, date):
        errors["deadline"] = _("Enter the deadline.")
    elif not isinstance(ends_on, date) or ends_on < deadline:
        errors["ends_on"] = _("The campaign ends on or after its deadline.")
    out["deadline"], out["ends_on"] = deadline, ends_on
    kinds = [str(k) for k in data.get("target_kinds") or []]
    if not kinds or any(k not in OrgKind.values for k in kinds):
        errors["target_kinds"] = _("Choose which kinds of organization it goes to.")
    out["target_kinds"] = sorted(set(kinds))
    sectors = [str(s) for s in data.get("target_sectors") or []]
    if any(s not in Sector.values for s in sectors):
        errors["target_sectors"] = _("Choose sectors from the list.")
    out["target_sectors"] = sorted(set(sectors))
    out["fields"] = _clean_fields(data.get("fields") or [], errors)
    return out


def _sender(org: Organization) -> None:
    if org.numchild == 0:
        raise ValidationError(_("A campaign is sent by an organization with organizations below it."))


@write_service("campaign.create")
def create_campaign(org: Organization, data: dict[str, Any], *, acting_user: Any) -> Campaign:
    """A draft campaign or task of `org`, to be launched once it is complete."""
    require_scope(acting_user, org, "change")
    _sender(org)
    errors: dict[str, Any] = {}
    values = _clean(data, errors)
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(organization=org, created_by=account_of(acting_user), **values)
    audit.record(
        "campaign.create",
        actor=acting_user,
        obj=campaign,
        org_path=org.path,
        changes={"title": [None, campaign.title], "kind": [None, campaign.kind]},
    )
    CAMPAIGN_FLOW.started(campaign, acting_user)
    return campaign


def _draft(campaign: Campaign, acting_user: Any, expected_version: int | None = None) -> Campaign:
    campaign = CAMPAIGN_FLOW.lock(campaign)
    require_scope(acting_user, campaign, "change")
    CAMPAIGN_FLOW.check_version(campaign, expected_version)
    if campaign.state != CampaignState.DRAFT:
        raise ValidationError(_("A launched campaign is no longer changed; cancel it and send a new one."))
    return campaign


@write_service("campaign.update")
def update_campaign(
    campaign: Campaign, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Campaign:
    campaign = _draft(campaign, acting_user, expected_version)
    errors: dict[str, Any] = {}
    values = _clean(data, errors)
    if errors:
        raise ValidationError(errors)
    changes = {k: [getattr(campaign, k), v] for k, v in values.items() if getattr(campaign, k) != v}
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.version += 1
    campaign.save()
    audit.record(
        "campaign.update",
        actor=acting_user,
        obj=campaign,
        org_path=campaign.organization.path,
        changes={k: [str(a), str(b)] for k, (a, b) in changes.items()},
    )
    return campaign


@write_service("campaign.delete")
def delete_campaign(campaign: Campaign, *, acting_user: Any) -> None:
    """A draft written by mistake (never launched: nobody has seen it)."""
    campaign = _draft(campaign, acting_user)
    names = [str(f.file.name) for f in campaign.files.all()]
    audit.record(
        "campaign.delete",
        actor=acting_user,
        obj=campaign,
        org_path=campaign.organization.path,
        changes={"title": [campaign.title, None]},
    )
    campaign.delete()
    transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


@write_service("campaign.files")
def add_campaign_files(
    campaign: Campaign, files: Sequence[UploadedFile], *, acting_user: Any
) -> list[CampaignFile]:
    campaign = _draft(campaign, acting_user)
    _check_count(campaign.files.count(), files)
    rows = attachments.store(
        files,
        max_bytes=FILE_MAX_BYTES,
        folder="campaigns",
        create=lambda f: CampaignFile.objects.create(
            campaign=campaign, uploaded_by=account_of(acting_user), **f
        ),
    )
    audit.record(
        "campaign.files",
        actor=acting_user,
        obj=campaign,
        org_path=campaign.organization.path,
        changes={"files": [None, [r.original_name for r in rows]]},
    )
    return rows


def _check_count(existing: int, files: Sequence[UploadedFile]) -> None:
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    if existing + len(files) > MAX_FILES:
        raise ValidationError({"files": _("At most %(limit)s files.") % {"limit": MAX_FILES}})


@write_service("campaign.file_remove")
def remove_campaign_file(campaign: Campaign, file_id: int, *, acting_user: Any) -> str:
    campaign = _draft(campaign, acting_user)
    row = campaign.files.filter(pk=file_id).first()
    if row is None:
        raise OutOfScope(f"campaign file {file_id}")
    return _remove(row, acting_user, "campaign.file_remove", campaign, campaign.organization.path)


def _remove(row: Any, acting_user: Any, action: str, obj: Any, path: str) -> str:
    name = attachments.remove(row)
    audit.record(action, actor=acting_user, obj=obj, org_path=path, changes={"files": [name, None]})
    return name


def targets(campaign: Campaign) -> Any:
    """The organizations a campaign goes to: its sender's subtree below the sender, of its kinds
    (and sectors, when named)."""
    org = campaign.organization
    rows = Organization.objects.filter(
        path__gt=org.path, path__lt=path_successor(org.path), kind__in=campaign.target_kinds
    )
    if campaign.target_sectors:
        rows = rows.filter(sector__in=campaign.target_sectors)
    return rows


@write_service("campaign.launch")
def launch(
    campaign: Campaign, *, acting_user: Any, expected_version: int | None = None, tell: bool = True
) -> Campaign:
    """Every organization in scope receives the campaign (one statement), the rollups are written
    (one per level), and the officers are told after the commit, by the job queue (unless `tell`
    is False: a campaign loaded from past records tells nobody)."""
    campaign = CAMPAIGN_FLOW.move(
        campaign, "launch", acting_user=acting_user, expected_version=expected_version
    )
    count = _assign(campaign)
    if not count:
        raise ValidationError({"target_kinds": _("No organization below the sender is of the kinds chosen.")})
    campaign.assigned = count
    campaign.save(update_fields=["assigned"])
    rollups.rebuild(campaign)
    pk = campaign.pk
    if tell:
        transaction.on_commit(lambda: _queue_launched(pk))
    return campaign


def _assign(campaign: Campaign) -> int:
    """INSERT … SELECT of one assignment per target (the ids are never read into Python)."""
    chosen = targets(campaign).order_by().values("id")
    sql, params = chosen.query.sql_with_params()
    table = connection.ops.quote_name(Assignment._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, organization_id, deadline, state, answers, "  # noqa: S608
            "review_note, updated_at, version) "
            f"SELECT %s, t.id, %s, %s, %s, '', %s, 0 FROM ({sql}) t",
            [
                campaign.pk,
                connection.ops.adapt_datefield_value(campaign.deadline),
                AssignmentState.PENDING,
                "{}",
                connection.ops.adapt_datetimefield_value(now),
                *params,
            ],
        )
        return cursor.rowcount


def _queue_launched(campaign_id: int) -> None:
    from .tasks import notify_launched  # the task module imports Huey's queue

    notify_launched(campaign_id)


@write_service("campaign.remind")
def remind_missing(campaign: Campaign, node: Organization, rows: Any, *, acting_user: Any) -> int:
    """Remind the officers of `rows` (the campaign's assignments under `node`) still to report;
    returns how many were told (each at most once a day)."""
    require_scope(acting_user, campaign, "change")
    due = rows.filter(state__in=TO_SUBMIT)
    count = reminders.missing(due)
    due.update(reminded_at=timezone.now())
    audit.record("campaign.remind", actor=acting_user, obj=campaign, org_path=node.path, detail=str(count))
    return count


# --- the receiving organization ------------------------------------------------------------------


def _receiving(assignment: Assignment, acting_user: Any, expected_version: int | None = None) -> Assignment:
    assignment = ASSIGNMENT_FLOW.lock(assignment)
    if not in_scope(acting_user, assignment, "view"):
        raise OutOfScope(f"assignment {assignment.pk}")
    ASSIGNMENT_FLOW.check_version(assignment, expected_version)
    if not RECEIVER(acting_user, assignment):
        raise ValidationError(_("This is done by the receiving organization's officers."))
    if assignment.campaign.state != CampaignState.LAUNCHED:
        raise ValidationError(_("The campaign is no longer running; nothing more is submitted or decided."))
    return assignment


def _answer(field: dict[str, Any], raw: Any) -> str:
    text = str(raw or "").strip()
    if not text:
        return ""
    if len(text) > ANSWER_MAX:
        raise ValidationError(_("Keep it to at most %(max)s characters.") % {"max": ANSWER_MAX})
    if field["type"] == FieldType.NUMBER:
        try:
            Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not re.fullmatch(r"-?\d{1,12}(\.\d{1,4})?", text):
            raise ValidationError(_("Enter a number."))
    if field["type"] == FieldType.DATE:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("Enter a date.")) from None
    return text


@write_service("assignment.answers")
def save_answers(
    assignment: Assignment, answers: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Assignment:
    """The report's fields, saved (not yet submitted) while it is still with the organization."""
    assignment = _receiving(assignment, acting_user, expected_version)
    if assignment.state not in TO_SUBMIT:
        raise ValidationError(_("It has been submitted; it can be changed again if the sender returns it."))
    errors: dict[str, Any] = {}
    values: dict[str, str] = {}
    for field in assignment.campaign.fields:
        try:
            values[field["key"]] = _answer(field, answers.get(field["key"]))
        except ValidationError as exc:
            errors[field["key"]] = exc.messages
    if errors:
        raise ValidationError(errors)
    before = assignment.answers
    assignment.answers = values
    assignment.version += 1
    assignment.save(update_fields=["answers", "version", "updated_at"])
    audit.record(
        "assignment.answers",
        actor=acting_user,
        obj=assignment,
        org_path=assignment.organization.path,
        changes={"answers": [before, values]},
    )
    return assignment


@write_service("assignment.files")
def add_assignment_files(
    assignment: Assignment, files: Sequence[UploadedFile], *, acting_user: Any
) -> list[AssignmentFile]:
    assignment = _receiving(assignment, acting_user)
    if assignment.state not in TO_SUBMIT:
        raise ValidationError(_("It has been submitted; it can be changed again if the sender returns it."))
    _check_count(assignment.files.count(), files)
    rows = attachments.store(
        files,
        max_bytes=FILE_MAX_BYTES,
        folder="campaigns/returns",
        create=lambda f: AssignmentFile.objects.create(
            assignment=assignment, uploaded_by=account_of(acting_user), **f
        ),
    )
    audit.record(
        "assignment.files",
        actor=acting_user,
        obj=assignment,
        org_path=assignment.organization.path,
        changes={"files": [None, [r.original_name for r in rows]]},
    )
    return rows


@write_service("assignment.file_remove")
def remove_assignment_file(assignment: Assignment, file_id: int, *, acting_user: Any) -> str:
    assignment = _receiving(assignment, acting_user)
    if assignment.state not in TO_SUBMIT:
        raise ValidationError(_("It has been submitted; it can be changed again if the sender returns it."))
    row = assignment.files.filter(pk=file_id).first()
    if row is None:
        raise OutOfScope(f"assignment file {file_id}")
    return _remove(row, acting_user, "assignment.file_remove", assignment, assignment.organization.path)


# --- cases ---------------------------------------------------------------------------------------


def _case_text(data: dict[str, Any]) -> dict[str, str]:
    subject = str(data.get("subject") or "").strip()
    measures = str(data.get("measures") or "").strip()
    errors = {}
    if not subject or len(subject) > 200:
        errors["subject"] = _("Name the case (at most 200 characters).")
    if len(measures) > TEXT_MAX:
        errors["measures"] = _("Keep it to at most %(max)s characters.") % {"max": TEXT_MAX}
    if errors:
        raise ValidationError(errors)
    return {"subject": subject, "measures": measures}


@write_service("campaign_case.create")
def add_case(assignment: Assignment, data: dict[str, Any], *, acting_user: Any) -> Case:
    """A case the organization handles under a special campaign (while the campaign runs)."""
    assignment = _receiving(assignment, acting_user)
    if assignment.campaign.kind != CampaignKind.CAMPAIGN:
        raise ValidationError(_("Cases are reported under a special campaign, not a task."))
    case = Case.objects.create(assignment=assignment, created_by=account_of(acting_user), **_case_text(data))
    audit.record(
        "campaign_case.create",
        actor=acting_user,
        obj=case,
        org_path=assignment.organization.path,
        changes={"subject": [None, case.subject]},
    )
    CASE_FLOW.started(case, acting_user)
    rollups.shift(assignment.campaign, assignment.organization, cases_open=1)
    events.changed("campaigns.case", assignment.organization_id, assignment.campaign.ends_on)
    return case


@write_service("campaign_case.update")
def update_case(
    case: Case, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Case:
    case = CASE_FLOW.lock(case)
    _receiving(case.assignment, acting_user)
    CASE_FLOW.check_version(case, expected_version)
    if case.state != CaseState.OPEN:
        raise ValidationError(_("A concluded case is not changed; the sender may reopen it."))
    values = _case_text(data)
    changes = {k: [getattr(case, k), v] for k, v in values.items() if getattr(case, k) != v}
    for name, value in values.items():
        setattr(case, name, value)
    case.version += 1
    case.save(update_fields=[*values, "version", "updated_at"])
    audit.record(
        "campaign_case.update",
        actor=acting_user,
        obj=case,
        org_path=case.assignment.organization.path,
        changes=changes,
    )
    return case


@write_service("campaign_case.conclude")
def conclude_case(
    case: Case, conclusion: str, *, acting_user: Any, expected_version: int | None = None
) -> Case:
    text = str(conclusion or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({"conclusion": _("Keep it to at most %(max)s characters.") % {"max": TEXT_MAX}})
    return CASE_FLOW.move(
        case,
        "conclude",
        acting_user=acting_user,
        expected_version=expected_version,
        fields={"conclusion": text},
        extra={"conclusion": text},
        changes={"conclusion": [case.conclusion, text]},
    )
