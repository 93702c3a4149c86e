"""Checks the supervision services share: the year, the version an edit was based on, and
storing a checked upload (the moves themselves are `workflows`)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.params import is_int
from dangjian.core.uploads import FileKind, random_name

FIRST_YEAR = 2000


def clean_year(year: Any) -> int:
    """A year from 2000 to this one: a year's work is assessed during or after it, never before."""
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not FIRST_YEAR <= year <= this_year:
        raise ValidationError(
            {"year": _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": this_year}}
        )
    return year


def year_end(year: int) -> date:
    """The day a year's record concerns, for change events."""
    return date(year, 12, 31)


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse an edit or a decision based on a page that is out of date."""
    if expected is not None and expected != obj.version:
        raise ValidationError(
            _("Someone changed this record after you opened it; reload the page and try again."),
            code="stale",
        )


def store_upload(field: Any, prefix: str, kind: FileKind, upload: UploadedFile) -> None:
    """Write the (already checked) upload under a random name; the row is saved by the caller."""
    field.save(random_name(prefix, kind), upload, save=False)


def year_param(raw: str) -> int:
    """`?year=`; this year when absent or out of range (pages do not fail on a bad link)."""
    this_year = timezone.localdate().year
    return int(raw) if is_int(raw) and FIRST_YEAR <= int(raw) <= this_year else this_year


def int_param(raw: Any) -> int | None:
    raw = str(raw or "")
    return int(raw) if is_int(raw) and len(raw) < 12 else None


def this_year() -> int:
    return timezone.localdate().year
