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
    start_totp_enrollment,
)


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
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
            if user.must_change_password:
                return redirect("password_change")
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = ""
            return redirect(target or "home")
    return render(request, "accounts/login.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("auth.logout", actor=request.user, obj=request.user)
    logout(request)
    return redirect("login")


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
            return redirect("home")
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
            return redirect("home")
    context = {"form": form, "forced": user.must_change_password}
    return render(request, "accounts/password_change.html", context)
