"""The shell: home page listing what the signed-in user can reach and do."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.accounts.models import RoleGrant
from dangjian.organizations.models import Organization


@login_required
def home(request: HttpRequest) -> HttpResponse:
    grants = (
        RoleGrant.objects.filter(user=request.user.pk)
        .select_related("organization")
        .order_by("organization__path")
    )
    roots = Organization.objects.filter(path__in=request.user.scope_paths("view"))  # type: ignore[union-attr]
    return render(request, "web/home.html", {"grants": grants, "roots": roots})
