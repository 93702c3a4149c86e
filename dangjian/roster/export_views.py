"""Downloads of the member list (as filtered on the member page) and of the import template."""

import os
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.members.filters import MemberFilterSet, in_tree_order, personal_query_params
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .exports import CHUNK, XLSX, csv_chunks, member_rows, template_xlsx, xlsx_file


def _export_query(request: HttpRequest) -> tuple[QuerySet[Any], list[str], str]:
    """The list as the member page filters it, restricted to the user's export reach; the
    paths where full values may be shown (empty unless asked for); the audit's tree path."""
    user: Any = request.user
    if personal_query_params(request.GET):
        raise _Refused
    export_paths = user.scope_paths("export")
    if not export_paths:
        raise Http404
    filterset = MemberFilterSet(
        request.GET, queryset=Member.objects.select_related("organization"), request=request
    )
    if not filterset.is_valid():
        raise Http404
    members = in_tree_order(filterset.qs.restrict(user, "export"))
    reveal = user.scope_paths("reveal_pii") if request.GET.get("full") == "1" else []
    code = (request.GET.get("org") or "").strip()
    org_path = Organization.objects.filter(code=code).values_list("path", flat=True).first() if code else None
    return members, reveal, org_path or export_paths[0]


class _Refused(Exception):
    """A query string carrying an ID number or phone (see members.filters.PERSONAL_PARAMS)."""


def _refusal() -> HttpResponse:
    return HttpResponseBadRequest(
        _("ID numbers and phone numbers are not searched through the address bar; use the search form."),
        content_type="text/plain; charset=utf-8",
    )


def _audit(request: HttpRequest, kind: str, rows: int, reveal: list[str], org_path: str) -> None:
    query = {k: v for k, v in request.GET.items() if v}
    audit.record(
        "member.export",
        actor=request.user,
        org_path=org_path,
        object_type="members.member",
        changes={"filter": query, "rows": rows, "full_values": bool(reveal)},
        detail=f"members.{kind} {request.GET.urlencode()}"[:2000],
    )


def _filename(kind: str) -> str:
    return f"members-{timezone.localdate():%Y%m%d}.{kind}"


@login_required
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        members, reveal, org_path = _export_query(request)
    except _Refused:
        return _refusal()
    count = members.count()
    _audit(request, "csv", count, reveal, org_path)
    rows = member_rows(members.iterator(chunk_size=CHUNK), reveal, _may_reveal(request))
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename={_filename('csv')}"
    response["Cache-Control"] = "private, no-store"
    return response


def _may_reveal(request: HttpRequest) -> list[str]:
    return request.user.scope_paths("reveal_pii")  # type: ignore[union-attr]


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse | FileResponse:
    try:
        members, reveal, org_path = _export_query(request)
    except _Refused:
        return _refusal()
    title = _("Members exported on %(day)s") % {"day": timezone.localdate().isoformat()}
    rows = member_rows(members.iterator(chunk_size=CHUNK), reveal, _may_reveal(request))
    path, count = xlsx_file(rows, title)
    _audit(request, "xlsx", count, reveal, org_path)
    stream = path.open("rb")
    os.unlink(path)  # the open handle keeps the data until the response is sent
    response = FileResponse(stream, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=member-import-template.xlsx"
    return response
