from django.contrib.auth import views as auth_views
from django.urls import path

from trustops.console import account_views, case_views, sign_in, views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("queues/", views.queue_overview, name="queues"),
    path("queues/<slug:queue_key>/next/", views.next_case, name="next_case"),
    path("cases/<int:case_id>/", case_views.case_page, name="case"),
    path("cases/<int:case_id>/guidance/", case_views.policy_guidance, name="case_guidance"),
    path("cases/<int:case_id>/decision/", case_views.decide, name="case_decide"),
    path("cases/<int:case_id>/escalate/", case_views.escalate, name="case_escalate"),
    path("cases/<int:case_id>/skip/", case_views.skip, name="case_skip"),
    path("cases/<int:case_id>/release/", case_views.release, name="case_release"),
    path("cases/<int:case_id>/renew/", case_views.renew, name="case_renew"),
    path("cases/<int:case_id>/reveal/", case_views.reveal, name="case_reveal"),
    path("subjects/<str:subject_type>/<path:external_id>/media.svg", case_views.subject_media,
         name="subject_media"),
    path("accounts/", account_views.account_lookup, name="account_lookup"),
    path("accounts/<str:account_type>/<path:external_id>/", account_views.account_page, name="account"),
    path("appeals/", views.appeals, name="appeals"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("preferences/", views.preferences, name="preferences"),
    path("login/", auth_views.LoginView.as_view(template_name="console/login.html", redirect_authenticated_user=True),
         name="login"),
    path("login/second-factor/", sign_in.second_factor, name="totp"),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
]

from django.urls import re_path  # noqa: E402

from trustops.console import quality_views  # noqa: E402

urlpatterns += [
    path("quality/", quality_views.quality_dashboard, name="quality"),
    path("quality/reports/", quality_views.latest_report, name="quality_reports"),
    re_path(r"^quality/reports/(?P<month>\d{4}-\d{2})/$", quality_views.monthly_report, name="quality_report"),
    re_path(r"^quality/reports/(?P<month>\d{4}-\d{2})/report\.(?P<fmt>html|csv|xlsx)$",
            quality_views.monthly_report_file, name="quality_report_file"),
]

from trustops.console import qa_program_views, qa_views  # noqa: E402

# The QA workspace: everything the QA API does, in the console.
urlpatterns += [
    path("qa/", qa_views.workspace, name="qa"),
    path("qa/samples/", qa_views.samples, name="qa_samples"),
    path("qa/samples/<int:sample_id>/", qa_views.sample_page, name="qa_sample"),
    path("qa/tasks/", qa_views.tasks, name="qa_tasks"),
    path("qa/tasks/next/", qa_views.next_task, name="qa_next_task"),
    path("qa/tasks/<int:task_id>/", qa_views.task_page, name="qa_task"),
    path("qa/tasks/<int:task_id>/audit/", qa_views.submit_audit, name="qa_submit_audit"),
    path("qa/audits/", qa_views.audits, name="qa_audits"),
    path("qa/audits/<int:audit_id>/", qa_views.audit_page, name="qa_audit"),
    path("qa/audits/<int:audit_id>/dispute/", qa_views.dispute, name="qa_dispute"),
    path("qa/disputes/<int:dispute_id>/arbitration/", qa_views.arbitrate, name="qa_arbitrate"),
    path("qa/calibrations/", qa_program_views.calibrations, name="qa_calibrations"),
    path("qa/calibrations/<int:calibration_id>/", qa_program_views.calibration_page, name="qa_calibration"),
    path("qa/calibrations/<int:calibration_id>/items/<int:case_id>/", qa_program_views.calibration_item,
         name="qa_calibration_item"),
    path("qa/calibrations/<int:calibration_id>/close/", qa_program_views.close_calibration,
         name="qa_calibration_close"),
    path("qa/rcas/", qa_program_views.rcas, name="qa_rcas"),
    path("qa/rcas/<int:rca_id>/", qa_program_views.rca_page, name="qa_rca"),
    path("qa/golden/", qa_program_views.golden_items, name="qa_golden"),
]

from trustops.console import find_views, floor_views  # noqa: E402

urlpatterns += [
    path("search/", find_views.search, name="search"),
    path("queues/<slug:queue_key>/cases/", find_views.queue_cases, name="queue_cases"),
    path("queues/<slug:queue_key>/bulk/", find_views.bulk_decide, name="queue_bulk"),
    path("floor/", floor_views.floor, name="floor"),
    path("floor/cases/<int:case_id>/", floor_views.floor_case, name="floor_case"),
    path("floor/cases/<int:case_id>/release/", floor_views.floor_release, name="floor_release"),
    path("floor/cases/<int:case_id>/reassign/", floor_views.floor_reassign, name="floor_reassign"),
    path("notifications/", floor_views.notifications, name="notifications"),
    path("notifications/read/", floor_views.notifications_read, name="notifications_read"),
    path("notifications/bell/", floor_views.bell, name="bell"),
]
from trustops.console import settings_views  # noqa: E402

urlpatterns += [
    path("settings/", settings_views.queues, name="settings"),
    path("settings/queues/", settings_views.queues, name="settings_queues"),
    path("settings/queues/<slug:queue_key>/", settings_views.queue_edit, name="settings_queue"),
    path("settings/routing/", settings_views.routing, name="settings_routing"),
    path("settings/routing/test/", settings_views.routing_test, name="settings_routing_test"),
    path("settings/routing/<int:rule_id>/<str:action>/", settings_views.rule_action, name="settings_rule"),
    path("settings/webhooks/", settings_views.webhooks, name="settings_webhooks"),
    path("settings/webhooks/<int:endpoint_id>/<str:action>/", settings_views.webhook_action,
         name="settings_webhook"),
    path("deliveries/<int:delivery_id>/redeliver/", settings_views.redeliver, name="redeliver"),
]

from trustops.console import people_views, settings_policy_views, token_views  # noqa: E402

urlpatterns += [
    path("settings/policies/", settings_policy_views.policy_list, name="settings_policies"),
    path("settings/policies/<str:code>/", settings_policy_views.policy_page, name="settings_policy"),
    path("settings/ladders/", settings_policy_views.ladder_list, name="settings_ladders"),
    path("settings/ladders/<str:family>/", settings_policy_views.ladder_page, name="settings_ladder"),
    path("settings/users/", people_views.users, name="settings_users"),
    path("settings/users/<int:user_id>/", people_views.user_page, name="settings_user"),
    path("settings/users/<int:user_id>/active/", people_views.user_active, name="settings_user_active"),
    path("preferences/tokens/", token_views.tokens, name="tokens"),
    path("preferences/tokens/<int:token_id>/revoke/", token_views.revoke, name="token_revoke"),
]
