from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("dangjian.api.urls")),
    path("", include("dangjian.web.urls")),
]

# Unmatched URLs and other errors under /api/ answer JSON, as the schema documents; the web
# gets styled Chinese pages (templates/400.html … 500.html, 403_csrf.html for a CSRF failure).
handler400 = "dangjian.api.errors.bad_request_page"
handler403 = "dangjian.api.errors.forbidden"
handler404 = "dangjian.api.errors.not_found"
handler500 = "dangjian.api.errors.server_error_page"
