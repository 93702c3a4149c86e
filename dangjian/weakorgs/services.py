"""Writes of the weak-organization lists: the county's screening (computed candidates, idempotent)
and listing by hand, the plan, progress with evidence, and the workflow's moves
(`workflows.LISTING_FLOW`). Every write is scoped and audited."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import attachments, audit, events
from dangjian.core.exceptions import OutOfScope
from dangjian.core.models import StateChange
from dangjian.core.scoping import in_scope
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.workflow import reaches
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import screening
from .models import NAME_MAX, TEXT_MAX, WORKING, Evidence, Listing, ListingState, Origin, Progress
from .workflows import LISTING_FLOW, NOT_INSIDE, OWNER, lookback_day, plan_day

MAX_EVIDENCE = 10
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
PLAN_FIELDS = ("plan", "leader", "contact")


def _year(year: Any) -> int:
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= this_year:
        raise ValidationError(
            {"year": _("Enter a year from %(first)s to %(last)s.") % {"first": 2000, "last": this_year}}
        )
    return year


def _require_county(county: Organization, acting_user: Any) -> None:
    """The county committee itself, reached with a writing grant (the county or above)."""
    require_scope(acting_user, county, "view")
    if county.kind not in COMMITTEE_KINDS:
        raise ValidationError(_("Screening is run by a county committee."))
    if not reaches(acting_user, county, "change"):
        raise ValidationError(_("Screening is run by those who may change the county committee's records."))


def _changed(county_id: int, year: int) -> None:
    events.changed("weakorgs.listing", county_id, date(year, 12, 31))


@write_service("weak_listing.screen")
def screen(county: Organization, year: int, *, acting_user: Any) -> dict[str, int]:
    """Compute the year's candidates below `county`: new ones are created with their reasons, the
    reasons of those still candidates are brought up to date (a computed candidate no longer
    showing any sign is dropped), and those the county has decided on are never touched.
    Returns how many were created, updated and dropped."""
    _require_county(county, acting_user)
    year = _year(year)
    found = screening.candidates(county, year)
    existing = {
        li.organization_id: li
        for li in Listing.objects.filter(organization_id__in=list(found) or [0], year=year).only(
            "pk", "organization_id", "state", "reasons", "origin", "version"
        )
    }
    stale = list(
        Listing.objects.filter(
            county=county, year=year, state=ListingState.CANDIDATE, origin=Origin.COMPUTED
        ).exclude(organization_id__in=list(found))
    )
    updated = []
    for org_id, reasons in found.items():
        row = existing.get(org_id)
        codes = screening.ordered(reasons)
        if row is not None and row.state == ListingState.CANDIDATE and row.reasons != codes:
            row.reasons, row.version = codes, row.version + 1
            updated.append(row)
    Listing.objects.bulk_update(updated, ["reasons", "version"])
    paths = dict(
        Organization.objects.filter(pk__in=[o for o in found if o not in existing]).values_list("pk", "path")
    )
    account = account_of(acting_user)
    made = Listing.objects.bulk_create(
        Listing(
            organization_id=org_id,
            county=county,
            year=year,
            origin=Origin.COMPUTED,
            reasons=screening.ordered(found[org_id]),
            created_by=account,
        )
        for org_id in sorted(paths)
    )
    _history(made, paths, acting_user)
    if stale:
        kind = ContentType.objects.get_for_model(Listing)
        StateChange.objects.filter(content_type=kind, object_id__in=[li.pk for li in stale]).delete()
        Listing.objects.filter(pk__in=[li.pk for li in stale]).delete()
    counts = {"created": len(made), "updated": len(updated), "dropped": len(stale)}
    audit.record(
        "weak_listing.screen",
        actor=acting_user,
        obj=county,
        org_path=county.path,
        changes={"year": [None, year], **{k: [None, v] for k, v in counts.items()}},
    )
    _changed(county.pk, year)
    return counts


def _history(rows: Sequence[Listing], paths: dict[int, str], acting_user: Any) -> None:
    """The "create" step of each new candidate, in one insert (what `Workflow.started` writes)."""
    kind = ContentType.objects.get_for_model(Listing)
    account = account_of(acting_user)
    name = (account.get_full_name() or account.get_username()) if account is not None else "system"
    StateChange.objects.bulk_create(
        StateChange(
            content_type=kind,
            object_id=row.pk,
            move="create",
            source="",
            target=ListingState.CANDIDATE,
            actor_id=account.pk if account is not None else None,
            actor_name=name[:150],
            org_path=paths[row.organization_id],
        )
        for row in rows
    )


@write_service("weak_listing.add")
def add_by_hand(
    county: Organization, org: Organization, year: int, reason: str, *, acting_user: Any
) -> Listing:
    """The county lists an organization below it that screening did not propose, saying why."""
    _require_county(county, acting_user)
    year = _year(year)
    if not (org.path.startswith(county.path) and org.pk != county.pk):
        raise ValidationError({"organization": _("Choose an organization below the county committee.")})
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationError({"reason": _("Say why it is listed (at most 200 characters).")})
    if Listing.objects.filter(organization=org, year=year).exists():
        raise ValidationError(
            {"organization": _("This organization is on this year's screening already; decide on it there.")}
        )
    listing = Listing(
        organization=org,
        county=county,
        year=year,
        origin=Origin.BY_HAND,
        hand_reason=reason,
        state=ListingState.LISTED,
        created_by=account_of(acting_user),
        listed_by=account_of(acting_user),
        listed_at=timezone.now(),
        plan_due=plan_day(timezone.localdate()),
    )
    if NOT_INSIDE.check(acting_user, listing):
        raise ValidationError(str(NOT_INSIDE.message), code="excluded")
    listing.save()
    audit.record(
        "weak_listing.add",
        actor=acting_user,
        obj=listing,
        org_path=org.path,
        changes={"organization": [None, org.name], "hand_reason": [None, reason]},
    )
    LISTING_FLOW.started(listing, acting_user, reason)
    _changed(county.pk, year)
    return listing


def _clean_plan(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    out = {name: str(data.get(name) or "").strip() for name in PLAN_FIELDS}
    if not out["plan"] or len(out["plan"]) > TEXT_MAX:
        errors["plan"] = _("Write the plan (at most %(max)s characters).") % {"max": TEXT_MAX}
    for name in ("leader", "contact"):
        if not out[name] or len(out[name]) > NAME_MAX:
            errors[name] = _("Give a name (at most %(max)s characters).") % {"max": NAME_MAX}
    if errors:
        raise ValidationError(errors)
    return out


@write_service("weak_listing.plan")
def save_plan(
    listing: Listing, data: dict[str, Any], *, acting_user: Any, expected_version: int | None = None
) -> Listing:
    """The rectification plan, the county leader in charge and the township contact: the first
    time the move "plan"; later, while it is with the organization, a correction."""
    listing = LISTING_FLOW.lock(listing)
    if not in_scope(acting_user, listing, "view"):
        raise OutOfScope(f"weak listing {listing.pk}")
    if listing.state == ListingState.LISTED:
        LISTING_FLOW.check_version(listing, expected_version)
        LISTING_FLOW.check(LISTING_FLOW.by_name["plan"], acting_user, listing)  # who, before what
        values = _clean_plan(data)
        for name, value in values.items():
            setattr(listing, name, value)  # the guard reads them; the move writes them
        return LISTING_FLOW.move(
            listing,
            "plan",
            acting_user=acting_user,
            expected_version=expected_version,
            fields=values,
            changes={name: [None, value] for name, value in values.items()},
            locked=True,
        )
    LISTING_FLOW.check_version(listing, expected_version)
    if listing.state not in WORKING or not OWNER(acting_user, listing):
        raise ValidationError(
            _("The plan is corrected by the organization's officers while it is rectified.")
        )
    values = _clean_plan(data)
    changes = {n: [getattr(listing, n), v] for n, v in values.items() if getattr(listing, n) != v}
    if not changes:
        return listing
    for name, value in values.items():
        setattr(listing, name, value)
    listing.version += 1
    listing.save(update_fields=[*PLAN_FIELDS, "version", "updated_at"])
    audit.record(
        "weak_listing.plan",
        actor=acting_user,
        obj=listing,
        org_path=listing.organization.path,
        changes=changes,
    )
    _changed(listing.county_id, listing.year)
    return listing


def may_record_progress(user: Any, listing: Listing) -> bool:
    """The organization's officers or the level above (short of the county), while the listing is
    with the organization (planned or returned). The same people correct or delete an entry and
    take back a file, whoever of them recorded it; once submitted, the entries are the county's to
    judge (returned, they may be corrected again), and after acceptance or carrying over they stay."""
    return listing.state in WORKING and OWNER(user, listing)


def _clean_progress(listing: Listing, note: Any, on: Any) -> tuple[str, date]:
    note = str(note or "").strip()
    errors: dict[str, str] = {}
    if not note or len(note) > TEXT_MAX:
        errors["note"] = _("Describe the progress (at most %(max)s characters).") % {"max": TEXT_MAX}
    if not isinstance(on, date) or not date(listing.year, 1, 1) <= on <= timezone.localdate():
        errors["on"] = _("Enter a date from the listing's year up to today.")
    if errors:
        raise ValidationError(errors)
    return note, on


def _editable(listing: Listing, acting_user: Any) -> Listing:
    """The listing locked, within the user's reach, and with the organization for this user."""
    listing = LISTING_FLOW.lock(listing)
    if not in_scope(acting_user, listing, "view"):
        raise OutOfScope(f"weak listing {listing.pk}")
    if not may_record_progress(acting_user, listing):
        raise ValidationError(
            _(
                "Progress and its evidence are corrected by the organization's officers or the "
                "level above while the listing is being rectified, not once it is submitted, "
                "accepted or carried over."
            ),
            code="closed",
        )
    return listing


