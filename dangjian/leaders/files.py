"""Serving a work's attachment, for the page and the API alike (scope checked by the caller)."""

from typing import Any

from django.http import FileResponse, Http404

from dangjian.core import audit
from dangjian.core.uploads import KINDS, download_response

from .models import LeaderWork


def attachment_response(user: Any, work: LeaderWork) -> FileResponse:
    """The stored file under its original name, typed by its stored extension (which the upload
    check derived from the content); the download is audited."""
    if not work.attachment:
        raise Http404
    extension = "." + str(work.attachment.name).rsplit(".", 1)[-1].lower()
    kind = next((k for k in KINDS.values() if extension in k.extensions), None)
    if kind is None:
        raise Http404
    audit.record(
        "leader.work_download",
        actor=user,
        obj=work,
        org_path=work.leader.committee.path,
        detail=work.attachment_name,
    )
    return download_response(work.attachment.open("rb"), work.attachment_name or "file", kind.content_type)
