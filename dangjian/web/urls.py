from django.urls import include, path

from dangjian.core.audit_views import audit_log

from . import mine, nav, pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", audit_log, name="audit_log"),
    path("my/", mine.my_page, name="my_page"),
    path("my/branch/", mine.my_branch, name="my_branch"),
    path("go/<slug:section>/", nav.go, name="nav_go"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_sw"),
    path("offline/", pwa.offline, name="pwa_offline"),
    path("", include("dangjian.accounts.urls")),
    path("", include("dangjian.organizations.urls")),
    path("", include("dangjian.members.urls")),
    path("", include("dangjian.orglife.urls")),
    path("", include("dangjian.orglife.month_urls")),
    path("", include("dangjian.orglife.themeday_urls")),
    path("", include("dangjian.orglife.export_urls")),
    path("", include("dangjian.study.urls")),
    path("", include("dangjian.lectures.urls")),
    path("", include("dangjian.polls.urls")),
    path("", include("dangjian.orglife.checkin_urls")),
    path("", include("dangjian.orglife.member_urls")),
    path("", include("dangjian.orglife.calendar_urls")),
    path("", include("dangjian.leaders.urls")),
    path("", include("dangjian.notifications.urls")),
    path("", include("dangjian.dues.urls")),
    path("", include("dangjian.roster.urls")),
    path("", include("dangjian.evaluation.urls")),
    path("", include("dangjian.points.urls")),
    path("", include("dangjian.transfers.urls")),
    path("", include("dangjian.identity.urls")),
    path("", include("dangjian.supervision.urls")),
    path("", include("dangjian.rectification.urls")),
    path("", include("dangjian.weakorgs.urls")),
    path("", include("dangjian.compliance.urls")),
    path("", include("dangjian.discussion.urls")),
    path("", include("dangjian.notices.urls")),
    path("", include("dangjian.feed.urls")),
]
