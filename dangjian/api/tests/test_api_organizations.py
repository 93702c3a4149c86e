from collections.abc import Callable
from typing import Any

from rest_framework.test import APIClient

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Organization, PartyGroup
from dangjian.testing.world import World

Api = Callable[[str], APIClient]
ORGS = "/api/v1/organizations/"


def codes(response: Any) -> list[str]:
    return [row["code"] for row in response.data["results"]]


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action, success=True).exists()


def test_list_shows_only_own_subtree_in_tree_order(api: Api, world: World) -> None:
    assert codes(api("outsider").get(ORGS)) == ["430103", "430103001001"]
    response = api("county_staff").get(ORGS)
    assert codes(response) == ["430102", "430102001", "430102001001", "430102001002"]
    first = response.data["results"][0]
    assert first["parent_code"] == "430100" and first["children_count"] == 1
    assert "path" not in first
    assert api("auditor").get(ORGS).data["results"] == []


def test_outsider_gets_404_on_another_countys_org(api: Api, world: World) -> None:
    client = api("outsider")
    assert client.get(f"{ORGS}{world.county.pk}/").status_code == 404
    assert client.get(f"{ORGS}{world.county.pk}/children/").status_code == 404
    assert client.patch(f"{ORGS}{world.county.pk}/", {"name": "x"}).status_code == 404
    assert client.get(f"{ORGS}{world.county_b.pk}/").status_code == 200


def test_retrieve_fields(api: Api, world: World) -> None:
    data = api("secretary").get(f"{ORGS}{world.branch.pk}").data  # no trailing slash works too
    assert data["code"] == "430102001001" and data["parent_code"] == "430102001"
    assert data["kind"] == "branch" and data["term_state"] in {"ok", "due_soon", "overdue"}
    assert data["term_due_end"] == "2029-01-01" and data["version"] == 1 and data["depth"] == 5


def test_filters(api: Api, world: World) -> None:
    client = api("province_staff")
    assert codes(client.get(ORGS, {"kind": "branch"})) == ["430102001001", "430102001002", "430103001001"]
    assert codes(client.get(ORGS, {"q": "天心"})) == ["430103"]
    assert codes(client.get(ORGS, {"q": "430102001"})) == ["430102001"]
    assert codes(client.get(ORGS, {"parent": "430100"})) == ["430102", "430103"]
    assert codes(client.get(ORGS, {"sector": "community", "kind": "working_committee"})) == ["430102001"]
    assert client.get(ORGS, {"kind": "nonsense"}).status_code == 400


def test_children_and_paginated_subtree(api: Api, world: World) -> None:
    client = api("county_staff")
    children = client.get(f"{ORGS}{world.township.pk}/children/").data
    assert [c["code"] for c in children] == ["430102001001", "430102001002"]
    seen: list[str] = []
    url: str | None = f"{ORGS}{world.county.pk}/subtree/?page_size=2"
    while url:
        page = client.get(url).data
        seen += [row["code"] for row in page["results"]]
        url = page["next"]
    assert seen == ["430102001", "430102001001", "430102001002"]
    # A filter narrows the rows, not the organization the URL names.
    filtered = client.get(f"{ORGS}{world.county.pk}/subtree/", {"kind": "branch"}).data
    assert [row["code"] for row in filtered["results"]] == ["430102001001", "430102001002"]


def test_scoped_children_from_above(api: Api, world: World) -> None:
    # county_staff sees the city's child in their reach, not the one beside it.
    assert api("county_staff").get(f"{ORGS}{world.city.pk}/children/").status_code == 404
    assert codes(api("county_staff").get(ORGS, {"parent": "430100"})) == ["430102"]


