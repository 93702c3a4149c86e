"""The one view that takes a workflow move from a page's button (`core.workflow`): every
approve / reject / return form posts here, through a URL that names the workflow and the move."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from .params import is_int
from .views import get_for_user, redirect_back
from .workflow import Workflow


@login_required
@require_POST
def move(
    request: HttpRequest, pk: int, *, flow: Workflow, name: str, service: Callable[..., Any] | None = None
) -> HttpResponse:
    """POST `note` (and `version`, the record's version when the page was drawn; a stale page is
    refused). Outside the workflow's gate: 404. A refusal is shown on the page it came from;
    nothing is changed. A move that sets more off than the move itself (a confirmation writing
    to other records) names its `service`, called as `service(record, note=…,
    expected_version=…, acting_user=…)`."""
    obj = get_for_user(request, flow.model, pk, flow.gate, select_related=list(flow.view_related))
    raw_version = str(request.POST.get("version", ""))
    try:
        take = service or (lambda o, **kw: flow.take(o, name, **kw))
        take(
            obj,
            note=str(request.POST.get("note", "")),
            expected_version=int(raw_version) if is_int(raw_version) and len(raw_version) < 12 else None,
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(flow.by_name[name].done))
    return redirect_back(request, flow.back(obj) if flow.back else "/")


def move_path(
    route: str, flow: Workflow, name: str, url_name: str, service: Callable[..., Any] | None = None
) -> URLPattern:
    """`path(route, move, {flow, name}, name=url_name)`: one URL per move, one view for all."""
    return path(route, move, {"flow": flow, "name": name, "service": service}, name=url_name)
