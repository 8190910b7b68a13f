from django.urls import path

from trustops.support import views
from trustops.support.escalations import views as escalations
from trustops.support.sla import views as sla

app_name = "support"
urlpatterns = [
    path("support/", views.workspace, name="workspace"),
    path("support/help/", views.help_form, name="help"),
    path("support/help/suggestions/", views.suggestions, name="suggestions"),
    path("support/chat/", views.chat, name="chat"),
    path("support/tickets/<int:ticket_id>/", views.ticket_page, name="ticket"),
    path("support/tickets/<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("support/tickets/<int:ticket_id>/status/", views.ticket_status, name="ticket_status"),
    path("support/tickets/<int:ticket_id>/assign/", views.ticket_assign, name="ticket_assign"),
    path("support/tickets/<int:ticket_id>/macro/", views.ticket_macro, name="ticket_macro"),
    path("support/tickets/<int:ticket_id>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("support/tickets/<int:ticket_id>/issue/", views.issue_status, name="issue_status"),
    path("support/tickets/<int:ticket_id>/confirm-fix/", views.confirm_fix, name="confirm_fix"),
    path("support/tickets/<int:ticket_id>/attachments/", views.ticket_attach, name="ticket_attach"),
    path("support/tickets/<int:ticket_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("support/kb/", views.kb_home, name="kb"),
    path("support/kb/new/", views.article_edit, name="article_new"),
    path("support/kb/<int:article_id>/", views.article_page, name="article"),
    path("support/kb/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("support/kb/<int:article_id>/feedback/", views.article_feedback, name="article_feedback"),
    path("support/incidents/", views.incidents_page, name="incidents"),
    path("support/incidents/<int:incident_id>/", views.incident_page, name="incident"),
    path("support/incidents/<int:incident_id>/<slug:action>/", views.incident_act, name="incident_act"),
    path("support/reports/", views.daily_reports, name="daily_reports"),
    path("support/reports/<str:day>/", views.daily_report, name="daily_report"),
    path("support/handover/", views.handover, name="handover"),
    path("support/sla/", sla.policies_page, name="sla_policies"),
    path("support/escalations/", escalations.escalations_page, name="escalations"),
    path("support/escalations/insights/", escalations.insights_page, name="insights"),
    path("support/escalations/insights/<str:week>/report.csv", escalations.insights_csv, name="insights_csv"),
    path("support/escalations/<int:escalation_id>/", escalations.escalation_page, name="escalation"),
    path("support/escalations/<int:escalation_id>/<slug:action>/", escalations.escalation_act,
         name="escalation_act"),
]
