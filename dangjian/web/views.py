"""The shell: each persona's home, the first screen after login (the next thing to do first)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .home import home_context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", home_context(request.user))
