"""Pages of the feed: an organization's feed ("更多" pages on by keyset), an activity's album with
its upload form, and the photos themselves, served only through these views after the scope
check (never from a public media URL)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.core import uploads
from dangjian.core.exceptions import OutOfScope

from . import queries, services
from .models import FeedItem, FeedKind, FeedPhoto


@login_required
def org_feed(request: HttpRequest, pk: int) -> HttpResponse:
    org = queries.organization_for(request.user, pk)
    if org is None:
        raise Http404
    try:
        page = queries.page(org, request.GET.get("before") or None)
    except ValidationError as exc:
        return render(
            request, "feed/feed.html", {"org": org, "error": exc.messages[0], "page": None}, status=400
        )
    return render(request, "feed/feed.html", {"org": org, "page": page})


def _item_for(request: HttpRequest, pk: int) -> FeedItem:
    item = FeedItem.objects.select_related("organization").filter(pk=pk, hidden=False).first()
    if item is None or not queries.can_view_item(request.user, item):
        raise Http404
    return item


@login_required
@require_http_methods(["GET", "POST"])
def album(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk)
    can_change = queries.can_change_item(request.user, item)
    errors: list[str] = []
    if request.method == "POST":
        if not can_change:
            raise Http404
        try:
            added = services.add_photos(item, request.FILES.getlist("photos"), acting_user=request.user)
        except OutOfScope as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(n)s photos added.") % {"n": len(added)})
            return redirect("feed:album", pk=item.pk)
    photos = list(item.photos.order_by("pk"))
    # A meeting's record (minutes, its own attachments) stays on the meeting's page.
    record_url = (
        reverse("meeting_detail", args=[item.source_id])
        if item.kind in (FeedKind.MEETING, FeedKind.THEME_DAY)
        else ""
    )
    return render(
        request,
        "feed/album.html",
        {
            "item": item,
            "photos": photos,
            "can_change": can_change,
            "errors": errors,
            "per_upload": services.PHOTOS_PER_UPLOAD,
            "record_url": record_url,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def remove_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = FeedPhoto.objects.select_related("item__organization").filter(pk=pk).first()
    if photo is None or not queries.can_view_item(request.user, photo.item):
        raise Http404
    if not queries.can_change_item(request.user, photo.item):
        raise Http404
    try:
        services.remove_photo(photo, acting_user=request.user)
    except OutOfScope as exc:
        raise Http404 from exc
    messages.success(request, _("The photo was removed."))
    return redirect("feed:album", pk=photo.item_id)


def _photo(request: HttpRequest, pk: int, thumb: bool) -> HttpResponseBase:
    photo = FeedPhoto.objects.select_related("item__organization").filter(pk=pk).first()
    if photo is None or photo.item.hidden or not queries.can_view_item(request.user, photo.item):
        raise Http404
    try:
        stored = default_storage.open(photo.thumbnail if thumb else photo.file, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    ext = ".jpg" if photo.content_type == "image/jpeg" else ".png"
    return uploads.download_response(stored, f"photo-{photo.pk}{ext}", photo.content_type, inline=True)


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _photo(request, pk, thumb=False)


@login_required
def thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _photo(request, pk, thumb=True)
