from django.urls import path

from trustops.workforce import views
from trustops.workforce.pages import contracts, rosters

app_name = "workforce"

urlpatterns = [
    path("vendors/", views.vendor_list, name="vendors"),
    path("vendors/<int:vendor_id>/", views.vendor_page, name="vendor"),
    path("vendors/<int:vendor_id>/contracts/<int:contract_id>/draft/", contracts.draft_version, name="contract_draft"),
    path("vendors/<int:vendor_id>/roster/", rosters.roster, name="roster"),
    path("vendors/<int:vendor_id>/roster/templates/", rosters.add_template, name="roster_template"),
    path("vendors/<int:vendor_id>/roster/shifts/", rosters.add_shift, name="roster_shift"),
    path("vendors/<int:vendor_id>/roster/import/", rosters.import_roster, name="roster_import"),
    path("vendors/<int:vendor_id>/scorecard.<str:fmt>", views.scorecard_file, name="scorecard_file"),
    path("vendors/<int:vendor_id>/status/", views.change_status, name="vendor_status"),
    path("vendors/<int:vendor_id>/invoices/", views.compute_invoice, name="compute_invoice"),
    path("invoices/<int:invoice_id>/", views.invoice_page, name="invoice"),
    path("invoices/<int:invoice_id>/invoice.<str:fmt>", views.invoice_file, name="invoice_file"),
    path("invoices/<int:invoice_id>/vendor-count/", views.upload_vendor_count, name="vendor_count"),
    path("invoices/<int:invoice_id>/disputes/", views.dispute, name="dispute"),
    path("invoices/<int:invoice_id>/disputes/<int:dispute_id>/resolve/", views.resolve, name="resolve"),
    path("invoices/<int:invoice_id>/approve/", views.approve, name="approve"),
]
