"""The rights matrix of polls (docs/architecture.md): who sees, votes, runs and reads results."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from dangjian.core.exceptions import OutOfScope
from dangjian.polls.models import Poll, PollStatus
from dangjian.polls.services import cast_vote, close_poll, create_poll
from dangjian.testing.world import World, add_every_role

from .helpers import make_poll, option_ids

pytestmark = pytest.mark.django_db

# persona: (sees the branch's polls, votes, runs polls)
MATRIX = {
    "member_user": (True, True, False),
    "organizer": (True, False, True),
    "secretary": (True, False, True),
    "county_staff": (True, False, False),
    "supervisor": (True, False, False),
    "sysadmin": (True, False, False),
    "secadmin": (False, False, False),
    "auditor": (False, False, False),
    "outsider": (False, False, False),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_the_rights_matrix(world: World, persona: str) -> None:
    add_every_role(world)
    sees, votes, runs = MATRIX[persona]
    user = world.users[persona]
    poll = make_poll(world)
    client = Client()
    client.force_login(user)
    assert client.get(f"/polls/{poll.pk}/").status_code == (200 if sees else 404)
    assert client.get(f"/orgs/{world.branch.pk}/polls/").status_code == (200 if sees else 404)
    translation.activate("en")  # the request left its language active; messages compared in English
    if votes:
        cast_vote(poll, option_ids(poll)[:1], acting_user=user)
    else:
        with pytest.raises(ValidationError, match="not among the voters"):
            cast_vote(poll, option_ids(poll)[:1], acting_user=user)
    data = {"title": "矩阵", "closes_at": poll.closes_at}
    if runs:
        assert create_poll(world.branch, data, ["甲", "乙"], acting_user=user).status == PollStatus.DRAFT
        close_poll(poll, acting_user=user)
    else:
        with pytest.raises(OutOfScope):
            create_poll(world.branch, data, ["甲", "乙"], acting_user=user)
        with pytest.raises(OutOfScope):
            close_poll(poll, acting_user=user)
        close_poll(poll, acting_user=world.secretary)
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.CLOSED
    assert client.get(f"/polls/{poll.pk}/results/").status_code == (200 if sees else 404)
