from django.urls import path

from . import export_views, views

urlpatterns = [
    path("members/export.xlsx", export_views.export_xlsx, name="member_export_xlsx"),
    path("members/export.csv", export_views.export_csv, name="member_export_csv"),
    path("members/import-template.xlsx", export_views.import_template, name="member_import_template"),
    path("orgs/<int:pk>/import/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/start/", views.import_start, name="import_start"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/report.xlsx", views.import_report, name="import_report"),
]
