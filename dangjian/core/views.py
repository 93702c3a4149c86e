"""What every HTML view shares: scoped object access, HTMX fragments, service error mapping."""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

M = TypeVar("M", bound=models.Model)


def get_for_user(request: HttpRequest, model: type[M], pk: Any, action: str = "view", **related: Any) -> M:
    """The object if the user may reach it for `action`; 404 otherwise (never 403: existence of
    other organizations' records is not confirmed). Writes lock the row (`for_write`)."""
    qs = model._default_manager.restrict(request.user, action)  # type: ignore[attr-defined]
    if related.get("select_related"):
        qs = qs.select_related(*related["select_related"])
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj  # type: ignore[no-any-return]


def htmx_partial(request: HttpRequest) -> bool:
    """True for an HTMX request that swaps part of a page (not a boosted full navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def apply_errors(form: Form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, by field where the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def bootstrap_form(form: Form) -> Form:
    """Give a form built elsewhere (a FilterSet's) the Bootstrap classes our own forms declare."""
    from django.forms import CheckboxInput, Select

    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, Select) else "form-control"
        widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
    return form


def redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    """After a POST: to the page named in `next` if it is on this site, else to `default`."""
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect(default)
