"""Notice pages. The sender's side lives under the organization (`/orgs/<id>/notices/`) and needs
the change right on it: the list, writing, sending, withdrawing, and a notice "as seen from" one
organization — its read share per child organization and who has and has not read among its own
members. The member's side is `/my/notices/<id>/`: opening it records the read."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.params import is_int
from dangjian.core.uploads import download_response
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.identity.queries import mask_name
from dangjian.organizations.models import Organization
from dangjian.organizations.queries import own_or_sent_down_q

from . import queries, services
from .forms import ATTACHMENT_ACCEPT, NoticeForm
from .models import Notice, NoticeAttachment, NoticeState

LIST_LIMIT = 100


def _org_notice(
    request: HttpRequest, org_pk: int, pk: int, *, own: bool = False
) -> tuple[Organization, Notice]:
    """The organization (within the user's change reach) and a notice it sent — or, unless `own`,
    a sent cascaded notice of an organization above it. 404 otherwise."""
    org = get_for_user(request, Organization, org_pk, "change")
    notice = Notice.objects.select_related("organization").filter(pk=pk).first()
    if notice is None:
        raise Http404
    if notice.organization_id != org.pk and (own or notice.is_draft or not queries.covers(notice, org)):
        raise Http404
    return org, notice


@login_required
def org_notices(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    sent = list(
        Notice.objects.filter(organization=org).order_by("-pinned", "-created_at", "-id")[: LIST_LIMIT + 1]
    )
    received = list(
        Notice.objects.filter(own_or_sent_down_q(org, with_own=False), state=NoticeState.SENT)
        .select_related("organization")
        .order_by("-sent_at", "-id")[:LIST_LIMIT]
    )
    return render(
        request,
        "notices/org_list.html",
        {"org": org, "notices": sent[:LIST_LIMIT], "more": len(sent) > LIST_LIMIT, "received": received},
    )


def _body(request: HttpRequest) -> str:
    return str(request.POST.get("body", ""))


def _form_data(form: NoticeForm, request: HttpRequest) -> dict[str, Any]:
    return {**form.cleaned_data, "body": _body(request)}


def _body_error(form: NoticeForm, exc: ValidationError) -> list[str]:
    """Errors of `body` (not a form field) are shown by the editor; the rest go to the form."""
    if hasattr(exc, "error_dict") and "body" in exc.error_dict:
        body_errors = [str(m) for e in exc.error_dict.pop("body") for m in e.messages]
        if exc.error_dict:
            apply_errors(form, exc)
        return body_errors
    apply_errors(form, exc)
    return []


@login_required
def notice_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    form = NoticeForm(request.POST or None, can_cascade=not org.is_branch)
    body_errors: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.create_notice(
                org, _form_data(form, request), acting_user=request.user, files=request.FILES.getlist("files")
            )
        except ValidationError as exc:
            body_errors = _body_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Draft saved. Check it, then send it."))
            return redirect("org_notice", org_pk=org.pk, pk=notice.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "notices/form.html",
        {
            "org": org,
            "form": form,
            "body": _body(request),
            "body_errors": body_errors,
            "accept": ATTACHMENT_ACCEPT,
        },
        status=status,
    )


@login_required
def notice_edit(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    org, notice = _org_notice(request, org_pk, pk, own=True)
    if notice.state == NoticeState.WITHDRAWN:
        messages.error(request, _("This notice was withdrawn; it can no longer be changed."))
        return redirect("org_notice", org_pk=org.pk, pk=notice.pk)
    initial = {f: getattr(notice, f) for f in ("title", "must_read", "deadline", "pinned", "cascade")}
    form = NoticeForm(
        request.POST or None, initial=initial, can_cascade=not org.is_branch, sent=notice.is_sent
    )
    body = _body(request) if request.method == "POST" else notice.body
    body_errors: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        version = request.POST.get("version", "")
        try:
            services.update_notice(
                notice,
                _form_data(form, request),
                acting_user=request.user,
                expected_version=int(version) if is_int(version) else None,
            )
        except ValidationError as exc:
            body_errors = _body_error(form, exc)
            status = 409 if getattr(exc, "code", None) == "stale" else 400
        else:
            messages.success(
                request,
                _("Saved. Recipients see that it was edited and can read the earlier text.")
                if notice.is_sent
                else _("Draft saved."),
            )
            return redirect("org_notice", org_pk=org.pk, pk=notice.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "notices/form.html",
        {
            "org": org,
            "notice": notice,
            "form": form,
            "body": body,
            "body_errors": body_errors,
            "accept": ATTACHMENT_ACCEPT,
        },
        status=status,
    )


@login_required
def org_notice(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    """A notice as seen from `org`: its text, and — once sent — the read share per child
    organization (a drill-down link each) and who of `org`'s own members has read it."""
    org, notice = _org_notice(request, org_pk, pk)
    attach_steps([notice])
    context: dict[str, Any] = {
        "org": org,
        "notice": notice,
        "own": notice.organization_id == org.pk,
        "attachments": list(notice.attachments.all()),
        "revisions": list(notice.revisions.all()),
        "accept": ATTACHMENT_ACCEPT,
    }
    if not notice.is_draft:
        total, rows = queries.share_by_child(notice, org)
        people = [
            (mask_name(member.name), read_at) for member, read_at in queries.members_with_state(notice, org)
        ]
        context.update({"total": total, "rows": rows, "people": people})
    return render(request, "notices/org_detail.html", context)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if is_int(value) else None


def _state_change(request: HttpRequest, org_pk: int, pk: int, change: Any, done: str) -> HttpResponse:
    """Send or withdraw the organization's own notice, then back to its page with the outcome."""
    org, notice = _org_notice(request, org_pk, pk, own=True)
    try:
        change(notice, acting_user=request.user, expected_version=_version(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("org_notice", org_pk=org.pk, pk=notice.pk)


@login_required
@require_POST
def notice_send(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    return _state_change(request, org_pk, pk, services.send_notice, _("Notice sent."))


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    done = _("Notice withdrawn; recipients no longer see it.")
    return _state_change(request, org_pk, pk, services.withdraw_notice, done)


@login_required
@require_POST
def notice_remind(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    org, notice = _org_notice(request, org_pk, pk)
    try:
        count = services.remind_unread(notice, org, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if count:
            messages.success(request, _("%(n)s members who have not read it were reminded.") % {"n": count})
        else:
            messages.info(request, _("Nobody to remind: everyone has read it or was reminded today."))
    return redirect("org_notice", org_pk=org.pk, pk=notice.pk)


@login_required
@require_POST
def notice_attach(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    org, notice = _org_notice(request, org_pk, pk, own=True)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            services.add_attachment(notice, upload, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File attached."))
    return redirect("org_notice", org_pk=org.pk, pk=notice.pk)


@login_required
def attachment_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A notice's file, for whoever may open the notice (its senders and its recipients)."""
    row = NoticeAttachment.objects.filter(pk=pk, notice__in=queries.readable_by(request.user)).first()
    if row is None:
        raise Http404
    stored = services.open_attachment(row)
    if stored is None:
        raise Http404
    return download_response(stored, row.original_name, row.content_type, inline=row.shown_inline)


@login_required
def my_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice the member receives; opening it records the read."""
    member = getattr(request.user, "member", None)
    notice = queries.received_by(member).select_related("organization").filter(pk=pk).first()
    if notice is None or member is None:
        raise Http404
    services.mark_read(notice, member)
    return render(
        request,
        "notices/my_detail.html",
        {
            "notice": notice,
            "attachments": list(notice.attachments.all()),
            "revisions": list(notice.revisions.all()),
        },
    )


def branch_notices(member: Any, limit: int = 20) -> list[tuple[Notice, bool]]:
    """The notices on a member's 支部 tab, pinned first, each with whether they have read it.
    Two queries."""
    notices = list(
        queries.received_by(member)
        .select_related("organization")
        .order_by("-pinned", "-sent_at", "-id")[:limit]
    )
    read = queries.read_ids(member, [n.pk for n in notices]) if notices else set()
    return [(n, n.pk in read) for n in notices]
