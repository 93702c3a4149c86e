"""The pages: forms call the services, refusals show on the form, each side sees its buttons."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.models import User
from dangjian.core.dates import add_years
from dangjian.core.models import AuditEntry
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.testing.world import World
from dangjian.transfers import services
from dangjian.transfers.models import ProbationDecision, Transfer

from .helpers import closed_assembly, days_ago, probationary


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_transfer_from_the_member_page_to_acceptance(world: World) -> None:
    page = client_for(world.secretary).get(f"/members/{world.member.pk}/membership/")
    assert page.status_code == 200 and b"Start a transfer" in page.content
    r = client_for(world.secretary).post(
        f"/members/{world.member.pk}/membership/",
        {"form": "transfer", "to_org": world.township.code, "reason": "调动"},
    )
    assert r.status_code == 200 and b"members are transferred to a branch" in r.content
    assert not Transfer.objects.exists()
    r = client_for(world.secretary).post(
        f"/members/{world.member.pk}/membership/",
        {"form": "transfer", "to_org": world.branch_b.code, "reason": "调动"},
    )
    t = Transfer.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/transfers/{t.pk}/"
    sender_view = client_for(world.secretary).get(f"/transfers/{t.pk}/").content.decode()
    assert 'value="accept"' not in sender_view and 'value="cancel"' in sender_view
    receiver = client_for(world.outsider)
    assert 'value="accept"' in receiver.get(f"/transfers/{t.pk}/").content.decode()
    assert (
        b"\xe5\xbc\xa0\xe4\xbc\x9f" in receiver.get(f"/orgs/{world.county_b.pk}/transfers/").content
    )  # 张伟
    r = receiver.post(f"/transfers/{t.pk}/", {"action": "accept"})
    assert r.status_code == 302
    assert Member.objects.get(pk=world.member.pk).organization_id == world.branch_b.pk
    # A wrong-side action is refused with a message, not applied.
    r = client_for(world.secretary).post(
        f"/transfers/{t.pk}/", {"action": "reject", "note": "x"}, follow=True
    )
    assert b"already accepted" in r.content


def test_member_asks_for_a_transfer_on_their_page(world: World) -> None:
    client = client_for(world.member_user)
    r = client.post("/my/transfer/", {"to_org": world.branch2.code, "reason": "搬家"})
    assert r.status_code == 302
    t = Transfer.objects.get()
    assert t.state == "requested"
    page = client.get("/my/transfer/").content.decode()
    assert "第二党支部" in page and 'id="request-form"' not in page
    r = client.post(f"/transfers/{t.pk}/", {"action": "cancel"})
    assert Transfer.objects.get(pk=t.pk).state == "cancelled"


def test_floating_page_masks_the_phone_and_reveals_on_request(world: World) -> None:
    record = services.register_floating(
        world.member,
        {"left_on": days_ago(9), "destination": "深圳", "reason": "务工", "contact": "13912345678"},
        acting_user=world.secretary,
    )
    client = client_for(world.secretary)
    page = client.get(f"/floating/{record.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert ">13912345678<" in client.post(f"/floating/{record.pk}/reveal/").content.decode()
    assert AuditEntry.objects.filter(action="floating.reveal", actor_name="secretary").exists()
    assert client_for(world.member_user).post(f"/floating/{record.pk}/reveal/").status_code == 404
    r = client.post(f"/floating/{record.pk}/", {"form": "return", "returned_on": str(days_ago(1))})
    assert r.status_code == 302 and Member.objects.get(pk=world.member.pk).status == "active"


def test_lost_contact_pages(world: World) -> None:
    case = services.open_case(world.member, lost_on=days_ago(15), acting_user=world.secretary)
    client = client_for(world.secretary)
    r = client.post(
        f"/lost-contact/{case.pk}/",
        {
            "form": "log",
            "tried_on": str(days_ago(3)),
            "method": "relatives",
            "detail": "联系其父母",
            "result": "不知去向",
        },
    )
    assert r.status_code == 302
    assert "联系其父母" in client.get(f"/lost-contact/{case.pk}/").content.decode()
    dashboard = client_for(world.county_staff).get(f"/orgs/{world.county.pk}/lost-contact/").content.decode()
    assert 'id="lost-total">1<' in dashboard and "第一党支部" in dashboard
    assert client_for(world.outsider).get(f"/lost-contact/{case.pk}/").status_code == 404


def test_probation_page_and_decision_form(world: World) -> None:
    member = probationary(world.branch, "王五", add_years(days_ago(4), -1))
    assembly = closed_assembly(world.branch, days_ago(1))
    listing = client_for(world.county_staff).get(f"/orgs/{world.county.pk}/probation/").content.decode()
    assert "王五" in listing and "overdue" in listing
    r = client_for(world.secretary).post(
        f"/members/{member.pk}/membership/",
        {"form": "probation", "outcome": "convert", "meeting": assembly.pk},
    )
    assert r.status_code == 302 and Member.objects.get(pk=member.pk).category == "probationary"
    decision = ProbationDecision.objects.get()
    listing = client_for(world.county_staff).get(f"/orgs/{world.county.pk}/probation/").content.decode()
    assert f'id="awaiting-{member.pk}"' in listing
    # The branch sees the decision awaiting approval, without the approval form; its attempt is refused.
    page = client_for(world.secretary).get(f"/members/{member.pk}/membership/").content.decode()
    assert "awaiting approval" in page and f'id="review-{decision.pk}"' not in page
    r = client_for(world.secretary).post(
        f"/members/{member.pk}/membership/",
        {"form": "approve_decision", "decision": decision.pk},
        follow=True,
    )
    assert b"approved by the Party committee above the branch" in r.content
    assert Member.objects.get(pk=member.pk).category == "probationary"
    # The committee above approves on the same page.
    county = client_for(world.county_staff)
    assert f'id="review-{decision.pk}"' in county.get(f"/members/{member.pk}/membership/").content.decode()
    r = county.post(
        f"/members/{member.pk}/membership/",
        {"form": "approve_decision", "decision": decision.pk, "note": "同意"},
    )
    assert r.status_code == 302 and Member.objects.get(pk=member.pk).category == "full"
    assert ProbationDecision.objects.get().state == "approved"


def test_membership_page_queries_do_not_grow_with_history(world: World) -> None:
    client = client_for(world.secretary)
    url = f"/members/{world.member.pk}/membership/"

    def cancelled_transfer() -> None:
        t = services.start_transfer(world.member, to_org=world.branch2, reason="调动", acting_user=SYSTEM)
        services.cancel_transfer(t, acting_user=SYSTEM)

    cancelled_transfer()
    # Warm the per-process caches (login policy) first: each test starts with an empty cache, so
    # without this the first measured request alone pays for the miss.
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        cancelled_transfer()
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five.captured_queries) == len(one.captured_queries)


def test_outsiders_get_404(world: World) -> None:
    client = client_for(world.outsider)
    for url in (
        f"/members/{world.member.pk}/membership/",
        f"/orgs/{world.county.pk}/transfers/",
        f"/orgs/{world.county.pk}/probation/",
    ):
        assert client.get(url).status_code == 404, url
