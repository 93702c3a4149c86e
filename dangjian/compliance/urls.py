"""Compliance pages, keyed by the organization (`?year=`): its checklist, the year-end report,
and for a committee the supervision dashboard (`&format=xlsx` for the matrix as Excel)."""

from django.urls import path

from . import ruleset_views, views

urlpatterns = [
    path("orgs/<int:pk>/compliance/", views.org_compliance, name="org_compliance"),
    path("orgs/<int:pk>/compliance/report.pdf", views.org_compliance_pdf, name="org_compliance_pdf"),
    path("orgs/<int:pk>/supervision/", views.org_supervision, name="org_supervision"),
    path("orgs/<int:pk>/rule-sets/", ruleset_views.org_rule_sets, name="org_rule_sets"),
]
