"""The discussion pages: a branch's threads, one thread with its posts, starting a thread and
replying (phone first), the secretary's moderation queue, the committee's word list."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import uploads
from dangjian.core.tree import ancestor_paths
from dangjian.organizations.models import Organization

from . import access, queries, services
from .models import BODY_MAX, TITLE_MAX, PostImage, Report, ReportState, WordList


def _org_for(request: HttpRequest, pk: int, action: str = "view") -> Organization:
    org = Organization.objects.filter(pk=pk).first()
    if org is None or not access.can(request.user, org.path, action):
        raise Http404
    return org


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    # Templates cannot read "__all__": errors of no field are "general".
    if hasattr(exc, "error_dict"):
        return {("general" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"general": exc.messages}


@login_required
def my_threads(request: HttpRequest) -> HttpResponse:
    """The 支部 tab's discussion: the member's own branch (or the first branch the account posts in)."""
    member = getattr(request.user, "member", None)
    if member is not None and access.can(request.user, member.organization.path, "view"):
        return _thread_list(request, member.organization)
    reach = access.paths(request.user, "post")
    org = Organization.objects.filter(path__in=reach).order_by("path").first()
    if org is None:
        return redirect("nav_go", section="org")
    return redirect("discussion:org_threads", pk=org.pk)


@login_required
def org_threads(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_list(request, _org_for(request, pk))


def _thread_list(request: HttpRequest, org: Organization) -> HttpResponse:
    pinned, page, more = queries.thread_page(request.user, org, request.GET.get("before"))
    can_moderate = access.can(request.user, org.path, "change")
    return render(
        request,
        "discussion/list.html",
        {
            "org": org,
            "pinned": pinned,
            "threads": page,
            "more": more,
            "can_post": access.can(request.user, org.path, "post"),
            "can_moderate": can_moderate,
            "waiting": (
                queries.open_reports(org).count() + queries.held_posts(org).count() if can_moderate else 0
            ),
        },
    )


@login_required
def new_thread(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org_for(request, pk, "post")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            thread = services.start_thread(
                org,
                request.POST.get("title", ""),
                request.POST.get("body", ""),
                images=request.FILES.getlist("images"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            if thread.state == "held":
                messages.info(
                    request, _("Your thread awaits the secretary's review before the branch sees it.")
                )
            return redirect("discussion:thread", pk=thread.pk)
    return render(
        request,
        "discussion/new.html",
        {
            "org": org,
            "errors": errors,
            "title": request.POST.get("title", ""),
            "body": request.POST.get("body", ""),
            "title_max": TITLE_MAX,
            "body_max": BODY_MAX,
        },
    )


def _thread_or_404(request: HttpRequest, pk: int) -> Any:
    thread = queries.thread_for(request.user, pk)
    if thread is None:
        raise Http404
    return thread


@login_required
def thread_detail(request: HttpRequest, pk: int, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    posts, more = queries.post_page(request.user, thread, request.GET.get("after"))
    path = thread.organization.path
    return render(
        request,
        "discussion/thread.html",
        {
            "thread": thread,
            "org": thread.organization,
            "posts": posts,
            "more": more,
            "can_post": access.can(request.user, path, "post"),
            "can_moderate": access.can(request.user, path, "change"),
            "errors": errors or {},
            "body": request.POST.get("body", "") if errors else "",
            "body_max": BODY_MAX,
            "me": request.user.pk,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    if not access.can(request.user, thread.organization.path, "post"):
        raise Http404
    try:
        post = services.reply(
            thread,
            request.POST.get("body", ""),
            images=request.FILES.getlist("images"),
            acting_user=request.user,
        )
    except ValidationError as exc:
        return thread_detail(request, pk, errors=_errors(exc))
    if post.state == "held":
        messages.info(request, _("Your reply awaits the secretary's review before the branch sees it."))
    return redirect(reverse("discussion:thread", args=[thread.pk]) + f"#post-{post.pk}")


def _flash(request: HttpRequest, step: Callable[[], object]) -> None:
    """Run one moderation step; say it is done, or why it was refused."""
    try:
        step()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))


@login_required
@require_POST
def moderate_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    if not access.can(request.user, thread.organization.path, "change"):
        raise Http404
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    _flash(request, lambda: services.moderate_thread(thread, action, reason=reason, acting_user=request.user))
    return redirect("discussion:thread", pk=thread.pk)


def _post_or_404(request: HttpRequest, pk: int) -> Any:
    post = queries.post_for(request.user, pk)
    if post is None:
        raise Http404
    return post


@login_required
@require_POST
def moderate_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    if not access.can(request.user, post.organization.path, "change"):
        raise Http404
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    _flash(request, lambda: services.moderate_post(post, action, reason=reason, acting_user=request.user))
    if request.POST.get("next") == "moderation":
        return redirect("discussion:moderation", pk=post.organization_id)
    return redirect(reverse("discussion:thread", args=[post.thread_id]) + f"#post-{post.pk}")


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    if not access.can(request.user, post.organization.path, "post"):
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.report_post(post, request.POST.get("reason", ""), acting_user=request.user)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Thank you. The branch secretary will look at this post."))
            return redirect("discussion:thread", pk=post.thread_id)
    return render(
        request, "discussion/report.html", {"post": post, "errors": errors}, status=400 if errors else 200
    )


@login_required
def moderation(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org_for(request, pk, "change")
    return render(
        request,
        "discussion/moderation.html",
        {
            "org": org,
            "reports": list(queries.open_reports(org).order_by("id")[:100]),
            "held": list(queries.held_posts(org).order_by("id")[:100]),
        },
    )


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    row = Report.objects.restrict(request.user, "change").filter(pk=pk, state=ReportState.OPEN).first()
    if row is None:
        raise Http404
    hide, reason = request.POST.get("action") == "hide", request.POST.get("reason", "")
    _flash(request, lambda: services.resolve_report(row, hide=hide, reason=reason, acting_user=request.user))
    return redirect("discussion:moderation", pk=row.organization_id)


def serve_image(user: Any, pk: int, thumb: bool) -> HttpResponseBase:
    """A post's image (or its thumbnail) to whoever may read the post; 404 otherwise. The pages
    and the API (bearer tokens) serve them alike."""
    row = PostImage.objects.restrict(user, "view").filter(pk=pk).first()
    if row is None or queries.post_for(user, row.post_id) is None:
        raise Http404
    try:
        stored = default_storage.open(row.thumbnail if thumb else row.file, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    ext = ".jpg" if row.content_type == "image/jpeg" else ".png"
    return uploads.download_response(stored, f"image-{row.pk}{ext}", row.content_type, inline=True)


@login_required
def image(request: HttpRequest, pk: int) -> HttpResponseBase:
    return serve_image(request.user, pk, thumb=False)


@login_required
def thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    return serve_image(request.user, pk, thumb=True)


@login_required
def words(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's word list for its subtree, and the lists above it (read only)."""
    org = _org_for(request, pk, "words")
    own = WordList.objects.filter(organization=org).first()
    errors: dict[str, list[str]] = {}
    text = own.words if own else ""
    if request.method == "POST":
        text = request.POST.get("words", "")
        version = request.POST.get("version", "")
        try:
            services.set_words(
                org,
                text,
                acting_user=request.user,
                expected_version=int(version) if version.isdigit() else None,
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("The word list is saved."))
            return redirect("discussion:words", pk=org.pk)
    above = WordList.objects.filter(organization__path__in=ancestor_paths(org.path)).select_related(
        "organization"
    )
    return render(
        request,
        "discussion/words.html",
        {
            "org": org,
            "text": text,
            "version": own.version if own else 0,
            "above": [row for row in above if row.word_list()],
            "errors": errors,
        },
        status=400 if errors else 200,
    )
