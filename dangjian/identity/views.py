"""The member's card on their phone, the public verification page, and the branch's view of its
members' cards."""

from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dangjian.core.scoping import in_scope
from dangjian.core.uploads import download_response
from dangjian.core.views import get_for_user
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from . import services
from .models import MemberCard, RevokeReason
from .queries import (
    card_coverage,
    card_is_valid,
    members_without_card,
    valid_card,
    verify_token,
)

LIST_LIMIT = 200


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=gettext_lazy("Photo (JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/jpeg,image/png"}),
    )


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def verify_url(request: HttpRequest, card: MemberCard) -> str:
    return request.build_absolute_uri(reverse("verify_card", args=[card.token]))


def _my_card_post(request: HttpRequest, member: Member, form: PhotoForm) -> bool:
    action = request.POST.get("action")
    try:
        if action == "issue":
            services.issue_card(member, acting_user=request.user, replaces=request.POST.get("card"))
            messages.success(request, _("Your member card is ready."))
        elif action == "photo" and form.is_valid():
            services.set_photo(member, form.cleaned_data["photo"], acting_user=request.user)
            messages.success(request, _("Photo saved."))
        else:
            return False
    except ValidationError as exc:
        form.add_error("photo" if action == "photo" else None, exc.messages)
        return False
    return True


@login_required
def my_card(request: HttpRequest) -> HttpResponse:
    """Phone first: the card with name, optional photo, branch, join date and the QR code."""
    member = getattr(request.user, "member", None)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and member is not None and _my_card_post(request, member, form):
        return redirect("my_card")
    card = valid_card(member) if member is not None else None
    context = {"member": member, "card": card, "form": form}
    if card is not None:
        url = verify_url(request, card)
        context |= {"verify_url": url, "qr_svg": qr_svg(url)}
    return render(request, "identity/my_card.html", context)


@login_required
def my_card_photo(request: HttpRequest) -> FileResponse:
    member = getattr(request.user, "member", None)
    card = valid_card(member) if member is not None else None
    name = card.photo.name if card is not None and card.photo else ""
    if card is None or not name or not default_storage.exists(name):
        raise Http404
    return download_response(default_storage.open(name), "photo", card.photo_type, inline=True)


@never_cache
def verify_card(request: HttpRequest, token: str) -> HttpResponse:
    """Public: anyone who scans the QR code sees whether the card is valid and the branch. No
    login, no personal data; a forged, altered or revoked code gets a clear refusal."""
    verdict = verify_token(token)
    response = render(
        request,
        "identity/verify.html",
        {"verdict": verdict, "checked_at": timezone.localtime()},
        status=verdict.http_status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
def member_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch's view of one member's cards: which is valid, the history, issue or withdraw."""
    member = get_for_user(request, Member, pk, select_related=["organization"])
    can_change = in_scope(request.user, member, "change")
    if request.method == "POST" and can_change:
        # `card`: the serial of the valid card the page showed, so that a double click or a
        # retried POST neither issues twice nor withdraws a card issued since.
        serial = request.POST.get("card")
        try:
            if request.POST.get("action") == "issue":
                services.issue_card(member, acting_user=request.user, replaces=serial)
                messages.success(request, _("A new card is issued."))
            elif request.POST.get("action") == "withdraw":
                card = member.cards.filter(serial=serial).first() if serial else None
                services.revoke_card(member, RevokeReason.WITHDRAWN, acting_user=request.user, card=card)
                messages.success(request, _("The card is withdrawn."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("member_card", pk=member.pk)
    cards = [(c, card_is_valid(c)) for c in member.cards.select_related("organization")]
    return render(
        request,
        "identity/member_card.html",
        {
            "member": member,
            "cards": cards,
            "valid": next((c for c, valid in cards if valid), None),
            "can_change": can_change,
        },
    )


@login_required
def org_cards(request: HttpRequest, pk: int) -> HttpResponse:
    """Work point 17: every member has an e-ID. Coverage of the subtree; for a branch, who has
    none yet, and issuing them all at once."""
    org = get_for_user(request, Organization, pk)
    can_change = in_scope(request.user, org, "change")
    if request.method == "POST" and can_change and org.holds_members:
        issued = services.issue_missing_cards(org, acting_user=request.user)
        messages.success(request, _("%(n)d cards issued.") % {"n": issued})
        return redirect("org_cards", pk=org.pk)
    members, carded = card_coverage(org.path)
    missing = list(members_without_card(org)[: LIST_LIMIT + 1]) if org.holds_members else []
    return render(
        request,
        "identity/org_cards.html",
        {
            "org": org,
            "can_change": can_change,
            "members": members,
            "carded": carded,
            "share": round(100 * carded / members) if members else None,
            "missing": missing[:LIST_LIMIT],
            "more": len(missing) > LIST_LIMIT,
        },
    )
