"""Login, logout, password change, second-factor enrollment."""

from io import BytesIO

import pyotp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.views import apply_errors

from .credential_services import redeem_activation_code
from .forms import ActivationForm, LoginForm, OtpForm, PasswordChangeForm
from .models import User
from .services import (
    LoginRefused,
    authenticate_login,
    change_own_password,
    confirm_totp_enrollment,
    set_large_text,
    start_totp_enrollment,
)

# Session key: where to go once a login that first had to change the password or enroll the
# second factor is complete (e.g. the check-in page a logged-out member scanned).
NEXT_SESSION_KEY = "after_login"


def safe_next(target: str) -> str:
    """`target` if it is a path on this site ("/checkin/4/ABC/"), else "": no other host, no
    scheme, no protocol-relative "//host" or "/\\host" that a browser would read as a host."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False):
        return ""
    return target


def continue_after_login(request: HttpRequest) -> HttpResponse:
    """After the password change or second-factor enrollment that a login required: on to the
    page the user was going to, if any."""
    return redirect(safe_next(str(request.session.pop(NEXT_SESSION_KEY, "") or "")) or "home")


def login_view(request: HttpRequest) -> HttpResponse:
    target = safe_next(request.GET.get("next", ""))
    if request.user.is_authenticated:
        return redirect(target or "home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_login(
                form.cleaned_data["username"], form.cleaned_data["password"], form.cleaned_data["otp"]
            )
        except LoginRefused as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if user.must_change_password or (user.needs_second_factor and not user.totp_confirmed):
                # The middleware sends them to that step first; the target waits in the session.
                if target:
                    request.session[NEXT_SESSION_KEY] = target
                return redirect("password_change" if user.must_change_password else "totp_enroll")
            return redirect(target or "home")
    return render(request, "accounts/login.html", {"form": form, "next": target})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("auth.logout", actor=request.user, obj=request.user)
    logout(request)
    return redirect("login")


@login_required
@require_POST
def large_text(request: HttpRequest) -> HttpResponse:
    """Switch 大字版 (large text) on (large_text=1) or off, then back to the page it was set on."""
    user: User = request.user  # type: ignore[assignment]
    set_large_text(user, request.POST.get("large_text") == "1", acting_user=user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "home")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


# Session key holding the activation code redeemed for this enrollment (its id).
ACTIVATION_SESSION_KEY = "totp_activation"


@login_required
def totp_enroll(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.totp_confirmed:
        return render(request, "accounts/totp_done.html")
    activation_id = request.session.get(ACTIVATION_SESSION_KEY)
    if activation_id is None:
        return _ask_activation_code(request, user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirm_totp_enrollment(
                user, form.cleaned_data["otp"], activation_id=activation_id, acting_user=user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # Enrolling ended every session of the account; this one has just proved both
            # factors, so it goes on under the new credentials.
            user.refresh_from_db()
            update_session_auth_hash(request, user)
            request.session.pop(ACTIVATION_SESSION_KEY, None)
            return continue_after_login(request)
    if not user.totp_secret or request.method == "GET":
        start_totp_enrollment(user)
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="dangjian")
    response = render(
        request,
        "accounts/totp_enroll.html",
        {
            "form": form,
            "secret": user.totp_secret,
            "qr_svg": _qr_svg(uri),
            "required": user.needs_second_factor,
        },
    )
    response["Cache-Control"] = "no-store"  # the page carries the secret
    return response


def _ask_activation_code(request: HttpRequest, user: User) -> HttpResponse:
    """Step one of enrollment: the one-time code from the security administrator."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code = redeem_activation_code(user, form.cleaned_data["code"], acting_user=user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session[ACTIVATION_SESSION_KEY] = code.pk
            return redirect("totp_enroll")
    return render(
        request,
        "accounts/totp_activate.html",
        {"form": form, "required": user.needs_second_factor},
    )


@sensitive_post_parameters("current_password", "new_password", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change_own_password(user, data["current_password"], data["new_password"], acting_user=user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # This session stays signed in; every other one fails the session hash, which covers
            # the password and the credentials epoch the change raised.
            user.refresh_from_db()
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            if user.needs_second_factor and not user.totp_confirmed:
                return redirect("totp_enroll")  # the next step; the target stays in the session
            return continue_after_login(request)
    context = {"form": form, "forced": user.must_change_password}
    return render(request, "accounts/password_change.html", context)
