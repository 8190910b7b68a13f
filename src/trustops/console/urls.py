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
