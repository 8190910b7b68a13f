from django.urls import path

from trustops.risk import views

app_name = "risk"

urlpatterns = [
    path("risk/", views.workspace, name="workspace"),
    path("risk/rules/new/", views.editor, name="new_rule"),
    path("risk/rules/validate/", views.validate, name="validate"),
    path("risk/rules/save/", views.save, name="save"),
    path("risk/rules/backtest/", views.backtest, name="backtest"),
    path("risk/rules/<slug:key>/", views.editor, name="rule"),
    path("risk/rules/<slug:key>/mode/", views.change_mode, name="mode"),
    path("risk/rules/<slug:key>/hits/<int:hit_id>/reverse/", views.reverse_action, name="reverse_action"),
    path("risk/monitors/", views.monitor_list, name="monitors"),
]
