import re
from collections.abc import Callable

from rest_framework.test import APIClient

from dangjian.testing.world import World

Api = Callable[[str], APIClient]


def test_schema_for_signed_in_users(api: Api, world: World) -> None:
    response = api("member_user").get("/api/v1/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/members/{id}/reveal/" in body and "bearerAuth" in body
    assert APIClient().get("/api/v1/schema/").status_code in (401, 403)


def test_docs_page_loads_only_local_assets(api: Api, world: World) -> None:
    response = api("member_user").get("/api/docs/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    assert "http://" not in html and "https://" not in html


# Read-only fields that are empty until something happens (a decision, a closing, a void) or
# that name an account the console's SYSTEM actor leaves empty: the schema must say null.
NULLABLE = {
    "DuesPayment": ["recorded_by", "voided_at"],
    "DuesProfile": ["set_by"],
    "DuesReduction": ["decided_by", "approved_by", "approved_at"],
    "Campaign": ["proposed_at", "decided_at"],
    "Handling": ["closed_on"],
    "Meeting": ["closed_at"],
    "PointEntry": ["created_by", "decided_by", "decided_at"],
}


def test_fields_that_can_be_empty_are_declared_nullable(api: Api, world: World) -> None:
    schemas = api("county_staff").get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    undeclared = [
        f"{component}.{field}"
        for component, fields in NULLABLE.items()
        for field in fields
        if not schemas[component]["properties"][field].get("nullable")
    ]
    assert not undeclared


def test_every_operation_documents_its_error_answers(api: Api, world: World) -> None:
    paths = api("county_staff").get("/api/v1/schema/?format=json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            missing = {"400", "401", "403", "404", "409"} - set(operation["responses"])
            assert not missing, (method, path, missing)
