"""The rule sets that apply at an organization, and loading one from the browser.

GET lists the active rule sets of the chosen year (`?year=`) whose scope is the organization,
one of its ancestors, or none, with the older versions of their codes; `?source=<id>` downloads
the file a visible set was loaded from. POST (for whoever may change the organization) loads an
uploaded file through `services.load_rule_set`. The page refuses, with a message of its own, a
file scoped outside the organization's subtree (the service would refuse it less specifically).
"""

from pathlib import PurePath
from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core import audit, uploads
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.tree import ancestor_paths, subtree_q
from dangjian.core.views import get_for_user
from dangjian.organizations.models import Organization

from . import schema
from .models import RuleSet
from .services import load_rule_set
from .views import _years, year_param

EXTENSIONS = (".yaml", ".yml", ".json")
ACTION = "compliance.ruleset.load"


def _visible_here(org: Organization) -> Q:
    """Rule sets whose scope contains `org`: none, an ancestor, or the organization itself."""
    return Q(scope__isnull=True) | Q(scope__path__in=[*ancestor_paths(org.path), org.path])


def _listed(qs: QuerySet[RuleSet]) -> QuerySet[RuleSet]:
    return qs.select_related("scope", "loaded_by").annotate(rule_count=Count("rules"))


def _read_upload(upload: object) -> str:
    """The uploaded file as text, or ValidationError saying why it cannot be a rule-set file."""
    if not isinstance(upload, UploadedFile):
        raise ValidationError(_("Choose a rule-set file to upload."))
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("Upload a rule-set file ending in %(kinds)s.") % {"kinds": ", ".join(EXTENSIONS)}
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > schema.MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)d KB); the limit is %(limit)d KB.")
            % {"size": -(-size // 1024), "limit": schema.MAX_BYTES // 1024}
        )
    upload.seek(0)
    raw = upload.read(schema.MAX_BYTES + 1)
    if len(raw) > schema.MAX_BYTES:  # a size the client misreported
        raise ValidationError(_("The file is larger than %(n)d KB.") % {"n": schema.MAX_BYTES // 1024})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _(
                "The file is not UTF-8 text. Save it as UTF-8 (for example from a text editor) "
                "and upload it again."
            )
        ) from exc
    if "\x00" in text:
        raise ValidationError(_("The file is not text: it contains NUL characters."))
    return text


def _declared(text: str) -> tuple[bool, str | None, str | None]:
    """(readable, scope, code) as the file declares them, read leniently; not readable when the
    file is no YAML mapping or its scope or code is not a plain value (the service says why)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False, None, None
    if not isinstance(data, dict):
        return False, None, None
    scope, code = data.get("scope"), data.get("code")
    if scope is not None and (isinstance(scope, bool) or not isinstance(scope, str | int)):
        return False, None, None
    return True, (str(scope) if scope is not None else None), (code if isinstance(code, str) else None)


def _page_refusal(org: Organization, scope: str | None, code: str | None) -> str | None:
    """Why this organization's page may not load a file with this scope and code, or None."""
    if scope is None:
        return _(
            'The file declares no scope. Add scope: "%(code)s" (or the code of an organization '
            "below %(name)s); a rule set for the whole installation is loaded from the console."
        ) % {"code": org.code, "name": org.name}
    inside = Organization.objects.filter(subtree_q(org.path), code=scope).exists()
    if not inside:
        return _(
            'The file declares scope "%(scope)s", which is not %(name)s (code %(code)s) or an '
            "organization below it. Rule sets loaded here must be scoped to this organization or "
            "one below it."
        ) % {"scope": scope, "name": org.name, "code": org.code}
    return None  # a code taken by a set of another part of the tree: the service refuses it


def _source(org: Organization, raw: str) -> HttpResponse:
    if not is_int(raw):
        raise Http404
    rule_set = RuleSet.objects.filter(_visible_here(org), pk=int(raw)).first()
    if rule_set is None:
        raise Http404
    name = PurePath(rule_set.source_name).name or f"{rule_set.code}.yaml"
    filename = f"{rule_set.code}-v{rule_set.version}{PurePath(name).suffix or '.yaml'}"
    response = HttpResponse(rule_set.source, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _load(request: HttpRequest, org: Organization) -> tuple[RuleSet, bool] | list[str]:
    """Load the uploaded file; the rule set and whether it was created, or the messages why not."""
    upload = request.FILES.get("file")
    try:
        text = _read_upload(upload)
    except ValidationError as exc:
        return list(exc.messages)
    readable, scope, code = _declared(text)
    refusal = _page_refusal(org, scope, code) if readable else None
    if refusal is not None:
        audit.record(ACTION, actor=request.user, obj=org, org_path=org.path, success=False, detail=refusal)
        problems = [refusal]
        try:
            schema.parse(text)
        except ValidationError as exc:
            problems += exc.messages  # the rest of the file's problems, so one pass fixes them all
        return problems
    try:
        name = uploads.display_name(upload) if isinstance(upload, UploadedFile) else ""
        return load_rule_set(text, source_name=name, acting_user=request.user)
    except ValidationError as exc:
        return list(exc.messages)


@login_required
def org_rule_sets(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    if "source" in request.GET:
        return _source(org, request.GET["source"])
    can_load = in_scope(request.user, org, "change")
    year = year_param(request)
    problems: list[str] = []
    if request.method == "POST":
        if not can_load:
            raise Http404
        outcome = _load(request, org)
        if isinstance(outcome, list):
            problems = outcome
        else:
            rule_set, created = outcome
            facts: dict[str, Any] = {
                "name": rule_set.name,
                "version": rule_set.version,
                "rules": rule_set.rules.count(),
            }
            if created:
                text = _(
                    "Loaded %(name)s, version %(version)d, %(rules)d rules; results are being recomputed."
                )
            else:
                text = _("%(name)s is unchanged: version %(version)d, %(rules)d rules, is already this file.")
            messages.success(request, text % facts)
            target = rule_set.scope or org
            return redirect(f"{reverse('org_rule_sets', args=[target.pk])}?year={rule_set.year or year}")
    here = _visible_here(org)
    active = list(
        _listed(RuleSet.objects.filter(here, Q(year=year) | Q(year__isnull=True), active=True)).order_by(
            "code"
        )
    )
    older = list(
        _listed(RuleSet.objects.filter(here, code__in=[s.code for s in active], active=False)).order_by(
            "code", "-version"
        )
    )
    context = {
        "org": org,
        "year": year,
        "years": _years(year),
        "active": active,
        "older": older,
        "can_load": can_load,
        "problems": problems,
        "max_kb": schema.MAX_BYTES // 1024,
    }
    return render(request, "compliance/rule_sets.html", context, status=200)
