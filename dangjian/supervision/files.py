"""Serving stored evidence and report files (scope checked by the calling view)."""

from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from dangjian.core import audit
from dangjian.core.uploads import KINDS, download_response


def file_response(
    user: Any, stored: FieldFile, name: str, *, action: str, obj: Any, org_path: str
) -> FileResponse:
    """The stored file under its original name, typed by its stored extension (which the upload
    check derived from the content); the download is audited."""
    if not stored:
        raise Http404
    extension = "." + str(stored.name).rsplit(".", 1)[-1].lower()
    kind = next((k for k in KINDS.values() if extension in k.extensions), None)
    if kind is None:
        raise Http404
    audit.record(action, actor=user, obj=obj, org_path=org_path, detail=name)
    return download_response(stored.open("rb"), name or "file", kind.content_type, inline=kind.image)
