"""Navigation: which items a user's header and phone tab bar show, and where each one leads.

Computed from what the request has already loaded (the user row and its grants, cached on the
user): the header adds no query to any page, so every page's query budget stays as it was.
Targets that need an organization (会议, 工作要点, 督导 …) point at `/go/<section>/`, which picks
the organization when the item is followed, not on every page.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.roles import Role
from dangjian.compliance.queries import is_committee_view
from dangjian.core.icons import icon
from dangjian.organizations.models import Organization

# Roles that do the Party work of an organization (not the three administrators, not members).
STAFF_ROLES = frozenset({Role.ORGANIZER, Role.SECRETARY, Role.COMMITTEE_STAFF, Role.SUPERVISOR})
# Roles that supervise the organizations below their own (督导).
SUPERVISING_ROLES = frozenset({Role.COMMITTEE_STAFF, Role.SUPERVISOR})
# Roles whose organization is a branch: their "支部" tab names it so; higher staff see "组织".
BRANCH_ROLES = frozenset({Role.ORGANIZER, Role.SECRETARY, Role.MEMBER})


@dataclass(frozen=True)
class NavItem:
    key: str  # which section of the site; the tab of the current page is marked with it
    label: str | Promise
    icon: str  # a Bootstrap Icons name
    url: str


def _is_staff(user: Any) -> bool:
    return bool(user.roles() & STAFF_ROLES)


def tab_items(user: Any) -> list[NavItem]:
    """The phone tab bar: at most five items, each leading to a page this user may open."""
    home = NavItem("home", _("Home"), icon("house-door"), reverse("home"))
    mine = NavItem("mine", _("Mine"), icon("person"), reverse("my_page"))
    if _is_staff(user):
        branch_label = (
            pgettext_lazy("tab", "Branch")
            if user.roles() & BRANCH_ROLES
            else pgettext_lazy("tab", "Organization")
        )
        return [
            home,
            NavItem("meetings", _("Meetings"), icon("calendar-check"), reverse("nav_go", args=["meetings"])),
            NavItem("study", _("Study"), icon("book"), reverse("nav_go", args=["study"])),
            NavItem("branch", branch_label, icon("flag"), reverse("nav_go", args=["org"])),
            mine,
        ]
    if user.member_id:
        return [
            home,
            NavItem("meetings", _("Meetings"), icon("calendar-check"), reverse("my_meetings")),
            NavItem("study", _("Study"), icon("book"), reverse("my_study")),
            NavItem("branch", pgettext_lazy("tab", "Branch"), icon("flag"), reverse("my_branch")),
            mine,
        ]
    # The administrators (三员) and users without a role: only pages their role opens.
    items = [home]
    if user.can("manage_tree"):
        items.append(NavItem("orgs", _("Organizations"), icon("diagram-3"), reverse("org_tree")))
    if user.can("view_accounts"):
        items.append(NavItem("users", _("Users"), icon("person-gear"), reverse("user_list")))
    if user.can("manage_security"):
        items.append(NavItem("security", _("Security"), icon("shield-lock"), reverse("security")))
    if user.can("view_audit"):
        items.append(NavItem("audit", _("Audit log"), icon("journal-text"), reverse("audit_log")))
    return [*items[:4], mine]


def top_items(user: Any) -> list[NavItem]:
    """The desktop header (and the phone's menu): the work pages of the user's roles."""
    items: list[NavItem] = []
    staff = _is_staff(user)
    if user.member_id and not staff:
        items += [
            NavItem("meetings", _("My meetings"), icon("calendar-check"), reverse("my_meetings")),
            NavItem("study", _("Study"), icon("book"), reverse("my_study")),
            NavItem("branch", _("My branch"), icon("flag"), reverse("my_branch")),
        ]
    if user.can("view"):
        items.append(NavItem("orgs", _("Organizations"), icon("diagram-3"), reverse("org_tree")))
    if staff:
        items.append(
            NavItem("meetings", _("Meetings"), icon("calendar-check"), reverse("nav_go", args=["meetings"]))
        )
    if user.can("view"):
        items.append(NavItem("members", _("Members"), icon("people"), reverse("member_list")))
    if staff:
        items.append(
            NavItem(
                "workpoints",
                _("Work points"),
                icon("clipboard-data"),
                reverse("nav_go", args=["work-points"]),
            )
        )
    if user.roles() & SUPERVISING_ROLES:
        items.append(
            NavItem(
                "supervision", _("Supervision"), icon("bar-chart"), reverse("nav_go", args=["supervision"])
            )
        )
    if user.can("view_accounts"):
        items.append(NavItem("users", _("Users"), icon("person-gear"), reverse("user_list")))
    if user.can("review_admin"):
        items.append(
            NavItem("admin", _("Administrator requests"), icon("people-fill"), reverse("admin_requests"))
        )
    if user.can("manage_security"):
        items.append(NavItem("security", _("Security"), icon("shield-lock"), reverse("security")))
    if user.can("view_audit"):
        items.append(NavItem("audit", _("Audit log"), icon("journal-text"), reverse("audit_log")))
    return items


# Path → section, first match wins. Keys match NavItem.key.
SECTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/$"), "home"),
    (
        re.compile(
            r"^/(my/meetings|my/calendar|meetings|checkin)/|^/orgs/\d+/(meetings|calendar|theme-day)/"
        ),
        "meetings",
    ),
    (re.compile(r"^/my/study/|^/orgs/\d+/study/|^/study-items/"), "study"),
    (re.compile(r"^/my/branch/|^/orgs/\d+/$|^/polls/|^/orgs/\d+/polls/"), "branch"),
    (re.compile(r"^/orgs/\d+/compliance/"), "workpoints"),
    (re.compile(r"^/orgs/\d+/(supervision|five-standards|secretary-report|committee-links)/"), "supervision"),
    (re.compile(r"^/notifications/"), "notifications"),
    (re.compile(r"^/(my|account)/"), "mine"),
    (re.compile(r"^/members/"), "members"),
    (re.compile(r"^/users/"), "users"),
    (re.compile(r"^/security/"), "security"),
    (re.compile(r"^/audit/"), "audit"),
    (re.compile(r"^/admin-requests/"), "admin"),
    (re.compile(r"^/orgs/"), "orgs"),
]


def section_of(path: str) -> str:
    for pattern, key in SECTIONS:
        if pattern.search(path):
            return key
    return ""


def nav_org(user: Any) -> Organization:
    """The organization a staff user's header items open: their home organization when they may
    see it, otherwise the highest one they may see. 404 when they see none."""
    visible = Organization.objects.restrict(user, "view")
    if user.home_org_id:
        home = visible.filter(pk=user.home_org_id).first()
        if home is not None:
            return home  # type: ignore[no-any-return]
    top = Organization.objects.filter(path__in=user.scope_paths("view")).order_by("path").first()
    if top is None:
        raise Http404
    return top


GO_TARGETS = {
    "meetings": "org_meetings",
    "study": "study_plan",
    "org": "org_detail",
    "work-points": "org_compliance",
    "supervision": "org_supervision",
}


@login_required
def go(request: HttpRequest, section: str) -> HttpResponse:
    """`/go/meetings/` and its kin: the section's page of the user's organization."""
    target = GO_TARGETS.get(section)
    if target is None:
        raise Http404
    org = nav_org(request.user)
    if section == "supervision" and not is_committee_view(org):
        target = "org_compliance"  # nothing below to supervise: the checklist is the leaf's page
    return redirect(target, pk=org.pk)