def test_create_with_parent_code_or_id(api: Api, world: World) -> None:
    client = api("county_staff")
    response = client.post(
        ORGS,
        {
            "parent": "430102001",
            "code": "430102001003",
            "name": "第三党支部",
            "kind": "branch",
            "sector": "community",
            "term_start": "2025-03-01",
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["parent_code"] == "430102001" and response.data["term_due_end"] == "2030-03-01"
    assert audited("organization.create")
    by_id = client.post(
        ORGS, {"parent": world.township.pk, "code": "430102001004", "name": "第四党支部", "kind": "branch"}
    )
    assert by_id.status_code == 201, by_id.data
    assert Organization.objects.get(code="430102001004").path.startswith(world.township.path)


def test_create_outside_scope_reads_as_no_such_organization(api: Api, world: World) -> None:
    before = Organization.objects.count()
    for parent in ("430102001", world.township.pk, "999999"):
        response = api("outsider").post(ORGS, {"parent": parent, "code": "X1", "name": "x", "kind": "branch"})
        assert response.status_code == 400
        assert list(response.data) == ["parent"]
    # Viewing is not enough: a member may see the branch but not add below it.
    body = {"parent": "430102001", "code": "X1", "name": "x", "kind": "branch"}
    response = api("member_user").post(ORGS, body)
    assert response.status_code == 400 and "parent" in response.data
    assert Organization.objects.count() == before


def test_create_rejects_unknown_and_read_only_fields_and_bad_types(api: Api, world: World) -> None:
    client = api("county_staff")
    base = {"parent": "430102001", "code": "430102001009", "name": "x", "kind": "branch"}
    response = client.post(ORGS, {**base, "colour": "red"})
    assert response.status_code == 400 and response.data == {"colour": ["Unknown field."]}
    assert client.post(ORGS, {**base, "path": "0001"}).data == {"path": ["Unknown field."]}
    assert "depth" in client.post(ORGS, {**base, "depth": 3}).data
    assert "term_start" in client.post(ORGS, {**base, "term_start": "abc"}).data
    assert "kind" in client.post(ORGS, {**base, "kind": "club"}).data
    assert "parent" in client.post(ORGS, {**base, "parent": ["430102001"]}).data
    # The service's own rules come back keyed by field too.
    assert "parent" in client.post(ORGS, {**base, "parent": "430102001001"}).data  # a branch
    assert "code" in client.post(ORGS, {**base, "code": "430102"}).data  # taken
    assert not Organization.objects.filter(code="430102001009").exists()


def test_partial_update_with_version(api: Api, world: World) -> None:
    client = api("county_staff")
    url = f"{ORGS}{world.branch2.pk}/"
    response = client.patch(url, {"name": "第二党支部（新）", "version": 1})
    assert response.status_code == 200, response.data
    assert response.data["name"] == "第二党支部（新）" and response.data["version"] == 2
    assert audited("organization.update")
    stale = client.patch(url, {"name": "又一个名字", "version": 1})
    assert stale.status_code == 409
    assert Organization.objects.get(pk=world.branch2.pk).name == "第二党支部（新）"
    assert client.patch(url, {"parent": "430102"}).data == {"parent": ["Unknown field."]}
    assert client.put(url, {"name": "x"}).status_code == 405


def test_viewers_cannot_write(api: Api, world: World) -> None:
    # A member sees their branch but cannot change it: for writes it is outside their reach.
    assert api("member_user").get(f"{ORGS}{world.branch.pk}/").status_code == 200
    assert api("member_user").patch(f"{ORGS}{world.branch.pk}/", {"name": "x"}).status_code == 404


def test_move(api: Api, world: World) -> None:
    client = api("county_staff")
    cycle = client.post(f"{ORGS}{world.county.pk}/move/", {"parent": "430102001"})
    assert cycle.status_code == 400 and "parent" in cycle.data
    response = client.post(f"{ORGS}{world.branch2.pk}/move/", {"parent": "430102"})
    assert response.status_code == 200, response.data
    assert response.data["parent_code"] == "430102" and response.data["depth"] == 4
    assert audited("organization.move")
    # The target must be in the mover's reach as well.
    url = f"{ORGS}{world.branch2.pk}/move/"
    assert api("county_staff").post(url, {"parent": "430103"}).status_code == 400
    assert api("outsider").post(url, {"parent": "430103"}).status_code == 404


GROUPS = "/api/v1/party-groups/"


def test_party_groups(api: Api, world: World) -> None:
    client = api("secretary")
    listed = client.get(GROUPS, {"organization": "430102001001"}).data["results"]
    assert [(g["name"], g["organization"]) for g in listed] == [("第一党小组", "430102001001")]
    created = client.post(GROUPS, {"organization": "430102001001", "name": "第二党小组"})
    assert created.status_code == 201, created.data
    assert audited("party_group.create")
    renamed = client.patch(f"{GROUPS}{created.data['id']}/", {"name": "第二小组"})
    assert renamed.status_code == 200 and renamed.data["name"] == "第二小组"
    assert audited("party_group.update")
    duplicate = client.post(GROUPS, {"organization": "430102001001", "name": "第一党小组"})
    assert duplicate.status_code == 400 and "name" in duplicate.data
    not_a_branch = client.post(GROUPS, {"organization": "430102001", "name": "x"})
    assert "organization" in not_a_branch.data
    assert client.patch(f"{GROUPS}{world.group.pk}/", {"organization": "430102001002"}).status_code == 400


def test_party_groups_outsider(api: Api, world: World) -> None:
    client = api("outsider")
    assert client.get(GROUPS).data["results"] == []
    assert client.get(f"{GROUPS}{world.group.pk}/").status_code == 404
    assert client.patch(f"{GROUPS}{world.group.pk}/", {"name": "x"}).status_code == 404
    response = client.post(GROUPS, {"organization": "430102001001", "name": "x"})
    assert response.status_code == 400 and "organization" in response.data
    assert PartyGroup.objects.count() == 1


def test_org_list_query_budget(api: Api, world: World, django_assert_max_num_queries: Any) -> None:
    client = api("province_staff")
    with django_assert_max_num_queries(4):
        assert client.get(ORGS).status_code == 200
