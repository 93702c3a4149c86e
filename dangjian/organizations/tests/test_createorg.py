"""`dangjian createorg`: a real installation creates its top organization, audited, with clear errors."""

from io import StringIO

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Organization

pytestmark = pytest.mark.django_db


def createorg(*args: str) -> str:
    out = StringIO()
    call_command("createorg", *args, stdout=out)
    return out.getvalue()


def test_creates_the_top_organization_in_an_empty_database_and_audits_it() -> None:
    out = createorg("43", "中共湖南省委", "--kind", "committee", "--sector", "government")
    org = Organization.objects.get(code="43")
    assert (org.name, org.kind, org.sector, org.depth) == ("中共湖南省委", "committee", "government", 1)
    assert "as the top organization" in out
    entry = AuditEntry.objects.get(action="organization.create")
    assert entry.success and entry.actor_name == "system" and entry.org_path == org.path


def test_creates_an_organization_below_a_parent() -> None:
    createorg("43", "中共湖南省委", "--kind", "committee")
    createorg("4301", "中共长沙市委", "--kind", "committee", "--parent", "43")
    child = Organization.objects.get(code="4301")
    parent = Organization.objects.get(code="43")
    assert child.path.startswith(parent.path) and child.depth == parent.depth + 1
    assert child.sector == "other"


def test_a_duplicate_code_is_refused_and_changes_nothing() -> None:
    createorg("43", "中共湖南省委", "--kind", "committee")
    with pytest.raises(CommandError, match="Another organization already uses this code"):
        createorg("43", "中共长沙市委", "--kind", "committee", "--parent", "43")
    assert Organization.objects.count() == 1


@pytest.mark.parametrize(
    ("option", "value", "listed"),
    [("--kind", "party", "working_committee"), ("--sector", "farm", "state_enterprise")],
)
def test_a_bad_kind_or_sector_is_refused_with_the_valid_choices(option: str, value: str, listed: str) -> None:
    args = ["43", "中共湖南省委", "--kind", "committee", option, value]
    with pytest.raises(CommandError, match=f"Choose a valid .*{listed}"):
        createorg(*args)
    assert not Organization.objects.exists()


def test_a_second_top_organization_is_refused() -> None:
    createorg("43", "中共湖南省委", "--kind", "committee")
    with pytest.raises(CommandError, match=r"already a top organization.*--parent 43"):
        createorg("44", "中共广东省委", "--kind", "committee")
    assert Organization.objects.count() == 1


def test_an_unknown_parent_is_refused() -> None:
    with pytest.raises(CommandError, match="No organization with code '99'"):
        createorg("4301", "中共长沙市委", "--kind", "committee", "--parent", "99")


def test_first_run_from_an_empty_database_to_the_three_administrators() -> None:
    # The steps of "First run" in docs/operations.md: each administrator is created on the top
    # organization, and the first login leads to second-factor enrollment before anything else.
    createorg("43", "中共湖南省委", "--kind", "committee", "--sector", "government")
    for username, role in [
        ("sysadmin", "system_admin"),
        ("secadmin", "security_admin"),
        ("auditadmin", "audit_admin"),
    ]:
        call_command(
            "createuser",
            username,
            "--password",
            "Xq7!long-initial-pass",
            "--role",
            role,
            "--org",
            "43",
            stdout=StringIO(),
        )
        out = StringIO()
        call_command("activation-code", username, stdout=out)
        code = out.getvalue().split(": ", 1)[1].split()[0]
        client = Client()
        response = client.post("/login/", {"username": username, "password": "Xq7!long-initial-pass"})
        assert response.status_code == 302
        # A password set at the console is the holder's to change first, then the second factor.
        assert client.get("/").url == "/account/password/"  # type: ignore[attr-defined]
        changed = client.post(
            "/account/password/",
            {
                "current_password": "Xq7!long-initial-pass",
                "new_password": "Kx9#own-chosen-77",
                "new_password2": "Kx9#own-chosen-77",
            },
        )
        assert changed.status_code == 302
        assert client.get("/").url == "/account/2fa/"  # type: ignore[attr-defined]
        assert client.post("/account/2fa/", {"code": code}).status_code == 302  # the activation code
        assert client.get("/account/2fa/").status_code == 200  # shows the key to scan
        secret = User.objects.get(username=username).totp_secret
        assert client.post("/account/2fa/", {"otp": pyotp.TOTP(secret).now()}).status_code == 302
        assert client.get("/").status_code == 200
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_name"))
    assert actions.count(("user.create", "system")) == 3
    assert actions.count(("grant.create", "system")) == 3
    assert actions.count(("auth.activation_code", "system")) == 3
    assert {a for a in actions if a[0] == "auth.totp_enroll"} == {
        ("auth.totp_enroll", name) for name in ("sysadmin", "secadmin", "auditadmin")
    }
