from django.urls import path

from dangjian.core.workflow_views import move_path

from . import member_views, views
from .workflows import REDUCTION_FLOW

urlpatterns = [
    path("my/dues/", views.my_dues, name="my_dues"),
    path("orgs/<int:pk>/dues/", views.org_dues, name="org_dues"),
    path("orgs/<int:pk>/dues/how-to-pay/", views.org_payment_instructions, name="org_payment_instructions"),
    path("orgs/<int:pk>/dues/how-to-pay/qr/", views.payment_qr, name="dues_payment_qr"),
    path("orgs/<int:pk>/dues.xlsx", views.org_dues_sheet, name="org_dues_xlsx"),
    path("members/<int:pk>/dues/", member_views.member_dues, name="member_dues"),
    path("dues/payments/<int:pk>/void/", member_views.payment_void, name="dues_payment_void"),
    move_path("dues/reductions/<int:pk>/approve/", REDUCTION_FLOW, "approve", "dues_reduction_approve"),
    move_path("dues/reductions/<int:pk>/reject/", REDUCTION_FLOW, "reject", "dues_reduction_reject"),
]
