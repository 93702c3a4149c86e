"""The host's rotating QR code and the member's check-in page (phone first).

No dead ends: a member who is not expected at the meeting gets a page saying so (with nothing
about the meeting, so a stranger learns nothing: same page whether or not it exists); before the
window the page says when check-in opens; a logged-out member is sent to the login and back here
(`login_required` keeps the path in `next`)."""

from datetime import datetime
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.views import get_for_user, htmx_partial

from . import services
from .checkin import EARLY, current_code, grouped, seconds_left
from .models import AttendanceStatus, Meeting, MeetingStatus
from .queries import meetings_of_member


def _svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def window(meeting: Meeting) -> tuple[datetime, datetime]:
    """When a scan counts: from half an hour before the start until the end."""
    return meeting.starts_at - EARLY, meeting.ends_at


def window_open(meeting: Meeting, now: datetime | None = None) -> bool:
    opens, closes = window(meeting)
    return meeting.status == MeetingStatus.PLANNED and opens <= (now or timezone.now()) <= closes


@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """For the host (change scope): the code to show on a screen; the page refreshes it itself,
    and says when scans start to count if it is shown early."""
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization"])
    if meeting.status != MeetingStatus.PLANNED:
        raise Http404
    code = current_code(meeting.pk)
    url = request.build_absolute_uri(reverse("meeting_checkin", args=[meeting.pk, code]))
    opens, closes = window(meeting)
    now = timezone.now()
    context = {
        "meeting": meeting,
        "qr_svg": _svg(url),
        "code": grouped(code),
        "seconds": seconds_left(),
        "opens": opens,
        "closes": closes,
        "early": now < opens,
        "over": now > closes,
    }
    template = "orglife/_qr.html" if htmx_partial(request) else "orglife/qr.html"
    return render(request, template, context)


def _not_expected(request: HttpRequest) -> HttpResponse:
    # 404 and not one word about the meeting: the same page whether it exists or not.
    return render(request, "orglife/checkin_not_expected.html", status=404)


@login_required
def meeting_checkin(request: HttpRequest, pk: int, code: str = "") -> HttpResponse:
    """What a member's phone opens after scanning (the code in the URL), or after tapping 签到
    in 我的会议 (no code: the page asks for the one under the host's QR code)."""
    meeting = meetings_of_member(request.user).filter(pk=pk).select_related("organization").first()
    if meeting is None:
        return _not_expected(request)
    member_id: int = request.user.member_id  # type: ignore[union-attr,assignment]  # expected: has one
    row = meeting.attendances.filter(member_id=member_id).first()
    error, done = "", row is not None and row.status == AttendanceStatus.PRESENT
    if request.method == "POST" and not done:
        code = code or str(request.POST.get("code", ""))
        try:
            if not code.strip():
                raise ValidationError(_no_code())
            services.check_in(meeting, code, acting_user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            done = True
    opens, closes = window(meeting)
    now = timezone.now()
    context = {
        "meeting": meeting,
        "error": error,
        "done": done,
        "code": code,
        "opens": opens,
        "closes": closes,
        "early": meeting.status == MeetingStatus.PLANNED and now < opens,
        "ended": meeting.status != MeetingStatus.PLANNED or now > closes,
        "cancelled": meeting.status == MeetingStatus.CANCELLED,
    }
    return render(request, "orglife/checkin.html", context, status=400 if error else 200)


def _no_code() -> str:
    return _("Enter the code shown under the QR code on the host's screen.")
