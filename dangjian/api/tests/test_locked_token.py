"""A bearer token stops working while its account is locked (through HTTP only: how clients use it)."""

from dangjian.accounts.models import User
from dangjian.testing.api import english_client
from dangjian.testing.world import PASSWORD, World

TOKEN = "/api/v1/auth/token"
PROBE = "/api/v1/organizations/"


def test_a_token_of_a_locked_account_is_refused(world: World) -> None:
    issued = english_client().post(TOKEN, {"username": "member_user", "password": PASSWORD}, format="json")
    assert issued.status_code == 200, issued.data
    holder = english_client()
    holder.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.data['token']}")
    assert holder.get(PROBE).status_code == 200

    # Someone guesses the password until the account locks (default policy: five failures).
    for _ in range(5):
        wrong = {"username": "member_user", "password": "Wrong-pass-1"}
        guess = english_client().post(TOKEN, wrong, format="json")
        assert guess.status_code == 400
    assert User.objects.get(pk=world.member_user.pk).is_locked()

    refused = holder.get(PROBE)
    assert refused.status_code == 401
    assert "results" not in refused.json()
