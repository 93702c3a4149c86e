from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("dangjian.api.urls")),
    path("", include("dangjian.web.urls")),
]

# Unmatched URLs under /api/ answer JSON, as the schema documents.
handler404 = "dangjian.api.errors.not_found"
