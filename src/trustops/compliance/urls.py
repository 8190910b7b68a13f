from django.urls import path

from trustops.compliance import views
from trustops.compliance.suspensions import views as suspensions

app_name = "compliance"
urlpatterns = [
    path("", views.submissions, name="submissions"),
    path("statements/restate/", views.restate, name="restate"),
    path("statements/<int:statement_id>/resubmit/", views.resubmit, name="resubmit"),
    path("clocks/", views.board, name="clocks"),
    path("suspensions/", suspensions.suspensions_page, name="suspensions"),
    path("suspensions/warn/", suspensions.warn, name="warn"),
    path("suspensions/<int:suspension_id>/suspend/", suspensions.suspend, name="suspend"),
    path("suspensions/<int:suspension_id>/lift/", suspensions.lift, name="lift"),
    path("clocks/open/", views.open_request, name="open_request"),
    path("clocks/<int:clock_id>/withdraw/", views.withdraw, name="withdraw"),
    path("holds/", views.holds, name="holds"),
    path("holds/place/", views.place_hold, name="place_hold"),
    path("holds/<int:hold_id>/release/", views.release_hold, name="release_hold"),
    path("retention/", views.save_retention, name="save_retention"),
    path("data-subjects/", views.data_subjects, name="data_subjects"),
    path("data-subjects/request/", views.data_subject_request, name="data_subject_request"),
    path("data-subjects/<int:request_id>/archive/", views.archive, name="archive"),
    path("access/", views.access_log, name="access_log"),
    path("child-safety/", views.child_safety_reports, name="child_safety"),
    path("child-safety/assemble/", views.assemble_child_safety_report, name="assemble_child_safety_report"),
    path("child-safety/<int:report_id>/", views.child_safety_report, name="child_safety_report"),
    path("child-safety/<int:report_id>/evidence/", views.open_child_safety_evidence, name="child_safety_evidence"),
    path("child-safety/<int:report_id>/submit/", views.submit_child_safety_report, name="submit_child_safety_report"),
    path("transparency/", views.transparency_report, name="transparency"),
]
