"""The one member FilterSet, serving the HTML list and the API.

Filters narrow an already-restricted queryset; they never decide access. Every filter is an
index-friendly range or equality (no `LIKE` on the tree path, no `__year` on a function).
Nothing here takes an ID number or phone: a query string ends up in access logs, so the exact
search by those is a POST (`services.search_members`), and `personal_query_params` names the
parameters a GET must not carry.
"""

from datetime import date
from typing import Any

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.params import is_int
from dangjian.core.tree import subtree_q
from dangjian.organizations.models import Organization, Sector

from .models import Gender, Member, MemberCategory, MemberStatus

# Parameters that would put a full ID number or phone into a URL: refused, never ignored.
PERSONAL_PARAMS = ("id_number", "phone")

# Age bands of the statistical reports: (label, lowest age, highest age or None).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "18-35": (18, 35),
    "36-45": (36, 45),
    "46-60": (46, 60),
    "61-70": (61, 70),
    "71+": (71, None),
}


def age_band_q(band: str, today: date) -> Q:
    """Members whose age reached in `today`'s year (this year minus the birth year, as Party
    statistics count it at the year's end) lies within the band.

    Whole calendar years on purpose: an age counted to the day would split a birth year (or, to
    those who see it, a birth month) at today's date, and asking again on other days would pin
    the birth date down — and with it the ID number that the masks hide.
    """
    low, high = AGE_BANDS[band]
    q = Q(birth_date__lt=date(today.year - low + 1, 1, 1))
    if high is not None:
        q &= Q(birth_date__gte=date(today.year - high, 1, 1))
    return q


class MemberFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_("Organization code (incl. below)"))
    category = django_filters.ChoiceFilter(choices=MemberCategory.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("Status"))
    sector = django_filters.ChoiceFilter(
        field_name="organization__sector", choices=Sector.choices, label=_("Sector")
    )
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    age_band = django_filters.ChoiceFilter(
        choices=[(band, band) for band in AGE_BANDS], method="filter_age_band", label=_("Age")
    )
    join_year = django_filters.NumberFilter(method="filter_join_year", label=_("Year joined"))
    q = django_filters.CharFilter(method="filter_q", label=_("Name contains"))

    class Meta:
        model = Member
        fields: list[str] = []  # declared filters only: no model field is exposed by accident

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Looked up unscoped: the queryset is already restricted, so a code outside the user's
        # reach only narrows to what they may see anyway.
        path = Organization.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(subtree_q(path, "organization__path"))

    def filter_age_band(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(age_band_q(value, timezone.localdate()))

    def filter_join_year(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        year = int(value)
        if not 1921 <= year <= 9998:  # the Party was founded in 1921; also keeps date() in range
            return queryset.none()
        return queryset.filter(join_date__gte=date(year, 1, 1), join_date__lt=date(year + 1, 1, 1))

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset


def personal_query_params(params: Any) -> list[str]:
    """The personal-data parameters a query string carries a value for (an empty one carries
    nothing personal: a form left blank)."""
    return [name for name in PERSONAL_PARAMS if params.get(name)]


def in_tree_order(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Members organization by organization (tree order), then by id.

    The order is also what makes a page cheap: the database walks the organization path index
    in order and stops after a page. In plain id order, a city's 400,000 members spread among
    4.3 million rows made PostgreSQL scan the id index for 1.8 s to fill one page.
    """
    return queryset.annotate(org_path=F("organization__path")).order_by("org_path", "id")


def after_cursor(queryset: QuerySet[Any], cursor: str) -> QuerySet[Any]:
    """Rows after `cursor` ("<org path>:<id>", as made by `cursor_of`) in tree order."""
    path, _, pk = cursor.partition(":")
    if not is_int(pk) or not path.isalnum():
        return queryset
    return queryset.filter(Q(org_path__gt=path) | Q(org_path=path, id__gt=int(pk)))


def cursor_of(member: Member) -> str:
    return f"{member.org_path}:{member.pk}"  # type: ignore[attr-defined]


def filtered_members(user: Any, data: Any, request: Any = None) -> tuple[MemberFilterSet, QuerySet[Any]]:
    """The member list as a user asked for it: the filters, then the user's scope (narrow first,
    restrict last — see ScopedQuerySet.restrict), in tree order."""
    filterset = MemberFilterSet(data, queryset=Member.objects.select_related("organization"), request=request)
    if not filterset.is_valid():
        return filterset, Member.objects.none()
    return filterset, in_tree_order(filterset.qs.restrict(user, "view"))
