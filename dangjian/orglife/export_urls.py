from django.urls import path

from . import export_views

urlpatterns = [
    path("meetings/<int:pk>/record.pdf", export_views.record_pdf, name="meeting_record_pdf"),
    path("meetings/<int:pk>/signin.pdf", export_views.signin_pdf, name="meeting_signin_pdf"),
    path("orgs/<int:pk>/meetings.xlsx", export_views.meetings_sheet, name="org_meetings_xlsx"),
]
