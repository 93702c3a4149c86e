"""The host's rotating QR code and the member's check-in page (phone first)."""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dangjian.core.views import get_for_user, htmx_partial

from . import services
from .checkin import current_code, seconds_left
from .models import Meeting, MeetingStatus
from .queries import get_expected_meeting


def _svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """For the host (change scope): the code to show on a screen; the page refreshes it itself."""
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization"])
    if meeting.status != MeetingStatus.PLANNED:
        raise Http404
    code = current_code(meeting.pk)
    url = request.build_absolute_uri(reverse("meeting_checkin", args=[meeting.pk, code]))
    context = {"meeting": meeting, "qr_svg": _svg(url), "seconds": seconds_left()}
    template = "orglife/_qr.html" if htmx_partial(request) else "orglife/qr.html"
    return render(request, template, context)


@login_required
def meeting_checkin(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """What a member's phone opens after scanning: confirm, and be marked present."""
    meeting = get_expected_meeting(request.user, pk)
    error, done = "", False
    if request.method == "POST":
        try:
            services.check_in(meeting, code, acting_user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            done = True
    return render(request, "orglife/checkin.html", {"meeting": meeting, "error": error, "done": done})