def _entry(listing: Listing, progress_id: Any) -> Progress:
    row = Progress.objects.filter(listing=listing, pk=progress_id).select_for_update().first()
    if row is None:
        raise OutOfScope(f"weak progress {progress_id}")
    return row


@write_service("weak_listing.progress")
def add_progress(
    listing: Listing,
    note: str,
    on: Any,
    files: Sequence[UploadedFile] = (),
    *,
    acting_user: Any,
) -> Progress:
    """A step of the rectification with its evidence, by the organization's officers or the level
    above, once the plan is made. Photos are written anew from their pixels (no EXIF kept)."""
    listing = LISTING_FLOW.lock(listing)
    if not in_scope(acting_user, listing, "view"):
        raise OutOfScope(f"weak listing {listing.pk}")
    if not may_record_progress(acting_user, listing):
        raise ValidationError(
            _(
                "Progress is recorded by the organization's officers or the level above, "
                "once the plan is made."
            )
        )
    note, on = _clean_progress(listing, note, on)
    if len(files) > MAX_EVIDENCE:
        raise ValidationError({"files": _("At most %(limit)s files at once.") % {"limit": MAX_EVIDENCE}})
    progress = Progress.objects.create(listing=listing, on=on, note=note, author=account_of(acting_user))
    names = [
        row.original_name
        for row in attachments.store(
            files,
            max_bytes=EVIDENCE_MAX_BYTES,
            folder="weakorgs",
            create=lambda fields: Evidence.objects.create(
                progress=progress, uploaded_by=account_of(acting_user), **fields
            ),
        )
    ]
    audit.record(
        "weak_listing.progress",
        actor=acting_user,
        obj=listing,
        org_path=listing.organization.path,
        changes={"progress": [None, note[:200]], "evidence": [None, names]},
    )
    _changed(listing.county_id, listing.year)
    return progress


