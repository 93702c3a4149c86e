"""How members pay their dues (交纳方式): the organization's own instructions or, when it has none,
the nearest committee's above it; and the one service that sets them.

Decisions (docs/dues.md):
- Inherited whole, not field by field: a branch that states its own way to pay replaces the
  committee's, so a member never sees the committee's account next to the branch's cash contact.
- The account is the organization's collection account (account name, bank, number): not a
  member's personal data, so it is shown unmasked to the members it concerns.
- The QR image is a PNG or JPEG of at most 2 MB, checked by content like every upload, then
  decoded (Pillow) and stored re-encoded as PNG, so only its pixels reach the members' phones;
  it is stored under a random name and served only to those who may view the organization asking.
"""

import re
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, images, uploads
from dangjian.core.services import account_of, require_scope, write_service
from dangjian.core.tree import ancestor_paths
from dangjian.organizations.models import Organization

from .models import PaymentInstructions

QR_MAX_BYTES = 2 * 1024 * 1024
QR_MAX_SIDE = 4096
TEXT_FIELDS = ("cash_contact", "account_name", "bank", "account_number", "notes")
_ACCOUNT_NUMBER = re.compile(r"^[0-9 ]{8,40}$")


@dataclass(frozen=True)
class Effective:
    """The instructions that apply to an organization, and whether they are its own."""

    instructions: PaymentInstructions
    inherited: bool

    @property
    def source(self) -> Organization:
        return self.instructions.organization


def effective_instructions(org: Organization) -> Effective | None:
    """The organization's own instructions, else the nearest ancestor's (one query)."""
    paths = [org.path, *ancestor_paths(org.path)]
    rows = (
        PaymentInstructions.objects.filter(organization__path__in=paths)
        .select_related("organization")
        .order_by("-organization__depth")
    )
    for row in rows:
        if not row.is_empty:
            return Effective(row, inherited=row.organization_id != org.pk)
    return None


def own_instructions(org: Organization) -> PaymentInstructions | None:
    return PaymentInstructions.objects.filter(organization=org).first()


def check_qr(upload: UploadedFile) -> ContentFile:
    """A PNG or JPEG of at most 2 MB whose content says so, decoded and written anew as PNG: only
    its pixels are kept (no metadata, nothing appended after the image or hidden in a chunk)."""
    return images.reencode(upload, max_bytes=QR_MAX_BYTES, max_side=QR_MAX_SIDE, output="png").content


def _clean(data: dict[str, Any], has_qr: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {"cash": bool(data.get("cash")), "transfer": bool(data.get("transfer"))}
    errors: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = data.get(name, "")
        if not isinstance(value, str):
            errors[name] = _("Enter text.")
            continue
        limit = getattr(PaymentInstructions._meta.get_field(name), "max_length", None) or 0
        value = value.strip()
        if len(value) > limit:
            errors[name] = _("At most %(n)s characters.") % {"n": limit}
        cleaned[name] = value
    if cleaned["transfer"] and not errors:
        for name in ("account_name", "bank", "account_number"):
            if not cleaned[name]:
                errors[name] = _("A bank transfer needs the account name, the bank and the account number.")
        number = cleaned["account_number"]
        if number and not _ACCOUNT_NUMBER.match(number):
            errors["account_number"] = _("An account number has 8 to 40 digits (spaces allowed).")
    if not errors and not (cleaned["cash"] or cleaned["transfer"] or has_qr or cleaned["notes"]):
        errors["cash"] = _(
            "Choose at least one way to pay: cash, a bank transfer, a QR code or a note that says how."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


@write_service("dues_instructions.set")
def set_instructions(
    org: Organization,
    data: dict[str, Any],
    *,
    acting_user: Any,
    qr: UploadedFile | None = None,
    remove_qr: bool = False,
    expected_version: int | None = None,
) -> PaymentInstructions:
    """Create or replace the organization's own instructions. A new QR image replaces the old
    one; `remove_qr` drops it. Bad input changes nothing; a stale `expected_version` is refused
    with code "stale" (409 in the API)."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    require_scope(acting_user, org, "change")
    row = PaymentInstructions.objects.select_for_update().filter(organization=org).first()
    if expected_version is not None and expected_version != (row.version if row else 0):
        raise ValidationError(
            _("Someone changed this record after you opened it; reload the page and try again."),
            code="stale",
        )
    image = None
    if qr is not None:
        try:
            image = check_qr(qr)
        except ValidationError as exc:
            raise ValidationError({"qr": exc.messages}) from exc
    keeps_qr = bool(row and row.qr_image and not remove_qr)
    cleaned = _clean(data, has_qr=image is not None or keeps_qr)
    before = {name: getattr(row, name) for name in ("cash", "transfer", *TEXT_FIELDS)} if row else {}
    old_file = row.qr_image if row else ""
    if row is None:
        row = PaymentInstructions(organization=org, version=0)
    for name, value in cleaned.items():
        setattr(row, name, value)
    if remove_qr or image is not None:
        row.qr_image, row.qr_type = "", ""
    row.version += 1
    row.updated_by = account_of(acting_user)
    new_file = ""
    if image is not None:
        # The last write: nothing after it can roll the row back and leave the file behind.
        png = uploads.KINDS["png"]
        new_file = default_storage.save(uploads.random_name("dues-qr", png), image)
        row.qr_image, row.qr_type = new_file, png.content_type
    try:
        row.save()
        changes = {k: [before.get(k), v] for k, v in cleaned.items() if before.get(k) != v}
        if new_file or (old_file and not row.qr_image):
            changes["qr_image"] = [bool(old_file), bool(row.qr_image)]
        audit.record("dues_instructions.set", actor=acting_user, obj=org, org_path=org.path, changes=changes)
    except BaseException:
        if new_file:
            default_storage.delete(new_file)
        raise
    if old_file and old_file != row.qr_image:
        transaction.on_commit(lambda: default_storage.delete(old_file))
    return row


def open_qr(row: PaymentInstructions) -> IO[bytes] | None:
    """The stored QR image, or None if there is none or it has gone missing from storage."""
    if not row.qr_image:
        return None
    try:
        return default_storage.open(row.qr_image, "rb")  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
