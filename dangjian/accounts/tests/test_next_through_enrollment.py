"""A user who must enroll a second factor and logs in from a `?next=` link lands on that page once
enrolled: only a path of this site, never another host."""

import pyotp
import pytest
from django.test import Client

from dangjian.accounts.credential_services import issue_activation_code
from dangjian.accounts.models import User
from dangjian.testing.world import PASSWORD, World


def _enroll(client: Client, world: World, user: User) -> str:
    """Log-in done; go through activation code and first TOTP code. The last redirect's target."""
    code, _row = issue_activation_code(user, acting_user=world.secadmin)
    assert client.post("/account/2fa/", {"code": code})["Location"] == "/account/2fa/"
    assert client.get("/account/2fa/").status_code == 200
    secret = User.objects.get(pk=user.pk).totp_secret
    done = client.post("/account/2fa/", {"otp": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and User.objects.get(pk=user.pk).totp_confirmed
    return str(done["Location"])


def _unenrolled_secretary(world: World) -> User:
    user = world.secretary
    User.objects.filter(pk=user.pk).update(totp_confirmed=False, totp_secret="")
    return user


def test_next_survives_the_second_factor_enrollment(world: World) -> None:
    user = _unenrolled_secretary(world)
    target = f"/orgs/{world.branch.pk}/meetings/"
    client = Client()
    login = client.post(f"/login/?next={target}", {"username": user.username, "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == "/account/2fa/"
    # Wandering off to the page before enrolling is not allowed: back to enrollment.
    assert client.get(target)["Location"] == "/account/2fa/"
    assert _enroll(client, world, user) == target
    assert client.get(target).status_code == 200


def test_next_survives_a_password_change_then_the_enrollment(world: World) -> None:
    user = _unenrolled_secretary(world)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = Client()
    login = client.post("/login/?next=/my/meetings/", {"username": user.username, "password": PASSWORD})
    assert login["Location"] == "/account/password/"
    new = "Qz7!mK2#vL9pX4"
    changed = client.post(
        "/account/password/", {"current_password": PASSWORD, "new_password": new, "new_password2": new}
    )
    assert changed["Location"] == "/account/2fa/"
    assert _enroll(client, world, user) == "/my/meetings/"


@pytest.mark.parametrize(
    "target", ["//evil.example", "//evil.example/x", "https://evil.example/", "/\\evil.example"]
)
def test_an_unsafe_next_ends_on_the_home_after_enrollment(world: World, target: str) -> None:
    user = _unenrolled_secretary(world)
    client = Client()
    login = client.post(f"/login/?next={target}", {"username": user.username, "password": PASSWORD})
    assert login["Location"] == "/account/2fa/"
    assert _enroll(client, world, user) == "/"


def test_a_next_planted_in_the_session_is_still_checked(world: World) -> None:
    """Even a target that reached the session some other way is checked again when used."""
    from dangjian.accounts.views import NEXT_SESSION_KEY

    user = _unenrolled_secretary(world)
    client = Client()
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    session = client.session
    session[NEXT_SESSION_KEY] = "//evil.example"
    session.save()
    assert _enroll(client, world, user) == "/"