@write_service("weak_listing.progress_edit")
def update_progress(
    listing: Listing,
    progress_id: int,
    data: dict[str, Any],
    *,
    acting_user: Any,
    expected_version: int | None = None,
) -> Progress:
    """Correct an entry's date or text (`data` names either or both), by those who may record
    progress, while the listing is with the organization; an old version is refused."""
    listing = _editable(listing, acting_user)
    row = _entry(listing, progress_id)
    LISTING_FLOW.check_version(row, expected_version)
    note, on = _clean_progress(listing, data.get("note", row.note), data.get("on", row.on))
    changes: dict[str, list[Any]] = {}
    if note != row.note:
        changes["note"] = [row.note[:200], note[:200]]
    if on != row.on:
        changes["on"] = [row.on.isoformat(), on.isoformat()]
    if not changes:
        return row
    row.note, row.on, row.version = note, on, row.version + 1
    row.save(update_fields=["note", "on", "version"])
    audit.record(
        "weak_listing.progress_edit",
        actor=acting_user,
        obj=listing,
        org_path=listing.organization.path,
        changes={"progress_id": [row.pk, row.pk], **changes},
    )
    _changed(listing.county_id, listing.year)
    return row


@write_service("weak_listing.progress_delete")
def delete_progress(
    listing: Listing, progress_id: int, *, acting_user: Any, expected_version: int | None = None
) -> None:
    """Delete an entry recorded by mistake, with its evidence: the rows now, the stored files once
    that is committed (a rollback keeps both)."""
    listing = _editable(listing, acting_user)
    row = _entry(listing, progress_id)
    LISTING_FLOW.check_version(row, expected_version)
    names = [attachments.remove(file) for file in row.evidence.all()]
    old = {"progress": [row.note[:200], None], "on": [row.on.isoformat(), None], "evidence": [names, None]}
    row.delete()
    audit.record(
        "weak_listing.progress_delete",
        actor=acting_user,
        obj=listing,
        org_path=listing.organization.path,
        changes=old,
    )
    _changed(listing.county_id, listing.year)


