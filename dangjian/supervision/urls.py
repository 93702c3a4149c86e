"""Every route is keyed by the organization: a 五化 assessment or a secretary's report is "the
organization's record of the year" (`?year=`), a link or visit is found among the committee's
own. An organization outside the user's reach answers 404 before any record is read."""

from django.urls import path

from . import link_views, report_views, views

urlpatterns = [
    path("orgs/<int:pk>/five-standards/", views.org_five_standards, name="org_five_standards"),
    path("orgs/<int:pk>/five-standards/review/", views.five_standards_review, name="five_standards_review"),
    path(
        "orgs/<int:pk>/five-standards/evidence/",
        views.five_standards_evidence,
        name="five_standards_evidence",
    ),
    path(
        "orgs/<int:pk>/five-standards/evidence/file/",
        views.five_standards_evidence_file,
        name="five_standards_evidence_file",
    ),
    path(
        "orgs/<int:pk>/five-standards/evidence/remove/",
        views.five_standards_evidence_remove,
        name="five_standards_evidence_remove",
    ),
    path("orgs/<int:pk>/secretary-report/", report_views.org_secretary_report, name="org_secretary_report"),
    path(
        "orgs/<int:pk>/secretary-report/review/",
        report_views.secretary_report_review,
        name="secretary_report_review",
    ),
    path(
        "orgs/<int:pk>/secretary-report/file/",
        report_views.secretary_report_file,
        name="secretary_report_file",
    ),
    path("orgs/<int:pk>/committee-links/", link_views.org_committee_links, name="org_committee_links"),
    path("orgs/<int:pk>/committee-links/end/", link_views.committee_link_end, name="committee_link_end"),
    path(
        "orgs/<int:pk>/committee-links/visits/", link_views.committee_link_visit, name="committee_link_visit"
    ),
]