@write_service("weak_listing.evidence_remove")
def remove_evidence(listing: Listing, evidence_id: int, *, acting_user: Any) -> str:
    """Take back a file uploaded by mistake while the listing is being rectified, by those who
    may record progress. The file goes once the removal is committed (a rollback keeps the row, so
    it keeps its file). Returns the file's name."""
    listing = _editable(listing, acting_user)
    row = Evidence.objects.filter(progress__listing=listing, pk=evidence_id).first()
    if row is None:
        raise OutOfScope(f"weak evidence {evidence_id}")
    name = attachments.remove(row)
    audit.record(
        "weak_listing.evidence_remove",
        actor=acting_user,
        obj=listing,
        org_path=listing.organization.path,
        changes={"evidence": [name, None]},
    )
    return name


# --- the moves -------------------------------------------------------------------------------


def _fields(name: str, note: str) -> dict[str, Any] | None:
    """The columns a move writes besides the kernel's: the reasons kept by name, the dates due."""
    note = note.strip()[:200]
    today = timezone.localdate()
    if name == "confirm":
        return {"plan_due": plan_day(today)}
    if name == "remove":
        return {"removal_reason": note}
    if name == "carry_over":
        return {"carry_reason": note}
    if name == "accept":
        return {"accepted_at": timezone.now(), "lookback_due": lookback_day(today)}
    if name == "look_back":
        return {"lookback_note": note}
    return None


def _move(name: str) -> Any:
    def move(
        listing: Listing, *, acting_user: Any, note: str = "", expected_version: int | None = None
    ) -> Listing:
        return LISTING_FLOW.move(
            listing,
            name,
            note=note,
            acting_user=acting_user,
            expected_version=expected_version,
            fields=_fields(name, note or ""),
        )

    move.__name__ = f"{name}_listing"
    return write_service(f"weak_listing.{name}")(move)


MOVES = {t.name: _move(t.name) for t in LISTING_FLOW.transitions if t.name != "plan"}
